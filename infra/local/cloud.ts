import './polyfills.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import {
  auth,
  type BucketName,
  buckets,
  cursorKeyEnvVar,
  type FunctionDeclaration,
  type FunctionName,
  functions,
  objectLockEnvVar,
  type StateMachineDeclaration,
  type StateMachineName,
  schedules,
  stateMachines,
  type TableName,
  tables,
} from '#infra/resources';
import { startLocalApi } from './api-server.ts';
import { devIssuer } from './dev-issuer.ts';
import { startDynamoDbLocal } from './dynamodb.ts';
import { faultDrills } from './faults.ts';
import {
  type LocalInvoke,
  loadLocalFunctions,
  localAccount,
  localFunctionArn,
  localRegion,
} from './functions.ts';
import { type Call, enforceGrants, type FunctionGrants } from './grants.ts';
import { startLocalLambda } from './lambda.ts';
import { localTableName, provisionTables } from './provision.ts';
import { startS3Local } from './s3.ts';
import { lambdaFailureRecord, startLocalSqs } from './sqs.ts';
import { LocalStepFunctions } from './step-functions.ts';
import { synthesizedGrants } from './synth.ts';

export interface LocalCloudOptions {
  /** Where DynamoDB, S3, execution records, queues and the dev issuer's keys live. */
  dataDir: string;
  /** API port; 0 picks a free one. */
  apiPort: number;
  /** Sweeper interval; default: the declared schedule. 0 disables it. */
  sweeperIntervalMs?: number;
  /** Overrides every workflow Retry interval (tests); default: the ASL's own. */
  retryIntervalMs?: number;
  /** Delay before each retry of a failed asynchronous invocation; default 200 ms (Lambda: about 1 and 2 minutes). */
  asyncRetryDelayMs?: number;
  /**
   * Each function's IAM statements, against which every AWS call it makes is
   * checked (grants.ts). Default: as the CDK app synthesizes them. `false`: no checks.
   */
  grants?: FunctionGrants | false;
  /** Honour failure drills (`FAULT#` items, see faults.ts): tests only. */
  faultDrills?: boolean;
  /** Origins allowed to use presigned URLs from a browser; default any. */
  corsOrigins?: readonly string[];
  /** Origins allowed to call the API from a browser (the portal's); default none, as in AWS without a portal. */
  apiCorsOrigins?: readonly string[];
  log?: (message: string) => void;
}

