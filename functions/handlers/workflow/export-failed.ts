import { createExportRecords } from '#adapters/export-records';
import { tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { logger } from '#lib/logger';
import { causeMessage } from '#lib/workflow-errors';
import { stepHandler } from './step-handler.ts';

const records = createExportRecords(requireEnv(tables.main.envVar));

/** Catch path of export-evidence: the export says why it failed; a new export may be requested. */
export const fail = async (input: { exportId: string; error: { Error: string; Cause?: unknown } }) => {
  const message = `${input.error.Error}: ${causeMessage(input.error.Cause)}`.slice(0, 1000);
  logger.warn('export failed', { exportId: input.exportId, error: input.error });
  await records.update(input.exportId, {
    status: 'failed',
    error: message,
    finishedAt: new Date().toISOString(),
  });
  return { exportId: input.exportId, error: message };
};

export const handler = stepHandler(fail);
