import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { createCampaignStore } from '#adapters/campaign-store';
import { createTemplateStore } from '#adapters/template-store';
import { createWorkflowStarter } from '#adapters/workflow-starter';
import { createCampaignService, type WorkflowStarter } from '#core/campaign-service';

/** For callers not granted a workflow: using it is a wiring bug, never a user error. */
const notGranted = (workflow: string): WorkflowStarter => {
  const fail = () => Promise.reject(new Error(`This function may not start or read ${workflow} executions.`));
  return { start: fail, describe: fail };
};

/**
 * The campaign use cases wired to DynamoDB and Step Functions (shared by the
 * API, the scheduler and the close workflow), given the state machines this
 * function may start.
 */
export const campaignService = (table: string, workflows: { launch?: string; close?: string }) =>
  createCampaignService({
    campaigns: createCampaignStore(table),
    templates: createTemplateStore(table),
    launcher: workflows.launch ? createWorkflowStarter(workflows.launch) : notGranted('launch-campaign'),
    closer: workflows.close ? createWorkflowStarter(workflows.close) : notGranted('close-campaign'),
    newId: ulid,
    newSeed: () => randomBytes(16).toString('hex'),
    now: () => new Date().toISOString(),
  });
