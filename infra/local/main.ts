/**
 * `npm start`: the embedded local cloud in the foreground.
 *   PORT      API port (default 3000)
 *   DATA_DIR  data folder (default .data); two stacks need two folders
 *   DEMO_SCHOOLS  schools of the demo province loaded into an empty data
 *             folder (default 20000; 0 = start empty)
 *   SWEEP_EVERY_SECONDS  how often the sweeper runs (default: the declared
 *             schedule, 5 minutes; 0 = never), to watch deadlines and chain links happen
 *   PORTAL_PORT  port of the portal (default 8080; 0 = a free one, the default when PORT=0;
 *             `off` = no portal). The portal is built first if portal/dist is missing or stale.
 *   DUDAO_FAULT_DRILLS  `1` honours failure drills (`FAULT#` items in the main
 *             table that make functions fail or hang, see faults.ts): tests
 *             only (test/drills kills this process while a step hangs in one).
 *             Default off (unset or `0`).
 */
import { resolve } from 'node:path';
import { startLocalCloud } from './cloud.ts';
import { seedDemo } from './demo/seed.ts';
import { devIssuer } from './dev-issuer.ts';
import {
  buildPortal,
  discoverPersonas,
  type Persona,
  type PortalServer,
  portalBuildNeeded,
  startPortalServer,
} from './portal.ts';

const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const log = (message: string) => console.log(`[dudao] ${message}`);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${process.env.PORT}"`);
  process.exit(2);
}
const sweepEvery =
  process.env.SWEEP_EVERY_SECONDS === undefined ? undefined : Number(process.env.SWEEP_EVERY_SECONDS);
if (sweepEvery !== undefined && (!Number.isInteger(sweepEvery) || sweepEvery < 0)) {
  console.error(
    `SWEEP_EVERY_SECONDS must be a whole number of seconds, got "${process.env.SWEEP_EVERY_SECONDS}"`,
  );
  process.exit(2);
}

const faultDrills = process.env.DUDAO_FAULT_DRILLS === '1';
if (process.env.DUDAO_FAULT_DRILLS !== undefined && !['0', '1'].includes(process.env.DUDAO_FAULT_DRILLS)) {
  console.error(`DUDAO_FAULT_DRILLS must be 1 (on) or 0 (off), got "${process.env.DUDAO_FAULT_DRILLS}"`);
  process.exit(2);
}

const portalPortSetting = process.env.PORTAL_PORT ?? (port === 0 ? '0' : '8080');
const portalPort = portalPortSetting === 'off' ? undefined : Number(portalPortSetting);
if (portalPort !== undefined && (!Number.isInteger(portalPort) || portalPort < 0 || portalPort > 65535)) {
  console.error(`PORTAL_PORT must be a TCP port number or off, got "${process.env.PORTAL_PORT}"`);
  process.exit(2);
}

process.env.LOG_LEVEL ??= 'WARN';
const started = performance.now();
log(`data in ${dataDir}`);

// The portal's origin must be known before the API starts: its CORS allows exactly that origin.
let apiUrl: string | undefined;
let personas: Persona[] | undefined;
let portal: PortalServer | undefined;
let portalBuilt: Promise<void> = Promise.resolve();
if (portalPort !== undefined) {
  const issuer = await devIssuer(dataDir);
  portal = await startPortalServer({
    port: portalPort,
    issuer,
    config: () => (apiUrl ? { apiUrl, auth: { mode: 'local' } } : undefined),
    personas: async () => {
      if (personas) return personas;
      const found = apiUrl ? await discoverPersonas(apiUrl, issuer) : [];
      // Kept once the registry holds a school with its inspector (the demo may still be loading).
      if (found.some((p) => p.role === 'inspector')) personas = found;
      return found;
    },
  }).catch((error: unknown) => {
    console.error(`[dudao] could not start the portal: ${(error as Error).message}`);
    process.exit(1);
  });
  if (portalBuildNeeded()) {
    log('building the portal (portal/dist is missing or older than its sources)…');
    portalBuilt = buildPortal();
  }
}

const cloud = await startLocalCloud({
  dataDir,
  apiPort: port,
  log,
  faultDrills,
  ...(portal ? { apiCorsOrigins: [portal.url], corsOrigins: [portal.url] } : {}),
  ...(sweepEvery !== undefined ? { sweeperIntervalMs: sweepEvery * 1000 } : {}),
}).catch((error: unknown) => {
  console.error(`[dudao] could not start: ${(error as Error).message}`);
  process.exit(1);
});

apiUrl = cloud.apiUrl;
await portalBuilt.catch((error: unknown) => log(`the portal was not built: ${(error as Error).message}`));

if (faultDrills)
  log('failure drills are on (DUDAO_FAULT_DRILLS=1): FAULT# items can make functions fail or hang');
log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`
  Portal          ${portal ? `${portal.url}   (sign in as a demo persona)` : 'off (PORTAL_PORT=off)'}
  API             ${cloud.apiUrl}   (GET /health, GET /openapi.json)
  DynamoDB        ${cloud.endpoints.dynamodb}
  S3              ${cloud.endpoints.s3}   (buckets ${cloud.env.EVIDENCE_BUCKET}, ${cloud.env.WORK_BUCKET})
  Step Functions  ${cloud.endpoints.stepfunctions}
  Lambda          ${cloud.endpoints.lambda}   (aws lambda invoke --function-name dudao-sweeper)
  SQS             ${cloud.endpoints.sqs}   (failure queues of objectCreated and sweeper)
  Token keys      ${cloud.endpoints.issuer}/.well-known/jwks.json

  A token:  DATA_DIR=${dataDir} npm run token -- --role province_admin --scope 32
  Stop:     Ctrl-C
`);

const demoSchools = Number(process.env.DEMO_SCHOOLS ?? 20_000);
if (cloud.fresh && demoSchools > 0) {
  // In the background: the API is already serving while the demo loads.
  const token = await (await devIssuer(dataDir)).issue({
    role: 'province_admin',
    scope: '32',
    subject: 'demo-seed',
  });
  log(`empty data folder: loading the demo province (Jiangsu, ${demoSchools} schools) in the background…`);
  seedDemo({ apiUrl: cloud.apiUrl, token, schools: demoSchools, log }).then(
    () => log('demo province loaded'),
    (error: unknown) => log(`demo province not loaded: ${(error as Error).message}`),
  );
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping…`);
  await portal?.stop();
  await cloud.stop();
  log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
