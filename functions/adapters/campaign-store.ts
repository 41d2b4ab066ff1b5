import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '#core/campaign';
import type { CampaignStore, CountyProgress, RunChange } from '#core/campaign-service';
import { ConflictError, say } from '#core/errors';
import type { AuditEvent } from '#core/inspection-service';
import type { InspectorLoad } from '#core/office-views';
import { decodeCursor, encodeCursor, isStartKey, withCursorCheck } from '#lib/cursor';
import { auditEventItem } from './audit-items.ts';
import { batchGet } from './dynamo-batch.ts';
import { queryAll, queryPage } from './dynamo-query.ts';

/**
 * Campaigns in the `main` table:
 *
 * | item              | pk                 | sk                 | gsi1pk / gsi1sk                       | gsi2pk / gsi2sk                      |
 * |-------------------|--------------------|--------------------|---------------------------------------|--------------------------------------|
 * | campaign          | CAMPAIGN#<id>      | CAMPAIGN           | CAMPAIGNS#<province> / <scope>#<id>   | RECURRING / <next start>#<id> (due), |
 * |                   |                    |                    |                                       | AUTOLAUNCH / <start>#<id> (pending)  |
 * | county progress   | CAMPAIGN#<id>      | PROGRESS#<county>  |                                       |                                      |
 * | inspector load    | CAMPAIGN#<id>      | LOAD#<inspector>   |                                       | gsi2 INSPLOAD#<inspector> / <campaign> (workload) |
 *
 * Progress counters are one item per county (`targets`, `n_<status>`), so a
 * province-wide launch spreads its counter updates over ~100 items.
 */
export const campaignKey = (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN' });
export const progressKey = (campaignId: string, county: string) => ({
  pk: `CAMPAIGN#${campaignId}`,
  sk: `PROGRESS#${county}`,
});
export const loadKey = (campaignId: string, inspectorId: string) => ({
  pk: `CAMPAIGN#${campaignId}`,
  sk: `LOAD#${inspectorId}`,
});

/** An inspector's load items in gsi2: their campaigns, for the workload view. */
export const loadIndex = (campaignId: string, inspectorId: string) => ({
  ':pk': `INSPLOAD#${inspectorId}`,
  ':sk': campaignId,
});

/**
 * What an inspector carries in a campaign (LOAD item): `assigned` inspections,
 * `visits` recorded, `closed`, `late_<phase>`. Names may contain no '-'.
 */
export const loadUpdate = (
  campaignId: string,
  inspectorId: string,
  counters: Readonly<Record<string, number>>,
) => {
  const entries = Object.entries(counters).filter(([, v]) => v !== 0);
  return {
    Key: loadKey(campaignId, inspectorId),
    UpdateExpression:
      `SET inspectorId = :i, gsi2pk = :pk, gsi2sk = :sk` +
      (entries.length > 0 ? ` ADD ${entries.map((_, i) => `#l${i} :l${i}`).join(', ')}` : ''),
    ExpressionAttributeNames:
      entries.length > 0 ? Object.fromEntries(entries.map(([k], i) => [`#l${i}`, k])) : undefined,
    ExpressionAttributeValues: {
      ':i': inspectorId,
      ...loadIndex(campaignId, inspectorId),
      ...Object.fromEntries(entries.map(([, v], i) => [`:l${i}`, v])),
    },
  };
};

export const addLoad = async (
  db: DynamoDBDocumentClient,
  table: string,
  campaignId: string,
  inspectorId: string,
  counters: Readonly<Record<string, number>>,
) => {
  const { ExpressionAttributeNames, ...rest } = loadUpdate(campaignId, inspectorId, counters);
  await db.send(
    new UpdateCommand({
      TableName: table,
      ...rest,
      ...(ExpressionAttributeNames ? { ExpressionAttributeNames } : {}),
    }),
  );
};

/** The next occurrence of an active recurring campaign is due on this date (indexed for the scheduler). */
const recurrenceIndex = (c: Campaign & { nextOccurrenceCreated?: boolean; nextStart?: string }) =>
  c.status === 'active' && c.recurrence && !c.nextOccurrenceCreated && c.nextStart
    ? { gsi2pk: 'RECURRING', gsi2sk: `${c.nextStart}#${c.id}` }
    : {};

/** A scheduler-made occurrence waits in this index until it is launched. */
const autoLaunchIndex = (c: Campaign) =>
  c.status === 'draft' && c.createdBy === 'scheduler'
    ? { gsi2pk: 'AUTOLAUNCH', gsi2sk: `${c.window.start}#${c.id}` }
    : {};

export const campaignItem = (campaign: Campaign) => ({
  ...campaignKey(campaign.id),
  type: 'campaign',
  ...campaign,
  gsi1pk: `CAMPAIGNS#${campaign.scope.slice(0, 2)}`,
  gsi1sk: `${campaign.scope}#${campaign.id}`,
  ...recurrenceIndex(campaign),
  ...autoLaunchIndex(campaign),
});

const bookkeeping = new Set(['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']);
export const toCampaign = (item: Record<string, unknown>): Campaign =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !bookkeeping.has(k))) as unknown as Campaign;