export interface LocalCloud {
  readonly apiUrl: string;
  readonly endpoints: {
    dynamodb: string;
    s3: string;
    stepfunctions: string;
    sqs: string;
    lambda: string;
    issuer: string;
  };
  /** Environment the functions run with (what a test process needs to call the services too). */
  readonly env: Record<string, string>;
  readonly functions: Record<FunctionName, LocalInvoke>;
  /** Failure queue of each asynchronously invoked function. */
  readonly failureQueues: Partial<Record<FunctionName, string>>;
  /** Every distinct AWS call the functions made, and whether their grants allowed it. */
  readonly calls: ReadonlyMap<string, Call & { allowed: boolean }>;
  /** True when this start created the tables: an empty data folder. */
  readonly fresh: boolean;
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
export const localTablePrefix = 'dudao-';
export const localBucketName = (bucket: BucketName) => `dudao-${bucket}`;
export const localStateMachineName = (name: StateMachineName): string => `dudao-${name}`;
export const localStateMachineArn = (name: StateMachineName): string =>
  `arn:aws:states:${localRegion}:${localAccount}:stateMachine:${localStateMachineName(name)}`;
export const localFailureQueue = (name: FunctionName): string => `dudao-${name}-failures`;

const asyncFunctions = (Object.entries(functions) as [FunctionName, FunctionDeclaration][]).filter(
  ([, d]) => d.async !== undefined,
);

/**
 * Starts the embedded local cloud: DynamoDB Local, s3rver, the Step Functions,
 * SQS and Lambda endpoints, the dev token issuer and the API, all wired from
 * the one declaration in infra/resources.ts, running the same handler modules
 * that CDK deploys, each checked against the grants CDK gives it.
 */
export const startLocalCloud = async (opts: LocalCloudOptions): Promise<LocalCloud> => {
  const log = opts.log ?? (() => undefined);
  const stops: (() => Promise<void>)[] = [];
  const loading = Promise.withResolvers<Record<FunctionName, LocalInvoke>>();
  loading.promise.catch(() => undefined);
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => log(`stop failed: ${String(e)}`));
  };
  try {
    log('starting DynamoDB Local (java)…');
    const dynamoStarting = startDynamoDbLocal({ dataDir: opts.dataDir });
    // Synthesizing takes seconds of CPU: done while java starts.
    const grants =
      opts.grants === false
        ? undefined
        : (opts.grants ??
          synthesizedGrants({
            tableName: (table) => localTableName(localTablePrefix, table),
            bucketName: localBucketName,
            stateMachine: (machine) => ({
              arn: localStateMachineArn(machine),
              name: localStateMachineName(machine),
            }),
          }));
    const dynamo = await dynamoStarting;
    stops.push(dynamo.stop);

    // Functions are imported last, once the whole environment they read at cold
    // start exists. Invocations that come earlier (executions resumed by the
    // Step Functions endpoint, S3 events) wait for them.
    const lazy =
      (name: FunctionName): LocalInvoke =>
      async (event) =>
        (await loading.promise)[name](event);

    // Failed asynchronous invocations end in their function's failure queue, as with Lambda's on-failure destination.
    const sqs = await startLocalSqs({
      dataDir: opts.dataDir,
      queues: asyncFunctions.map(([name]) => localFailureQueue(name)),
      region: localRegion,
      accountId: localAccount,
    });
    stops.push(sqs.stop);
    const asyncRetryDelay = opts.asyncRetryDelayMs ?? 200;
    const invokeAsync = (name: FunctionName, event: unknown): void => {
      const retries = (functions[name] as FunctionDeclaration).async?.retries ?? 2;
      const requestId = randomUUID();
      const attempt = (n: number): void => {
        lazy(name)(event).catch((error: unknown) => {
          if (n <= retries) {
            setTimeout(() => attempt(n + 1), asyncRetryDelay * n).unref();
            return;
          }
          log(`${name} failed ${n} times; the event is in ${localFailureQueue(name)}: ${String(error)}`);
          try {
            sqs.send(
              localFailureQueue(name),
              JSON.stringify(
                lambdaFailureRecord({
                  functionArn: localFunctionArn(name),
                  requestId,
                  event,
                  error,
                  attempts: n,
                }),
              ),
            );
          } catch (e) {
            log(`could not queue the failed ${name} event: ${String(e)}`);
          }
        });
      };
      attempt(1);
    };

    // The S3 notification target is loaded after the environment exists; events
    // that arrive before then (none in practice) wait for it.
    const s3 = await startS3Local({
      dataDir: opts.dataDir,
      buckets: (Object.keys(buckets) as BucketName[]).map((b) => ({
        name: localBucketName(b),
        notificationPrefixes: buckets[b].notificationPrefixes,
      })),
      corsOrigins: opts.corsOrigins ?? ['*'],
      onObjectCreated: (event: S3Event) => invokeAsync('objectCreated', event),
    });
    stops.push(s3.stop);

    const sfn = new LocalStepFunctions({
      dataDir: resolve(opts.dataDir, 'stepfunctions'),
      region: localRegion,
      stateMachines: (Object.entries(stateMachines) as [StateMachineName, StateMachineDeclaration][]).map(
        ([name, machine]) => ({
          name: localStateMachineName(name),
          definition: readFileSync(resolve(repoRoot, machine.file), 'utf8'),
          substitutions: Object.fromEntries(
            Object.entries(machine.substitutions).map(([placeholder, fn]) => [
              placeholder,
              localFunctionArn(fn as FunctionName),
            ]),
          ),
        }),
      ),
      functions: new Map(
        (Object.keys(functions) as FunctionName[]).map((name) => [localFunctionArn(name), lazy(name)]),
      ),
      log: (message) => log(`stepfunctions: ${message}`),
      ...(opts.retryIntervalMs !== undefined ? { retryIntervalMs: opts.retryIntervalMs } : {}),
    });
    const { endpoint: sfnEndpoint } = await sfn.start(0);
    stops.push(() => sfn.stop());

    const issuer = await devIssuer(opts.dataDir);
    const issuerServer = await issuer.serve();
    stops.push(issuerServer.stop);

    const env = functionEnvironment({
      cursorKey: localCursorKey(opts.dataDir),
      dynamodb: dynamo.endpoint,
      s3: s3.endpoint,
      sfn: sfnEndpoint,
      sqs: sqs.endpoint,
      jwksUrl: issuerServer.jwksUrl,
    });
    Object.assign(process.env, env);

    const client = new DynamoDBClient({});
    const created = await provisionTables(client, localTablePrefix);
    client.destroy();
    if (created.length > 0) log(`created tables ${created.join(', ')}`);

    const calls = new Map<string, Call & { allowed: boolean }>();
    if (grants) {
      const stopEnforcing = enforceGrants(grants, (call, allowed) => {
        // Object keys collapse to their first segment, so the record stays small however many objects there are.
        const resource = call.resource.replace(/^(arn:aws:s3:::[^/]+\/[^/]+\/).+$/, '$1*');
        const key = `${call.fn} ${call.action} ${resource} ${allowed}`;
        if (!calls.has(key)) calls.set(key, { ...call, resource, allowed });
        if (!allowed) log(`AccessDenied: ${call.fn} may not ${call.action} on ${call.resource}`);
      });
      stops.push(async () => {
        stopEnforcing();
      });
    }
    const loaded = await loadLocalFunctions(
      opts.faultDrills ? { faults: faultDrills(localTableName(localTablePrefix, 'main')) } : {},
    );
    loading.resolve(loaded);

    const lambda = await startLocalLambda({ functions: loaded, invokeAsync });
    stops.push(lambda.stop);
    process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.endpoint;

    const api = await startLocalApi({
      port: opts.apiPort,
      invoke: (event) => loaded.api(event),
      ...(opts.apiCorsOrigins ? { corsOrigins: opts.apiCorsOrigins } : {}),
    });
    stops.push(api.stop);

    const sweepEvery = opts.sweeperIntervalMs ?? schedules.sweeper.everyMinutes * 60_000;
    if (sweepEvery > 0) {
      const timer = setInterval(() => invokeAsync('sweeper', scheduledEvent()), sweepEvery);
      timer.unref();
      stops.push(async () => clearInterval(timer));
    }

    return {
      apiUrl: api.url,
      endpoints: {
        dynamodb: dynamo.endpoint,
        s3: s3.endpoint,
        stepfunctions: sfnEndpoint,
        sqs: sqs.endpoint,
        lambda: lambda.endpoint,
        issuer: issuerServer.url,
      },
      env: { ...env, AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint },
      functions: loaded,
      failureQueues: Object.fromEntries(
        asyncFunctions.map(([name]) => [name, sqs.queueUrl(localFailureQueue(name))]),
      ),
      calls,
      fresh: created.length > 0,
      stop: stopAll,
    };
  } catch (error) {
    loading.reject(error);
    await stopAll();
    throw error;
  }
};

