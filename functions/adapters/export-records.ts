import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EvidenceExport } from '#core/export-service';

/** Evidence exports in `main`: pk EXPORT#<id>, sk EXPORT. */
const key = (id: string) => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' });

export const createExportRecords = (db: DynamoDBDocumentClient, table: string) => ({
  async create(record: EvidenceExport) {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...key(record.id), type: 'export', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },

  async get(id: string): Promise<EvidenceExport | undefined> {
    const item = (await db.send(new GetCommand({ TableName: table, Key: key(id), ConsistentRead: true })))
      .Item;
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, type: _t, ...record } = item;
    return record as EvidenceExport;
  },

  /** Sets fields of an existing export (the workflow's results). */
  async update(id: string, fields: Partial<EvidenceExport>) {
    const entries = Object.entries(fields);
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key(id),
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:f${i}`, v])),
      }),
    );
  },
});
export type ExportRecords = ReturnType<typeof createExportRecords>;
