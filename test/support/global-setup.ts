import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalCloud } from '#local/cloud';

export interface CloudContext {
  apiUrl: string;
  dataDir: string;
  env: Record<string, string>;
  endpoints: { dynamodb: string; s3: string; stepfunctions: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudContext;
  }
}

/**
 * One local cloud per test run (DynamoDB Local takes seconds to start). Tests
 * share its tables and isolate themselves by the keys they use.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dudao-test-'));
  process.env.LOG_LEVEL ??= 'ERROR';
  // Tests inject step failures (functions/lib/faults.ts) and use small launch batches.
  process.env.DUDAO_FAULT_INJECTION = '1';
  process.env.LAUNCH_BATCH_SIZE = '100';
  const cloud = await startLocalCloud({ dataDir, apiPort: 0, sweeperIntervalMs: 0, retryIntervalMs: 50 });
  project.provide('cloud', { apiUrl: cloud.apiUrl, dataDir, env: cloud.env, endpoints: cloud.endpoints });
  return async () => {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
