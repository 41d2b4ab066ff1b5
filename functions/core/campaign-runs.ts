import { logger } from '#lib/logger';
import { causeMessage } from '#lib/workflow-errors';
import type { Campaign } from './campaign.ts';
import type { CampaignStore } from './campaign-service.ts';

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
  campaigns: Pick<CampaignStore, 'get'>,
  run: CampaignRun,
  input: CampaignRunInput,
): Promise<Campaign> => {
  const campaign = await campaigns.get(input.campaignId);
  if (campaign?.[run]?.execution !== input.execution) throw new SupersededRunError(run, input);
  return campaign;
};

/** The status a campaign has while each run works on it. */
const runningStatus: Record<CampaignRun, Campaign['status']> = { launch: 'launching', close: 'closing' };

/**
 * The Catch path of a campaign workflow: records why the run failed and falls
 * back to `fallback`, but only while the run still holds the campaign in its
 * running status (a seal that did finish before its step was reported failed
 * keeps the campaign closed).
 */
export const failRun =
  (
    campaigns: Pick<CampaignStore, 'updateLaunch' | 'updateClose'>,
    run: CampaignRun,
    fallback: Campaign['status'],
  ) =>
  async (input: CampaignRunInput & { error: { Error: string; Cause?: unknown } }) => {
    const message = `${input.error.Error}: ${causeMessage(input.error.Cause)}`.slice(0, 1000);
    logger.warn(`${run} failed`, { campaignId: input.campaignId, error: input.error });
    const update = run === 'launch' ? campaigns.updateLaunch : campaigns.updateClose;
    const recorded = await update(
      input.campaignId,
      input.execution,
      { error: message, finishedAt: new Date().toISOString() },
      { status: fallback, onlyFrom: runningStatus[run] },
    );
    return { campaignId: input.campaignId, error: message, recorded };
  };
