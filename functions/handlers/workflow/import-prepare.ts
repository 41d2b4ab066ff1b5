import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createObjectStore } from '#adapters/object-store';
import { prepareImport } from '#core/import/prepare';
import { environmentOf } from '../environment.ts';
import { importStepPorts } from '../wiring/imports.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('importPrepare');
const { db } = dynamoClients();

export const handler = stepHandler(
  prepareImport(
    importStepPorts({ db, main: env.table('main') }, createObjectStore(s3Client(), env.bucket('work'))),
  ),
);
