import { ulid } from 'ulid';
import { createCampaignStore } from '#adapters/campaign-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createInspectionStore } from '#adapters/inspection-store';
import type { ObjectStore } from '#adapters/object-store';
import { createRegistryStore } from '#adapters/registry-store';
import { createTemplateStore } from '#adapters/template-store';
import { createInspectionService } from '#core/inspection-service';
import { createRegistryService } from '#core/registry-service';
import { mapLimited } from '#lib/concurrency';
import { logger } from '#lib/logger';
import type { TablesWithAudit } from './tables.ts';

/**
 * The inspection use cases over DynamoDB (the API and the sweeper). Given the
 * evidence bucket (the API), accountability places its legal holds at once.
 */
export const inspectionWiring = (tables: TablesWithAudit, evidenceObjects?: ObjectStore) => {
  const store = createInspectionStore(tables.db, tables);
  const evidence = createEvidenceStore(tables.db, tables);
  const holdEvidence = async (inspectionId: string) => {
    try {
      const files = (await evidence.byInspection(inspectionId)).filter((e) => e.status === 'stored');
      const results = await mapLimited(files, 8, (e) => evidenceObjects!.legalHold(e.key));
      return { files: files.length, placed: results.filter((r) => r === 'placed').length };
    } catch (error) {
      logger.error('legal hold deferred to sealing', { inspectionId, error });
      return { deferred: 'The holds are placed when the campaign is sealed.' };
    }
  };
  const campaigns = createCampaignStore(tables.db, tables.main);
  const templates = createTemplateStore(tables.db, tables.main);
  const schools = createRegistryStore(tables.db, tables.main);
  const registry = createRegistryService(schools);
  const service = createInspectionService({
    store,
    campaign: (id) => campaigns.get(id),
    template: (id, version) => templates.get(id, version),
    evidenceOf: (inspectionId) => evidence.byInspection(inspectionId),
    visibleSchool: (actor, schoolId) => registry.school(actor, schoolId),
    school: (schoolId) => schools.getSchool(schoolId),
    ...(evidenceObjects ? { holdEvidence } : {}),
    now: () => new Date().toISOString(),
    newId: ulid,
  });
  return { service, store, campaigns, templates };
};
