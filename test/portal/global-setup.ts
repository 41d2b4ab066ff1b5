import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalCloud } from '#local/cloud';
import { seedDemo } from '#local/demo/seed';
import { devIssuer } from '#local/dev-issuer';
import {
  buildPortal,
  discoverPersonas,
  type Persona,
  portalBuildNeeded,
  startPortalServer,
} from '#local/portal';
import type { CloudContext } from '#test/support/global-setup';

declare module 'vitest' {
  export interface ProvidedContext {
    portal: { url: string; screenshots: string; personas: Persona[] };
  }
}

/**
 * The portal project's stack, wired as `npm start` wires it: the portal server
 * first (its origin is the one the API's CORS allows), the local cloud, a small
 * demo province (so the sign-in page has its personas), and the portal built
 * if its sources changed. Screenshots of each journey's last screen go to one folder.
 */
export default async function setup(project: TestProject) {
  const screenshots = resolve(import.meta.dirname, '../../.test-data/portal-screenshots');
  rmSync(screenshots, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
  // PORTAL_TEST_URL: the journeys against a running `npm start` (its portal URL; DATA_DIR its data folder).
  const running = process.env.PORTAL_TEST_URL;
  if (running) {
    const config = (await (await fetch(`${running}/config.json`)).json()) as { apiUrl: string };
    const personas = (await (await fetch(`${running}/local/personas`)).json()) as Persona[];
    project.provide('cloud', {
      apiUrl: config.apiUrl,
      dataDir: resolve(process.env.DATA_DIR ?? '.data'),
      env: {},
      endpoints: { dynamodb: '', s3: '', stepfunctions: '', sqs: '', lambda: '', issuer: '' },
      failureQueues: {},
    });
    project.provide('portal', { url: running, screenshots, personas });
    console.log(`portal journeys against ${running}; screenshots in ${screenshots}`);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'dudao-portal-'));
  process.env.LOG_LEVEL ??= 'ERROR';
  const issuer = await devIssuer(dataDir);
  let apiUrl: string | undefined;
  let personas: Persona[] = [];
  const portal = await startPortalServer({
    port: 0,
    issuer,
    config: () => (apiUrl ? { apiUrl, auth: { mode: 'local' } } : undefined),
    personas: async () => personas,
  });
  const built = portalBuildNeeded() ? buildPortal() : Promise.resolve();
  const cloud = await startLocalCloud({
    dataDir,
    apiPort: 0,
    sweeperIntervalMs: 0,
    retryIntervalMs: 50,
    asyncRetryDelayMs: 50,
    apiCorsOrigins: [portal.url],
    corsOrigins: [portal.url],
  });
  apiUrl = cloud.apiUrl;
  const token = await issuer.issue({ role: 'province_admin', scope: '32', subject: 'demo-seed' });
  await seedDemo({ apiUrl, token, schools: 40 });
  personas = await discoverPersonas(apiUrl, issuer);
  await built;
  console.log(`portal journeys: ${portal.url}; screenshots in ${screenshots}`);
  const context: CloudContext = {
    apiUrl,
    dataDir,
    env: cloud.env,
    endpoints: cloud.endpoints,
    failureQueues: cloud.failureQueues as Record<string, string>,
  };
  project.provide('cloud', context);
  project.provide('portal', { url: portal.url, screenshots, personas });
  return async () => {
    await portal.stop();
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`portal screenshots: ${screenshots}`);
  };
}
