import { createCampaignStore } from '#adapters/campaign-store';
import { createObjectStore } from '#adapters/object-store';
import { createTemplateStore } from '#adapters/template-store';
import { bucket, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { currentRun } from './campaign-runs.ts';

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

/** The campaign, if `execution` is still its current launch. */
export const currentLaunch = (input: LaunchInput) => currentRun(campaigns, 'launch', input);
