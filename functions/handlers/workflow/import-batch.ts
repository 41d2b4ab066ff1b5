import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createObjectStore } from '#adapters/object-store';
import { upsertImportBatch } from '#core/import/upsert-batch';
import { environmentOf } from '../environment.ts';
import { importStepPorts } from '../wiring/imports.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('importBatch');
const { db } = dynamoClients();

export const handler = stepHandler(
  upsertImportBatch(
    importStepPorts({ db, main: env.table('main') }, createObjectStore(s3Client(), env.bucket('work'))),
  ),
);
