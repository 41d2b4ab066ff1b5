import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TemplateStore } from '#core/campaign-service';
import { ConflictError } from '#core/errors';
import type { Template } from '#core/template';
import { builtInTemplates } from '#core/templates/index';
import { queryAll } from './dynamo-query.ts';

/**
 * Templates: the built-in ones (data in the repository) plus versions added by
 * offices, stored as pk TEMPLATE#<id>, sk VERSION#<0000n>, listed through
 * gsi1 (TEMPLATES). The highest version of an id wins.
 */
const versionKey = (version: number) => `VERSION#${String(version).padStart(6, '0')}`;

const latest = (templates: Template[]): Template[] => {
  const byId = new Map<string, Template>();
  for (const t of templates) if ((byId.get(t.id)?.version ?? 0) < t.version) byId.set(t.id, t);
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
};

const strip = (item: Record<string, unknown>): Template => {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, owner: _o, type: _t, ...template } = item;
  return template as unknown as Template;
};

export const createTemplateStore = (db: DynamoDBDocumentClient, table: string): TemplateStore => {
  const stored = async (id?: string): Promise<Template[]> => {
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

  return {
    async get(id, version) {
      const candidates = [...builtInTemplates.filter((t) => t.id === id), ...(await stored(id))];
      if (version !== undefined) return candidates.find((t) => t.version === version);
      return latest(candidates)[0];
    },
    list: async () => latest([...builtInTemplates, ...(await stored())]),
    async put(template, owner) {
      try {
        await db.send(
          new PutCommand({
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
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError(`Template ${template.id} version ${template.version} exists.`);
        }
        throw error;
      }
    },
  };
};
