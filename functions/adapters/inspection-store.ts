import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, say } from '#core/errors';
import type { Inspection } from '#core/inspection';
import type { ActionType } from '#core/inspection-input';
import type {
  InspectionParts,
  InspectionStore,
  Proposal,
  Rectification,
  Submission,
  Transition,
} from '#core/inspection-service';
import { mapLimited } from '#lib/concurrency';
import { decodeCursor, encodeCursor } from '#lib/cursor';
import { auditEventItem, toAuditEvent } from './audit-items.ts';
import { burdenUpdates } from './burden-store.ts';
import { loadUpdate, progressKey } from './campaign-store.ts';
import { batchGet } from './dynamo-batch.ts';
import { conditions, equals, queryAll, queryPage } from './dynamo-query.ts';
import {
  dueIndexKey,
  inspectionItem,
  inspectionKey,
  memberItem,
  memberKey,
  watchShards,
} from './inspection-items.ts';
import { registryKeys } from './registry-store.ts';

/**
 * Inspections after launch, their rectifications, proposals and audit events.
 *
 * | item            | table | pk                  | sk                                   | index                                         |
 * |-----------------|-------|---------------------|--------------------------------------|-----------------------------------------------|
 * | part            | main  | INSPECTION#<id>     | PART#selfAssessment, PART#findings   |                                               |
 * | submission      | main  | INSPECTION#<id>     | SUBMISSION#selfAssessment#<nnn>      | (every version, returned ones included)       |
 * | member          | main  | INSPECTION#<id>     | MEMBER#<inspector>                   | gsi2 ASSIGNEE#<inspector> (see inspection-items) |
 * | inspector load  | main  | CAMPAIGN#<campaign> | LOAD#<inspector>                     | gsi2 INSPLOAD#<inspector> (see campaign-store) |
 * | rectification   | main  | INSPECTION#<id>     | RECT#<rid>                           | gsi2 DUE#<shard> / <dueAt>#<id>#<rid> while open |
 * |                 |       |                     |                                      | gsi1 SCHOOLRECT#<school> / <id>#<rid> when it names a school |
 * | proposal        | main  | CAMPAIGN#<campaign> | PROPOSAL#<type>#<inspection>#<rid|-> |                                               |
 * | action          | main  | CAMPAIGN#<campaign> | ACTION#<id>                          |                                               |
 * | audit event     | audit | CAMPAIGN#<campaign> | <at>#<inspection>#<n>                | byEntity, byActor                             |
 *
 * Open rectifications are spread over `dueShards` partitions of the due-date
 * index, which the sweeper queries up to "now": no scans.
 */
export const dueShards = 8;
const shardOf = (id: string) => createHash('sha256').update(id).digest()[0]! % dueShards;

const rectKey = (inspectionId: string, rid: string) => ({
  pk: `INSPECTION#${inspectionId}`,
  sk: `RECT#${rid}`,
});
const proposalKey = (
  p: Pick<Proposal, 'campaignId' | 'type' | 'inspectionId' | 'rectificationId' | 'phase'>,
) => ({
  pk: `CAMPAIGN#${p.campaignId}`,
  sk: `PROPOSAL#${p.type}#${p.inspectionId}#${p.rectificationId ?? (p.phase ? `phase:${p.phase}` : '-')}`,
});

const submissionKey = (inspectionId: string, kind: string, n: number) => ({
  pk: `INSPECTION#${inspectionId}`,
  sk: `SUBMISSION#${kind}#${String(n).padStart(3, '0')}`,
});

const partKey = (inspectionId: string, part: string) => ({
  pk: `INSPECTION#${inspectionId}`,
  sk: `PART#${part}`,
});

