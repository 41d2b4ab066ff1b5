import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient as db } from '#adapters/aws-clients';
import { loadKey, progressKey } from '#adapters/campaign-store';
import { batchGet, batchPut } from '#adapters/dynamo-batch';
import { inspectionItem, inspectionKey } from '#adapters/inspection-items';
import { registryKeys } from '#adapters/registry-store';
import { type Campaign, inspectionId, phaseDeadlines, type Target } from '#core/campaign';
import type { Inspection } from '#core/inspection';
import { mapLimited } from '#lib/concurrency';
import { maybeFail } from '#lib/faults';
import {
  currentLaunch,
  type LaunchBatch,
  launchKey,
  mainTable,
  objects,
  templates,
} from './launch-context.ts';
import { stepHandler } from './step-handler.ts';

/** Responsible inspectors of a county with their load in this campaign, least loaded first. */
const countyInspectors = async (campaignId: string, county: string) => {
  const page = await db.send(
    new QueryCommand({
      TableName: mainTable,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: '#kind = :responsible',
      ExpressionAttributeNames: { '#kind': 'kind' },
      ExpressionAttributeValues: { ':pk': `INSPECTORS#${county}`, ':responsible': 'responsible' },
      ProjectionExpression: 'id',
    }),
  );
  const ids = (page.Items ?? []).map((i) => String(i.id));
  const loads = await batchGet(
    db,
    mainTable,
    ids.map((id) => loadKey(campaignId, id)),
  );
  const loadOf = new Map(loads.map((l) => [String(l.sk).slice('LOAD#'.length), Number(l.assigned ?? 0)]));
  return ids.map((id) => ({ id, load: loadOf.get(id) ?? 0 }));
};

/**
 * Assigns each target its zone's responsible inspector, or else the least
 * loaded responsible inspector of its county. County-level targets (督政)
 * are assigned by the office, not here.
 */
const assign = async (campaign: Campaign, targets: readonly Target[], unit: 'school' | 'county') => {
  const assignees = new Map<string, string>();
  if (unit === 'county') return assignees;
  const memberships = await batchGet(
    db,
    mainTable,
    targets.map((t) => registryKeys.membership(t.id)),
  );
  for (const m of memberships) assignees.set(String(m.schoolId), String(m.inspectorId));
  const unzoned = targets.filter((t) => !assignees.has(t.id));
  for (const county of new Set(unzoned.map((t) => t.regionCode))) {
    const pool = await countyInspectors(campaign.id, county);
    for (const target of unzoned.filter((t) => t.regionCode === county)) {
      pool.sort((a, b) => a.load - b.load || a.id.localeCompare(b.id));
      const chosen = pool[0];
      if (!chosen) break;
      chosen.load++;
      assignees.set(target.id, chosen.id);
    }
  }
  return assignees;
};

/**
 * Step 2 of launch-campaign (one Map iteration): create the missing
 * inspections of one batch. Existing ones are left untouched, so a retried
 * batch or a relaunch creates only what is missing.
 */
export const createBatch = async (input: LaunchBatch) => {
  const campaign = await currentLaunch(input);
  await maybeFail(mainTable, `launch-batch:${campaign.id}:${input.batch}`);
  const template = (await templates.get(campaign.templateId, campaign.templateVersion))!;
  const targets = await objects.readJson<Target[]>(
    launchKey(campaign.id, input.execution, `batch-${input.batch}.json`),
  );

  const existing = new Set(
    (
      await batchGet(
        db,
        mainTable,
        targets.map((t) => inspectionKey(inspectionId(campaign.id, t.id))),
      )
    ).map((i) => String(i.id)),
  );
  const missing = targets.filter((t) => !existing.has(inspectionId(campaign.id, t.id)));
  const assignees = await assign(campaign, missing, template.target.unit);
  const now = new Date().toISOString();
  const deadlines = phaseDeadlines(template, campaign);
  const inspections: Inspection[] = missing.map((t) => {
    const assigneeId = assignees.get(t.id);
    return {
      id: inspectionId(campaign.id, t.id),
      campaignId: campaign.id,
      templateId: template.id,
      targetId: t.id,
      targetName: t.name,
      regionCode: t.regionCode,
      ...(t.townCode ? { townCode: t.townCode } : {}),
      status: assigneeId ? 'assigned' : 'unassigned',
      ...(assigneeId ? { assigneeId } : {}),
      deadlines,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
  });
  await batchPut(db, mainTable, inspections.map(inspectionItem));

  // Live counters for progress while the launch runs; finalize recounts them exactly.
  const counts = new Map<string, { assigned: number; unassigned: number }>();
  const loads = new Map<string, number>();
  for (const i of inspections) {
    const c = counts.get(i.regionCode) ?? { assigned: 0, unassigned: 0 };
    c[i.status === 'assigned' ? 'assigned' : 'unassigned']++;
    counts.set(i.regionCode, c);
    if (i.assigneeId) loads.set(i.assigneeId, (loads.get(i.assigneeId) ?? 0) + 1);
  }
  await mapLimited([...counts], 8, ([county, c]) =>
    db.send(
      new UpdateCommand({
        TableName: mainTable,
        Key: progressKey(campaign.id, county),
        UpdateExpression: 'ADD n_assigned :a, n_unassigned :u',
        ExpressionAttributeValues: { ':a': c.assigned, ':u': c.unassigned },
      }),
    ),
  );
  await mapLimited([...loads], 8, ([inspector, n]) =>
    db.send(
      new UpdateCommand({
        TableName: mainTable,
        Key: loadKey(campaign.id, inspector),
        UpdateExpression: 'ADD assigned :n',
        ExpressionAttributeValues: { ':n': n },
      }),
    ),
  );

  const unassignable = inspections.filter((i) => i.status === 'unassigned').map((i) => i.targetId);
  await objects.writeJson(launchKey(campaign.id, input.execution, `result-${input.batch}.json`), {
    batch: input.batch,
    created: inspections.length,
    existing: existing.size,
    unassignable,
  });
  return {
    batch: input.batch,
    created: inspections.length,
    existing: existing.size,
    unassignable: unassignable.length,
  };
};

export const handler = stepHandler(createBatch);