/** The cursor key of a data folder, made once (cursors stay valid across restarts, as in AWS). */
const localCursorKey = (dataDir: string): string => {
  const file = resolve(dataDir, 'cursor-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
};

/** What EventBridge hands a function on a schedule. */
export const scheduledEvent = (time = new Date()) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: localAccount,
  time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: localRegion,
  resources: [`arn:aws:events:${localRegion}:${localAccount}:rule/dudao-sweeper`],
  detail: {},
});

/**
 * The environment every local function runs with: the union of what CDK
 * gives each function, pointed at the local endpoints (each function alone in
 * AWS gets only its own part: see functions.ts).
 */
const functionEnvironment = (endpoints: {
  cursorKey: string;
  dynamodb: string;
  s3: string;
  sfn: string;
  sqs: string;
  jwksUrl: string;
}): Record<string, string> => {
  const env: Record<string, string> = {
    AWS_REGION: localRegion,
    // s3rver knows one account, S3RVER, and verifies signatures made with it;
    // DynamoDB Local (-sharedDb) and the other endpoints accept anything.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    POWERTOOLS_SERVICE_NAME: 'dudao',
    [auth.issuerEnvVar]: auth.localIssuer,
    [auth.jwksUrlEnvVar]: endpoints.jwksUrl,
    [auth.clientIdsEnvVar]: auth.localClientId,
    // The local S3 has no Object Lock: legal holds are recorded, not placed.
    [objectLockEnvVar]: 'off',
    [cursorKeyEnvVar]: endpoints.cursorKey,
  };
  for (const name of Object.keys(tables) as TableName[])
    env[tables[name].envVar] = localTableName(localTablePrefix, name);
  for (const name of Object.keys(buckets) as BucketName[]) env[buckets[name].envVar] = localBucketName(name);
  for (const name of Object.keys(stateMachines) as StateMachineName[])
    env[stateMachines[name].envVar] = localStateMachineArn(name);
  return env;
};
