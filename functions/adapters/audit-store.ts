import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { genesisHash, linkHash } from '#core/audit-chain';
import type { AuditEventQuery } from '#core/audit-service';
import type { AuditEvent } from '#core/inspection-service';
import { auditEventItem, linkShardOf, linkShards, toAuditEvent } from './audit-items.ts';
import { beginsWith, conditions, equals, queryAll, queryPage, within } from './dynamo-query.ts';

type Event = Record<string, unknown> & { pk: string; sk: string; campaignId: string };
const headKey = (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: '~CHAIN' });
const perTransaction = 24;

/**
 * The `audit` table: pk CAMPAIGN#<campaign>, sk <at>#<entity>#<n>, plus one
 * chain head per campaign (sk `~CHAIN`, sorting after every event).
 *
 * | index       | pk                  | sk                      | serves                    |
 * |-------------|---------------------|-------------------------|---------------------------|
 * | table       | CAMPAIGN#<campaign> | <at>#<entity>#<n>       | a campaign's events, chain |
 * | byEntity    | entityId            | at                      | an entity's timeline      |
 * | byActor     | actor               | at                      | what someone did          |
 * | pendingLink | PENDING#<shard>     | <campaign>#<sk>         | events awaiting their link |
 * | bySeq       | chainId (campaign)  | seq (number)            | linked events in chain order |
 *
 * The linker reads pending events and links them after the head with
 * conditional writes, so two linkers never fork a chain.
 */
