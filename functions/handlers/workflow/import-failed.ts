import { dynamoClients } from '#adapters/aws-clients';
import { createImportRecords } from '#adapters/import-records';
import { failImport } from '#core/import/fail';
import { environmentOf } from '../environment.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of import-registry: the import says why it failed, in words its uploader can act on. */
const env = environmentOf('importFailed');
const { db } = dynamoClients();

export const handler = stepHandler(
  failImport({ records: createImportRecords(db, env.table('main'), env.table('audit')) }),
);
