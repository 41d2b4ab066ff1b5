import { ulid } from 'ulid';
import { createCampaignStore } from '#adapters/campaign-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createInspectionStore } from '#adapters/inspection-store';
import { createObjectStore } from '#adapters/object-store';
import { createTemplateStore } from '#adapters/template-store';
import { createInspectionService } from '#core/inspection-service';
import { bucket as bucketDeclaration } from '#infra/resources';
import { mapLimited } from '#lib/concurrency';
import { logger } from '#lib/logger';

/**
 * The inspection use cases wired to DynamoDB (shared by the API and the
 * sweeper); given the bucket, accountability places legal holds at once.
 */
export const inspectionWiring = (tables: { main: string; audit: string }, evidenceBucket?: string) => {
  const store = createInspectionStore(tables);
  const evidence = createEvidenceStore(tables);
  const objects = evidenceBucket
    ? createObjectStore(evidenceBucket, {
        objectLock: process.env[bucketDeclaration.objectLockEnvVar] === 'on',
      })
    : undefined;
  const holdEvidence = async (inspectionId: string) => {
    try {
      const files = (await evidence.byInspection(inspectionId)).filter((e) => e.status === 'stored');
      const results = await mapLimited(files, 8, (e) => objects!.legalHold(e.key));
      return { files: files.length, placed: results.filter((r) => r === 'placed').length };
    } catch (error) {
      logger.error('legal hold deferred to sealing', { inspectionId, error });
      return { deferred: 'The holds are placed when the campaign is sealed.' };
    }
  };
  const campaigns = createCampaignStore(tables.main);
  const templates = createTemplateStore(tables.main);
  const service = createInspectionService({
    store,
    campaign: (id) => campaigns.get(id),
    template: (id, version) => templates.get(id, version),
    ...(objects ? { holdEvidence } : {}),
    now: () => new Date().toISOString(),
    newId: ulid,
  });
  return { service, store, campaigns, templates };
};
