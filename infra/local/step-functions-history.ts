import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Execution history for the local Step Functions endpoint: turns the event log
 * of aws-local-stepfunctions into the `HistoryEvent`s that GetExecutionHistory
 * returns in AWS, and keeps them in an append-only JSON Lines file next to the
 * execution record.
 *
 * The shapes follow histories recorded from AWS: a Task whose Resource is a
 * plain Lambda function ARN (the only kind the local endpoint accepts) emits
 * `LambdaFunctionScheduled/Started/Succeeded/Failed/TimedOut`; the
 * `TaskScheduled/TaskStarted/TaskSucceeded` family belongs to service
 * integrations (`arn:aws:states:::lambda:invoke`), which are not used here.
 * `previousEventId` follows AWS's causality: the first state and an
 * `ExecutionAborted` point at 0, concurrent Map iterations each continue
 * from `MapStateStarted`, a Map or Parallel closes from its last iteration.
 */

/** A HistoryEvent as the JSON 1.0 protocol carries it: the timestamp in epoch seconds. */
export type HistoryEventJson = Omit<HistoryEvent, 'timestamp' | 'type' | 'id' | 'previousEventId'> & {
  timestamp: number;
  type: HistoryEventType;
  id: number;
  previousEventId: number;
};
type Details = Omit<HistoryEventJson, 'timestamp' | 'type' | 'id' | 'previousEventId'>;

type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type States = StateMachineDefinition['States'];
type StateType = States[string]['Type'];

/** AWS ends a Standard execution's history at 25,000 events. */
export const maxHistory = 25_000;

/** What the history needs to know of each state, by name (nested states included). */
export interface StateInfo {
  type: StateType;
  /** The Map or Parallel state whose iterations or branches run this state. */
  container?: string;
  /** Exiting it ends its iteration, branch or execution (End, or a Succeed state). */
  end: boolean;
  /** Task: the Lambda function ARN. */
  resource?: string;
  /** Task: TimeoutSeconds as the ASL sets it (AWS reports no timeout otherwise). */
  timeoutSeconds?: number;
  /** Map: how the items are found in the state input. */
  inputPath?: string | null;
  itemsPath?: string;
}

/** Call before the definition is altered (the local endpoint adds Task timeouts). */
export const describeStates = (states: States, container?: string, into = new Map<string, StateInfo>()) => {
  for (const [name, state] of Object.entries(states)) {
    const end = state.Type === 'Succeed' || ('End' in state && state.End === true);
    const info: StateInfo = { type: state.Type, end, ...(container === undefined ? {} : { container }) };
    if (state.Type === 'Task') {
      info.resource = state.Resource;
      if (state.TimeoutSeconds !== undefined) info.timeoutSeconds = state.TimeoutSeconds;
    } else if (state.Type === 'Map') {
      if (state.InputPath !== undefined) info.inputPath = state.InputPath;
      if (state.ItemsPath !== undefined) info.itemsPath = state.ItemsPath;
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) describeStates(processor.States, name, into);
    } else if (state.Type === 'Parallel') {
      for (const branch of state.Branches) describeStates(branch.States, name, into);
    }
    // A name used twice keeps its first description (the local endpoint already requires
    // Tasks of one name to call one function).
    if (!into.has(name)) into.set(name, info);
  }
  return into;
};

// ---- persistence -------------------------------------------------------------

/**
 * The events of one execution, in memory and in `<record>.history.jsonl`, one
 * event per line. Events are appended in batches (at most every `flushMs`, and
 * at once when the execution closes), so a 10,000-event run costs a few
 * hundred small appends, never a rewrite.
 */
export class ExecutionHistory {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private capped = false;
  /** Set once a terminal event (ExecutionSucceeded…) is recorded: nothing follows it. */
  closed = false;

  private constructor(
    private readonly file: string,
    readonly events: HistoryEventJson[],
    private readonly log: (message: string) => void,
    private readonly flushMs = 100,
  ) {}

  /** A new, empty history (a re-run from the start replaces what an earlier process wrote). */
  static create(file: string, log: (message: string) => void): ExecutionHistory {
    writeFileSync(file, '');
    return new ExecutionHistory(file, [], log);
  }

