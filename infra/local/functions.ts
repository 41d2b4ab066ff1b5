import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type FunctionName, functions } from '#infra/resources';

/**
 * The declared Lambda functions, run in this process. Each is the very module
 * CDK bundles; it is imported only after the local cloud has set the
 * environment it reads at cold start.
 *
 * Unlike Lambda, every function here shares one process and the union of the
 * functions' environment variables: a module that reads a variable its
 * function is not given would work here and crash in AWS. The cold-start test
 * (test/infra/cold-start.test.ts) starts each bundled function alone with
 * exactly its template's environment to catch that; and each invocation runs
 * in an async context naming its function, so that every AWS call it makes is
 * checked against that function's own grants (grants.ts).
 */
export const localRegion = 'us-east-1';
export const localAccount = '000000000000';

export const localFunctionName = (name: FunctionName): string => `dudao-${name}`;
export const localFunctionArn = (name: FunctionName): string =>
  `arn:aws:lambda:${localRegion}:${localAccount}:function:${localFunctionName(name)}`;

type Handler = (event: unknown, context: Context) => Promise<unknown>;
export type LocalInvoke = (event: unknown) => Promise<unknown>;

const repoRoot = resolve(import.meta.dirname, '../..');

/** The function whose invocation the current async context belongs to (undefined outside any). */
export const currentFunction = new AsyncLocalStorage<FunctionName>();

/** A Lambda context good enough for Powertools and middy. */
export const lambdaContext = (name: FunctionName): Context => {
  const deadline = Date.now() + functions[name].timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: localFunctionName(name),
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(name),
    memoryLimitInMB: String(functions[name].memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${localFunctionName(name)}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** Invocations and run time per function since the process started (benchmarks read them). */
export const invocationStats = new Map<FunctionName, { invocations: number; milliseconds: number }>();

/**
 * Failure drills (tests only): consulted before and after each invocation; a
 * drill makes the invocation fail as if the function crashed before doing
 * anything (`before`) or after finishing its work but before reporting it
 * (`after`, what a Lambda timeout or a lost response looks like to the caller),
 * or hang there, so that a test can kill the whole process at that point
 * (faults.ts).
 */
export type FaultCheck = (name: FunctionName, event: unknown, when: 'before' | 'after') => Promise<void>;

/** Imports every declared function's handler; returns invokers by name. */
export const loadLocalFunctions = async (
  opts: { faults?: FaultCheck } = {},
): Promise<Record<FunctionName, LocalInvoke>> => {
  const entries = await Promise.all(
    (Object.keys(functions) as FunctionName[]).map(async (name) => {
      const module = (await import(pathToFileURL(resolve(repoRoot, functions[name].entry)).href)) as {
        handler?: Handler;
      };
      const handler = module.handler;
      if (typeof handler !== 'function') throw new Error(`${functions[name].entry} exports no handler`);
      const invoke: LocalInvoke = (event) =>
        currentFunction.run(name, async () => {
          const started = performance.now();
          try {
            await opts.faults?.(name, event, 'before');
            const result = await handler(event, lambdaContext(name));
            await opts.faults?.(name, event, 'after');
            return result;
          } finally {
            const stats = invocationStats.get(name) ?? { invocations: 0, milliseconds: 0 };
            stats.invocations++;
            stats.milliseconds += performance.now() - started;
            invocationStats.set(name, stats);
          }
        });
      return [name, invoke] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<FunctionName, LocalInvoke>;
};
