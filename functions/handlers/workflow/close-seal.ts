import { createAuditStore } from '#adapters/audit-store';
import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createCampaignStore } from '#adapters/campaign-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createInspectionStore } from '#adapters/inspection-store';
import { createObjectStore } from '#adapters/object-store';
import { sealCampaign } from '#core/close/seal';
import { allPages } from '#lib/pages';
import { environmentOf } from '../environment.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('closeSeal');
const { db } = dynamoClients();
const tables = { main: env.table('main'), audit: env.table('audit') };
const evidence = createEvidenceStore(db, tables);
const audit = createAuditStore(db, tables.audit);
const inspections = createInspectionStore(db, tables);
const archive = createObjectStore(s3Client(), env.bucket('evidence'), { objectLock: env.objectLock() });

export const handler = stepHandler(
  sealCampaign({
    campaigns: createCampaignStore(db, tables.main),
    archive,
    proposals: (campaignId) => inspections.proposals(campaignId),
    evidenceOf: (campaignId, regionPrefix) =>
      allPages((cursor) => evidence.archive({ campaignId, regionPrefix, limit: 500, cursor })),
    legalHold: (key) => archive.legalHold(key),
    audit: {
      recordOnce: (event) => audit.recordOnce(event),
      linkCampaign: (campaignId) => audit.linkCampaign(campaignId),
      head: (campaignId) => audit.head(campaignId),
    },
    now: () => new Date().toISOString(),
  }),
);