  /** The history on disk; a missing file is an empty history, a torn last line is skipped. */
  static read(file: string, log: (message: string) => void): ExecutionHistory {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`cannot read ${file}: ${String(error)}`);
    }
    const events: HistoryEventJson[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as HistoryEventJson);
      } catch {
        log(`skipping a torn line of ${file}`);
      }
    }
    const history = new ExecutionHistory(file, events, log);
    history.closed = events.some((e) => terminalTypes.has(e.type));
    return history;
  }

  /** Appends an event and returns its id; undefined when the history is closed or full. */
  add(event: Omit<HistoryEventJson, 'id'>): number | undefined {
    if (this.closed) return undefined;
    const terminal = terminalTypes.has(event.type);
    // The last slot is kept for the event that ends the execution.
    if (!terminal && this.events.length >= maxHistory - 1) {
      if (!this.capped) {
        this.log(
          `${this.file}: ${maxHistory} events, the most AWS records (it fails the execution there); later events are not recorded`,
        );
      }
      this.capped = true;
      return undefined;
    }
    // Keys in the order the API lists them: timestamp, type, id, previousEventId, details.
    const { timestamp, type, previousEventId, ...details } = event;
    const full: HistoryEventJson = {
      timestamp,
      type,
      id: this.events.length + 1,
      previousEventId,
      ...details,
    };
    this.events.push(full);
    this.pending.push(`${JSON.stringify(full)}\n`);
    if (terminal) {
      this.closed = true;
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    }
    return full.id;
  }

  /** Writes the pending events now (synchronously: appends of one file never interleave). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    try {
      appendFileSync(this.file, text);
    } catch (error) {
      this.log(`cannot append to ${this.file}: ${String(error)}`);
    }
  }
}

const terminalTypes = new Set<HistoryEventType>([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

// ---- Task invocations ----------------------------------------------------------

/**
 * What each Task invocation was given and returned. The event log only has a
 * state's input and its output after ResultSelector/ResultPath/OutputPath;
 * Lambda events carry the payload the function got and its raw result.
 */
export interface TaskCall {
  payload: string;
  status: 'pending' | 'succeeded' | 'failed';
  result?: string;
}

/**
 * Invocations per Task state, in call order. A local handler is called in the
 * same tick as the library logs the StateEntered (or StateRetried) that leads
 * to it, and events reach the root log in the order they were logged, so the
 * n-th event of a state claims its n-th invocation.
 */
export class TaskCalls {
  private readonly queues = new Map<string, TaskCall[]>();

  record(stateName: string, payload: unknown): TaskCall {
    const call: TaskCall = { payload: JSON.stringify(payload) ?? 'null', status: 'pending' };
    const queue = this.queues.get(stateName);
    if (queue) queue.push(call);
    else this.queues.set(stateName, [call]);
    return call;
  }

  claim(stateName: string): TaskCall | undefined {
    return this.queues.get(stateName)?.shift();
  }
}

// ---- translation ------------------------------------------------------------------

/** A chain of causality: the states of the execution, of one Map iteration, or of a Parallel state. */
interface Scope {
  /** The event the next one in this scope follows. */
  last: number;
  /** The state entered and not yet exited. */
  current?: ActiveState;
  /** A Map or Parallel state that failed, until a retry, a catch or the end of the scope says what it was. */
  failed?: ActiveState;
  /** Its last state has exited: the iteration succeeded, even if the library has not said so yet. */
  finished?: boolean;
}

interface ActiveState {
  name: string;
  type: StateType;
  input: unknown;
  call?: TaskCall;
  /** The Lambda event that ends the current attempt has been recorded. */
  settled?: boolean;
  /** Map/Parallel: the failure has been recorded (caught), the exit follows it. */
  caught?: boolean;
}

interface MapRun {
  name: string;
  /** The event the next iteration starts from: MapStateStarted, then the end of a finished iteration. */
  cursor: number;
  /** The last MapIterationSucceeded, which MapStateSucceeded follows. */
  lastClosed: number;
  iterations: Map<number, Scope & { open: boolean }>;
  /** The end of the iteration that failed: the Map is failing, no iteration starts any more. */
  failedAt?: number;
}

interface ParallelRun {
  /** Branch states run in one scope: the library's events do not say which branch they come from. */
  scope: Scope;
  failedAt?: number;
}

type Failure = { error: string; cause?: string };

export type Terminal =
  | { status: 'SUCCEEDED'; output: string }
  | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error?: string; cause?: string };

const stateEvents: Record<
  StateType,
  { entered: HistoryEventType; exited?: HistoryEventType; aborted?: HistoryEventType }
