import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#core/errors';
import type { Inspection } from '#core/inspection';
import type { ActionType } from '#core/inspection-input';
import type {
  InspectionParts,
  InspectionStore,
  Proposal,
  Rectification,
  Transition,
} from '#core/inspection-service';
import { mapLimited } from '#lib/concurrency';
import { decodeCursor, encodeCursor } from '#lib/cursor';
import { auditEventItem, toAuditEvent } from './audit-items.ts';
import { progressKey } from './campaign-store.ts';
import { batchGet } from './dynamo-batch.ts';
import { queryAll, queryPage } from './dynamo-query.ts';
import { inspectionItem, inspectionKey } from './inspection-items.ts';

/**
 * Inspections after launch, their rectifications, proposals and audit events.
 *
 * | item            | table | pk                  | sk                                   | index                                         |
 * |-----------------|-------|---------------------|--------------------------------------|-----------------------------------------------|
 * | part            | main  | INSPECTION#<id>     | PART#selfAssessment, PART#findings   |                                               |
 * | rectification   | main  | INSPECTION#<id>     | RECT#<rid>                           | gsi2 DUE#<shard> / <dueAt>#<id>#<rid> while open |
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
const proposalKey = (p: Pick<Proposal, 'campaignId' | 'type' | 'inspectionId' | 'rectificationId'>) => ({
  pk: `CAMPAIGN#${p.campaignId}`,
  sk: `PROPOSAL#${p.type}#${p.inspectionId}#${p.rectificationId ?? '-'}`,
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
              ...t.rectifications.map((r) => ({
                Put: { TableName: tables.main, Item: rectificationItem(r) },
              })),
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
              { Put: { TableName: tables.audit, Item: auditEventItem(t.audit, t.inspection.version) } },
            ],
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) {
          throw new ConflictError(
            `Inspection ${t.inspection.id} was changed by someone else: reload it and try again.`,
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

    async byAssignee(inspectorId, q) {
      const start = decodeCursor(
        q.cursor,
        (v): v is { k: Record<string, unknown> } => typeof v === 'object' && v !== null && 'k' in v,
      );
      const result = await db.send(
        new QueryCommand({
          TableName: tables.main,
          IndexName: 'gsi2',
          KeyConditionExpression: q.campaignId ? 'gsi2pk = :pk AND begins_with(gsi2sk, :c)' : 'gsi2pk = :pk',
          ...(q.status
            ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
            : {}),
          ExpressionAttributeValues: {
            ':pk': `ASSIGNEE#${inspectorId}`,
            ...(q.campaignId ? { ':c': `${q.campaignId}#` } : {}),
            ...(q.status ? { ':status': q.status } : {}),
          },
          Limit: q.limit,
          ...(start ? { ExclusiveStartKey: start.k } : {}),
        }),
      );
      const items = (result.Items ?? []).map((i) => strip<Inspection>(i));
      return result.LastEvaluatedKey
        ? { items, cursor: encodeCursor({ k: result.LastEvaluatedKey }) }
        : { items };
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
  };
};