export const createAuditStore = (db: DynamoDBDocumentClient, auditTable: string) => {
  const store = {
    /** A page of events by the most selective index the query allows, within a region. */
    events: (q: AuditEventQuery & { regionPrefix: string }) => {
      const [index, key] = q.entityId
        ? (['byEntity', [equals('entityId', q.entityId), within('at', q.from, q.to)]] as const)
        : q.actor
          ? (['byActor', [equals('actor', q.actor), within('at', q.from, q.to)]] as const)
          : ([undefined, [equals('pk', `CAMPAIGN#${q.campaignId}`), within('sk', q.from, q.to)]] as const);
      return queryPage(
        db,
        {
          TableName: auditTable,
          ...(index ? { IndexName: index } : {}),
          ...conditions(
            [...key],
            [
              beginsWith('regionCode', q.regionPrefix),
              index && q.campaignId !== undefined && equals('campaignId', q.campaignId),
              index === 'byEntity' && q.actor !== undefined && equals('actor', q.actor),
            ],
          ),
        },
        q,
        toAuditEvent,
      );
    },

    /** Events waiting for their link, grouped by campaign, each group in sk order. */
    async pending(): Promise<Map<string, Event[]>> {
      const shards = await Promise.all(
        Array.from({ length: linkShards }, (_, shard) =>
          queryAll(db, {
            TableName: auditTable,
            IndexName: 'pendingLink',
            KeyConditionExpression: 'pendingLink = :p',
            ExpressionAttributeValues: { ':p': `PENDING#${shard}` },
          }),
        ),
      );
      const byCampaign = new Map<string, Event[]>();
      for (const item of shards.flat() as Event[]) {
        const group = byCampaign.get(item.campaignId);
        if (group) group.push(item);
        else byCampaign.set(item.campaignId, [item]);
      }
      return byCampaign;
    },

    /** Links `events` (in order) after the campaign's current head. Returns how many were linked. */
    async link(campaignId: string, events: readonly Event[]): Promise<number> {
      const head = (
        await db.send(
          new GetCommand({ TableName: auditTable, Key: headKey(campaignId), ConsistentRead: true }),
        )
      ).Item;
      let seq = Number(head?.seq ?? 0);
      let hash = String(head?.hash ?? genesisHash(campaignId));
      let linked = 0;
      for (let i = 0; i < events.length; i += perTransaction) {
        const part = events.slice(i, i + perTransaction);
        const startSeq = seq;
        const updates = part.map((event) => {
          seq++;
          const { pk: _pk, pendingLink: _l, pendingSort: _s, ...content } = event;
          const eventHash = linkHash(hash, seq, content);
          const update = {
            Update: {
              TableName: auditTable,
              Key: { pk: event.pk, sk: event.sk },
              UpdateExpression:
                'SET seq = :seq, prevHash = :prev, #hash = :hash, chainId = :chain REMOVE pendingLink, pendingSort',
              ConditionExpression: 'attribute_not_exists(#hash)',
              ExpressionAttributeNames: { '#hash': 'hash' },
              ExpressionAttributeValues: {
                ':seq': seq,
                ':prev': hash,
                ':hash': eventHash,
                ':chain': campaignId,
              },
            },
          };
          hash = eventHash;
          return update;
        });
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...updates,
              {
                Put: {
                  TableName: auditTable,
                  Item: { ...headKey(campaignId), seq, hash },
                  ConditionExpression: startSeq === 0 ? 'attribute_not_exists(pk)' : 'seq = :expected',
                  ...(startSeq === 0 ? {} : { ExpressionAttributeValues: { ':expected': startSeq } }),
                },
              },
            ],
          }),
        );
        linked += part.length;
      }
      return linked;
    },

    /** Appends an event whose key its content fixes, once however often it is recorded. */
    async recordOnce(event: AuditEvent): Promise<void> {
      try {
        await db.send(
          new PutCommand({
            TableName: auditTable,
            Item: auditEventItem(event),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    /** Up to `limit` linked events after place `afterSeq`, in chain order, as stored (bySeq). */
    chainAfter: async (campaignId: string, afterSeq: number, limit: number) => {
      const events: Event[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: auditTable,
            IndexName: 'bySeq',
            KeyConditionExpression: 'chainId = :c AND seq > :after',
            ExpressionAttributeValues: { ':c': campaignId, ':after': afterSeq },
            Limit: limit - events.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        events.push(...((page.Items ?? []) as Event[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey && events.length < limit);
      return events;
    },

    /** How many of a campaign's events wait in the pending index for their link. */
    async unlinked(campaignId: string): Promise<number> {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: auditTable,
            IndexName: 'pendingLink',
            KeyConditionExpression: 'pendingLink = :p AND begins_with(pendingSort, :c)',
            ExpressionAttributeValues: { ':p': `PENDING#${linkShardOf(campaignId)}`, ':c': `${campaignId}#` },
            Select: 'COUNT',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return count;
    },
  };
  return {
    ...store,
    /**
     * Links the pending events of one campaign (sealing does, so the head it
     * records covers them). The index lags behind a linker that just ran, or
     * one may be running: then it reads again, a few times, before giving up.
     */
    async linkCampaign(campaignId: string) {
      for (let attempt = 1; ; attempt++) {
        const events = (await queryAll(db, {
          TableName: auditTable,
          IndexName: 'pendingLink',
          KeyConditionExpression: 'pendingLink = :p AND begins_with(pendingSort, :c)',
          ExpressionAttributeValues: { ':p': `PENDING#${linkShardOf(campaignId)}`, ':c': `${campaignId}#` },
        })) as Event[];
        try {
          return events.length > 0 ? await store.link(campaignId, events) : 0;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException) || attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
        }
      }
    },

    /** The campaign's chain head: how many events are linked and the last hash. */
    async head(campaignId: string) {
      const head = (
        await db.send(
          new GetCommand({ TableName: auditTable, Key: headKey(campaignId), ConsistentRead: true }),
        )
      ).Item;
      return { linked: Number(head?.seq ?? 0), head: String(head?.hash ?? genesisHash(campaignId)) };
    },

    /**
     * Links every pending event of every campaign. A campaign whose head moved
     * under us (another linker) is left for the next run: nothing forks.
     */
    async linkPending() {
      const pending = await store.pending();
      let linked = 0;
      const contended: string[] = [];
      for (const [campaignId, events] of pending) {
        try {
          linked += await store.link(campaignId, events);
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          contended.push(campaignId);
        }
      }
      return { campaigns: pending.size, linked, contended };
    },
  };
};
export type AuditStore = ReturnType<typeof createAuditStore>;
