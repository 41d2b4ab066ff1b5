import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { tables } from '#infra/resources';
import { createTableInput, localTableName, provisionTables } from '#local/provision';
import { testDynamo as dynamoDb } from '#test/support/aws';

/** A data folder made by an older version keeps its data and gains the indexes declared since. */
describe('provisionTables', () => {
  it('adds a declared index that an existing table lacks, and creates missing tables', async () => {
    const prefix = `provision-${Date.now()}-`;
    const older = { ...tables.audit, indexes: tables.audit.indexes.filter((i) => i.name !== 'pendingLink') };
    await dynamoDb.send(new CreateTableCommand(createTableInput(localTableName(prefix, 'audit'), older)));

    const created = await provisionTables(dynamoDb, prefix);
    expect(created).toEqual([localTableName(prefix, 'main')]);
    const audit = await dynamoDb.send(
      new DescribeTableCommand({ TableName: localTableName(prefix, 'audit') }),
    );
    expect(audit.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      tables.audit.indexes.map((i) => i.name).sort(),
    );
    expect(await provisionTables(dynamoDb, prefix)).toEqual([]);
  });
});
