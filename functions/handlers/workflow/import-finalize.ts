import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createObjectStore } from '#adapters/object-store';
import { finalizeImport } from '#core/import/finalize';
import { environmentOf } from '../environment.ts';
import { importStepPorts } from '../wiring/imports.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('importFinalize');
const { db } = dynamoClients();

export const handler = stepHandler(
  finalizeImport(
    importStepPorts(
      { db, main: env.table('main'), audit: env.table('audit') },
      createObjectStore(s3Client(), env.bucket('work')),
    ),
  ),
);
