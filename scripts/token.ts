/**
 * `npm run token -- --role county_admin --scope 320582 [--sub id] [--name 名字] [--ttl seconds]`
 * prints a bearer token the local API accepts (signed by the dev issuer of DATA_DIR).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { actorSchema, roles } from '#core/actor';
import { devIssuer } from '#local/dev-issuer';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    scope: { type: 'string' },
    sub: { type: 'string' },
    name: { type: 'string' },
    ttl: { type: 'string', default: String(12 * 3600) },
  },
});

const parsed = actorSchema.safeParse({
  subject: values.sub ?? `${values.role}:${values.scope}`,
  role: values.role,
  scope: values.scope,
  name: values.name,
});
if (!parsed.success) {
  console.error(
    `usage: npm run token -- --role <${roles.join('|')}> --scope <region code | inspector id | school id>`,
  );
  for (const issue of parsed.error.issues) console.error(`  ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}

const issuer = await devIssuer(resolve(process.env.DATA_DIR ?? '.data'));
console.log(
  await issuer.issue({
    role: parsed.data.role,
    scope: parsed.data.scope,
    subject: parsed.data.subject,
    ...(parsed.data.name ? { name: parsed.data.name } : {}),
    ttlSeconds: Number(values.ttl),
  }),
);
