import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EvidenceExport } from '#core/export-service';
import type { AuditEvent } from '#core/inspection-service';
import { auditEventItem } from './audit-items.ts';

/** Evidence exports in `main`: pk EXPORT#<id>, sk EXPORT. */
const key = (id: string) => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' });

export const createExportRecords = (
  db: DynamoDBDocumentClient,
  /** `audit` only where requests are created (the API): the workflow's functions only update. */
  tables: { main: string; audit?: string },
) => ({
  /** The export and the audit event of its request, together. */
  async create(record: EvidenceExport, audit: AuditEvent) {
    if (!tables.audit) throw new Error('export records were built without the audit table');
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tables.main,
              Item: { ...key(record.id), type: 'export', ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tables.audit, Item: auditEventItem(audit) } },
        ],
      }),
    );
  },

  async get(id: string): Promise<EvidenceExport | undefined> {
    const item = (
      await db.send(new GetCommand({ TableName: tables.main, Key: key(id), ConsistentRead: true }))
    ).Item;
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, type: _t, ...record } = item;
    return record as EvidenceExport;
  },

  /** Sets fields of an existing export (the workflow's results). */
  async update(id: string, fields: Partial<EvidenceExport>) {
    const entries = Object.entries(fields);
    await db.send(
      new UpdateCommand({
        TableName: tables.main,
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
