import { ulid } from 'ulid';
import { createAuditStore } from '#adapters/audit-store';
import type { SFNClient } from '#adapters/aws-clients';
import { createCampaignStore } from '#adapters/campaign-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createExportRecords } from '#adapters/export-records';
import type { ObjectStore } from '#adapters/object-store';
import { createWorkflowStarter } from '#adapters/workflow-starter';
import { createAuditService } from '#core/audit-service';
import { createExportService } from '#core/export-service';
import type { TablesWithAudit } from './tables.ts';

/** The auditor's archive over DynamoDB. */
export const auditWiring = (tables: TablesWithAudit) => {
  const store = createAuditStore(tables.db, tables.audit);
  const evidence = createEvidenceStore(tables.db, tables);
  const campaigns = createCampaignStore(tables.db, tables.main);
  const service = createAuditService({
    evidence: (q) => evidence.archive(q),
    events: (q) => store.events(q),
    chainAfter: (campaignId, afterSeq, limit) => store.chainAfter(campaignId, afterSeq, limit),
    head: (campaignId) => store.head(campaignId),
    unlinked: (campaignId) => store.unlinked(campaignId),
    campaign: (id) => campaigns.get(id),
  });
  return { service, store };
};

/** Evidence exports: records in DynamoDB, bundles in the work bucket, the export-evidence workflow (API). */
export const exportWiring = (
  tables: TablesWithAudit,
  work: ObjectStore,
  sfn: SFNClient,
  stateMachineArn: string,
) => {
  const starter = createWorkflowStarter(sfn, stateMachineArn, (exportId, execution) => ({
    exportId,
    execution,
  }));
  const evidence = createEvidenceStore(tables.db, tables);
  const campaigns = createCampaignStore(tables.db, tables.main);
  return createExportService({
    campaign: (id) => campaigns.get(id),
    exports: createExportRecords(tables.db, tables),
    // The export id is the execution's name, so a retried request never starts two.
    start: (exportId) => starter.start(exportId, `export-${exportId}`),
    presignDownload: (key, fileName) => work.presignDownload(key, { fileName }),
    logAccess: (event) => evidence.logAccess(event),
    newId: ulid,
    now: () => new Date().toISOString(),
  });
};
