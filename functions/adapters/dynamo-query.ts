import { paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './aws-clients.ts';

/** Every item a query matches, page after page (for partitions known to be small or bounded). */
export const queryAll = async (input: QueryCommandInput): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: documentClient }, input))
    items.push(...(page.Items ?? []));
  return items;
};
