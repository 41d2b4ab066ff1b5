import { logger } from '#lib/logger';
import { causeMessage } from '#lib/workflow-errors';
import { campaigns, type LaunchInput } from './launch-context.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of launch-campaign: the campaign may be launched again, which creates only what is missing. */
export const fail = async (input: LaunchInput & { error: { Error: string; Cause?: unknown } }) => {
  const message = `${input.error.Error}: ${causeMessage(input.error.Cause)}`.slice(0, 1000);
  logger.warn('launch failed', { campaignId: input.campaignId, error: input.error });
  await campaigns.updateLaunch(
    input.campaignId,
    input.execution,
    { error: message, finishedAt: new Date().toISOString() },
    { status: 'launch_failed' },
  );
  return { campaignId: input.campaignId, error: message };
};

export const handler = stepHandler(fail);
