import { ulid } from 'ulid';
import { createBurdenStore } from '#adapters/burden-store';
import { createCampaignStore } from '#adapters/campaign-store';
import { batchGet } from '#adapters/dynamo-batch';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createInspectionStore } from '#adapters/inspection-store';
import { createLaunchStore } from '#adapters/launch-store';
import type { ObjectStore } from '#adapters/object-store';
import { createPanelDraws } from '#adapters/panel-draws';
import { createRegistryStore, registryKeys } from '#adapters/registry-store';
import { createTemplateStore } from '#adapters/template-store';
import type { Actor } from '#core/actor';
import { createBurdenViews } from '#core/burden';
import { createInspectionService } from '#core/inspection-service';
import { createOfficeViews } from '#core/office-views';
import { createPanelService } from '#core/panel-service';
import { createRankingService } from '#core/ranking';
import type { Inspector, SchoolKind } from '#core/registry';
import { createRegistryService } from '#core/registry-service';
import { createSelfAssessmentPrefill } from '#core/self-assessment-prefill';
import { createTeamService, type TeamInspector } from '#core/team-service';
import { mapLimited } from '#lib/concurrency';
import { logger } from '#lib/logger';
import { readTable } from '#lib/tabular';
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
  const ports = {
    store,
    campaign: (id: string) => campaigns.get(id),
    template: (id: string, version: number) => templates.get(id, version),
    evidenceByIds: (ids: readonly string[]) => evidence.many(ids),
    schoolFacts: (schoolId: string) => schools.getSchool(schoolId),
    visibleSchool: (actor: Actor, schoolId: string) => registry.school(actor, schoolId),
    school: (schoolId: string) => schools.getSchool(schoolId),
    ...(evidenceObjects ? { holdEvidence } : {}),
    now: () => new Date().toISOString(),
    newId: ulid,
  };
  const service = createInspectionService(ports);
  const launchView = createLaunchStore(tables.db, tables.main);
  const inspectorsById = async (ids: readonly string[]) =>
    new Map(
      (await batchGet(tables.db, tables.main, [...new Set(ids)].map(registryKeys.inspector))).map((i) => [
        String(i.id),
        i as unknown as TeamInspector,
      ]),
    );
  const teams = createTeamService({
    ...ports,
    inspectors: inspectorsById,
    zoneInspectors: (schoolIds) => launchView.inspectors.ofZones(schoolIds),
    countyInspectors: (county, kinds) => launchView.inspectorsOfCounty(county, kinds),
    loads: (campaignId, ids) => launchView.counters.loads(campaignId, ids),
    unassigned: (campaignId, q) => store.campaignInspections(campaignId, { ...q, status: 'unassigned' }),
    readTable: async (bytes) => (await readTable(bytes)).rows,
  });
  const views = createOfficeViews({
    store,
    campaign: (id) => campaigns.get(id),
    campaigns: (ids) => campaigns.many(ids),
    inspector: (id) => schools.getInspector(id),
    loadsOf: (inspectorId, q) => campaigns.loadsOf(inspectorId, q),
    zoneSchools: async (inspectorId) =>
      (await schools.zonesOfInspector(inspectorId)).reduce((n, z) => n + z.schoolIds.length, 0),
  });
  const panels = evidenceObjects
    ? createPanelService({
        ...ports,
        teams,
        async pool(counties, kinds) {
          const all: Inspector[] = [];
          for (const kind of kinds) {
            let cursor: string | undefined;
            do {
              const page = await schools.listInspectors({
                counties,
                kind,
                limit: 200,
                ...(cursor ? { cursor } : {}),
              });
              all.push(...page.items);
              cursor = page.cursor;
            } while (cursor);
          }
          return all;
        },
        schoolKinds: async (ids) =>
          new Map(
            (await batchGet(tables.db, tables.main, [...new Set(ids)].map(registryKeys.school))).map((s) => [
              String(s.id),
              s.kind as SchoolKind,
            ]),
          ),
        loads: (campaignId, ids) => launchView.counters.loads(campaignId, ids),
        unassigned: (campaignId, q) => store.campaignInspections(campaignId, { ...q, status: 'unassigned' }),
        archive: evidenceObjects,
        presignDownload: (key, fileName) => evidenceObjects.presignDownload(key, { fileName }),
        draws: createPanelDraws(tables.db, tables),
        logAccess: (event) => evidence.logAccess(event),
      })
    : undefined;
  const burdenStore = createBurdenStore(tables.db, tables.main);
  const burden = createBurdenViews({
    campaigns: (ids) => campaigns.many(ids),
    campaignInspections: (actor, campaignId, q) => views.campaignInspections(actor, campaignId, q),
    ofInspections: (ids) => burdenStore.ofInspections(ids),
    campaignTotals: (campaignId, prefix) => burdenStore.campaignTotals(campaignId, prefix),
    visibleSchool: (actor, schoolId) => registry.school(actor, schoolId),
    inspectionsOf: (schoolId) => store.byTarget(schoolId),
  });
  const prefill = createSelfAssessmentPrefill(ports);
  const ranking = createRankingService({
    campaign: (id) => campaigns.get(id),
    template: (id, version) => templates.get(id, version),
    campaigns: (q) => campaigns.list(q),
    campaignInspections: (campaignId, q) => store.campaignInspections(campaignId, q),
    propose: (proposal) => store.propose(proposal),
    proposals: (campaignId) => store.proposals(campaignId),
    now: () => new Date().toISOString(),
  });
  return { service, teams, views, panels, burden, prefill, ranking, store, campaigns, templates, ports };
};
