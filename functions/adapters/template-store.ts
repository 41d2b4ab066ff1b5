import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TemplateOwner, TemplateStore } from '#core/campaign-service';
import { ConflictError, say } from '#core/errors';
import type { Template } from '#core/template';
import { builtInTemplates, earlierBuiltInTemplates } from '#core/templates/index';
import { auditEventItem } from './audit-items.ts';
import { queryAll } from './dynamo-query.ts';

/**
 * Templates: the built-in ones (data in the repository) plus versions added by
 * offices, stored as pk TEMPLATE#<id>, sk VERSION#<0000n> (each with its
 * owner, the office that published version 1), listed through gsi1
 * (TEMPLATES). The highest version of an id wins.
 */
const versionKey = (version: number) => `VERSION#${String(version).padStart(6, '0')}`;

const latest = <T extends Template>(templates: T[]): T[] => {
  const byId = new Map<string, T>();
  for (const t of templates) if ((byId.get(t.id)?.version ?? 0) < t.version) byId.set(t.id, t);
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
};

const strip = (item: Record<string, unknown>): Template & { owner?: TemplateOwner } => {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, type: _t, ...template } = item;
  return template as unknown as Template & { owner?: TemplateOwner };
};
const withoutOwner = ({ owner: _o, ...template }: Template & { owner?: TemplateOwner }): Template => template;

export const createTemplateStore = (
  db: DynamoDBDocumentClient,
  table: string,
  auditTable?: string,
): TemplateStore => {
  const stored = async (id?: string) => {
    const items = await queryAll(db, {
      TableName: table,
      ...(id
        ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `TEMPLATE#${id}` } }
        : {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': 'TEMPLATES' },
          }),
    });
    return items.map(strip);
  };
  const builtInIds = new Set(builtInTemplates.map((t) => t.id));

  return {
    async get(id, version) {
      const candidates = builtInIds.has(id)
        ? [...builtInTemplates, ...earlierBuiltInTemplates].filter((t) => t.id === id)
        : (await stored(id)).map(withoutOwner);
      if (version !== undefined) return candidates.find((t) => t.version === version);
      return latest(candidates)[0];
    },
    list: async () => latest([...builtInTemplates, ...(await stored()).filter((t) => !builtInIds.has(t.id))]),
    isBuiltIn: (id) => builtInIds.has(id),
    async ownerOf(id) {
      if (builtInIds.has(id)) return undefined;
      const first = (
        await db.send(new GetCommand({ TableName: table, Key: { pk: `TEMPLATE#${id}`, sk: versionKey(1) } }))
      ).Item;
      return first?.owner as TemplateOwner | undefined;
    },
    async put(template, owner, audit) {
      if (!auditTable) throw new Error('This function may not publish templates.');
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: {
                    pk: `TEMPLATE#${template.id}`,
                    sk: versionKey(template.version),
                    type: 'template',
                    gsi1pk: 'TEMPLATES',
                    gsi1sk: `${template.id}#${versionKey(template.version)}`,
                    owner,
                    ...template,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: auditTable, Item: auditEventItem(audit) } },
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          throw new ConflictError(
            say(
              `模板 ${template.id} 的第 ${template.version} 版已存在。`,
              `Template ${template.id} version ${template.version} exists.`,
            ),
          );
        }
        throw error;
      }
    },
  };
};
