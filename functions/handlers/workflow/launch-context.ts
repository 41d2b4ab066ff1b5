import { createCampaignStore } from '#adapters/campaign-store';
import { createObjectStore } from '#adapters/object-store';
import { createTemplateStore } from '#adapters/template-store';
import type { Campaign } from '#core/campaign';
import { bucket, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';

/** Adapters shared by the launch-campaign workflow's steps, built once per cold start. */
export const mainTable = requireEnv(tables.main.envVar);
export const campaigns = createCampaignStore(mainTable);
export const templates = createTemplateStore(mainTable);
export const objects = createObjectStore(requireEnv(bucket.envVar));

export interface LaunchInput {
  campaignId: string;
  execution: string;
}
export interface LaunchBatch extends LaunchInput {
  batch: number;
}

/** Where a launch keeps its batch files (per execution, so launches never mix). */
export const launchKey = (campaignId: string, execution: string, file: string) =>
  `work/launch/${campaignId}/${execution}/${file}`;
/** Where the audit-relevant files of a campaign live. */
export const campaignFileKey = (campaignId: string, file: string) => `campaigns/${campaignId}/${file}`;

export class SupersededLaunchError extends Error {
  constructor(campaignId: string, execution: string) {
    super(`Launch ${execution} of campaign ${campaignId} is no longer the current launch.`);
    this.name = 'SupersededLaunchError';
  }
}

/** The campaign, if `execution` is still its current launch. */
export const currentLaunch = async ({ campaignId, execution }: LaunchInput): Promise<Campaign> => {
  const campaign = await campaigns.get(campaignId);
  if (!campaign || campaign.launch?.execution !== execution)
    throw new SupersededLaunchError(campaignId, execution);
  return campaign;
};
