import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupCandidate, Target, TargetCandidate } from '#core/campaign';
import type { LaunchCounters, LaunchInspections, ResponsibleInspectors } from '#core/launch/ports';
import { mapLimited } from '#lib/concurrency';
import { addLoad, loadIndex, loadKey, progressKey } from './campaign-store.ts';
import { batchGet, batchPut } from './dynamo-batch.ts';
import { queryAll } from './dynamo-query.ts';
import { inspectionItem, inspectionKey, memberItems } from './inspection-items.ts';
import { registryKeys } from './registry-store.ts';

/** Sets or adds numeric attributes of one item; names go through placeholders (they may contain '-'). */
const numbers = (verb: 'SET' | 'ADD', values: Readonly<Record<string, number>>) => {
  const entries = Object.entries(values);
  return {
    UpdateExpression: `${verb} ${entries.map((_, i) => (verb === 'SET' ? `#n${i} = :n${i}` : `#n${i} :n${i}`)).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#n${i}`, k])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:n${i}`, v])),
  };
};

/** The launch workflow's view of the `main` table (see campaign-store and inspection-items for the keys). */
export const createLaunchStore = (db: DynamoDBDocumentClient, table: string) => {
  const update = (
    key: Record<string, string>,
    verb: 'SET' | 'ADD',
    values: Readonly<Record<string, number>>,
  ) =>
    Object.keys(values).length === 0
      ? Promise.resolve()
      : db
          .send(new UpdateCommand({ TableName: table, Key: key, ...numbers(verb, values) }))
          .then(() => undefined);

  const counters: LaunchCounters = {
    setTargets: (campaignId, county, targets) => update(progressKey(campaignId, county), 'SET', { targets }),
    add: (campaignId, county, deltas) => update(progressKey(campaignId, county), 'ADD', deltas),
    setStatusCounts: (campaignId, county, counts) =>
      update(
        progressKey(campaignId, county),
        'SET',
        Object.fromEntries(Object.entries(counts).map(([status, n]) => [`n_${status}`, n])),
      ),
    async loads(campaignId, inspectorIds) {
      const items = await batchGet(
        db,
        table,
        inspectorIds.map((id) => loadKey(campaignId, id)),
      );
      return new Map(items.map((l) => [String(l.sk).slice('LOAD#'.length), Number(l.assigned ?? 0)]));
    },
    async addLoads(campaignId, loads) {
      await mapLimited([...loads], 8, ([inspector, n]) =>
        addLoad(db, table, campaignId, inspector, { assigned: n }),
      );
    },
    async setLoads(campaignId, loads) {
      await mapLimited([...loads], 8, ([inspector, n]) =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: loadKey(campaignId, inspector),
            UpdateExpression: 'SET assigned = :n, inspectorId = :i, gsi2pk = :pk, gsi2sk = :sk',
            ExpressionAttributeValues: { ':n': n, ':i': inspector, ...loadIndex(campaignId, inspector) },
          }),
        ),
      );
    },
  };

  const inspections: LaunchInspections = {
    async existing(ids) {
      const items = await batchGet(db, table, ids.map(inspectionKey), {
        consistent: true,
        projection: ['id', 'status', 'assigneeId', 'team', 'regionCode'],
      });
      return new Map(
        items.map((i) => [
          String(i.id),
          {
            status: i.status as never,
            regionCode: String(i.regionCode),
            ...(i.assigneeId ? { assigneeId: String(i.assigneeId) } : {}),
            ...(i.team ? { team: i.team as never } : {}),
          },
        ]),
      );
    },
    create: (list) =>
      batchPut(
        db,
        table,
        list.flatMap((i) => [inspectionItem(i), ...memberItems(i)]),
      ),
  };

  const inspectors: ResponsibleInspectors = {
    async ofZones(schoolIds) {
      const memberships = await batchGet(db, table, schoolIds.map(registryKeys.membership));
      return new Map(memberships.map((m) => [String(m.schoolId), String(m.inspectorId)]));
    },
    ofCounty: (county) => inspectorsOfCounty(county, ['responsible']),
  };

  /** The inspectors of a county of the given kinds (one partition of gsi1). */
  async function inspectorsOfCounty(county: string, kinds: readonly string[]) {
    const items = await queryAll(db, {
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: `#kind IN (${kinds.map((_, i) => `:k${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#kind': 'kind' },
      ExpressionAttributeValues: {
        ':pk': `INSPECTORS#${county}`,
        ...Object.fromEntries(kinds.map((k, i) => [`:k${i}`, k])),
      },
      ProjectionExpression: 'id',
    });
    return items.map((i) => String(i.id)).sort();
  }

  /** Every school of a county, with what target rules look at (one partition of gsi1). */
  const schoolsOfCounty = async (county: string): Promise<TargetCandidate[]> =>
    (await queryAll(db, {
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `SCHOOLS#${county}` },
      ProjectionExpression: 'id, #kind, regionCode, townCode, #name, principalTermStart',
      ExpressionAttributeNames: { '#kind': 'kind', '#name': 'name' },
    })) as unknown as TargetCandidate[];

  /** The current principal terms of a county's schools (one partition of gsi1, see registry-store). */
  const currentTermsOfCounty = async (county: string) =>
    (
      await queryAll(db, {
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `PTERMS#${county}` },
        ProjectionExpression: 'schoolId, plannedEnd',
      })
    ).map((t) => ({ schoolId: String(t.schoolId), plannedEnd: String(t.plannedEnd) }));

  /** The school groups led from a county (one partition of gsi1, see registry-store). */
  const groupsOfCounty = async (county: string): Promise<GroupCandidate[]> =>
    (
      await queryAll(db, {
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `GROUPS#${county}` },
        ProjectionExpression: 'id, #name, regionCode, leadSchoolId',
        ExpressionAttributeNames: { '#name': 'name' },
      })
    ).map((g) => ({
      groupId: String(g.id),
      name: String(g.name),
      regionCode: String(g.regionCode),
      leadSchoolId: String(g.leadSchoolId),
    }));

  /** A campaign's reported inspections of a county (one partition of gsi1, see inspection-items). */
  const gradedTargets = async (campaignId: string, county: string): Promise<Target[]> =>
    (
      await queryAll(db, {
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        FilterExpression: 'attribute_exists(#report.grade)',
        ExpressionAttributeValues: { ':pk': `CINSP#${campaignId}#${county}` },
        ProjectionExpression: 'id, targetId, targetName, regionCode, townCode, #report',
        ExpressionAttributeNames: { '#report': 'report' },
      })
    ).map((i) => {
      const report = i.report as { grade: string; issuedAt: string };
      return {
        id: String(i.targetId),
        regionCode: String(i.regionCode),
        ...(i.townCode ? { townCode: String(i.townCode) } : {}),
        name: String(i.targetName),
        basedOn: {
          campaignId,
          inspectionId: String(i.id),
          grade: report.grade,
          reportedOn: report.issuedAt.slice(0, 10),
        },
      };
    });

  return {
    counters,
    inspections,
    inspectors,
    inspectorsOfCounty,
    schoolsOfCounty,
    currentTermsOfCounty,
    groupsOfCounty,
    gradedTargets,
  };
};
