import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { routeKey, routes } from '#infra/resources';
import { startLocalCloud } from '#local/cloud';
import { readChecked } from './contract.ts';

export interface CloudContext {
  apiUrl: string;
  dataDir: string;
  env: Record<string, string>;
  endpoints: {
    dynamodb: string;
    s3: string;
    stepfunctions: string;
    sqs: string;
    lambda: string;
    issuer: string;
  };
  failureQueues: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudContext;
  }
}

/**
 * One local cloud per test run (DynamoDB Local takes seconds to start). Tests
 * share its tables and isolate themselves by the keys they use. Every AWS
 * call a function makes is checked against its synthesized grants; a call it
 * is not granted fails the test that caused it, and is listed at the end.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dudao-test-'));
  process.env.LOG_LEVEL ??= 'ERROR';
  // Small launch batches, so that tests exercise several.
  process.env.LAUNCH_BATCH_SIZE = '100';
  const cloud = await startLocalCloud({
    dataDir,
    apiPort: 0,
    sweeperIntervalMs: 0,
    retryIntervalMs: 50,
    asyncRetryDelayMs: 50,
    faultDrills: true,
  });
  project.provide('cloud', {
    apiUrl: cloud.apiUrl,
    dataDir,
    env: cloud.env,
    endpoints: cloud.endpoints,
    failureQueues: cloud.failureQueues as Record<string, string>,
  });
  return async () => {
    const denied = [...cloud.calls.values()].filter((c) => !c.allowed);
    const uncovered = process.env.DUDAO_CONTRACT_COVERAGE === '1' ? neverSucceeded(dataDir) : [];
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (uncovered.length > 0) {
      throw new Error(
        `contract coverage: no test got a checked success response from these routes:\n${uncovered.map((r) => `  ${r}`).join('\n')}`,
      );
    }
    if (denied.length > 0) {
      throw new Error(
        `functions made AWS calls their grants do not allow:\n${denied.map((c) => `  ${c.fn}: ${c.action} on ${c.resource}`).join('\n')}`,
      );
    }
  };
}

/** Declared routes of which no checked 2xx response was recorded (test/support/contract.ts). */
const neverSucceeded = (dataDir: string): string[] => {
  const succeeded = new Set(
    [...readChecked(dataDir)]
      .map((line) => line.split('\t'))
      .filter(([, status]) => Number(status) >= 200 && Number(status) < 300)
      .map(([route]) => route),
  );
  return routes.map(routeKey).filter((route) => !succeeded.has(route));
};
