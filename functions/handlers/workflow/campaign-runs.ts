import type { Campaign } from '#core/campaign';
import type { CampaignStore } from '#core/campaign-service';
import { logger } from '#lib/logger';
import { causeMessage } from '#lib/workflow-errors';

/**
 * What the campaign workflows (launch, close) share: each execution works
 * for one run recorded on the campaign, and stops touching it once a newer
 * run has taken over.
 */
export type CampaignRun = 'launch' | 'close';
export interface CampaignRunInput {
  campaignId: string;
  execution: string;
}

export class SupersededRunError extends Error {
  constructor(run: CampaignRun, { campaignId, execution }: CampaignRunInput) {
    super(`${run} ${execution} of campaign ${campaignId} is no longer the current ${run}.`);
    this.name = 'SupersededRunError';
  }
}

/** The campaign, if `execution` is still its current launch or close. */
export const currentRun = async (
  campaigns: CampaignStore,
  run: CampaignRun,
  input: CampaignRunInput,
): Promise<Campaign> => {
  const campaign = await campaigns.get(input.campaignId);
  if (campaign?.[run]?.execution !== input.execution) throw new SupersededRunError(run, input);
  return campaign;
};

/** The Catch path of a campaign workflow: records why the run failed and the status to fall back to. */
export const failRun =
  (campaigns: CampaignStore, run: CampaignRun, fallback: Campaign['status']) =>
  async (input: CampaignRunInput & { error: { Error: string; Cause?: unknown } }) => {
    const message = `${input.error.Error}: ${causeMessage(input.error.Cause)}`.slice(0, 1000);
    logger.warn(`${run} failed`, { campaignId: input.campaignId, error: input.error });
    const update = run === 'launch' ? campaigns.updateLaunch : campaigns.updateClose;
    await update(
      input.campaignId,
      input.execution,
      { error: message, finishedAt: new Date().toISOString() },
      { status: fallback },
    );
    return { campaignId: input.campaignId, error: message };
  };
