import './polyfills.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import {
  bucket,
  type FunctionName,
  functions,
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
import { type LocalInvoke, loadLocalFunctions, localFunctionArn, localRegion } from './functions.ts';
import { localTableName, provisionTables } from './provision.ts';
import { startS3Local } from './s3.ts';
import { LocalStepFunctions } from './step-functions.ts';

export interface LocalCloudOptions {
  /** Where DynamoDB, S3, execution records and the dev issuer's keys live. */
  dataDir: string;
  /** API port; 0 picks a free one. */
  apiPort: number;
  /** Sweeper interval; default: the declared schedule. 0 disables it. */
  sweeperIntervalMs?: number;
  /** Overrides every workflow Retry interval (tests); default: the ASL's own. */
  retryIntervalMs?: number;
  log?: (message: string) => void;
}

export interface LocalCloud {
  readonly apiUrl: string;
  readonly endpoints: { dynamodb: string; s3: string; stepfunctions: string };
  /** Environment the functions run with (what a test process needs to call them too). */
  readonly env: Record<string, string>;
  readonly functions: Record<FunctionName, LocalInvoke>;
  /** True when this start created the tables: an empty data folder. */
  readonly fresh: boolean;
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
export const localTablePrefix = 'dudao-';
export const localBucketName = 'dudao-evidence';
export const localStateMachineName = (name: StateMachineName): string => `dudao-${name}`;

/**
 * Starts the embedded local cloud: DynamoDB Local, s3rver, the Step Functions
 * endpoint and the API, all wired from the one declaration in infra/resources.ts,
 * running the same handler modules that CDK deploys.
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
    const dynamo = await startDynamoDbLocal({ dataDir: opts.dataDir });
    stops.push(dynamo.stop);

    // The S3 notification target is loaded after the environment exists; events
    // that arrive before then (none in practice) wait for it.
    let onObjectCreated: (event: S3Event) => void = () => undefined;
    const s3 = await startS3Local({
      dataDir: opts.dataDir,
      buckets: [localBucketName],
      notificationPrefixes: bucket.notificationPrefixes,
      onObjectCreated: (event) => onObjectCreated(event),
    });
    stops.push(s3.stop);

    // Functions are imported last, once the whole environment they read at cold
    // start exists (including this endpoint's URL). Executions resumed by
    // `sfn.start` wait for them.
    const lazy =
      (name: FunctionName): LocalInvoke =>
      async (event) =>
        (await loading.promise)[name](event);
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

    const env = functionEnvironment({ dynamodb: dynamo.endpoint, s3: s3.endpoint, sfn: sfnEndpoint });
    Object.assign(process.env, env);

    const client = new DynamoDBClient({});
    const created = await provisionTables(client, localTablePrefix);
    client.destroy();
    if (created.length > 0) log(`created tables ${created.join(', ')}`);

    const loaded = await loadLocalFunctions();
    loading.resolve(loaded);
    onObjectCreated = (event) => invokeAsync('objectCreated', loaded.objectCreated, event, log);

    const api = await startLocalApi({
      port: opts.apiPort,
      issuer: await devIssuer(opts.dataDir),
      invoke: (event) => loaded.api(event),
    });
    stops.push(api.stop);

    const sweepEvery = opts.sweeperIntervalMs ?? schedules.sweeper.everyMinutes * 60_000;
    if (sweepEvery > 0) {
      const timer = setInterval(
        () => invokeAsync('sweeper', loaded.sweeper, { source: 'local.schedule' }, log),
        sweepEvery,
      );
      timer.unref();
      stops.push(async () => clearInterval(timer));
    }

    return {
      apiUrl: api.url,
      endpoints: { dynamodb: dynamo.endpoint, s3: s3.endpoint, stepfunctions: sfnEndpoint },
      env,
      functions: loaded,
      fresh: created.length > 0,
      stop: stopAll,
    };
  } catch (error) {
    loading.reject(error);
    await stopAll();
    throw error;
  }
};

/** The environment every local function runs with: what CDK sets, pointed at local endpoints. */
const functionEnvironment = (endpoints: {
  dynamodb: string;
  s3: string;
  sfn: string;
}): Record<string, string> => {
  const env: Record<string, string> = {
    AWS_REGION: localRegion,
    // s3rver knows one account, S3RVER, and verifies signatures made with it;
    // DynamoDB Local (-sharedDb) and the Step Functions endpoint accept anything.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    POWERTOOLS_SERVICE_NAME: 'dudao',
    [bucket.envVar]: localBucketName,
  };
  for (const name of Object.keys(tables) as TableName[])
    env[tables[name].envVar] = localTableName(localTablePrefix, name);
  for (const [name, machine] of Object.entries(stateMachines) as [
    StateMachineName,
    StateMachineDeclaration,
  ][]) {
    env[machine.envVar] =
      `arn:aws:states:${localRegion}:000000000000:stateMachine:${localStateMachineName(name)}`;
  }
  return env;
};

/** Asynchronous invocation as S3 and EventBridge do it: failures are retried twice, then logged. */
const invokeAsync = (name: string, invoke: LocalInvoke, event: unknown, log: (m: string) => void): void => {
  const attempt = (n: number): void => {
    invoke(event).catch((error: unknown) => {
      if (n < 3) setTimeout(() => attempt(n + 1), 200 * n);
      else log(`${name} failed after 3 attempts: ${(error as Error).stack ?? String(error)}`);
    });
  };
  attempt(1);
};
