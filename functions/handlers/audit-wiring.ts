import { createAuditStore } from '#adapters/audit-store';
import { createCampaignStore } from '#adapters/campaign-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createAuditService } from '#core/audit-service';

/** The auditor's archive wired to DynamoDB (the API reads it; the sweeper links the chains). */
export const auditWiring = (tables: { main: string; audit: string }) => {
  const store = createAuditStore(tables.audit);
  const evidence = createEvidenceStore(tables);
  const campaigns = createCampaignStore(tables.main);
  const service = createAuditService({
    evidence: (q) => evidence.archive(q),
    events: (q) => store.events(q),
    chain: (campaignId) => store.chain(campaignId),
    campaign: (id) => campaigns.get(id),
  });
  return { service, store };
};
