/**
 * `npm run token -- --role county_admin --scope 320582 [--sub id] [--name 名字] [--ttl seconds]`
 * prints a bearer token the local API accepts (signed by the dev issuer of DATA_DIR).
 * `--ttl` is the lifetime in seconds (default 12 h); `--ttl=-60` makes a token that expired a minute ago.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { actorSchema, roles } from '#core/actor';
import { devIssuer } from '#local/dev-issuer';

const usage = `usage: npm run token -- --role <${roles.join('|')}> --scope <region code | inspector id | school id> [--sub id] [--name name] [--ttl seconds]`;
const fail = (message: string): never => {
  console.error(message);
  console.error(usage);
  process.exit(2);
};

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      scope: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      ttl: { type: 'string', default: String(12 * 3600) },
    },
  }));
} catch (error) {
  // e.g. `--ttl -60`: parseArgs reads -60 as an option; `--ttl=-60` is how to pass it.
  fail(
    `${(error as Error).message.split('\n')[0]}${/--ttl/.test(String(error)) ? ' (write --ttl=-60 for a negative lifetime)' : ''}`,
  );
}

const ttl = Number(values!.ttl);
if (!Number.isInteger(ttl) || Math.abs(ttl) > 366 * 86_400)
  fail(`--ttl must be a whole number of seconds within a year, got "${values!.ttl}"`);

const parsed = actorSchema.safeParse({
  subject: values!.sub ?? `${values!.role}:${values!.scope}`,
  role: values!.role,
  scope: values!.scope,
  name: values!.name,
});
if (!parsed.success) {
  fail(parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n'));
} else {
  const issuer = await devIssuer(resolve(process.env.DATA_DIR ?? '.data'));
  console.log(
    await issuer.issue({
      role: parsed.data.role,
      scope: parsed.data.scope,
      subject: parsed.data.subject,
      ...(parsed.data.name ? { name: parsed.data.name } : {}),
      ttlSeconds: ttl,
    }),
  );
}
