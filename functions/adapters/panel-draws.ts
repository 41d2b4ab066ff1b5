import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '#core/inspection-service';
import type { PanelDraw } from '#core/panel-service';
import { auditEventItem } from './audit-items.ts';
import { queryAll } from './dynamo-query.ts';

/**
 * Expert panel draws in `main`: pk CAMPAIGN#<campaign>, sk PANELDRAW#<draw id>
 * (ids are ULIDs, so a campaign's draws read in the order they were made).
 * The draw's full record (pool, loads, result) lies in the evidence bucket.
 */
export const createPanelDraws = (db: DynamoDBDocumentClient, tables: { main: string; audit: string }) => ({
  /** The draw and its audit event, together. */
  async put(draw: PanelDraw, audit: AuditEvent) {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tables.main,
              Item: {
                pk: `CAMPAIGN#${draw.campaignId}`,
                sk: `PANELDRAW#${draw.id}`,
                type: 'panel-draw',
                ...draw,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tables.audit, Item: auditEventItem(audit) } },
        ],
      }),
    );
  },

  async list(campaignId: string): Promise<PanelDraw[]> {
    const items = await queryAll(db, {
      TableName: tables.main,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':d': 'PANELDRAW#' },
    });
    return items.map(({ pk: _p, sk: _s, type: _t, ...d }) => d as unknown as PanelDraw);
  },
});
