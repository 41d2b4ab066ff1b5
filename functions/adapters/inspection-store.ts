import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#core/errors';
import type { Inspection } from '#core/inspection';
import type { InspectionStore, Proposal, Rectification, Transition } from '#core/inspection-service';
import { decodeCursor, encodeCursor } from '#lib/cursor';
import { auditEventItem, toAuditEvent } from './audit-items.ts';
import { progressKey } from './campaign-store.ts';
import { batchGet } from './dynamo-batch.ts';
import { queryAll } from './dynamo-query.ts';
import { inspectionItem } from './inspection-items.ts';

/**
 * Inspections after launch, their rectifications, proposals and audit events.
 *
 * | item            | table | pk                  | sk                                   | index                                         |
 * |-----------------|-------|---------------------|--------------------------------------|-----------------------------------------------|
 * | rectification   | main  | INSPECTION#<id>     | RECT#<rid>                           | gsi2 DUE#<shard> / <dueAt>#<id>#<rid> while open |
 * | proposal/action | main  | CAMPAIGN#<campaign> | PROPOSAL#<type>#<inspection>#<rid|-> |                                               |
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
      return {
        inspection: strip<Inspection & Record<string, unknown>>(inspection),
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
                  Item: inspectionItem(t.inspection),
                  ConditionExpression: 'version = :v AND #status = :s',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':v': t.expected.version, ':s': t.expected.status },
                },
              },
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
      const inspectionId = 'inspectionId' in input && input.inspectionId ? input.inspectionId : '-';
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tables.main,
                Item: {
                  pk: `CAMPAIGN#${campaignId}`,
                  sk: `ACTION#${id}`,
                  id,
                  campaignId,
                  ...input,
                  actor,
                  at,
                  regionCode,
                },
              },
            },
            {
              Put: {
                TableName: tables.main,
                Item: {
                  ...proposalKey({ campaignId, type: input.type, inspectionId }),
                  type: input.type,
                  status: 'recorded',
                  campaignId,
                  inspectionId,
                  actionId: id,
                  regionCode,
                  reason: 'recorded by the office',
                  at,
                },
              },
            },
            {
              Put: {
                TableName: tables.audit,
                Item: auditEventItem(
                  {
                    campaignId,
                    entityId: inspectionId === '-' ? campaignId : inspectionId,
                    regionCode,
                    action: `record_${input.type}`,
                    actor,
                    at,
                    details: { actionId: id },
                  },
                  0,
                ),
              },
            },
          ],
        }),
      );
    },

    async proposals(campaignId) {
      const items = await query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':p': 'PROPOSAL#' },
      });
      return items.map(({ pk: _p, sk: _s, ...p }) => p as unknown as Proposal & { status: string });
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
