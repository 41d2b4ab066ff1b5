import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandInput,
  type HistoryEvent,
  InvalidExecutionInput,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalInvoke, type LocalStateMachine, LocalStepFunctions } from '#local/step-functions';
import { type EchoEvent, handler as echo, held, release } from '#test/fixtures/workflow/echo-step';
import { attempts, type FlakyEvent, handler as flaky } from '#test/fixtures/workflow/flaky-step';
import { waitFor } from '#test/support/wait';

const definition = readFileSync(new URL('../fixtures/workflow/echo.asl.json', import.meta.url), 'utf8');
const echoArn = 'arn:aws:lambda:us-east-1:000000000000:function:echo-step';
const flakyArn = 'arn:aws:lambda:us-east-1:000000000000:function:flaky-step';
const functions = new Map<string, LocalInvoke>([
  [echoArn, (event) => echo(event as EchoEvent)],
  [flakyArn, (event) => flaky(event as FlakyEvent)],
]);
const substitutions = { EchoStepFunctionArn: echoArn, FlakyStepFunctionArn: flakyArn };
const machine = (name: string): LocalStateMachine => ({ name, definition, substitutions });

interface Local {
  sfn: LocalStepFunctions;
  client: SFNClient;
  endpoint: string;
  logs: string[];
}

/** A LocalStepFunctions on a free port with a real SDK client pointed at it. */
const startLocal = async (dataDir: string): Promise<Local> => {
  const logs: string[] = [];
  const sfn = new LocalStepFunctions({
    dataDir,
    stateMachines: [machine('echo'), machine('echo-list')],
    functions,
    retryIntervalMs: 10,
    log: (message) => logs.push(message),
  });
  const { endpoint } = await sfn.start(0);
  const client = new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { sfn, client, endpoint, logs };
};

const stopLocal = async ({ sfn, client }: Local) => {
  client.destroy();
  await sfn.stop();
};

interface EchoInput {
  key?: string;
  batches?: number;
  failTimes?: number;
  failBatch?: number;
  hold?: string;
  holdBatches?: string;
}
const input = (fields: EchoInput) =>
  JSON.stringify({ key: randomUUID(), batches: 3, failTimes: 0, ...fields });

/** Polls DescribeExecution until the execution is no longer RUNNING. */
const finished = (client: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> =>
  waitFor(
    async () => {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    },
    { timeoutMs: 10_000, intervalMs: 50, what: `execution ${executionArn} to finish` },
  );

/** Every event of an execution's history, following nextToken as a CLI user's pager does. */
const historyOf = async (
  client: SFNClient,
  executionArn: string,
  params: Omit<GetExecutionHistoryCommandInput, 'executionArn' | 'nextToken'> = {},
): Promise<{ events: HistoryEvent[]; pages: number[] }> => {
  const events: HistoryEvent[] = [];
  const pages: number[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...params, nextToken }),
    );
    events.push(...(page.events ?? []));
    pages.push(page.events?.length ?? 0);
    nextToken = page.nextToken;
  } while (nextToken);
  return { events, pages };
};

const types = (events: HistoryEvent[]) => events.map((e) => e.type);
const byId = (events: HistoryEvent[], id: number | undefined) => events.find((e) => e.id === id);

const errorOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