export const toProgress = (item: Record<string, unknown>): CountyProgress => {
  const byStatus: Record<string, number> = {};
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(item)) {
    if (typeof v !== 'number' || k === 'targets') continue;
    if (k.startsWith('n_')) {
      if (v !== 0) byStatus[k.slice(2)] = v;
    } else counters[k] = v;
  }
  return {
    countyCode: String(item.sk).slice('PROGRESS#'.length),
    targets: Number(item.targets ?? 0),
    byStatus,
    counters,
  };
};

const queryIndex = async (
  db: DynamoDBDocumentClient,
  table: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<Campaign[]> =>
  (
    await queryAll(db, {
      TableName: table,
      IndexName: 'gsi2',
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
    })
  ).map(toCampaign);

interface ListCursor {
  k: Record<string, unknown>;
}
const isListCursor = (v: unknown): v is ListCursor =>
  typeof v === 'object' && v !== null && isStartKey((v as ListCursor).k);

/**
 * `auditTable`: where a function that changes campaigns writes the audit event
 * of each change, in the same transaction (functions that only follow their
 * run's record leave it out).
 */
export const createCampaignStore = (
  db: DynamoDBDocumentClient,
  table: string,
  auditTable?: string,
): CampaignStore & {
  many(ids: readonly string[]): Promise<Campaign[]>;
  loadsOf(
    inspectorId: string,
    q: { cursor?: string; limit: number },
  ): Promise<{ items: InspectorLoad[]; cursor?: string }>;
} => {
  const auditPut = (audit: AuditEvent) => {
    if (!auditTable) throw new Error('This function may not change campaigns: it has no audit table.');
    return { Put: { TableName: auditTable, Item: auditEventItem(audit) } };
  };
  const conflict = (id: string) =>
    new ConflictError(
      say(
        `活动 ${id} 已被他人修改：请重新读取后再试。`,
        `Campaign ${id} was changed by someone else; reload it and try again.`,
      ),
    );

  /**
   * Updates fields of a campaign's launch or close `execution` (and optionally
   * its status); false when a newer run has taken over the campaign.
   */
  const updateRun = async (
    run: 'launch' | 'close',
    id: string,
    execution: string,
    fields: Record<string, unknown>,
    change: RunChange,
  ) => {
    const names: Record<string, string> = { '#run': run, '#execution': 'execution' };
    const values: Record<string, unknown> = {
      ':execution': execution,
      ':one': 1,
      ':now': new Date().toISOString(),
    };
    const sets = ['version = version + :one', 'updatedAt = :now'];
    Object.entries(fields).forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      sets.push(`#run.#f${i} = :f${i}`);
    });
    if (change.status) {
      names['#status'] = 'status';
      values[':status'] = change.status;
      sets.push('#status = :status');
    }
    if (change.onlyFrom) {
      names['#status'] = 'status';
      values[':from'] = change.onlyFrom;
    }
    if (change.nextStart) {
      // Indexed for the scheduler: see recurrenceIndex.
      Object.assign(values, {
        ':next': change.nextStart,
        ':rec': 'RECURRING',
        ':recsk': `${change.nextStart}#${id}`,
      });
      sets.push('nextStart = :next', 'gsi2pk = :rec', 'gsi2sk = :recsk');
    }
    const update = {
      TableName: table,
      Key: campaignKey(id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: change.onlyFrom
        ? '#run.#execution = :execution AND #status = :from'
        : '#run.#execution = :execution',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      // A status change is a fact worth its audit event, in the same transaction.
      if (change.audit)
        await db.send(
          new TransactWriteCommand({ TransactItems: [{ Update: update }, auditPut(change.audit)] }),
        );
      else await db.send(new UpdateCommand(update));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException)
        return false;
      throw error;
    }
  };

  return {
    async create(campaign, audit) {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: campaignItem(campaign),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            auditPut(audit),
          ],
        }),
      );
    },

    async get(id) {
      const item = (
        await db.send(new GetCommand({ TableName: table, Key: campaignKey(id), ConsistentRead: true }))
      ).Item;
      return item ? toCampaign(item) : undefined;
    },

    async list({ scopePrefix, status, cursor, limit }) {
      const start = decodeCursor(cursor, isListCursor);
      const items: Campaign[] = [];
      let startKey = start?.k;
      do {
        const resumed = startKey !== undefined && startKey === start?.k;
        const page = await withCursorCheck(resumed, () =>
          db.send(
            new QueryCommand({
              TableName: table,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :scope)',
              ...(status
                ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
                : {}),
              ExpressionAttributeValues: {
                ':pk': `CAMPAIGNS#${scopePrefix.slice(0, 2)}`,
                ':scope': scopePrefix,
                ...(status ? { ':status': status } : {}),
              },
              ScanIndexForward: false,
              Limit: limit - items.length,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        items.push(...(page.Items ?? []).map(toCampaign));
        startKey = page.LastEvaluatedKey;
      } while (startKey && items.length < limit);
      return startKey ? { items, cursor: encodeCursor({ k: startKey }) } : { items };
    },

    async save(campaign, expectedVersion, audit) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: campaignItem(campaign),
                  ConditionExpression: 'version = :expected',
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                },
              },
              auditPut(audit),
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) throw conflict(campaign.id);
        throw error;
      }
    },

    updateLaunch: (id, execution, launch, change = {}) => updateRun('launch', id, execution, launch, change),
    updateClose: (id, execution, close, change = {}) => updateRun('close', id, execution, close, change),

    dueRecurrences: (date) =>
      queryIndex(db, table, 'gsi2pk = :pk AND gsi2sk <= :until', {
        ':pk': 'RECURRING',
        ':until': `${date}#~`,
      }),

    pendingOccurrences: () => queryIndex(db, table, 'gsi2pk = :pk', { ':pk': 'AUTOLAUNCH' }),

    async spawn(parent, occurrence, audit) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              auditPut(audit),
              {
                Put: {
                  TableName: table,
                  Item: campaignItem(occurrence),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: table,
                  Key: campaignKey(parent.id),
                  UpdateExpression:
                    'SET nextOccurrenceCreated = :yes, version = version + :one REMOVE gsi2pk, gsi2sk',
                  ConditionExpression: 'attribute_not_exists(nextOccurrenceCreated)',
                  ExpressionAttributeValues: { ':yes': true, ':one': 1 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof TransactionCanceledException) return false;
        throw error;
      }
    },

    async many(ids: readonly string[]) {
      return (await batchGet(db, table, ids.map(campaignKey))).map(toCampaign);
    },

    /** An inspector's LOAD items across campaigns (gsi2), newest campaign first. */
    async loadsOf(inspectorId: string, q: { cursor?: string; limit: number }) {
      return queryPage(
        db,
        {
          TableName: table,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `INSPLOAD#${inspectorId}` },
          ScanIndexForward: false,
        },
        q,
        (item): InspectorLoad => ({
          campaignId: String(item.gsi2sk),
          assigned: Number(item.assigned ?? 0),
          visits: Number(item.visits ?? 0),
          closed: Number(item.closed ?? 0),
          late: Object.fromEntries(
            Object.entries(item)
              .filter(([k]) => k.startsWith('late_'))
              .map(([k, v]) => [k.slice('late_'.length), Number(v)]),
          ),
        }),
      );
    },

    progress: async (campaignId, countyPrefix) =>
      (
        await queryAll(db, {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': `CAMPAIGN#${campaignId}`,
            ':prefix': `PROGRESS#${countyPrefix}`,
          },
        })
      ).map(toProgress),
  };
};
