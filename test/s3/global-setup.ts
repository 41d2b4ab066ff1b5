import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

export interface RadosgwContext {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    radosgw: RadosgwContext;
  }
}

const run = promisify(execFile);
const script = resolve(import.meta.dirname, '../../scripts/radosgw.sh');
const keys = { accessKeyId: 'dudao-conformance', secretAccessKey: 'dudao-conformance-secret' };

/** The script's stderr (its step log, or what failed and the log lines that say why). */
const scriptOutput = (error: unknown) => {
  const { stderr, message } = error as { stderr?: string; message: string };
  return stderr?.trim() || message;
};

/**
 * One radosgw per run of the s3-conformance project (scripts/radosgw.sh), in a
 * temporary folder; tests reach it through `inject('radosgw')`. If the runner
 * dies before its teardown, the script's watchdog stops the cluster.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'dudao-rgw-'));
  const started = Date.now();
  let endpoint: string;
  try {
    const { stdout } = await run('bash', [script, 'start', dir], {
      env: {
        ...process.env,
        RADOSGW_ACCESS_KEY: keys.accessKeyId,
        RADOSGW_SECRET_KEY: keys.secretAccessKey,
        RADOSGW_OWNER_PID: String(process.pid),
      },
      // The script bounds each of its waits; this bounds their sum.
      timeout: 300_000,
    });
    endpoint = stdout.trim();
  } catch (error) {
    // The script has stopped what it started; keep its logs, if it got that far.
    if (!existsSync(join(dir, 'log'))) rmSync(dir, { recursive: true, force: true });
    throw new Error(`scripts/radosgw.sh start failed:\n${scriptOutput(error)}`);
  }
  console.info(`radosgw at ${endpoint}, started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('radosgw', { endpoint, region: 'us-east-1', ...keys });

  return async () => {
    try {
      await run('bash', [script, 'stop', dir], { timeout: 60_000 });
    } catch (error) {
      // Keep the folder: its log/ says why the daemons did not stop.
      throw new Error(`scripts/radosgw.sh stop ${dir} failed:\n${scriptOutput(error)}`);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
