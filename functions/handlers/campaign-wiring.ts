import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { createCampaignStore } from '#adapters/campaign-store';
import { createLaunchStarter } from '#adapters/launch-starter';
import { createTemplateStore } from '#adapters/template-store';
import { createCampaignService } from '#core/campaign-service';

/** The campaign use cases wired to DynamoDB and Step Functions (shared by the API and the scheduler). */
export const campaignService = (table: string, launchStateMachineArn: string) =>
  createCampaignService({
    campaigns: createCampaignStore(table),
    templates: createTemplateStore(table),
    launcher: createLaunchStarter(launchStateMachineArn),
    newId: ulid,
    newSeed: () => randomBytes(16).toString('hex'),
    now: () => new Date().toISOString(),
  });
