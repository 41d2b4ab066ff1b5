import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { createCampaignStore } from '#adapters/campaign-store';
import { createTemplateStore } from '#adapters/template-store';
import { createCampaignService, type WorkflowStarter } from '#core/campaign-service';
import type { Tables } from './tables.ts';

/** For callers not granted a workflow: using it is a wiring bug, never a user error. */
const notGranted = (workflow: string): WorkflowStarter => {
  const fail = () => Promise.reject(new Error(`This function may not start or read ${workflow} executions.`));
  return { start: fail, describe: fail };
};

/**
 * The campaign use cases over DynamoDB, given the workflow starters this
 * function is granted (the API: launch and close; the sweeper: launch; the
 * close workflow's statistics step: none).
 */
export const campaignService = (
  tables: Tables & { audit?: string },
  workflows: { launch?: WorkflowStarter; close?: WorkflowStarter },
) =>
  createCampaignService({
    campaigns: createCampaignStore(tables.db, tables.main, tables.audit),
    templates: createTemplateStore(tables.db, tables.main, tables.audit),
    launcher: workflows.launch ?? notGranted('launch-campaign'),
    closer: workflows.close ?? notGranted('close-campaign'),
    newId: ulid,
    newSeed: () => randomBytes(16).toString('hex'),
    now: () => new Date().toISOString(),
  });