/** A rectification; open and planned ones sit in the due-date index (drafts not yet). */
export const rectificationItem = (r: Rectification) => ({
  ...rectKey(r.inspectionId, r.id),
  type: 'rectification',
  ...r,
  // An item naming a school (督政: a problem found at a school of the county) is listed for that school.
  ...(r.schoolId ? { gsi1pk: `SCHOOLRECT#${r.schoolId}`, gsi1sk: `${r.inspectionId}#${r.id}` } : {}),
  ...(r.status === 'open' || r.status === 'planned'
    ? {
        gsi2pk: `DUE#${shardOf(`${r.inspectionId}#${r.id}`)}`,
        gsi2sk: `${r.dueAt}#${r.inspectionId}#${r.id}`,
      }
    : {}),
});

const strip = <T>(item: Record<string, unknown>): T => {
  const {
    pk: _p,
    sk: _s,
    type: _t,
    gsi1pk: _a,
    gsi1sk: _b,
    gsi2pk: _c,
    gsi2sk: _d,
    gsi3pk: _e,
    gsi3sk: _f,
    gsi4pk: _g,
    gsi4sk: _h,
    gsi5pk: _i,
    gsi5sk: _j,
    ...rest
  } = item;
  return rest as T;
};

/** ADD for each counter; names may contain '-' (indicator ids), so all go through placeholders. */
const counterUpdate = (counters: Record<string, number>) => {
  const entries = Object.entries(counters).filter(([, v]) => v !== 0);
  return {
    UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#c${i}`, k])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:c${i}`, v])),
    empty: entries.length === 0,
  };
};

const isConditionFailure = (error: unknown) =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');

