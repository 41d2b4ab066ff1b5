import { createCampaignStore } from '#adapters/campaign-store';
import { createObjectStore } from '#adapters/object-store';
import type { Actor } from '#core/actor';
import type { Campaign } from '#core/campaign';
import { bucket, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { currentRun } from './campaign-runs.ts';

/** Adapters shared by the close-campaign workflow's steps, built once per cold start. */
export const mainTable = requireEnv(tables.main.envVar);
export const campaigns = createCampaignStore(mainTable);
export const objects = createObjectStore(requireEnv(bucket.envVar), {
  objectLock: process.env[bucket.objectLockEnvVar] === 'on',
});

export interface CloseInput {
  campaignId: string;
  execution: string;
}

/** Where a sealed campaign's final record lives. */
export const sealedKey = (campaignId: string, file: string) => `campaigns/${campaignId}/sealed/${file}`;

/** The campaign, if `execution` is still its current close. */
export const currentClose = (input: CloseInput) => currentRun(campaigns, 'close', input);

/** The office that runs the campaign, as whom the final report is computed. */
export const officeOf = (campaign: Campaign): Actor => ({
  subject: 'system:close-campaign',
  role:
    campaign.scope.length === 2
      ? 'province_admin'
      : campaign.scope.length === 4
        ? 'city_admin'
        : 'county_admin',
  scope: campaign.scope,
});