> = {
  Task: { entered: 'TaskStateEntered', exited: 'TaskStateExited', aborted: 'TaskStateAborted' },
  Map: { entered: 'MapStateEntered', exited: 'MapStateExited', aborted: 'MapStateAborted' },
  Parallel: {
    entered: 'ParallelStateEntered',
    exited: 'ParallelStateExited',
    aborted: 'ParallelStateAborted',
  },
  Wait: { entered: 'WaitStateEntered', exited: 'WaitStateExited', aborted: 'WaitStateAborted' },
  Pass: { entered: 'PassStateEntered', exited: 'PassStateExited' },
  Choice: { entered: 'ChoiceStateEntered', exited: 'ChoiceStateExited' },
  Succeed: { entered: 'SucceedStateEntered', exited: 'SucceedStateExited' },
  Fail: { entered: 'FailStateEntered' },
};

const json = (value: unknown): string => JSON.stringify(value) ?? 'null';
const notTruncated = { truncated: false };
const seconds = (epochMs: number) => epochMs / 1000;

/**
 * Records the history of one run. `start` writes ExecutionStarted, `accept`
 * takes the library's events as they come, `finish` writes the terminal event
 * from the outcome the endpoint records (so the history and DescribeExecution
 * agree); after `finish` or `detach`, library events are ignored.
 *
 * Approximations, where the library says less than AWS records:
 * - LambdaFunctionScheduled and LambdaFunctionStarted carry the time the state
 *   was entered (or the retry began): the local handler starts at once.
 * - The states of Parallel branches share one causality chain, and a Map
 *   nested in a Map attributes its states to the outer iteration (the library
 *   reports only the outer index).
 * - When a Map iteration fails, the iterations still running are recorded as
 *   aborted; for Parallel branches no TaskStateAborted is recorded.
 */
export class HistoryRecorder {
  private readonly root: Scope = { last: 0 };
  private readonly maps = new Map<string, MapRun>();
  private readonly parallels = new Map<string, ParallelRun>();
  private done = false;

  constructor(
    private readonly history: ExecutionHistory,
    private readonly states: ReadonlyMap<string, StateInfo>,
    private readonly calls: TaskCalls,
  ) {}

  start(input: string, roleArn: string, startDate: number): void {
    this.emit('ExecutionStarted', startDate, 0, {
      executionStartedEventDetails: { input, inputDetails: notTruncated, roleArn },
    });
    // AWS: the first state follows nothing (previousEventId 0), not ExecutionStarted.
    this.root.last = 0;
  }

  finish(terminal: Terminal, at: number): void {
    if (this.done) return;
    this.resolveFailure(this.root, at);
    const details =
      'output' in terminal ? {} : withoutUndefined({ error: terminal.error, cause: terminal.cause });
    switch (terminal.status) {
      case 'SUCCEEDED':
        this.emit('ExecutionSucceeded', at, this.root.last, {
          executionSucceededEventDetails: { output: terminal.output, outputDetails: notTruncated },
        });
        break;
      case 'FAILED':
        this.emit('ExecutionFailed', at, this.root.last, { executionFailedEventDetails: details });
        break;
      case 'TIMED_OUT':
        this.emit('ExecutionTimedOut', at, this.root.last, { executionTimedOutEventDetails: details });
        break;
      case 'ABORTED':
        // StopExecution comes from outside the run: AWS links it to no event.
        this.emit('ExecutionAborted', at, 0, { executionAbortedEventDetails: details });
        break;
    }
    this.done = true;
    this.history.flush();
  }

  /** The process stops without an outcome: record nothing more. */
  detach(): void {
    this.done = true;
    this.history.flush();
  }

  accept(event: LibraryEvent): void {
    if (this.done) return;
    const at = event.timestamp;
    switch (event.type) {
      case 'StateEntered':
        this.entered(event.state.name, event.state.input, event.index, at);
        break;
      case 'StateExited':
        this.exited(event.state.name, event.state.output, event.index, at);
        break;
      case 'StateFailed':
        this.failed(event.state.name, { error: event.Error, cause: causeText(event.Cause) }, event.index, at);
        break;
      case 'StateRetried':
        this.retried(event.state.name, event.index, at);
        break;
      case 'StateCaught':
        this.caught(event.state.name, event.index, at);
        break;
      case 'MapIterationStarted':
        this.iterationStarted(event.parentState.name, event.index, at);
        break;
      case 'MapIterationSucceeded':
        this.iterationSucceeded(event.parentState.name, event.index, at);
        break;
      case 'MapIterationFailed':
        this.iterationFailed(event.parentState.name, event.index, at);
        break;
      case 'ParallelBranchFailed':
        this.branchFailed(event.parentState.name, at);
        break;
      case 'ExecutionFailed':
        // The run failed: a Map or Parallel failure still pending was not caught.
        this.resolveFailure(this.root, at);
        break;
      default:
        // ExecutionStarted/Succeeded/Aborted/Timeout: `start` and `finish` write them
        // from the endpoint's own record; branch starts and successes have no AWS event.
        break;
    }
  }

