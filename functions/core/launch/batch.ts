import { mapLimited } from '#lib/concurrency';
import { inspectionId, phaseDeadlines, type Target } from '../campaign.ts';
import { currentRun } from '../campaign-runs.ts';
import { deadlineTracking } from '../deadlines.ts';
import { type Inspection, teamMembers } from '../inspection.ts';
import { scratchKeys } from '../storage.ts';
import { teamModeOf } from '../team.ts';
import type { BatchResult, LaunchBatch, LaunchPorts } from './ports.ts';

/**
 * Who inspects each school target: its zone's responsible inspector, or else
 * the least loaded responsible inspector of its county (ties by id, so the
 * choice is reproducible). `pools` holds each county's inspectors with their
 * current load in the campaign; it is updated as targets are given out.
 */
export const assignTargets = (
  targets: readonly Pick<Target, 'id' | 'regionCode'>[],
  zoneInspector: ReadonlyMap<string, string>,
  pools: ReadonlyMap<string, { id: string; load: number }[]>,
): Map<string, string> => {
  const assignees = new Map<string, string>();
  for (const target of targets) {
    const zoned = zoneInspector.get(target.id);
    if (zoned) {
      assignees.set(target.id, zoned);
      continue;
    }
    const pool = pools.get(target.regionCode) ?? [];
    pool.sort((a, b) => a.load - b.load || a.id.localeCompare(b.id));
    const chosen = pool[0];
    if (!chosen) continue;
    chosen.load++;
    assignees.set(target.id, chosen.id);
  }
  return assignees;
};

/**
 * Step 2 of launch-campaign, one Map iteration.
 *
 * Primary course: read the batch's targets; find which inspections exist
 * already (read by key, strongly consistent); create the missing ones, each
 * with its deadlines and, for school targets, its responsible inspector
 * (county-level targets of 督政 are given their team by the office); add them
 * to the live counters; write the batch's result with a tally of all its
 * targets' inspections by county, status and inspector, from which the
 * finalize step sets the counters exactly.
 *
 * Existing inspections are never touched, so a retried batch (or a relaunch)
 * creates only what is missing and tallies the same.
 */
export const createLaunchBatch = (ports: LaunchPorts) => async (input: LaunchBatch) => {
  const campaign = await currentRun(ports.campaigns, 'launch', input);
  const template = await ports.templates.get(campaign.templateId, campaign.templateVersion);
  if (!template) throw new Error(`template ${campaign.templateId}@${campaign.templateVersion} is gone`);
  const targets = await ports.scratch.readJson<Target[]>(
    scratchKeys.launchWork(campaign.id, input.execution, `batch-${input.batch}.json`),
  );

  const existing = await ports.inspections.existing(targets.map((t) => inspectionId(campaign.id, t.id)));
  const missing = targets.filter((t) => !existing.has(inspectionId(campaign.id, t.id)));
  // Zone-based templates keep the automatic assignment; special inspections get their teams from the office.
  const assignees =
    template.target.unit === 'school' && teamModeOf(template) === 'zone'
      ? await assign(ports, campaign.id, missing)
      : new Map<string, string>();

  const now = ports.now();
  const deadlines = phaseDeadlines(template, campaign);
  const created: Inspection[] = missing.map((t) => {
    const assigneeId = assignees.get(t.id);
    const inspection: Inspection = {
      id: inspectionId(campaign.id, t.id),
      campaignId: campaign.id,
      templateId: template.id,
      targetId: t.id,
      targetName: t.name,
      partyId: t.partyId ?? t.id,
      ...(t.basedOn ? { basedOn: t.basedOn } : {}),
      regionCode: t.regionCode,
      ...(t.townCode ? { townCode: t.townCode } : {}),
      status: assigneeId ? 'assigned' : 'unassigned',
      ...(assigneeId
        ? {
            assigneeId,
            team: {
              lead: assigneeId,
              members: [],
              source: 'zone' as const,
              setAt: now,
              setBy: 'system:launch',
            },
          }
        : {}),
      deadlines,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    return { ...inspection, ...deadlineTracking(inspection, template) };
  });
  await ports.inspections.create(created);

  const tally: BatchResult['tally'] = {};
  const loads: Record<string, number> = {};
  const count = (i: Pick<Inspection, 'status' | 'assigneeId' | 'team' | 'regionCode'>) => {
    const county = tally[i.regionCode] ?? {};
    county[i.status] = (county[i.status] ?? 0) + 1;
    tally[i.regionCode] = county;
    for (const member of teamMembers(i)) loads[member] = (loads[member] ?? 0) + 1;
  };
  for (const i of existing.values()) count(i);
  for (const i of created) count(i);

  // Live counters while the launch runs; the finalize step sets them exactly from the tallies.
  const live = new Map<string, Record<string, number>>();
  const newLoads = new Map<string, number>();
  for (const i of created) {
    const deltas = live.get(i.regionCode) ?? {};
    deltas[`n_${i.status}`] = (deltas[`n_${i.status}`] ?? 0) + 1;
    live.set(i.regionCode, deltas);
    if (i.assigneeId) newLoads.set(i.assigneeId, (newLoads.get(i.assigneeId) ?? 0) + 1);
  }
  await mapLimited([...live], 8, ([county, deltas]) => ports.counters.add(campaign.id, county, deltas));
  await ports.counters.addLoads(campaign.id, newLoads);

  const result: BatchResult = {
    batch: input.batch,
    created: created.length,
    existing: existing.size,
    unassignable: created.filter((i) => i.status === 'unassigned').map((i) => i.targetId),
    tally,
    loads,
  };
  await ports.scratch.writeJson(
    scratchKeys.launchWork(campaign.id, input.execution, `result-${input.batch}.json`),
    result,
  );
  return {
    batch: input.batch,
    created: result.created,
    existing: result.existing,
    unassignable: result.unassignable.length,
  };
};

/** Zone inspectors first; for schools without a zone, the county's least loaded. */
const assign = async (ports: LaunchPorts, campaignId: string, targets: readonly Target[]) => {
  const zoneInspector = await ports.inspectors.ofZones(targets.map((t) => t.id));
  const unzonedCounties = [
    ...new Set(targets.filter((t) => !zoneInspector.has(t.id)).map((t) => t.regionCode)),
  ];
  const pools = new Map<string, { id: string; load: number }[]>();
  for (const county of unzonedCounties) {
    const ids = await ports.inspectors.ofCounty(county);
    const loads = await ports.counters.loads(campaignId, ids);
    pools.set(
      county,
      ids.map((id) => ({ id, load: loads.get(id) ?? 0 })),
    );
  }
  return assignTargets(targets, zoneInspector, pools);
};