describe('LocalStepFunctions through @aws-sdk/client-sfn', () => {
  let dataDir: string;
  let local: Local;
  let echoArnOf: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dudao-sfn-'));
    local = await startLocal(dataDir);
    echoArnOf = local.sfn.stateMachineArn('echo');
  });

  afterAll(async () => {
    await stopLocal(local);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (name: string | undefined, body: string, stateMachineArn = echoArnOf) =>
    local.client.send(new StartExecutionCommand({ stateMachineArn, name, input: body }));

  it('runs Task, Map and Task states with the real handlers and reports the output', async () => {
    const name = `happy-${randomUUID()}`;
    const body = input({ batches: 3 });
    const { executionArn, startDate } = await start(name, body);
    expect(executionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:echo:${name}`);
    expect(startDate).toBeInstanceOf(Date);

    const done = await finished(local.client, executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', name, stateMachineArn: echoArnOf, input: body });
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());
    const output = JSON.parse(done.output!);
    expect(output.plan).toMatchObject({ execution: name, stateMachine: 'echo' });
    expect(output.processed).toEqual([0, 1, 2].map((batch) => ({ batch, processed: true })));
    expect(output.flaky).toEqual({ key: JSON.parse(body).key, attempts: 1 });
  });

  it('retries a step that throws TransientError, then succeeds', async () => {
    const key = randomUUID();
    const { executionArn } = await start(undefined, input({ key, failTimes: 2 }));
    const done = await finished(local.client, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).flaky).toEqual({ key, attempts: 3 });
  });

  it('follows Catch to a Fail state when retries run out', async () => {
    const key = randomUUID();
    const { executionArn } = await start(undefined, input({ key, failTimes: 10 }));
    const done = await finished(local.client, executionArn!);
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'EchoFailed',
      cause: 'The flaky step kept failing',
    });
    expect(attempts(key)).toBe(3);
  });

  it('fails an execution with the name of an uncaught error and Lambda’s JSON cause', async () => {
    const key = randomUUID();
    const { executionArn } = await start(undefined, input({ key, batches: 3, failBatch: 1 }));
    const done = await finished(local.client, executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'BatchError' });
    expect(JSON.parse(done.cause!)).toMatchObject({
      errorType: 'BatchError',
      errorMessage: 'batch 1 is broken',
    });
    expect(attempts(key)).toBe(0);
  });

  it('lists executions newest first, by status, page by page', async () => {
    const listArn = local.sfn.stateMachineArn('echo-list');
    const started: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { executionArn } = await start(`ok-${i}`, input({}), listArn);
      started.push(executionArn!);
    }
    const { executionArn: failedArn } = await start('broken', input({ failBatch: 0 }), listArn);
    for (const arn of [...started, failedArn!]) await finished(local.client, arn);

    const pages: ExecutionListItem[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await local.client.send(
        new ListExecutionsCommand({
          stateMachineArn: listArn,
          statusFilter: 'SUCCEEDED',
          maxResults: 2,
          nextToken,
        }),
      );
      pages.push(page.executions ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const listed = pages.flat();
    expect(listed.map((e) => e.executionArn).sort()).toEqual([...started].sort());
    const times = listed.map((e) => e.startDate!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(listed.every((e) => e.status === 'SUCCEEDED' && e.stopDate instanceof Date)).toBe(true);

    const failed = await local.client.send(
      new ListExecutionsCommand({ stateMachineArn: listArn, statusFilter: 'FAILED' }),
    );
    expect(failed.executions?.map((e) => e.name)).toEqual(['broken']);
    expect(failed.nextToken).toBeUndefined();
    const all = await local.client.send(new ListExecutionsCommand({ stateMachineArn: listArn }));
    expect(all.executions).toHaveLength(6);
  });

  it('stops a running execution: ABORTED, and its queued Map iterations and later states never run', async () => {
    const key = randomUUID();
    // Four batches, two at a time: the first two wait at the gate, two more are queued.
    const { executionArn } = await start(undefined, input({ key, batches: 4, holdBatches: key }));
    await waitFor(async () => (held(key) === 2 ? true : undefined), { what: 'two batches to be held' });

    const { stopDate } = await local.client.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by the test' }),
    );
    expect(stopDate).toBeInstanceOf(Date);
    const stopped = await local.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by the test' });

    release(key);
    // A whole other execution gives the released batches ample time to (not) go on.
    await finished(local.client, (await start(undefined, input({}))).executionArn!);
    const after = await local.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(after.status).toBe('ABORTED');
    expect(held(key)).toBe(2);
    expect(attempts(key)).toBe(0);

    // The history ends at the stop, with its error and cause; the released batches add nothing.
    const { events } = await historyOf(local.client, executionArn!);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Operator', cause: 'stopped by the test' },
    });
    expect(events.filter((e) => e.type === 'ExecutionAborted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'MapIterationStarted')).toHaveLength(2);
  });

  it('is idempotent on the same name and input while RUNNING, and refuses anything else', async () => {
    const key = randomUUID();
    const name = `idem-${key}`;
    const body = input({ key, hold: key });
    const first = await start(name, body);
    const again = await start(name, body);
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });

    const different = await errorOf(start(name, input({ key })));
    expect(different).toBeInstanceOf(ExecutionAlreadyExists);

    release(key);
    expect((await finished(local.client, first.executionArn!)).status).toBe('SUCCEEDED');
    // As in AWS, a closed execution's name cannot be reused, even with the same input.
    expect(await errorOf(start(name, body))).toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('reports unknown state machines, unknown executions and invalid input as AWS does', async () => {
    const unknownMachine = await errorOf(start(undefined, '{}', local.sfn.stateMachineArn('nope')));
    expect(unknownMachine).toBeInstanceOf(StateMachineDoesNotExist);
    expect((unknownMachine as Error).name).toBe('StateMachineDoesNotExist');

    const unknownExecution = await errorOf(
      local.client.send(
        new DescribeExecutionCommand({ executionArn: `${echoArnOf.replace('stateMachine', 'execution')}:x` }),
      ),
    );
    expect(unknownExecution).toBeInstanceOf(ExecutionDoesNotExist);

    expect(await errorOf(start(undefined, '{not json'))).toBeInstanceOf(InvalidExecutionInput);
  });

  it('describes its state machines with the substituted definition', async () => {
    const { stateMachines } = await local.client.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((m) => m.name)).toEqual(['echo', 'echo-list']);
    const described = await local.client.send(
      new DescribeStateMachineCommand({ stateMachineArn: echoArnOf }),
    );
    expect(described.definition).toContain(echoArn);
    expect(described.definition).not.toContain('${');
  });

  it('answers unknown operations and malformed requests with 400 and keeps serving', async () => {
    const post = (target: string, body: string) =>
      fetch(local.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body,
      });
    const unknown = await post('AWSStepFunctions.CreateActivity', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const garbage = await post('AWSStepFunctions.StartExecution', '{"stateMachineArn":');
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ __type: 'SerializationException' });

    const wrongType = await post('AWSStepFunctions.StartExecution', JSON.stringify({ stateMachineArn: 42 }));
    expect(wrongType.status).toBe(400);

    const { stateMachines } = await local.client.send(new ListStateMachinesCommand({}));
    expect(stateMachines).toHaveLength(2);
  });

  describe('GetExecutionHistory', () => {
    it('records Task → Map → Task with a retried Task as AWS does for Lambda function ARNs', async () => {
      const key = randomUUID();
      const name = `history-${key}`;
      const body = input({ key, batches: 1, failTimes: 1 });
      const { executionArn } = await start(name, body);
      const done = await finished(local.client, executionArn!);
      expect(done.status).toBe('SUCCEEDED');

      const { events } = await historyOf(local.client, executionArn!);
      expect(types(events)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'MapStateEntered',
        'MapStateStarted',
        'MapIterationStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'MapIterationSucceeded',
        'MapStateSucceeded',
        'MapStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionFailed',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ExecutionSucceeded',
      ]);
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      // Each event follows an earlier one; the first state follows nothing, as in AWS.
      expect(events.every((e) => e.previousEventId !== undefined && e.previousEventId < e.id!)).toBe(true);
      expect(events[1]).toMatchObject({ previousEventId: 0, stateEnteredEventDetails: { name: 'Plan' } });
      const times = events.map((e) => e.timestamp!.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times[0]).toBe(done.startDate!.getTime());
      expect(times.at(-1)).toBe(done.stopDate!.getTime());

      expect(events[0]?.executionStartedEventDetails).toEqual({
        input: body,
        inputDetails: { truncated: false },
        roleArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//),
      });
      // The payload the function got (after Parameters) and its raw result.
      const planScheduled = events[2]?.lambdaFunctionScheduledEventDetails;
      expect(planScheduled?.resource).toBe(echoArn);
      expect(JSON.parse(planScheduled!.input!)).toEqual({
        action: 'plan',
        input: JSON.parse(body),
        execution: name,
        stateMachine: 'echo',
      });
      expect(JSON.parse(events[4]!.lambdaFunctionSucceededEventDetails!.output!)).toMatchObject({
        execution: name,
        batches: [{ batch: 0 }],
      });
      expect(JSON.parse(events[5]!.stateExitedEventDetails!.output!).plan.execution).toBe(name);

      expect(events[7]?.mapStateStartedEventDetails).toEqual({ length: 1 });
      expect(events[8]?.mapIterationStartedEventDetails).toEqual({ name: 'Process batches', index: 0 });
      expect(events[9]?.stateEnteredEventDetails).toMatchObject({
        name: 'Process batch',
        input: '{"batch":0}',
      });
      expect(events[16]?.stateExitedEventDetails?.name).toBe('Process batches');

      const failed = events[20]!;
      expect(failed.lambdaFunctionFailedEventDetails?.error).toBe('TransientError');
      expect(JSON.parse(failed.lambdaFunctionFailedEventDetails!.cause!)).toMatchObject({
        errorType: 'TransientError',
        errorMessage: `attempt 1 of ${key} failed`,
      });
      const retry = events[21]!;
      expect(retry.previousEventId).toBe(failed.id);
      expect(retry.lambdaFunctionScheduledEventDetails).toEqual(
        events[18]!.lambdaFunctionScheduledEventDetails,
      );
      expect(JSON.parse(retry.lambdaFunctionScheduledEventDetails!.input!)).toEqual({ key, failTimes: 1 });
      expect(JSON.parse(events[23]!.lambdaFunctionSucceededEventDetails!.output!)).toEqual({
        key,
        attempts: 2,
      });
      expect(events.at(-1)?.executionSucceededEventDetails).toEqual({
        output: done.output,
        outputDetails: { truncated: false },
      });
    });

    it('links concurrent Map iterations to their own iteration', async () => {
      const { executionArn } = await start(undefined, input({ batches: 3 }));
      await finished(local.client, executionArn!);
      const { events } = await historyOf(local.client, executionArn!);

      expect(events.find((e) => e.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({
        length: 3,
      });
      const iterations = events.filter((e) => e.type === 'MapIterationStarted');
      expect(iterations.map((e) => e.mapIterationStartedEventDetails?.index).sort()).toEqual([0, 1, 2]);
      for (const batch of [0, 1, 2]) {
        const entered = events.find(
          (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.input === `{"batch":${batch}}`,
        );
        expect(byId(events, entered?.previousEventId)?.mapIterationStartedEventDetails?.index).toBe(batch);
        const succeeded = events.find(
          (e) => e.type === 'MapIterationSucceeded' && e.mapIterationSucceededEventDetails?.index === batch,
        );
        // The iteration ends after its Task exited, with that Task's own output.
        const exited = byId(events, succeeded?.previousEventId);
        expect(exited?.type).toBe('TaskStateExited');
        expect(JSON.parse(exited!.stateExitedEventDetails!.output!)).toEqual({ batch, processed: true });
      }
    });

    it('ends a failed execution with ExecutionFailed and the error and cause of DescribeExecution', async () => {
      const caught = await start(undefined, input({ failTimes: 10 }));
      const uncaught = await start(undefined, input({ batches: 2, failBatch: 1 }));
      const caughtDone = await finished(local.client, caught.executionArn!);
      const uncaughtDone = await finished(local.client, uncaught.executionArn!);

      // Retries ran out, Catch led to the Fail state.
      const viaCatch = (await historyOf(local.client, caught.executionArn!)).events;
      expect(types(viaCatch).slice(-4)).toEqual([
        'LambdaFunctionFailed',
        'TaskStateExited',
        'FailStateEntered',
        'ExecutionFailed',
      ]);
      // The first attempt and MaxAttempts (2) retries of the flaky function.
      const flakyAttempts = viaCatch.filter(
        (e) => e.lambdaFunctionScheduledEventDetails?.resource === flakyArn,
      );
      expect(flakyAttempts).toHaveLength(3);
      expect(viaCatch.at(-2)?.stateEnteredEventDetails?.name).toBe('Give up');
      expect(viaCatch.at(-1)?.executionFailedEventDetails).toEqual({
        error: caughtDone.error,
        cause: caughtDone.cause,
      });
      expect(viaCatch.at(-1)?.executionFailedEventDetails?.error).toBe('EchoFailed');

      // A Map iteration's Lambda failed and nothing caught it.
      const viaMap = (await historyOf(local.client, uncaught.executionArn!)).events;
      expect(types(viaMap).slice(-3)).toEqual(['MapIterationFailed', 'MapStateFailed', 'ExecutionFailed']);
      expect(viaMap.at(-3)?.mapIterationFailedEventDetails).toEqual({ name: 'Process batches', index: 1 });
      const lambdaFailed = viaMap.find((e) => e.type === 'LambdaFunctionFailed');
      expect(lambdaFailed?.lambdaFunctionFailedEventDetails).toEqual({
        error: 'BatchError',
        cause: uncaughtDone.cause,
      });
      expect(viaMap.at(-1)?.executionFailedEventDetails).toEqual({
        error: 'BatchError',
        cause: uncaughtDone.cause,
      });
      expect(viaMap.some((e) => e.stateEnteredEventDetails?.name === 'Flaky')).toBe(false);
    });

    it('pages with maxResults and nextToken, every event exactly once, 100 by default', async () => {
      const { executionArn } = await start(undefined, input({ batches: 15 }));
      await finished(local.client, executionArn!);
      const all = (await historyOf(local.client, executionArn!)).events;
      expect(all.length).toBeGreaterThan(100);

      const paged = await historyOf(local.client, executionArn!, { maxResults: 7 });
      expect(paged.events).toEqual(all);
      expect(paged.pages.slice(0, -1).every((size) => size === 7)).toBe(true);
      expect(paged.pages).toHaveLength(Math.ceil(all.length / 7));

      const first = await local.client.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(first.events).toEqual(all.slice(0, 100));
      expect(first.nextToken).toEqual(expect.any(String));
      const rest = await local.client.send(
        new GetExecutionHistoryCommand({ executionArn, nextToken: first.nextToken }),
      );
      expect(rest.events).toEqual(all.slice(100));
      expect(rest.nextToken).toBeUndefined();

      const invalid = await errorOf(
        local.client.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'not-a-token' })),
      );
      expect(invalid).toBeInstanceOf(InvalidToken);
      // A token belongs to its execution and its order.
      const other = (await start(undefined, input({ batches: 1 }))).executionArn!;
      await finished(local.client, other);
      for (const request of [
        { executionArn: other, nextToken: first.nextToken },
        { executionArn, nextToken: first.nextToken, reverseOrder: true },
      ]) {
        expect(await errorOf(local.client.send(new GetExecutionHistoryCommand(request)))).toBeInstanceOf(
          InvalidToken,
        );
      }
      const tooMany = await errorOf(
        local.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1001 })),
      );
      expect((tooMany as Error).name).toBe('ValidationException');
      const unknown = await errorOf(
        local.client.send(
          new GetExecutionHistoryCommand({
            executionArn: `${echoArnOf.replace('stateMachine', 'execution')}:x`,
          }),
        ),
      );
      expect(unknown).toBeInstanceOf(ExecutionDoesNotExist);
    });

    it('lists the newest events first with reverseOrder, page by page', async () => {
      const { executionArn } = await start(undefined, input({ batches: 2 }));
      await finished(local.client, executionArn!);
      const all = (await historyOf(local.client, executionArn!)).events;
      const reversed = await historyOf(local.client, executionArn!, { reverseOrder: true, maxResults: 5 });
      expect(reversed.events).toEqual([...all].reverse());
      expect(reversed.events[0]?.type).toBe('ExecutionSucceeded');
      expect(reversed.events.at(-1)?.type).toBe('ExecutionStarted');
      expect(reversed.pages.slice(0, -1).every((size) => size === 5)).toBe(true);
    });

    it('leaves inputs and outputs out with includeExecutionData=false', async () => {
      const { executionArn } = await start(undefined, input({ batches: 2, failTimes: 1 }));
      await finished(local.client, executionArn!);
      const full = (await historyOf(local.client, executionArn!)).events;
      const bare = (await historyOf(local.client, executionArn!, { includeExecutionData: false })).events;

      expect(types(bare)).toEqual(types(full));
      const data = /"(input|output)(Details)?":/;
      expect(full.some((e) => data.test(JSON.stringify(e)))).toBe(true);
      expect(bare.filter((e) => data.test(JSON.stringify(e)))).toEqual([]);
      // What is not execution data stays: state names, functions, errors, Map indexes.
      expect(bare.find((e) => e.type === 'TaskStateEntered')?.stateEnteredEventDetails).toEqual({
        name: 'Plan',
      });
      expect(
        bare.find((e) => e.type === 'LambdaFunctionScheduled')?.lambdaFunctionScheduledEventDetails,
      ).toEqual({
        resource: echoArn,
      });
      expect(
        bare.find((e) => e.type === 'LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails?.error,
      ).toBe('TransientError');
      expect(bare[0]?.executionStartedEventDetails).toEqual({ roleArn: expect.any(String) });
    });
  });

  it('refuses a definition whose placeholders or functions are missing, at construction', () => {
    const create = (subs: Record<string, string>) =>
      new LocalStepFunctions({
        dataDir,
        stateMachines: [{ name: 'bad', definition, substitutions: subs }],
        functions,
      });
    expect(() => create({ EchoStepFunctionArn: echoArn })).toThrow(
      /no substitution for \$\{FlakyStepFunctionArn\}/,
    );
    expect(() => create({ ...substitutions, FlakyStepFunctionArn: `${flakyArn}-gone` })).toThrow(
      /no local function/,
    );
  });
});

describe('LocalStepFunctions across a restart', () => {
  it('re-runs an execution left RUNNING by a stopped process, to SUCCEEDED, and keeps its history', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dudao-sfn-restart-'));
    const key = randomUUID();
    const first = await startLocal(dataDir);
    let second: Local | undefined;
    let third: Local | undefined;
    try {
      const { executionArn } = await first.client.send(
        new StartExecutionCommand({
          stateMachineArn: first.sfn.stateMachineArn('echo'),
          name: `restart-${key}`,
          input: input({ key, hold: key }),
        }),
      );
      await waitFor(async () => (held(key) === 1 ? true : undefined), { what: 'the first run to be held' });
      await stopLocal(first);

      second = await startLocal(dataDir);
      expect(second.logs.some((m) => m.includes(`restart-${key}`) && m.includes('re-running'))).toBe(true);
      const resumed = await second.client.send(new DescribeExecutionCommand({ executionArn }));
      expect(resumed.status).toBe('RUNNING');
      await waitFor(async () => (held(key) === 2 ? true : undefined), { what: 'the re-run to reach Plan' });

      release(key);
      const done = await finished(second.client, executionArn!);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!).flaky).toEqual({ key, attempts: 1 });

      // The history is the re-run's, from its start: one ExecutionStarted, Plan entered once.
      const { events } = await historyOf(second.client, executionArn!);
      expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
      expect(events.filter((e) => e.stateEnteredEventDetails?.name === 'Plan')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
      expect(events[0]?.timestamp?.getTime()).toBe(done.startDate!.getTime());

      // And it is still there, whole, for the next process.
      await stopLocal(second);
      third = await startLocal(dataDir);
      expect(await historyOf(third.client, executionArn!)).toEqual({ events, pages: [events.length] });
      const page = await third.client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder: true }),
      );
      expect(page.events).toEqual(events.slice(-3).reverse());
    } finally {
      await stopLocal(first);
      if (second) await stopLocal(second);
      if (third) await stopLocal(third);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
