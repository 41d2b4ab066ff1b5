import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { devIssuer } from '#local/dev-issuer';
import { waitFor } from '#test/support/wait';

/**
 * `npm start` as a user runs it (the same entry point, in a child process):
 * it serves /health, keeps data across a restart, and leaves no java behind.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'dudao-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  apiUrl: string;
  output: () => string;
}

const start = async (): Promise<Started> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      DEMO_SCHOOLS: '200',
      // The portal (built and served by the portal project's own stack) is not what this checks.
      PORTAL_PORT: 'off',
      NODE_OPTIONS: '--openssl-legacy-provider',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const apiUrl = await waitFor(async () => /API\s+(http:\/\/\S+)/.exec(output)?.[1], {
    timeoutMs: 60_000,
    what: `npm start to print the API URL; output so far:\n${output}`,
  });
  return { child, apiUrl, output: () => output };
};

const stop = async ({ child }: Started): Promise<number | null> => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
};

const javaRunningFor = (dir: string): boolean => {
  const ps = execSync('ps -eo args', { encoding: 'utf8' });
  return ps.split('\n').some((line) => line.includes('DynamoDBLocal.jar') && line.includes(dir));
};

interface Health {
  status: string;
  services: Record<string, { endpoint: string }>;
}
/** /health with an office's token: the services and their endpoints. */
const healthOf = async (apiUrl: string) => {
  const token = await (await devIssuer(dataDir)).issue({ role: 'province_admin', scope: '32' });
  return (await (
    await fetch(`${apiUrl}/health`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as Health;
};

const clientsFor = (health: Health) => {
  const common = { region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
  return {
    ddb: DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: health.services.dynamodb!.endpoint }),
    ),
    s3: new S3Client({
      ...common,
      endpoint: health.services.s3!.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  };
};

describe('npm start', () => {
  it('serves /health, loads the demo into an empty data folder, keeps data across a restart and stops its java', async () => {
    const first = await start();
    const health = await healthOf(first.apiUrl);
    expect(health.status).toBe('ok');

    // DEMO_SCHOOLS=200: the demo province arrives through the import path.
    const token = await (await devIssuer(dataDir)).issue({ role: 'province_admin', scope: '32' });
    await waitFor(
      async () => {
        const region = await fetch(`${first.apiUrl}/regions/32`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await region.json()) as { counts?: { schools: { total: number } } };
        return body.counts?.schools.total === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the demo province to be loaded' },
    );

    const { ddb, s3 } = clientsFor(health);
    await ddb.send(
      new PutCommand({ TableName: 'dudao-main', Item: { pk: 'restart-test', sk: 'x', value: 42 } }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'dudao-evidence', Key: 'restart-test.txt', Body: 'still here' }),
    );

    expect(await stop(first)).toBe(0);
    expect(javaRunningFor(dataDir)).toBe(false);

    const second = await start();
    try {
      const again = clientsFor(await healthOf(second.apiUrl));
      const item = await again.ddb.send(
        new GetCommand({ TableName: 'dudao-main', Key: { pk: 'restart-test', sk: 'x' } }),
      );
      expect(item.Item?.value).toBe(42);
      const object = await again.s3.send(
        new GetObjectCommand({ Bucket: 'dudao-evidence', Key: 'restart-test.txt' }),
      );
      expect(await object.Body?.transformToString()).toBe('still here');
    } finally {
      expect(await stop(second)).toBe(0);
    }
    expect(javaRunningFor(dataDir)).toBe(false);
    // Two starts, each synthesizing the app for its grant checks, while other tests share the cores.
  }, 180_000);
});
