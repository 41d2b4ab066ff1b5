import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from './ports.ts';

/**
 * AWS's DynamoDB Local, run from the jar that the npm package
 * `amplify-dynamodb-simulator` ships, on the machine's Java (≥ 17).
 * We spawn `java -jar` ourselves rather than use the package's wrapper, which
 * pulls in the Amplify CLI's path manager.
 */
export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const emulatorDir = (): string => {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
};

export const startDynamoDbLocal = async (opts: {
  dataDir: string;
  port?: number;
  startTimeoutMs?: number;
}): Promise<LocalDynamoDb> => {
  const dbPath = join(opts.dataDir, 'dynamodb');
  mkdirSync(dbPath, { recursive: true });
  const pidFile = join(opts.dataDir, 'dynamodb.pid');
  killOrphan(pidFile);

  const port = opts.port ?? (await freePort());
  const dir = emulatorDir();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-Xmx1g',
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-dbPath',
      dbPath,
      // One database file regardless of the caller's credentials and region.
      '-sharedDb',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('Could not start java: is Java ≥ 17 on the PATH?');
  writeFileSync(pidFile, String(child.pid));
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child, opts.startTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(
      `DynamoDB Local did not start: ${(error as Error).message}\n${output.join('').slice(-2000)}`,
    );
  }
  return {
    endpoint,
    pid: child.pid,
    stop: () => stopChild(child, pidFile),
  };
};

const waitUntilServing = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`java exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`not serving after ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
};

const stopChild = async (child: ChildProcess, pidFile: string): Promise<void> => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(pidFile, { force: true });
};

/** A previous run killed with SIGKILL leaves java holding the database: end it. */
const killOrphan = (pidFile: string): void => {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('DynamoDBLocal.jar')) process.kill(pid, 'SIGKILL');
  } catch {
    // Not running (or not Linux): nothing to clean up.
  }
};
