import { dynamoClients } from '#adapters/aws-clients';
import { createExportRecords } from '#adapters/export-records';
import { failExport } from '#core/export/build-bundle';
import { environmentOf } from '../environment.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of export-evidence: the export says why it failed; a new export may be requested. */
const env = environmentOf('exportFailed');
const { db } = dynamoClients();

export const handler = stepHandler(
  failExport({
    exports: createExportRecords(db, { main: env.table('main') }),
    now: () => new Date().toISOString(),
  }),
);
