import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type TableDeclaration, type TableName, tables } from '#infra/resources';

/** Physical table names of a local stack: `<prefix><key>`, e.g. `dudao-main`. */
export const localTableName = (prefix: string, table: TableName): string => `${prefix}${table}`;

/** The CreateTable request for a declared table (on-demand, all GSIs projecting ALL). */
export const createTableInput = (tableName: string, table: TableDeclaration): CreateTableCommandInput => {
  const keys = [
    table.partitionKey,
    table.sortKey,
    ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const attributes = new Map(keys.filter((k) => k !== undefined).map((k) => [k.name, k.type]));
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
  };
};

/**
 * Creates every declared table that is missing, and adds the indexes a newer
 * declaration has to tables a data folder already holds. Nothing is dropped.
 */
export const provisionTables = async (client: DynamoDBClient, prefix: string): Promise<string[]> => {
  const created: string[] = [];
  for (const [key, table] of Object.entries(tables) as [TableName, TableDeclaration][]) {
    const name = localTableName(prefix, key);
    if (await tableExists(client, name)) {
      await addMissingIndexes(client, name, table);
      continue;
    }
    await client.send(new CreateTableCommand(createTableInput(name, table)));
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 0.1, maxDelay: 1 }, { TableName: name });
    if (table.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        }),
      );
    }
    created.push(name);
  }
  return created;
};

const addMissingIndexes = async (client: DynamoDBClient, name: string, table: TableDeclaration) => {
  const existing = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  const present = new Set((existing?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const wanted = createTableInput(name, table);
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    // One index per UpdateTable, as DynamoDB requires.
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: wanted.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
};

const tableExists = async (client: DynamoDBClient, name: string): Promise<boolean> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
};
