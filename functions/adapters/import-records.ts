import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ImportCounts, ImportKind, ImportStatus } from '#core/imports';
import type { AuditEvent } from '#core/inspection-service';
import { auditEventItem } from './audit-items.ts';
import { queryAll } from './dynamo-query.ts';

/**
 * One import: pk IMPORT#<id>, sk IMPORT; while it awaits its upload also in
 * gsi4 (AWAITUPLOAD / <created>#<id>), where the sweeper finds uploads whose
 * object-created event was lost. Only the newest execution of an import may finish it.
 */
export interface ImportRecord {
  id: string;
  kind: ImportKind;
  status: ImportStatus;
  fileName: string;
  contentType: string;
  /** Region code the import may write into (the importing admin's scope). */
  scope: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  uploadKey: string;
  execution?: string;
  counts?: ImportCounts;
  errorReportKey?: string;
  warnings?: string[];
  error?: string;
  /** The error in Chinese (`error` is English). */
  errorZh?: string;
}

const key = (id: string) => ({ pk: `IMPORT#${id}`, sk: 'IMPORT' });
const strip = ({ pk: _pk, sk: _sk, gsi4pk: _a, gsi4sk: _b, ...rest }: Record<string, unknown>) =>
  rest as unknown as ImportRecord;

/** Import records; with `auditTable`, creating and finishing one is audited in the same transaction. */
export const createImportRecords = (db: DynamoDBDocumentClient, table: string, auditTable?: string) => ({
  async create(record: ImportRecord, audit?: AuditEvent): Promise<void> {
    const put = {
      TableName: table,
      Item: {
        ...key(record.id),
        type: 'import',
        ...record,
        gsi4pk: 'AWAITUPLOAD',
        gsi4sk: `${record.createdAt}#${record.id}`,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (audit && auditTable) {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: put }, { Put: { TableName: auditTable, Item: auditEventItem(audit) } }],
        }),
      );
    } else await db.send(new PutCommand(put));
  },

  async get(id: string): Promise<ImportRecord | undefined> {
    const item = (await db.send(new GetCommand({ TableName: table, Key: key(id) }))).Item;
    return item ? strip(item) : undefined;
  },

  /** The workflow started on an upload: it owns the record from now on. */
  async start(id: string, execution: string): Promise<ImportRecord> {
    const result = await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key(id),
        UpdateExpression:
          'SET #status = :processing, execution = :execution, updatedAt = :now REMOVE #error, errorZh, gsi4pk, gsi4sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':processing': 'processing',
          ':execution': execution,
          ':now': new Date().toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip(result.Attributes!);
  },

  /** Imports created before `before` still awaiting their upload, oldest first. */
  async awaitingBefore(before: string): Promise<ImportRecord[]> {
    const items = await queryAll(db, {
      TableName: table,
      IndexName: 'gsi4',
      KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk < :before',
      ExpressionAttributeValues: { ':pk': 'AWAITUPLOAD', ':before': before },
    });
    return items.map(strip);
  },

  /** Gives up an import whose file never came: `expired`, once (false if it had started). */
  async expire(id: string, at: string): Promise<boolean> {
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: key(id),
          UpdateExpression: 'SET #status = :expired, updatedAt = :at, #error = :why REMOVE gsi4pk, gsi4sk',
          ConditionExpression: '#status = :awaiting',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':expired': 'expired',
            ':awaiting': 'awaiting_upload',
            ':at': at,
            ':why': 'No file was uploaded within a day; start a new import to upload it.',
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },

  /** Records the outcome; ignored (false) when a newer execution has taken the import over. */
  async finish(
    id: string,
    execution: string,
    outcome:
      | { status: 'completed'; counts: ImportCounts; errorReportKey: string; warnings: string[] }
      | { status: 'failed'; error: string; errorZh?: string },
    audit?: AuditEvent,
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':execution': execution, ':now': new Date().toISOString() };
    const sets = ['#status = :status', 'updatedAt = :now'];
    values[':status'] = outcome.status;
    if (outcome.status === 'completed') {
      sets.push('counts = :counts', 'errorReportKey = :report', 'warnings = :warnings');
      Object.assign(values, {
        ':counts': outcome.counts,
        ':report': outcome.errorReportKey,
        ':warnings': outcome.warnings,
      });
    } else {
      sets.push('#error = :error');
      values[':error'] = outcome.error;
      if (outcome.errorZh !== undefined) {
        sets.push('errorZh = :errorZh');
        values[':errorZh'] = outcome.errorZh;
      }
    }
    const update = {
      TableName: table,
      Key: key(id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'execution = :execution',
      ExpressionAttributeNames: {
        '#status': 'status',
        ...(outcome.status === 'failed' ? { '#error': 'error' } : {}),
      },
      ExpressionAttributeValues: values,
    };
    try {
      if (audit && auditTable) {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: update },
              { Put: { TableName: auditTable, Item: auditEventItem(audit) } },
            ],
          }),
        );
      } else await db.send(new UpdateCommand(update));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException)
        return false;
      throw error;
    }
  },
});
export type ImportRecords = ReturnType<typeof createImportRecords>;
