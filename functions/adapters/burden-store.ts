import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BurdenCounts, BurdenDelta, BurdenTarget } from '#core/burden';
import { batchGet } from './dynamo-batch.ts';
import { queryAll } from './dynamo-query.ts';

/**
 * What supervision asked of schools (see core/burden.ts), in `main`:
 *
 * | item            | pk                  | sk               | serves                                   |
 * |-----------------|---------------------|------------------|------------------------------------------|
 * | inspection's    | INSPECTION#<id>     | BURDEN           | a school's row (BatchGet by inspection)  |
 * | county's        | CAMPAIGN#<campaign> | BURDEN#<county>  | a campaign's totals under a region prefix |
 *
 * Both are ADDed (`fields`, `uploaded`, `reused`) in the transaction of the
 * write that causes them: `burdenUpdates` gives the two Update entries.
 */
export const burdenKey = (inspectionId: string) => ({ pk: `INSPECTION#${inspectionId}`, sk: 'BURDEN' });
const countyKey = (campaignId: string, county: string) => ({
  pk: `CAMPAIGN#${campaignId}`,
  sk: `BURDEN#${county}`,
});
const counters = ['fields', 'uploaded', 'reused'] as const;

/** The transaction entries that add `delta` to the inspection's and the county's counters (none for no change). */
export const burdenUpdates = (table: string, target: BurdenTarget, delta: BurdenDelta | undefined) => {
  const entries = counters.filter((c) => (delta?.[c] ?? 0) !== 0);
  if (entries.length === 0) return [];
  const add = `ADD ${entries.map((c) => `#${c} :${c}`).join(', ')}`;
  const names = Object.fromEntries(entries.map((c) => [`#${c}`, c]));
  const values = Object.fromEntries(entries.map((c) => [`:${c}`, delta![c]!]));
  return [
    {
      Update: {
        TableName: table,
        Key: burdenKey(target.inspectionId),
        UpdateExpression: `SET campaignId = :campaign, targetId = :target, regionCode = :region ${add}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ...values,
          ':campaign': target.campaignId,
          ':target': target.targetId,
          ':region': target.regionCode,
        },
      },
    },
    {
      Update: {
        TableName: table,
        Key: countyKey(target.campaignId, target.regionCode),
        UpdateExpression: add,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
};

const countsOf = (item: Record<string, unknown>): BurdenCounts => ({
  fields: Number(item.fields ?? 0),
  uploaded: Number(item.uploaded ?? 0),
  reused: Number(item.reused ?? 0),
});

export const createBurdenStore = (db: DynamoDBDocumentClient, table: string) => ({
  async ofInspections(ids: readonly string[]) {
    const items = await batchGet(db, table, [...new Set(ids)].map(burdenKey));
    return new Map(items.map((i) => [String(i.pk).slice('INSPECTION#'.length), countsOf(i)]));
  },

  async campaignTotals(campaignId: string, countyPrefix: string) {
    const items = await queryAll(db, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':sk': `BURDEN#${countyPrefix}` },
    });
    return items.map(countsOf);
  },
});
