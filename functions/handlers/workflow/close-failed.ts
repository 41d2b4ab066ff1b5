import { dynamoClients } from '#adapters/aws-clients';
import { createCampaignStore } from '#adapters/campaign-store';
import { failRun } from '#core/campaign-runs';
import { environmentOf } from '../environment.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of close-campaign: the campaign goes back to active and may be closed again. */
const env = environmentOf('closeFailed');
const { db } = dynamoClients();

export const handler = stepHandler(
  failRun(createCampaignStore(db, env.table('main'), env.table('audit')), 'close', 'active'),
);