  // ---- states ----

  private entered(name: string, input: unknown, index: number | undefined, at: number): void {
    const info = this.states.get(name);
    const scope = this.scopeOf(name, index);
    // A Task the history does not follow (a Map iteration started after the Map failed)
    // still consumes its invocation, so that later ones stay paired.
    const call = info?.type === 'Task' ? this.calls.claim(name) : undefined;
    if (!info || !scope) return;
    const events = stateEvents[info.type];
    this.chain(scope, events.entered, at, {
      stateEnteredEventDetails: { name, input: json(input), inputDetails: notTruncated },
    });
    const active: ActiveState = { name, type: info.type, input, ...(call ? { call } : {}) };
    scope.current = active;
    scope.failed = undefined;
    if (info.type === 'Task') this.scheduled(scope, info, call, at);
    else if (info.type === 'Map') this.mapStarted(scope, name, info, input, at);
    else if (info.type === 'Parallel') this.parallelStarted(scope, name, at);
  }

  private exited(name: string, output: unknown, index: number | undefined, at: number): void {
    const scope = this.scopeOf(name, index);
    const active = scope?.current;
    if (!scope || !active || active.name !== name) return;
    const exitedDetails = {
      stateExitedEventDetails: { name, output: json(output), outputDetails: notTruncated },
    };
    const exited = stateEvents[active.type].exited;
    scope.current = undefined;
    if (this.states.get(name)?.end) scope.finished = true;
    if (!exited) return;
    if (active.type === 'Task') {
      this.settle(scope, active, undefined, at);
    } else if (active.type === 'Map' && !active.caught) {
      const run = this.maps.get(name);
      this.maps.delete(name);
      // Iterations the library has not reported closed yet: they all succeeded.
      for (const [index, iteration] of run?.iterations ?? []) {
        if (iteration.open) this.iterationSucceeded(name, index, at, run);
      }
      const last = run?.lastClosed ?? scope.last;
      this.emit('MapStateSucceeded', at, last, {});
      scope.last = this.emit('MapStateExited', at, last, exitedDetails) ?? scope.last;
      return;
    } else if (active.type === 'Parallel' && !active.caught) {
      const run = this.parallels.get(name);
      this.parallels.delete(name);
      const last = run?.scope.last ?? scope.last;
      this.emit('ParallelStateSucceeded', at, last, {});
      scope.last = this.emit('ParallelStateExited', at, last, exitedDetails) ?? scope.last;
      return;
    }
    scope.last = this.emit(exited, at, scope.last, exitedDetails) ?? scope.last;
  }

  private failed(name: string, failure: Failure, index: number | undefined, at: number): void {
    const scope = this.scopeOf(name, index);
    const active = scope?.current;
    if (!scope || !active || active.name !== name) return;
    if (active.type === 'Task') this.settle(scope, active, failure, at);
    // Retry, Catch or the end of the scope decides what a Map or Parallel failure records.
    else if (active.type === 'Map' || active.type === 'Parallel') scope.failed = active;
    // Fail, Choice, Pass…: AWS records the failure only as ExecutionFailed (or the iteration's failure).
  }

  private retried(name: string, index: number | undefined, at: number): void {
    const info = this.states.get(name);
    const scope = this.scopeOf(name, index);
    const call = info?.type === 'Task' ? this.calls.claim(name) : undefined;
    const active = scope?.current;
    if (!info || !scope || !active || active.name !== name) return;
    scope.failed = undefined;
    if (info.type === 'Task') {
      active.call = call;
      active.settled = false;
      this.scheduled(scope, info, call, at);
    } else if (info.type === 'Map') {
      // AWS records no MapStateFailed before a retry: the Map starts again.
      const previous = this.maps.get(name);
      this.mapStarted(scope, name, info, active.input, at, previous?.failedAt ?? scope.last);
    } else if (info.type === 'Parallel') {
      const previous = this.parallels.get(name);
      this.parallelStarted(scope, name, at, previous?.failedAt ?? previous?.scope.last ?? scope.last);
    }
  }

