/**
 * `npm run seed:demo [-- --schools 20000 --province 32]`
 * Loads the demo province into a running `npm start` (API_URL, default
 * http://localhost:3000), or, if none answers, into a local cloud it starts on DATA_DIR.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from '#local/cloud';
import { seedDemo } from '#local/demo/seed';
import { devIssuer } from '#local/dev-issuer';

const { values } = parseArgs({
  options: { schools: { type: 'string', default: '20000' }, province: { type: 'string', default: '32' } },
});
const schools = Number(values.schools);
if (!Number.isInteger(schools) || schools < 1 || schools > 100_000) {
  console.error('--schools must be a whole number from 1 to 100000');
  process.exit(2);
}
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const log = (m: string) => console.log(`[seed] ${m}`);

const running = process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
const answers = await fetch(`${running}/health`).then(
  (r) => r.ok,
  () => false,
);
const cloud = answers ? undefined : await startLocalCloud({ dataDir, apiPort: 0, sweeperIntervalMs: 0, log });
const apiUrl = cloud?.apiUrl ?? running;
log(cloud ? `started a local cloud on ${dataDir}` : `using the API at ${apiUrl}`);

try {
  const token = await (await devIssuer(dataDir)).issue({
    role: 'province_admin',
    scope: values.province,
    subject: 'demo-seed',
  });
  const started = performance.now();
  await seedDemo({ apiUrl, token, schools, province: values.province, log });
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await cloud?.stop();
}