export const createInspectionStore = (
  db: DynamoDBDocumentClient,
  tables: {
    main: string;
    audit: string;
  },
): InspectionStore & {
  dueRectifications(until: string): Promise<Rectification[]>;
  markOverdue(r: Rectification, at: string): Promise<boolean>;
  propose(proposal: Proposal): Promise<boolean>;
  pendingActivations(before: string): Promise<{ inspectionId: string; rectificationIds: string[] }[]>;
  watched(until: string): Promise<string[]>;
  unwatch(inspectionId: string, version: number): Promise<void>;
  campaignInspections(
    campaignId: string,
    q: {
      counties: readonly string[];
      townCode?: string;
      status?: string;
      grade?: string;
      overdue?: string;
      cursor?: string;
      limit: number;
    },
  ): Promise<{ items: Inspection[]; cursor?: string }>;
} => {
  const query = (input: Omit<QueryCommandInput, 'TableName'>, table = tables.main) =>
    queryAll(db, { TableName: table, ...input });

  /** A proposal and its counter, once: false if it already exists. */
  const propose = async (proposal: Proposal): Promise<boolean> => {
    const counters = counterUpdate({ [`e_${proposal.type}`]: 1 });
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tables.main,
                Item: { ...proposalKey(proposal), status: 'proposed', ...proposal },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tables.main,
                Key: progressKey(proposal.campaignId, proposal.regionCode),
                UpdateExpression: counters.UpdateExpression,
                ExpressionAttributeNames: counters.ExpressionAttributeNames,
                ExpressionAttributeValues: counters.ExpressionAttributeValues,
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  return {
    async get(id) {
      const items = await query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `INSPECTION#${id}` },
        ConsistentRead: true,
      });
      const inspection = items.find((i) => i.sk === 'INSPECTION');
      if (!inspection) return undefined;
      const parts = Object.fromEntries(
        items
          .filter((i) => String(i.sk).startsWith('PART#'))
          .map((i) => [String(i.sk).slice('PART#'.length), i.value]),
      ) as InspectionParts;
      return {
        inspection: strip<Inspection & Record<string, unknown>>(inspection),
        parts,
        rectifications: items
          .filter((i) => String(i.sk).startsWith('RECT#'))
          .map((i) => strip<Rectification>(i)),
      };
    },

    async commit(t: Transition) {
      // A proposal that exists already is not proposed again (and must not cancel the transition).
      const existing = new Set(
        (await batchGet(db, tables.main, t.proposals.map(proposalKey))).map((i) => String(i.sk)),
      );
      const proposals = t.proposals.filter((p) => !existing.has(proposalKey(p).sk));
      const counters = { ...t.counters };
      for (const p of proposals) counters[`e_${p.type}`] = (counters[`e_${p.type}`] ?? 0) + 1;
      const update = counterUpdate(counters);
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tables.main,
                  Item: inspectionItem(
                    t.activation ? { ...t.inspection, activation: t.activation } : t.inspection,
                  ),
                  ConditionExpression: 'version = :v AND #status = :s',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':v': t.expected.version, ':s': t.expected.status },
                },
              },
              ...Object.entries(t.parts ?? {}).map(([part, value]) => ({
                Put: {
                  TableName: tables.main,
                  Item: { ...partKey(t.inspection.id, part), type: 'part', value },
                },
              })),
              ...(t.submissions ?? []).map((sub) => ({
                Put: {
                  TableName: tables.main,
                  Item: { ...submissionKey(t.inspection.id, sub.kind, sub.n), type: 'submission', ...sub },
                },
              })),
              ...t.rectifications.map((r) => ({
                Put: { TableName: tables.main, Item: rectificationItem(r) },
              })),
              ...(t.members?.put ?? []).map((inspectorId, i) => ({
                Put: {
                  TableName: tables.main,
                  Item: memberItem(t.inspection, inspectorId, i === 0 ? 'lead' : 'member'),
                },
              })),
              ...(t.members?.remove ?? []).map((inspectorId) => ({
                Delete: { TableName: tables.main, Key: memberKey(t.inspection.id, inspectorId) },
              })),
              ...Object.entries(t.loads).map(([inspectorId, deltas]) => {
                const { ExpressionAttributeNames, ...update } = loadUpdate(
                  t.inspection.campaignId,
                  inspectorId,
                  deltas,
                );
                return {
                  Update: {
                    TableName: tables.main,
                    ...update,
                    ...(ExpressionAttributeNames ? { ExpressionAttributeNames } : {}),
                  },
                };
              }),
              ...proposals.map((p) => ({
                Put: {
                  TableName: tables.main,
                  Item: { ...proposalKey(p), status: 'proposed', ...p },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              ...(update.empty
                ? []
                : [
                    {
                      Update: {
                        TableName: tables.main,
                        Key: progressKey(t.inspection.campaignId, t.inspection.regionCode),
                        UpdateExpression: update.UpdateExpression,
                        ExpressionAttributeNames: update.ExpressionAttributeNames,
                        ExpressionAttributeValues: update.ExpressionAttributeValues,
                      },
                    },
                  ]),
              ...burdenUpdates(
                tables.main,
                {
                  inspectionId: t.inspection.id,
                  campaignId: t.inspection.campaignId,
                  targetId: t.inspection.targetId,
                  regionCode: t.inspection.regionCode,
                },
                t.burden,
              ),
              ...(t.evaluated
                ? [
                    {
                      // The school keeps its last evaluation (read by GET /kindergartens/due); never created here.
                      Update: {
                        TableName: tables.main,
                        Key: registryKeys.school(t.evaluated.schoolId),
                        UpdateExpression: 'SET lastEvaluatedOn = :on, lastEvaluation = :e',
                        ConditionExpression: 'attribute_exists(pk)',
                        ExpressionAttributeValues: {
                          ':on': t.evaluated.on,
                          ':e': {
                            campaignId: t.evaluated.campaignId,
                            inspectionId: t.evaluated.inspectionId,
                            grade: t.evaluated.grade,
                          },
                        },
                      },
                    },
                  ]
                : []),
              { Put: { TableName: tables.audit, Item: auditEventItem(t.audit, t.inspection.version) } },
            ],
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) {
          throw new ConflictError(
            say(
              `督导 ${t.inspection.id} 已被他人修改：请重新读取后再试。`,
              `Inspection ${t.inspection.id} was changed by someone else: reload it and try again.`,
            ),
          );
        }
        throw error;
      }
    },

    async timeline(id) {
      const items = await query(
        {
          IndexName: 'byEntity',
          KeyConditionExpression: 'entityId = :id',
          ExpressionAttributeValues: { ':id': id },
        },
        tables.audit,
      );
      return items.map(toAuditEvent);
    },

    /** The work list: the inspector's member items (gsi2), then their inspections by key. */
    async byAssignee(inspectorId, q) {
      const page = await queryPage(
        db,
        {
          TableName: tables.main,
          IndexName: 'gsi2',
          KeyConditionExpression: q.campaignId ? 'gsi2pk = :pk AND begins_with(gsi2sk, :c)' : 'gsi2pk = :pk',
          ExpressionAttributeValues: {
            ':pk': `ASSIGNEE#${inspectorId}`,
            ...(q.campaignId ? { ':c': `${q.campaignId}#` } : {}),
          },
        },
        q,
        (i) => String(i.inspectionId),
      );
      const found = new Map(
        (await batchGet(db, tables.main, page.items.map(inspectionKey))).map((i) => [
          String(i.id),
          strip<Inspection>(i),
        ]),
      );
      const items = page.items
        .map((id) => found.get(id))
        .filter((i): i is Inspection => i !== undefined && (!q.status || i.status === q.status));
      return page.cursor ? { items, cursor: page.cursor } : { items };
    },

    async submissions(inspectionId) {
      const items = await query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':pk': `INSPECTION#${inspectionId}`, ':s': 'SUBMISSION#' },
        ConsistentRead: true,
      });
      return items.map(({ pk: _p, sk: _s, type: _t, ...sub }) => sub as unknown as Submission);
    },

    async byTarget(targetId) {
      const items = await query({
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `TARGET#${targetId}` },
      });
      return items.map((i) => strip<Inspection>(i));
    },

    async recordAction({ campaignId, id, input, actor, at, regionCode }) {
      const inspectionId = 'inspectionId' in input && input.inspectionId ? input.inspectionId : undefined;
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tables.main,
                Item: {
                  pk: `CAMPAIGN#${campaignId}`,
                  sk: `ACTION#${id}`,
                  type: 'action',
                  id,
                  campaignId,
                  action: input,
                  actionType: input.type,
                  ...(inspectionId ? { inspectionId } : {}),
                  actor,
                  at,
                  regionCode,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tables.audit,
                Item: auditEventItem({
                  campaignId,
                  entityId: inspectionId ?? campaignId,
                  regionCode,
                  action: `record_${input.type}`,
                  actor,
                  at,
                  details: { actionId: id },
                }),
              },
            },
          ],
        }),
      );
    },

    /**
     * Proposals and recorded actions of a campaign: a proposal reads `recorded`
     * once an action of its type about its inspection exists; an action that
     * answers no proposal is listed on its own.
     */
    async proposals(campaignId) {
      const [proposed, recorded] = await Promise.all(
        ['PROPOSAL#', 'ACTION#'].map((prefix) =>
          query({
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
            ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':p': prefix },
          }),
        ),
      );
      const actions = recorded!.map((a) => ({
        campaignId,
        type: a.actionType as ActionType,
        inspectionId: (a.inspectionId as string | undefined) ?? '-',
        actionId: String(a.id),
        regionCode: String(a.regionCode),
        reason: 'recorded by the office',
        at: String(a.at),
        status: 'recorded',
      }));
      const answered = new Set<string>();
      const proposals = proposed!.map(({ pk: _p, sk: _s, ...p }) => {
        const proposal = p as unknown as Proposal;
        const action = actions.find(
          (a) => a.type === proposal.type && a.inspectionId === proposal.inspectionId,
        );
        if (!action) return { ...proposal, status: 'proposed' };
        answered.add(action.actionId);
        return { ...proposal, status: 'recorded', actionId: action.actionId };
      });
      return [...proposals, ...actions.filter((a) => !answered.has(a.actionId))];
    },

    async namedRectifications(schoolId) {
      const items = await query({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `SCHOOLRECT#${schoolId}` },
      });
      return items.map((i) => strip<Rectification>(i));
    },

    async byTargetPage(targetId, q) {
      return queryPage(
        db,
        {
          TableName: tables.main,
          IndexName: 'gsi3',
          KeyConditionExpression: q.campaignId ? 'gsi3pk = :pk AND gsi3sk = :c' : 'gsi3pk = :pk',
          ExpressionAttributeValues: {
            ':pk': `TARGET#${targetId}`,
            ...(q.campaignId ? { ':c': q.campaignId } : {}),
          },
        },
        q,
        (i) => strip<Inspection>(i),
      );
    },

    async many(ids) {
      return (await batchGet(db, tables.main, ids.map(inspectionKey))).map((i) => strip<Inspection>(i));
    },

    async writeDrafts(rectifications) {
      await mapLimited(rectifications, 16, async (r) => {
        try {
          await db.send(
            new PutCommand({
              TableName: tables.main,
              Item: rectificationItem(r),
              ConditionExpression: 'attribute_not_exists(pk) OR #status = :draft',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':draft': 'draft' },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      });
    },

    async activate(inspectionId, rectificationIds) {
      const wanted = new Set(rectificationIds);
      const drafts = (
        await query({
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
          ExpressionAttributeValues: { ':pk': `INSPECTION#${inspectionId}`, ':r': 'RECT#' },
          ConsistentRead: true,
        })
      )
        .map((i) => strip<Rectification>(i))
        .filter((r) => r.status === 'draft' && wanted.has(r.id));
      await mapLimited(drafts, 16, async (r) => {
        try {
          await db.send(
            new PutCommand({
              TableName: tables.main,
              Item: rectificationItem({ ...r, status: 'open' }),
              // A command may have moved it on meanwhile (a plan): that one wins.
              ConditionExpression: '#status = :draft',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':draft': 'draft' },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      });
      try {
        await db.send(
          new UpdateCommand({
            TableName: tables.main,
            Key: inspectionKey(inspectionId),
            UpdateExpression: 'REMOVE activation, gsi4pk, gsi4sk',
            ConditionExpression: 'attribute_exists(activation)',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    /** Committed reports whose rectifications were not all activated (gsi4), committed before `before`. */
    async pendingActivations(before: string) {
      const items = await query({
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk < :before',
        ExpressionAttributeValues: { ':pk': 'ACTIVATE', ':before': before },
      });
      return items.map((i) => ({
        inspectionId: String(i.id),
        rectificationIds: ((i.activation as { rectificationIds?: string[] } | undefined)?.rectificationIds ??
          []) as string[],
      }));
    },

    async dueRectifications(until) {
      const shards = await Promise.all(
        Array.from({ length: dueShards }, (_, shard) =>
          query({
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :until',
            ExpressionAttributeValues: { ':pk': `DUE#${shard}`, ':until': until },
          }),
        ),
      );
      return shards.flat().map((i) => strip<Rectification>(i));
    },

    async markOverdue(r, at) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tables.main,
                  Key: rectKey(r.inspectionId, r.id),
                  UpdateExpression: 'SET overdueSince = :at',
                  ConditionExpression: 'attribute_not_exists(overdueSince) AND #status IN (:open, :planned)',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':at': at, ':open': 'open', ':planned': 'planned' },
                },
              },
              {
                Update: {
                  TableName: tables.main,
                  Key: progressKey(r.campaignId, r.regionCode),
                  UpdateExpression: 'ADD overdue :one',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    propose,

    async unwatch(inspectionId: string, version: number) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tables.main,
            Key: inspectionKey(inspectionId),
            UpdateExpression: 'REMOVE nextCheckAt, gsi5pk, gsi5sk',
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': version },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    /** Inspections whose deadline sweep is due before `until` (the sparse watch index, all shards). */
    async watched(until: string) {
      const shards = await Promise.all(
        Array.from({ length: watchShards }, (_, shard) =>
          query({
            IndexName: 'gsi5',
            KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk < :until',
            ExpressionAttributeValues: { ':pk': `WATCH#${shard}`, ':until': until },
            ProjectionExpression: 'id',
          }),
        ),
      );
      return shards.flat().map((i) => String(i.id));
    },

    /**
     * A campaign's inspections in the counties given, by earliest owed
     * deadline: each county's partition of the deadline index (gsi2) is read
     * in order and the counties are merged, so a city's or a province's list
     * is one ordered list. The cursor holds where each county stopped.
     */
    async campaignInspections(
      campaignId: string,
      q: {
        counties: readonly string[];
        townCode?: string;
        status?: string;
        grade?: string;
        overdue?: string;
        cursor?: string;
        limit: number;
      },
    ) {
      const state = decodeCursor(
        q.cursor,
        (v): v is { a: Record<string, string>; d: string[] } =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as { a?: unknown }).a === 'object' &&
          (v as { a?: unknown }).a !== null &&
          Object.entries((v as { a: object }).a).every(
            ([k, x]) => q.counties.includes(k) && typeof x === 'string',
          ) &&
          Array.isArray((v as { d?: unknown }).d) &&
          (v as { d: unknown[] }).d.every((c) => typeof c === 'string' && q.counties.includes(c)),
      ) ?? { a: {}, d: [] };
      const done = new Set(state.d);
      const filter = [
        q.status ? equals('status', q.status) : undefined,
        q.townCode ? equals('townCode', q.townCode) : undefined,
        q.grade
          ? {
              expression: '#report.#grade = :grade',
              names: { '#report': 'report', '#grade': 'grade' },
              values: { ':grade': q.grade },
            }
          : undefined,
        q.overdue === 'now'
          ? { expression: 'attribute_exists(#overdue)', names: { '#overdue': 'overdue' }, values: {} }
          : q.overdue === 'any'
            ? { expression: 'attribute_exists(#late)', names: { '#late': 'late' }, values: {} }
            : q.overdue
              ? {
                  expression: 'attribute_exists(#late.#phase)',
                  names: { '#late': 'late', '#phase': q.overdue },
                  values: {},
                }
              : undefined,
      ].filter((c): c is NonNullable<typeof c> => c !== undefined);
      const heads = await mapLimited(
        q.counties.filter((c) => !done.has(c)),
        8,
        async (county) => {
          const after = state.a[county];
          const key = [
            equals('gsi2pk', dueIndexKey(campaignId, county)),
            ...(after
              ? [
                  {
                    expression: '#gsi2sk > :after',
                    names: { '#gsi2sk': 'gsi2sk' },
                    values: { ':after': after },
                  },
                ]
              : []),
          ];
          const page = await queryPage(
            db,
            { TableName: tables.main, IndexName: 'gsi2', ...conditions(key, filter) },
            { limit: q.limit },
            (i) => i,
          );
          return { county, items: page.items, more: page.cursor !== undefined };
        },
      );
      const merged = heads
        .flatMap((h) => h.items.map((item) => ({ county: h.county, item })))
        .sort(
          (a, b) =>
            String(a.item.gsi2sk).localeCompare(String(b.item.gsi2sk)) || a.county.localeCompare(b.county),
        )
        .slice(0, q.limit);
      const next = { a: { ...state.a }, d: [...done] };
      for (const { county, item } of merged) next.a[county] = String(item.gsi2sk);
      for (const h of heads) {
        const consumed = merged.filter((m) => m.county === h.county).length;
        if (!h.more && consumed === h.items.length) next.d.push(h.county);
      }
      const items = merged.map(({ item }) => strip<Inspection>(item));
      const finished = q.counties.every((c) => next.d.includes(c));
      return finished ? { items } : { items, cursor: encodeCursor(next) };
    },
  };
};
