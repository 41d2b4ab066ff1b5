import {
  type DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, isStartKey, withCursorCheck } from '#lib/cursor';

/** Every item a query matches, page after page (for partitions known to be small or bounded). */
export const queryAll = async (
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: db }, input)) items.push(...(page.Items ?? []));
  return items;
};

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** A condition on one attribute, with its own placeholders (`#a`, `:a`, `:a_hi`). */
export interface Condition {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}
export const equals = (attr: string, value: unknown): Condition => ({
  expression: `#${attr} = :${attr}`,
  names: { [`#${attr}`]: attr },
  values: { [`:${attr}`]: value },
});
export const beginsWith = (attr: string, prefix: string): Condition => ({
  expression: `begins_with(#${attr}, :${attr})`,
  names: { [`#${attr}`]: attr },
  values: { [`:${attr}`]: prefix },
});
/** Inclusive range of timestamp-like values; `to` includes every value it prefixes (a date, its whole day). */
export const within = (attr: string, from = '0', to = '9999'): Condition => ({
  expression: `#${attr} BETWEEN :${attr} AND :${attr}_hi`,
  names: { [`#${attr}`]: attr },
  values: { [`:${attr}`]: from, [`:${attr}_hi`]: `${to}~` },
});

/** Key condition and filter of a query from conditions (falsy entries are skipped). */
export const conditions = (key: Condition[], filter: (Condition | false | undefined)[] = []) => {
  const given = filter.filter((c): c is Condition => Boolean(c));
  const all = [...key, ...given];
  return {
    KeyConditionExpression: key.map((c) => c.expression).join(' AND '),
    ...(given.length > 0 ? { FilterExpression: given.map((c) => c.expression).join(' AND ') } : {}),
    ExpressionAttributeNames: Object.assign({}, ...all.map((c) => c.names)),
    ExpressionAttributeValues: Object.assign({}, ...all.map((c) => c.values)),
  };
};

export const isKeyCursor = (v: unknown): v is { k: Record<string, unknown> } =>
  typeof v === 'object' && v !== null && isStartKey((v as { k?: unknown }).k);

/**
 * One page of up to `limit` items for an opaque API cursor. A filter can leave
 * a DynamoDB page short, so further pages are read (a bounded number of times)
 * until the page is full; the cursor then resumes exactly where reading stopped.
 */
export const queryPage = async <T>(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  { limit, cursor }: { limit: number; cursor?: string | undefined },
  map: (item: Record<string, unknown>) => T,
): Promise<Page<T>> => {
  const items: T[] = [];
  let key = decodeCursor(cursor, isKeyCursor)?.k;
  for (let round = 0; round < 10; round++) {
    const start = key;
    const page = await withCursorCheck(round === 0 && start !== undefined, () =>
      db.send(
        new QueryCommand({
          ...input,
          Limit: limit - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    items.push(...(page.Items ?? []).map(map));
    key = page.LastEvaluatedKey;
    if (!key || items.length >= limit) break;
  }
  return key ? { items, cursor: encodeCursor({ k: key }) } : { items };
};
