import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimited } from '#lib/concurrency';

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
const maxAttempts = 10;

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** BatchWriteItem in chunks of 25, resubmitting unprocessed items with backoff. */
export const batchPut = (
  client: DynamoDBDocumentClient,
  table: string,
  items: readonly Item[],
  concurrency = 4,
): Promise<void> =>
  batchWrite(
    client,
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
    concurrency,
  );

/** BatchWriteItem deletes in chunks of 25 (deleting an absent item is no error). */
export const batchDelete = (
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  concurrency = 4,
): Promise<void> =>
  batchWrite(
    client,
    table,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
    concurrency,
  );

const batchWrite = async (
  client: DynamoDBDocumentClient,
  table: string,
  all: readonly WriteRequest[],
  concurrency: number,
): Promise<void> => {
  await mapLimited(chunk(all, 25), concurrency, async (part) => {
    let requests = part;
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= maxAttempts)
        throw new Error(`BatchWrite to ${table}: items still unprocessed after retries`);
      if (attempt > 0) await pause(attempt);
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  });
};

/**
 * BatchGetItem in chunks of 100, resubmitting unprocessed keys. Order is not
 * kept. `consistent` reads strongly consistently; `projection` names the
 * attributes to read.
 */
export const batchGet = async (
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  opts: { consistent?: boolean; projection?: readonly string[] } = {},
): Promise<Item[]> => {
  const projection = opts.projection
    ? {
        ProjectionExpression: opts.projection.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(opts.projection.map((name, i) => [`#p${i}`, name])),
      }
    : {};
  const found: Item[] = [];
  await Promise.all(
    chunk(keys, 100).map(async (part) => {
      let pending: Key[] = part;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= maxAttempts)
          throw new Error(`BatchGet from ${table}: keys still unprocessed after retries`);
        if (attempt > 0) await pause(attempt);
        const result = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [table]: { Keys: pending, ...(opts.consistent ? { ConsistentRead: true } : {}), ...projection },
            },
          }),
        );
        found.push(...((result.Responses?.[table] ?? []) as Item[]));
        pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
      }
    }),
  );
  return found;
};
