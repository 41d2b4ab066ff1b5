import { dynamoClients } from '#adapters/aws-clients';
import { createCampaignStore } from '#adapters/campaign-store';
import { failRun } from '#core/campaign-runs';
import { environmentOf } from '../environment.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of launch-campaign: the campaign may be launched again, which creates only what is missing. */
const env = environmentOf('launchFailed');
const { db } = dynamoClients();

export const handler = stepHandler(
  failRun(createCampaignStore(db, env.table('main'), env.table('audit')), 'launch', 'launch_failed'),
);
