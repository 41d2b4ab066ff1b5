import { ulid } from 'ulid';
import { createAuditStore } from '#adapters/audit-store';
import { createCampaignStore } from '#adapters/campaign-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createExportRecords } from '#adapters/export-records';
import { createObjectStore } from '#adapters/object-store';
import { createWorkflowStarter } from '#adapters/workflow-starter';
import { createAuditService } from '#core/audit-service';
import { createExportService } from '#core/export-service';

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

/** Evidence exports wired to DynamoDB, S3 and the export-evidence state machine (API only). */
export const exportWiring = (names: {
  main: string;
  audit: string;
  bucket: string;
  stateMachineArn: string;
}) => {
  const objects = createObjectStore(names.bucket);
  const starter = createWorkflowStarter(names.stateMachineArn, (exportId, execution) => ({
    exportId,
    execution,
  }));
  const evidence = createEvidenceStore(names);
  const campaigns = createCampaignStore(names.main);
  return createExportService({
    campaign: (id) => campaigns.get(id),
    exports: createExportRecords(names.main),
    // The export id is the execution's name, so a retried request never starts two.
    start: (exportId) => starter.start(exportId, `export-${exportId}`),
    presignDownload: (key, fileName) => objects.presignDownload(key, { fileName }),
    logAccess: (event) => evidence.logAccess(event),
    newId: ulid,
    now: () => new Date().toISOString(),
  });
};
