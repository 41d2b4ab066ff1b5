import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Evidence } from '#core/evidence';
import type { AuditEvent } from '#core/inspection-service';
import { documentClient as db } from './aws-clients.ts';
import { queryAll } from './dynamo-query.ts';

/**
 * Evidence records in `main`:
 *
 * | index | pk                          | sk                 | serves                           |
 * |-------|-----------------------------|--------------------|----------------------------------|
 * | table | EVIDENCE#<id>               | EVIDENCE           | one record                       |
 * | gsi1  | INSPEVID#<inspection>       | <created>#<id>     | an inspection's evidence         |
 * | gsi2  | CEVID#<campaign>#<county>   | <created>#<id>     | auditor queries by campaign/region |
 * | gsi3  | SEVID#<school>              | <created>#<id>     | auditor queries by school        |
 */
const key = (id: string) => ({ pk: `EVIDENCE#${id}`, sk: 'EVIDENCE' });
const item = (e: Evidence) => ({
  ...key(e.id),
  type: 'evidence',
  ...e,
  gsi1pk: `INSPEVID#${e.inspectionId}`,
  gsi1sk: `${e.createdAt}#${e.id}`,
  gsi2pk: `CEVID#${e.campaignId}#${e.regionCode}`,
  gsi2sk: `${e.createdAt}#${e.id}`,
  gsi3pk: `SEVID#${e.targetId}`,
  gsi3sk: `${e.createdAt}#${e.id}`,
});
const strip = ({
  pk: _a,
  sk: _b,
  type: _t,
  gsi1pk: _c,
  gsi1sk: _d,
  gsi2pk: _e,
  gsi2sk: _f,
  gsi3pk: _g,
  gsi3sk: _h,
  ...rest
}: Record<string, unknown>) => rest as unknown as Evidence;

export const auditEventItem = (event: AuditEvent, n = 0) => ({
  pk: `CAMPAIGN#${event.campaignId}`,
  sk: `${event.at}#${event.entityId}#${n}`,
  ...event,
});

export const createEvidenceStore = (tables: { main: string; audit: string }) => ({
  async create(evidence: Evidence, audit: AuditEvent) {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tables.main,
              Item: item(evidence),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tables.audit, Item: auditEventItem(audit) } },
        ],
      }),
    );
  },

  async get(id: string): Promise<Evidence | undefined> {
    const found = (
      await db.send(new GetCommand({ TableName: tables.main, Key: key(id), ConsistentRead: true }))
    ).Item;
    return found ? strip(found) : undefined;
  },

  byInspection: async (inspectionId: string) =>
    (
      await queryAll({
        TableName: tables.main,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `INSPEVID#${inspectionId}` },
      })
    ).map(strip),

  /** Records the verdict once: false when the record was already settled (a duplicate or late event). */
  async settle(
    evidence: Evidence,
    verdict: Pick<Evidence, 'status' | 'reason' | 'detected' | 'verifiedAt'>,
    audit: AuditEvent,
  ) {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tables.main,
                Item: item({ ...evidence, ...verdict }),
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':pending': 'pending' },
              },
            },
            { Put: { TableName: tables.audit, Item: auditEventItem(audit) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  },

  async logAccess(audit: AuditEvent) {
    try {
      await db.send(
        new PutCommand({
          TableName: tables.audit,
          Item: auditEventItem(audit),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
});
export type EvidenceStore = ReturnType<typeof createEvidenceStore>;
