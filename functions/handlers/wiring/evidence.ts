import { fileTypeFromBuffer } from 'file-type';
import { ulid } from 'ulid';
import { createCampaignStore } from '#adapters/campaign-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createInspectionStore } from '#adapters/inspection-store';
import type { ObjectStore } from '#adapters/object-store';
import { createTemplateStore } from '#adapters/template-store';
import { createEvidenceService } from '#core/evidence-service';
import type { TablesWithAudit } from './tables.ts';

/**
 * The evidence use cases over DynamoDB and the evidence bucket (the API, the
 * object-created handler and the sweeper).
 */
export const evidenceWiring = (tables: TablesWithAudit, objects: ObjectStore) => {
  const store = createEvidenceStore(tables.db, tables);
  const inspections = createInspectionStore(tables.db, tables);
  const campaigns = createCampaignStore(tables.db, tables.main);
  const templates = createTemplateStore(tables.db, tables.main);
  const service = createEvidenceService({
    evidence: store,
    inspection: async (id) => (await inspections.get(id))?.inspection,
    targetRules: async (inspection) => {
      const campaign = await campaigns.get(inspection.campaignId);
      return campaign ? templates.get(campaign.templateId, campaign.templateVersion) : undefined;
    },
    presignUpload: (key, e) =>
      objects.presignUpload(key, { contentType: e.contentType, size: e.size, sha256Hex: e.sha256 }),
    presignDownload: (key, fileName) => objects.presignDownload(key, { fileName }),
    newId: ulid,
    now: () => new Date().toISOString(),
  });
  /** Size, SHA-256 and the type its magic bytes say, measured from the stored object. */
  const measure = async (key: string) => {
    const digest = await objects.digest(key);
    const detected = await fileTypeFromBuffer(digest.head);
    return { size: digest.size, sha256: digest.sha256, mime: detected?.mime };
  };
  /** Verifies an arrived file (the object-created path, and the sweeper's for lost events). */
  const verify = (evidenceId: string, key: string) => service.verifyArrival(evidenceId, () => measure(key));
  return { service, store, verify };
};