  private caught(name: string, index: number | undefined, at: number): void {
    const scope = this.scopeOf(name, index);
    const active = scope?.current;
    if (!scope || !active || active.name !== name) return;
    if (active.type === 'Map' || active.type === 'Parallel') {
      this.resolveFailure(scope, at);
      active.caught = true;
    }
  }

  /** Records the MapStateFailed or ParallelStateFailed that a scope holds back, if any. */
  private resolveFailure(scope: Scope, at: number): void {
    const failed = scope.failed;
    if (!failed) return;
    scope.failed = undefined;
    if (failed.type === 'Map') {
      const run = this.maps.get(failed.name);
      this.maps.delete(failed.name);
      scope.last = this.emit('MapStateFailed', at, run?.failedAt ?? scope.last, {}) ?? scope.last;
    } else {
      const run = this.parallels.get(failed.name);
      this.parallels.delete(failed.name);
      const last = run?.failedAt ?? run?.scope.last ?? scope.last;
      scope.last = this.emit('ParallelStateFailed', at, last, {}) ?? scope.last;
    }
  }

  // ---- Lambda tasks ----

  private scheduled(scope: Scope, info: StateInfo, call: TaskCall | undefined, at: number): void {
    // No invocation: the input could not be prepared (Parameters, InputPath), nothing was scheduled.
    if (!call) return;
    this.chain(scope, 'LambdaFunctionScheduled', at, {
      lambdaFunctionScheduledEventDetails: {
        resource: info.resource ?? '',
        input: call.payload,
        inputDetails: notTruncated,
        ...(info.timeoutSeconds === undefined ? {} : { timeoutInSeconds: info.timeoutSeconds }),
      },
    });
    this.chain(scope, 'LambdaFunctionStarted', at, {});
  }

  /** Records how the current invocation ended (once per attempt). */
  private settle(scope: Scope, active: ActiveState, failure: Failure | undefined, at: number): void {
    const call = active.call;
    if (!call || active.settled) return;
    active.settled = true;
    if (call.status === 'succeeded') {
      // The function returned; a failure after it (ResultSelector, ResultPath) is the state's.
      this.chain(scope, 'LambdaFunctionSucceeded', at, {
        lambdaFunctionSucceededEventDetails: { output: call.result ?? 'null', outputDetails: notTruncated },
      });
    } else if (call.status === 'pending' && failure?.error === 'States.Timeout') {
      // As AWS: the timeout names no cause.
      this.chain(scope, 'LambdaFunctionTimedOut', at, {
        lambdaFunctionTimedOutEventDetails: { error: failure.error },
      });
    } else if (failure) {
      this.chain(scope, 'LambdaFunctionFailed', at, {
        lambdaFunctionFailedEventDetails: withoutUndefined(failure),
      });
    }
  }

  // ---- Map ----

  private mapStarted(
    scope: Scope,
    name: string,
    info: StateInfo,
    input: unknown,
    at: number,
    after = scope.last,
  ): void {
    const run: MapRun = { name, cursor: after, lastClosed: after, iterations: new Map() };
    this.maps.set(name, run);
    const items = mapItems(info, input);
    // Items the history cannot find (not a reference path) leave MapStateStarted out.
    if (!Array.isArray(items)) return;
    const id = this.emit('MapStateStarted', at, after, {
      mapStateStartedEventDetails: { length: items.length },
    });
    if (id !== undefined) {
      run.cursor = id;
      run.lastClosed = id;
      scope.last = id;
    }
  }

  private iterationStarted(name: string, index: number, at: number): void {
    const run = this.maps.get(name);
    // The library still starts queued iterations after one failed; AWS does not.
    if (!run || run.failedAt !== undefined || run.iterations.has(index)) return;
    const id = this.emit('MapIterationStarted', at, run.cursor, {
      mapIterationStartedEventDetails: { name, index },
    });
    run.iterations.set(index, { last: id ?? run.cursor, open: true });
  }

  private iterationSucceeded(name: string, index: number, at: number, run = this.maps.get(name)): void {
    const iteration = run?.iterations.get(index);
    if (!run || !iteration?.open || run.failedAt !== undefined) return;
    iteration.open = false;
    const id = this.emit('MapIterationSucceeded', at, iteration.last, {
      mapIterationSucceededEventDetails: { name, index },
    });
    run.cursor = iteration.last;
    run.lastClosed = id ?? run.lastClosed;
  }

