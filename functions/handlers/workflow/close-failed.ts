import { logger } from '#lib/logger';
import { causeMessage } from '#lib/workflow-errors';
import { type CloseInput, campaigns } from './close-context.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of close-campaign: the campaign goes back to active and may be closed again. */
export const fail = async (input: CloseInput & { error: { Error: string; Cause?: unknown } }) => {
  const message = `${input.error.Error}: ${causeMessage(input.error.Cause)}`.slice(0, 1000);
  logger.warn('close failed', { campaignId: input.campaignId, error: input.error });
  await campaigns.updateClose(
    input.campaignId,
    input.execution,
    { error: message, finishedAt: new Date().toISOString() },
    { status: 'active' },
  );
  return { campaignId: input.campaignId, error: message };
};

export const handler = stepHandler(fail);
