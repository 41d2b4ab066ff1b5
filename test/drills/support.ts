import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  paginateListExecutions,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Role } from '#core/actor';
import type { FunctionName, StateMachineName } from '#infra/resources';
import { localStateMachineArn } from '#local/cloud';
import { devIssuer } from '#local/dev-issuer';
import { type FaultDrill, type FaultTiming, faultItem } from '#local/faults';
import { waitFor } from '#test/support/wait';

/**
 * `npm start` (infra/local/main.ts) in a child process that a drill can kill
 * with SIGKILL and start again on the same data folder. Everything it needs
 * to reach is read from what main.ts prints, as a user would.
 */

const repoRoot = join(import.meta.dirname, '../..');
export const mainTable = 'dudao-main';
export const evidenceBucket = 'dudao-evidence';
export const workBucket = 'dudao-work';

export interface Clients {
  db: DynamoDBDocumentClient;
  s3: S3Client;
  sfn: SFNClient;
}

export interface RunningCloud {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly apiUrl: string;
  readonly endpoints: { dynamodb: string; s3: string; stepfunctions: string };
  readonly clients: Clients;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const line = (output: string, label: string) =>
  new RegExp(`^\\s+${label}\\s+(https?://\\S+)`, 'm').exec(output)?.[1];

const clientsFor = (endpoints: RunningCloud['endpoints']): Clients => {
  const common = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  return {
    db: DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    s3: new S3Client({
      ...common,
      endpoint: endpoints.s3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    sfn: new SFNClient({ ...common, endpoint: endpoints.stepfunctions }),
  };
};

/**
 * Starts `node --import tsx infra/local/main.ts` on `dataDir` with failure
 * drills on, in its own process group (so that a drill can kill node and its
 * java together), and waits until it has printed its endpoints.
 */
export const startCloud = async (dataDir: string, extraEnv: Record<string, string> = {}) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      DEMO_SCHOOLS: '0',
      // The portal (built and served by the portal project's own stack) is not what this checks.
      PORTAL_PORT: 'off',
      SWEEP_EVERY_SECONDS: '0',
      DUDAO_FAULT_DRILLS: '1',
      NODE_OPTIONS: '--openssl-legacy-provider',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error('could not start infra/local/main.ts');
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const endpoints = await waitFor(
    async () => {
      if (gone) throw new Error(`main.ts exited before it was ready:\n${output}`);
      const printed = {
        api: line(output, 'API'),
        dynamodb: line(output, 'DynamoDB'),
        s3: line(output, 'S3'),
        stepfunctions: line(output, 'Step Functions'),
      };
      return printed.api && printed.dynamodb && printed.s3 && printed.stepfunctions
        ? (printed as Record<keyof typeof printed, string>)
        : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 100, what: 'main.ts to print its endpoints' },
  ).catch((error: unknown) => {
    killGroup(child.pid!);
    throw new Error(`${(error as Error).message}\noutput so far:\n${output}`);
  });
  const { api, ...services } = endpoints;
  return {
    child,
    pid: child.pid,
    apiUrl: api,
    endpoints: services,
    clients: clientsFor(services),
    output: () => output,
    exited,
  } satisfies RunningCloud;
};

const killGroup = (pid: number) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

/** Whether `pid` is a live process (a zombie waiting for its parent to reap it counts as dead). */
export const processRunning = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state …: comm may hold spaces and parentheses, the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** The java of DynamoDB Local serving `dataDir`, if one runs (the pid main.ts recorded). */
export const javaPidOf = (dataDir: string): number | undefined => {
  const file = join(dataDir, 'dynamodb.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  return Number.isInteger(pid) && pid > 0 && processRunning(pid) ? pid : undefined;
};

/** Whether any DynamoDB Local runs on `dataDir` (as test/integration/local-cloud.test.ts checks). */
export const javaRunningFor = (dataDir: string): boolean => {
  const ps = execSync('ps -eo args', { encoding: 'utf8' });
  return ps.split('\n').some((l) => l.includes('DynamoDBLocal.jar') && l.includes(dataDir));
};

/**
 * kill -9. `group`: node and its java at once, as when the machine or the
 * container dies. `node`: only node, as when the OOM killer picks it; its
 * java lives on, orphaned, until the next start kills it by its pid file
 * (infra/local/dynamodb.ts).
 */
export const kill9 = async (cloud: RunningCloud, what: 'group' | 'node', dataDir: string) => {
  const java = javaPidOf(dataDir);
  if (what === 'group') killGroup(cloud.pid);
  else process.kill(cloud.pid, 'SIGKILL');
  const { signal } = await cloud.exited;
  if (signal !== 'SIGKILL') throw new Error(`main.ts ended by ${signal}, not SIGKILL`);
  destroyClients(cloud);
  if (what === 'group') {
    await waitFor(async () => (javaRunningFor(dataDir) ? undefined : true), {
      timeoutMs: 10_000,
      what: 'java to die with its process group',
    });
  }
  return { orphanedJava: what === 'node' ? java : undefined };
};

/** Ctrl-C's SIGTERM: the exit code, once node has stopped every child. */
export const stopCloud = async (cloud: RunningCloud): Promise<number | null> => {
  cloud.child.kill('SIGTERM');
  const timer = setTimeout(() => killGroup(cloud.pid), 30_000);
  const { code } = await cloud.exited;
  clearTimeout(timer);
  destroyClients(cloud);
  return code;
};

/** Kills whatever is left of a cloud (afterAll): its process group, and an orphaned java. */
export const cleanUp = async (cloud: RunningCloud | undefined, dataDir: string) => {
  if (cloud && cloud.child.exitCode === null && cloud.child.signalCode === null) {
    killGroup(cloud.pid);
    await cloud.exited;
  }
  const java = javaPidOf(dataDir);
  if (java !== undefined) process.kill(java, 'SIGKILL');
  await waitFor(async () => (javaRunningFor(dataDir) ? undefined : true), {
    timeoutMs: 10_000,
    what: `no java left on ${dataDir}`,
  });
};

const destroyClients = (cloud: RunningCloud) => {
  cloud.clients.db.destroy();
  cloud.clients.s3.destroy();
  cloud.clients.sfn.destroy();
};

// ---- the API, as a portal calls it ---------------------------------------

export interface ApiResponse<T> {
  status: number;
  body: T;
  text: string;
}

export const call = async <T = Record<string, unknown>>(
  cloud: Pick<RunningCloud, 'apiUrl'>,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<ApiResponse<T>> => {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(cloud.apiUrl + path, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body: body as T, text };
};

/** `call`, failing unless the answer has `status`. */
export const expectCall = async <T = Record<string, unknown>>(
  cloud: Pick<RunningCloud, 'apiUrl'>,
  status: number,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<T> => {
  const r = await call<T>(cloud, method, path, opts);
  if (r.status !== status)
    throw new Error(`${method} ${path} answered ${r.status}, not ${status}: ${r.text}`);
  return r.body;
};

/** Every item of a cursor-paginated list. */
export const allItems = async <T>(
  cloud: Pick<RunningCloud, 'apiUrl'>,
  token: string,
  path: string,
): Promise<T[]> => {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const body = await expectCall<{ items: T[]; cursor?: string | null }>(
      cloud,
      200,
      'GET',
      `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    items.push(...body.items);
    if (!body.cursor) return items;
    cursor = body.cursor;
  }
  throw new Error(`${path} had more than 100 pages`);
};

/** A bearer token from the dev issuer of that data folder (call once the cloud has created its keys). */
export const tokenFor = async (dataDir: string, role: Role, scope: string, subject?: string) =>
  (await devIssuer(dataDir)).issue({ role, scope, ...(subject ? { subject } : {}) });

// ---- workflows and drills ------------------------------------------------

/** Waits (bounded) for an execution to end; its description. */
export const executionEnded = (cloud: RunningCloud, executionArn: string, timeoutMs = 60_000) =>
  waitFor<DescribeExecutionCommandOutput>(
    async () => {
      const d = await cloud.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    },
    { timeoutMs, intervalMs: 200, what: `execution ${executionArn} to end` },
  );

/** Executions of a state machine whose name starts with `prefix`, any status. */
export const executionsNamed = async (cloud: RunningCloud, machine: StateMachineName, prefix: string) => {
  const found: ExecutionListItem[] = [];
  const pages = paginateListExecutions(
    { client: cloud.clients.sfn, pageSize: 1000 },
    { stateMachineArn: localStateMachineArn(machine) },
  );
  for await (const page of pages)
    found.push(...(page.executions ?? []).filter((e) => e.name?.startsWith(prefix)));
  return found;
};

/**
 * Arms a hang drill (infra/local/faults.ts): the next matching invocation of
 * `fn` records `hungAt` and never returns, before or after its work. Returns
 * a wait for that moment (bounded), with the pid of the process that hangs.
 */
export const armHang = async (
  cloud: RunningCloud,
  fn: FunctionName,
  drill: FaultDrill,
  when: FaultTiming,
) => {
  const item = faultItem(fn, drill, 1, when, 'hang');
  await cloud.clients.db.send(new PutCommand({ TableName: mainTable, Item: item }));
  return {
    hung: () =>
      waitFor(
        async () => {
          const got = await cloud.clients.db.send(
            new GetCommand({ TableName: mainTable, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
          );
          return got.Item?.hungAt
            ? (got.Item as { hungAt: string; hungPid: number; remaining: number })
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: `${fn} to hang ${when} its work` },
      ),
    /** The drill item as it is now (after a restart, through that cloud's clients). */
    read: async (on: RunningCloud) =>
      (
        await on.clients.db.send(
          new GetCommand({ TableName: mainTable, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
        )
      ).Item,
  };
};