  private iterationFailed(name: string, index: number, at: number): void {
    const run = this.maps.get(name);
    const iteration = run?.iterations.get(index);
    if (!run || !iteration?.open || run.failedAt !== undefined) return;
    // Iterations that already ran their last state succeeded before this one failed.
    for (const [other, scope] of run.iterations) {
      if (scope.open && scope.finished) this.iterationSucceeded(name, other, at, run);
    }
    this.resolveFailure(iteration, at);
    iteration.open = false;
    this.emit('MapIterationFailed', at, iteration.last, { mapIterationFailedEventDetails: { name, index } });
    const failedAt = iteration.last;
    run.failedAt = failedAt;
    // The Map stops the iterations still running.
    for (const [other, scope] of run.iterations) {
      if (!scope.open) continue;
      scope.open = false;
      const aborted = scope.current && stateEvents[scope.current.type].aborted;
      if (aborted) this.emit(aborted, at, failedAt, {});
      this.emit('MapIterationAborted', at, failedAt, {
        mapIterationAbortedEventDetails: { name, index: other },
      });
    }
  }

  // ---- Parallel ----

  private parallelStarted(scope: Scope, name: string, at: number, after = scope.last): void {
    const id = this.emit('ParallelStateStarted', at, after, {});
    const last = id ?? after;
    scope.last = last;
    this.parallels.set(name, { scope: { last } });
  }

  private branchFailed(name: string, at: number): void {
    const run = this.parallels.get(name);
    if (!run || run.failedAt !== undefined) return;
    this.resolveFailure(run.scope, at);
    run.failedAt = run.scope.last;
  }

  // ---- plumbing ----

  /** The scope a state's event belongs to; undefined for events the history does not follow. */
  private scopeOf(name: string, index: number | undefined): Scope | undefined {
    const container = this.states.get(name)?.container;
    if (container === undefined) return this.root;
    const kind = this.states.get(container)?.type;
    if (kind === 'Map') {
      const run = this.maps.get(container);
      const iteration = index === undefined ? undefined : run?.iterations.get(index);
      return iteration?.open ? iteration : undefined;
    }
    const parallel = this.parallels.get(container);
    return parallel && parallel.failedAt === undefined ? parallel.scope : undefined;
  }

  /** Emits an event that follows the scope's last one. */
  private chain(scope: Scope, type: HistoryEventType, at: number, details: Details): void {
    scope.last = this.emit(type, at, scope.last, details) ?? scope.last;
  }

  private emit(
    type: HistoryEventType,
    at: number,
    previousEventId: number,
    details: Details,
  ): number | undefined {
    if (this.done) return undefined;
    return this.history.add({ timestamp: seconds(at), type, previousEventId, ...details });
  }
}

/** The library reports a Cause as the error's `cause` or message; keep it as text. */
const causeText = (cause: unknown): string | undefined =>
  cause === undefined ? undefined : typeof cause === 'string' ? cause : json(cause);

const withoutUndefined = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The items of a Map state: InputPath, then ItemsPath, both reference paths as ASL requires. */
const mapItems = (info: StateInfo, input: unknown): unknown => {
  const effective = info.inputPath === null ? {} : referencePath(info.inputPath ?? '$', input);
  return referencePath(info.itemsPath ?? '$', effective);
};

/** Evaluates an ASL reference path (`$`, `.field`, `['field']`, `[index]`); undefined if it cannot. */
const referencePath = (path: string, value: unknown): unknown => {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const step = /\.([^.[\]]+)|\['([^']*)'\]|\["([^"]*)"\]|\[(\d+)\]/y;
  let position = 1;
  let current = value;
  while (position < path.length) {
    step.lastIndex = position;
    const match = step.exec(path);
    if (!match) return undefined;
    position = step.lastIndex;
    const key = match[1] ?? match[2] ?? match[3];
    if (key !== undefined) {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[key];
    } else {
      if (!Array.isArray(current)) return undefined;
      current = current[Number(match[4])];
    }
  }
  return current;
};

/** Leaves out the execution data (inputs and outputs), as `includeExecutionData: false` asks. */
export const withoutExecutionData = (event: HistoryEventJson): HistoryEventJson => {
  const stripped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      const { input, inputDetails, output, outputDetails, ...rest } = value as Record<string, unknown>;
      stripped[key] = rest;
    } else {
      stripped[key] = value;
    }
  }
  return stripped as HistoryEventJson;
};
