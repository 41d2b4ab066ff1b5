import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createCampaignStore } from '#adapters/campaign-store';
import { createObjectStore } from '#adapters/object-store';
import { computeFinalStatistics } from '#core/close/statistics';
import { environmentOf } from '../environment.ts';
import { campaignService } from '../wiring/campaigns.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('closeStatistics');
const { db } = dynamoClients();
const tables = { db, main: env.table('main') };
/** Reports only: this step starts no workflow. */
const reports = campaignService(tables, {});

export const handler = stepHandler(
  computeFinalStatistics({
    campaigns: createCampaignStore(db, tables.main),
    archive: createObjectStore(s3Client(), env.bucket('evidence')),
    report: (office, campaignId, region) => reports.report(office, campaignId, region),
    now: () => new Date().toISOString(),
  }),
);
