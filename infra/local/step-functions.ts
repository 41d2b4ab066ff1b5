import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  describeStates,
  ExecutionHistory,
  HistoryRecorder,
  type StateInfo,
  TaskCalls,
  type Terminal,
  withoutExecutionData,
} from './step-functions-history.ts';

/**
 * A Step Functions-compatible endpoint for the embedded local cloud. It speaks
 * the AWS JSON 1.0 protocol of `@aws-sdk/client-sfn` and the AWS CLI, and runs
 * the repository's ASL files with `aws-local-stepfunctions`, every Task served
 * in-process by the real handler of the Lambda function its Resource names.
 *
 * Execution records are JSON files, one per execution, under
 * `<dataDir>/executions/<machine>+<execution>.json` (both parts URI-encoded):
 *   { executionArn, stateMachineArn, name, status, input, output?, error?, cause?,
 *     startDate, stopDate? }
 * `input`/`output` are JSON text as the API returns them; dates are epoch ms.
 * A record is rewritten (temp file + rename) on every status change. Records
 * still RUNNING when a process stopped are re-run from the start by the next
 * `start()`: workflows are written to be idempotent.
 *
 * Each record has its GetExecutionHistory events next to it, in
 * `<machine>+<execution>.history.jsonl`: one HistoryEvent (as the API returns
 * it) per line, appended in batches while the execution runs and flushed
 * before the record changes status (see step-functions-history.ts). A re-run
 * from the start begins a new history.
 */

export interface LocalStateMachine {
  /** e.g. `import-registry`; the ARN is built from it. */
  name: string;
  /** Raw ASL JSON text containing `${Placeholders}`. */
  definition: string;
  /** Placeholder → Lambda function ARN (a key of `functions`). */
  substitutions: Record<string, string>;
}

export type LocalInvoke = (payload: unknown) => Promise<unknown>;

export interface LocalStepFunctionsOptions {
  /** Execution records are persisted under here and survive restarts. */
  dataDir: string;
  region?: string;
  accountId?: string;
  stateMachines: LocalStateMachine[];
  /** Lambda function ARN → in-process invoke of the real handler. */
  functions: ReadonlyMap<string, LocalInvoke>;
  log?: (message: string, extra?: Record<string, unknown>) => void;
  /** Replaces every Retry interval (fast tests); default: the ASL's own intervals. */
  retryIntervalMs?: number;
}

type Json = Record<string, unknown>;
type JsonValue = Parameters<StateMachine['run']>[0];
type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type States = StateMachineDefinition['States'];
type State = States[string];

const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
type Status = (typeof statuses)[number];

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Status;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

type Outcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;

interface Machine {
  arn: string;
  name: string;
  /** The substituted ASL text (what DescribeStateMachine returns). */
  definition: string;
  runner: StateMachine;
  /** Every state by name, as the history describes it. */
  states: Map<string, StateInfo>;
  /** Task state name → function serving it. */
  tasks: Map<string, LocalInvoke>;
  retryStates: string[];
  creationDate: number;
}

/** An execution being run by this process. */
interface InFlight {
  abort: () => void;
  /** Set by StopExecution and stop(): functions are no longer invoked. */
  cancelled: boolean;
  /** Set by stop(): the outcome is not recorded, the record stays RUNNING. */
  detached: boolean;
  recorder: HistoryRecorder;
}

/** Step Functions' payload limit for execution input and state results. */
const maxPayloadBytes = 256 * 1024;
/** Request bodies beyond this are refused (a 256 KB input may double when escaped into JSON). */
const maxRequestBytes = 2 * 1024 * 1024;
/**
 * aws-local-stepfunctions times a Task out after 60 s unless it sets TimeoutSeconds;
 * in AWS only the function's own timeout applies, at most Lambda's 900 s.
 */
const lambdaMaxTimeoutSeconds = 900;
/** GetExecutionHistory's page size when maxResults is 0 or absent, as in AWS. */
const defaultPageSize = 100;
/** Closed executions whose history stays in memory (others are read from disk on request). */
const cachedHistories = 16;
/** How long an outcome waits for the event log to drain before it is recorded anyway. */
const historyDrainMs = 5_000;
/** Names of executions and state machines, as AWS restricts them. */
const validName = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const arnPattern = /^arn:aws[a-z-]*:states:/;

/** An API error: HTTP 400 with the error name the SDK turns into an exception class. */
class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** Errors that Retry and Catch must not handle (aws-local-stepfunctions reads these flags). */
class TerminalError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class LocalStepFunctions {
  private readonly region: string;
  private readonly accountId: string;
  private readonly dir: string;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly inFlight = new Map<string, InFlight>();
  /** Histories by execution ARN: those of running executions, and the last few closed ones read. */
  private readonly histories = new Map<string, ExecutionHistory>();
  private readonly operations: Record<string, (body: Json) => Json>;
  private server: Server | undefined;

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.dir = join(opts.dataDir, 'executions');
    for (const machine of opts.stateMachines) {
      const compiled = this.compile(machine);
      this.machines.set(compiled.arn, compiled);
    }
    this.operations = {
      StartExecution: (body) => this.startExecution(body),
      DescribeExecution: (body) => describeExecution(this.execution(body)),
      ListExecutions: (body) => this.listExecutions(body),
      StopExecution: (body) => this.stopExecution(body),
      ListStateMachines: (body) => this.listStateMachines(body),
      DescribeStateMachine: (body) => this.describeStateMachine(body),
      GetExecutionHistory: (body) => this.history(body),
    };
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  /** Serves on 127.0.0.1 (`port` 0 = a free port) and resumes executions left RUNNING. */
  async start(port = 0): Promise<{ endpoint: string }> {
    if (this.server) throw new Error('LocalStepFunctions is already started');
    this.load();
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) =>
        this.log(`could not answer a request: ${String(error)}`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.resume();
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  /**
   * Closes the server and abandons in-flight executions without recording an
   * outcome, as a killed process would: they stay RUNNING on disk and the next
   * `start()` re-runs them.
   */
  async stop(): Promise<void> {
    for (const flight of this.inFlight.values()) {
      flight.detached = true;
      flight.cancelled = true;
      flight.recorder.detach();
      flight.abort();
    }
    this.inFlight.clear();
    for (const history of this.histories.values()) history.flush();
    this.histories.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- state machines ----------------------------------------------------

  private compile(machine: LocalStateMachine): Machine {
    const where = `state machine ${machine.name}`;
    for (const [placeholder, arn] of Object.entries(machine.substitutions)) {
      if (!this.opts.functions.has(arn))
        throw new Error(`${where}: \${${placeholder}} → ${arn} is no local function`);
    }
    const text = substitute(machine.definition, machine.substitutions, where);
    const definition = parseDefinition(text, where);
    const states = describeStates(definition.States);
    const tasks = new Map<string, LocalInvoke>();
    const retryStates: string[] = [];
    for (const [stateName, state] of allStates(definition.States)) {
      if ('Retry' in state && state.Retry?.length) retryStates.push(stateName);
      if (state.Type !== 'Task') continue;
      const invoke = this.opts.functions.get(state.Resource);
      if (!invoke) {
        throw new Error(
          `${where}: Task "${stateName}" uses ${state.Resource}; Tasks must name a local function ARN`,
        );
      }
      // Local handlers are looked up by state name, so one name cannot serve two functions.
      const named = tasks.get(stateName);
      if (named && named !== invoke)
        throw new Error(`${where}: two Tasks named "${stateName}" call different functions`);
      tasks.set(stateName, invoke);
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = lambdaMaxTimeoutSeconds;
      }
    }
    return {
      arn: this.stateMachineArn(machine.name),
      name: machine.name,
      definition: text,
      // Validates the definition now (asl-validator), so a bad file fails at construction.
      runner: new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } }),
      states,
      tasks,
      retryStates,
      creationDate: Date.now(),
    };
  }

  // ---- executions --------------------------------------------------------

  private launch(record: ExecutionRecord): void {
    const machine = this.machines.get(record.stateMachineArn);
    if (!machine) throw new Error(`no state machine ${record.stateMachineArn}`);
    const history = ExecutionHistory.create(this.historyFile(record), (message) => this.log(message));
    this.histories.set(record.executionArn, history);
    const calls = new TaskCalls();
    const recorder = new HistoryRecorder(history, machine.states, calls);
    recorder.start(record.input, this.roleArn(), record.startDate);
    const flight: InFlight = { abort: () => undefined, cancelled: false, detached: false, recorder };
    const execution = machine.runner.run(JSON.parse(record.input) as JsonValue, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(machine, flight, calls),
        ...(this.opts.retryIntervalMs === undefined
          ? {}
          : { retryIntervalOverrides: this.retryOverrides(machine, this.opts.retryIntervalMs) }),
      },
      context: this.contextObject(machine, record),
    });
    flight.abort = execution.abort;
    this.inFlight.set(record.executionArn, flight);
    const drained = this.recordHistory(record, recorder, execution.eventLogs);
    execution.result
      .then(
        (output) => ({ status: 'SUCCEEDED', output: JSON.stringify(output) }) satisfies Outcome,
        (error: unknown) => failureOutcome(error),
      )
      .then(async (outcome) => {
        // The history is complete before DescribeExecution reports the outcome.
        await drained;
        if (this.inFlight.get(record.executionArn) === flight) this.inFlight.delete(record.executionArn);
        if (outcome && !flight.detached && record.status === 'RUNNING') this.close(record, outcome, recorder);
      })
      .catch((error: unknown) =>
        this.log(`could not record the outcome of ${record.name}: ${String(error)}`),
      );
  }

  private taskHandlers(machine: Machine, flight: InFlight, calls: TaskCalls): TaskHandlers {
    const handlers: TaskHandlers = {};
    for (const [stateName, invoke] of machine.tasks) {
      handlers[stateName] = async (input) => {
        const call = calls.record(stateName, input);
        try {
          // A stopped execution still starts the Map iterations it had queued: invoke nothing.
          if (flight.cancelled) throw new TerminalError('States.Runtime', 'The execution was stopped');
          const result = await invokeLikeLambda(invoke, input);
          call.status = 'succeeded';
          call.result = JSON.stringify(result);
          return result;
        } catch (error) {
          call.status = 'failed';
          throw error;
        }
      };
    }
    return handlers;
  }

  private retryOverrides(machine: Machine, intervalMs: number): Record<string, number> {
    return Object.fromEntries(machine.retryStates.map((state) => [state, intervalMs]));
  }

  /**
   * `$$` as Step Functions fills it. aws-local-stepfunctions keeps these fields but
   * overwrites Execution.Input and StartTime with the input and time of its own run.
   */
  private contextObject(machine: Machine, record: ExecutionRecord): NonNullable<RunOptions['context']> {
    return {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        Input: JSON.parse(record.input) as JsonValue,
        StartTime: new Date(record.startDate).toISOString(),
        RoleArn: this.roleArn(),
        RedriveCount: 0,
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
    };
  }

  /**
   * Feeds the run's event log to its history. Resolves when the log ends (the
   * library closes it with the run), or after `historyDrainMs` at the latest.
   */
  private recordHistory(
    record: ExecutionRecord,
    recorder: HistoryRecorder,
    events: ReturnType<StateMachine['run']>['eventLogs'],
  ): Promise<void> {
    const read = (async () => {
      for await (const event of events) {
        try {
          recorder.accept(event);
        } catch (error) {
          this.log(`could not record a history event of ${record.name}: ${String(error)}`);
        }
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log(`the event log of ${record.name} did not end; recording its outcome anyway`);
        resolve();
      }, historyDrainMs);
      timer.unref();
    });
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  }

  /**
   * GetExecutionHistory: one page of events, oldest first (or newest first with
   * reverseOrder), 100 by default, and a token that continues after the page.
   */
  private history(body: Json): Json {
    const record = this.execution(body);
    const size = pageSize(body);
    const reverse = optionalBoolean(body, 'reverseOrder') ?? false;
    const includeData = optionalBoolean(body, 'includeExecutionData') ?? true;
    const events = this.historyOf(record).events;
    const token = optionalString(body, 'nextToken');
    // Ids are positions (1…n) and histories only grow, so a token is the id to go on from.
    let from = reverse ? events.length : 1;
    if (token !== undefined) from = decodeHistoryToken(token, record.executionArn, reverse, events.length);
    const page = reverse
      ? events.slice(Math.max(0, from - size), from).reverse()
      : events.slice(from - 1, from - 1 + size);
    const next = reverse ? from - size : from + size;
    const more = reverse ? next >= 1 : next <= events.length;
    return {
      events: includeData ? page : page.map(withoutExecutionData),
      ...(more && page.length > 0 ? { nextToken: historyToken(record.executionArn, reverse, next) } : {}),
    };
  }

  /** The history of a record: in memory while it runs or was read lately, else from its file. */
  private historyOf(record: ExecutionRecord): ExecutionHistory {
    const cached = this.histories.get(record.executionArn);
    if (cached) return cached;
    const history = ExecutionHistory.read(this.historyFile(record), (message) => this.log(message));
    if (history.events.length === 0) this.synthesizeHistory(record, history);
    this.cacheHistory(record.executionArn, history);
    return history;
  }

  /** For a record without a history file (written before histories were kept): its start and end. */
  private synthesizeHistory(record: ExecutionRecord, history: ExecutionHistory): void {
    const recorder = new HistoryRecorder(history, new Map(), new TaskCalls());
    recorder.start(record.input, this.roleArn(), record.startDate);
    const terminal = terminalOf(record);
    if (terminal) recorder.finish(terminal, record.stopDate ?? record.startDate);
  }

  /** Keeps a closed history in memory, dropping the oldest closed ones beyond `cachedHistories`. */
  private cacheHistory(executionArn: string, history: ExecutionHistory): void {
    this.histories.delete(executionArn);
    this.histories.set(executionArn, history);
    const closed = [...this.histories].filter(([arn]) => !this.inFlight.has(arn));
    for (const [arn] of closed.slice(0, Math.max(0, closed.length - cachedHistories))) {
      this.histories.delete(arn);
    }
  }

  /** Records an outcome: the history's last event first, then the record (so both agree on disk). */
  private close(record: ExecutionRecord, outcome: Outcome, recorder?: HistoryRecorder): void {
    const stopDate = Date.now();
    Object.assign(record, outcome, { stopDate });
    const terminal = terminalOf(record);
    if (terminal) {
      const ending =
        recorder ??
        this.inFlight.get(record.executionArn)?.recorder ??
        // Not running here (it could not be resumed): the history left on disk gets the end.
        new HistoryRecorder(this.historyOf(record), new Map(), new TaskCalls());
      ending.finish(terminal, stopDate);
    }
    const history = this.histories.get(record.executionArn);
    if (history) {
      history.flush();
      this.cacheHistory(record.executionArn, history);
    }
    this.persist(record);
    this.log(`execution ${record.name} ${record.status}${record.error ? ` (${record.error})` : ''}`, {
      executionArn: record.executionArn,
    });
  }

  // ---- persistence -------------------------------------------------------

  /** `<dataDir>/executions/<machine>+<execution>` (both URI-encoded), without extension. */
  private recordBase(record: ExecutionRecord): string {
    const [machineName = '', name = ''] = record.executionArn.split(':').slice(-2);
    return join(this.dir, `${encodeURIComponent(machineName)}+${encodeURIComponent(name)}`);
  }

  private historyFile(record: ExecutionRecord): string {
    return `${this.recordBase(record)}.history.jsonl`;
  }

  /** Synchronous on purpose: writes of one record can never land out of order. */
  private persist(record: ExecutionRecord): void {
    const file = `${this.recordBase(record)}.json`;
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temp, file);
  }

  private load(): void {
    mkdirSync(this.dir, { recursive: true });
    this.executions.clear();
    for (const file of readdirSync(this.dir)) {
      const path = join(this.dir, file);
      if (file.endsWith('.tmp')) rmSync(path, { force: true }); // a write interrupted by a crash
      if (!file.endsWith('.json')) continue;
      const record = readRecord(path);
      if (record) this.executions.set(record.executionArn, record);
      else this.log(`ignoring unreadable execution record ${path}`);
    }
  }

  private resume(): void {
    for (const record of this.executions.values()) {
      if (record.status !== 'RUNNING') continue;
      if (!this.machines.has(record.stateMachineArn)) {
        this.log(`cannot resume ${record.executionArn}: its state machine is not declared`);
        continue;
      }
      this.log(`re-running execution ${record.name} from the start: a previous process left it RUNNING`, {
        executionArn: record.executionArn,
      });
      try {
        this.launch(record);
      } catch (error) {
        this.close(record, {
          status: 'FAILED',
          error: 'States.Runtime',
          cause: `Could not resume: ${String(error)}`,
        });
      }
    }
  }

  // ---- API operations ----------------------------------------------------

  private startExecution(body: Json): Json {
    const machine = this.machine(body);
    const name = optionalString(body, 'name') ?? randomUUID();
    if (!validName.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = optionalString(body, 'input') ?? '{}';
    validateInput(input);
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // AWS: the same name and input while RUNNING is the same execution; anything else is refused.
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: seconds(existing.startDate) };
      }
      throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      input,
      startDate: Date.now(),
    };
    this.executions.set(executionArn, record);
    this.persist(record);
    this.launch(record);
    return { executionArn, startDate: seconds(record.startDate) };
  }

  private listExecutions(body: Json): Json {
    const machine = this.machine(body);
    const statusFilter = optionalString(body, 'statusFilter');
    if (statusFilter !== undefined && !statuses.includes(statusFilter as Status)) {
      throw new ApiError('ValidationException', `Invalid statusFilter '${statusFilter}'`);
    }
    const matching = [...this.executions.values()].filter(
      (r) => r.stateMachineArn === machine.arn && (statusFilter === undefined || r.status === statusFilter),
    );
    // Newest first; the key also makes page boundaries stable while executions start.
    const key = (r: ExecutionRecord) =>
      `${String(Number.MAX_SAFE_INTEGER - r.startDate).padStart(16, '0')}+${r.name}`;
    const { page, nextToken } = paginate(matching, key, body);
    return { executions: page.map(executionListItem), ...(nextToken ? { nextToken } : {}) };
  }

  private stopExecution(body: Json): Json {
    const record = this.execution(body);
    if (record.status === 'RUNNING') {
      const flight = this.inFlight.get(record.executionArn);
      this.close(
        record,
        { status: 'ABORTED', error: optionalString(body, 'error'), cause: optionalString(body, 'cause') },
        flight?.recorder,
      );
      if (flight) {
        flight.cancelled = true;
        flight.abort();
      }
    }
    return { stopDate: seconds(record.stopDate ?? Date.now()) };
  }

  private listStateMachines(body: Json): Json {
    const { page, nextToken } = paginate([...this.machines.values()], (m) => m.name, body);
    return {
      stateMachines: page.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: 'STANDARD',
        creationDate: seconds(m.creationDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private describeStateMachine(body: Json): Json {
    const machine = this.machine(body);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: this.roleArn(),
      type: 'STANDARD',
      creationDate: seconds(machine.creationDate),
    };
  }

  private machine(body: Json): Machine {
    const arn = requiredArn(body, 'stateMachineArn');
    const machine = this.machines.get(arn);
    if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(body: Json): ExecutionRecord {
    const arn = requiredArn(body, 'executionArn');
    const record = this.executions.get(arn);
    if (!record) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  private roleArn(): string {
    return `arn:aws:iam::${this.accountId}:role/local-stepfunctions`;
  }

  // ---- HTTP --------------------------------------------------------------

  /** One request, AWS JSON 1.0: `X-Amz-Target: AWSStepFunctions.<Operation>`, JSON body. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readJsonBody(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.')
        ? target.slice('AWSStepFunctions.'.length)
        : '';
      const run = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
      if (!run) throw new ApiError('UnknownOperationException', `Unknown operation: '${target}'`);
      send(res, 200, run(body));
    } catch (error) {
      if (error instanceof ApiError) {
        send(res, 400, { __type: error.type, message: error.message }, error.type);
      } else {
        this.log(
          `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        send(res, 500, { __type: 'InternalFailure', message: 'Internal error' }, 'InternalFailure');
      }
    }
  }

  private log(message: string, extra?: Record<string, unknown>): void {
    this.opts.log?.(message, extra);
  }
}

// ---- definitions -----------------------------------------------------------

const substitute = (text: string, substitutions: Record<string, string>, where: string): string =>
  text.replace(/\$\{(\w+)\}/g, (_, placeholder: string) => {
    const value = Object.hasOwn(substitutions, placeholder) ? substitutions[placeholder] : undefined;
    if (value === undefined) throw new Error(`${where}: no substitution for \${${placeholder}}`);
    return value;
  });

const parseDefinition = (text: string, where: string): StateMachineDefinition => {
  try {
    return JSON.parse(text) as StateMachineDefinition;
  } catch (error) {
    throw new Error(`${where}: the definition is not JSON (${(error as Error).message})`);
  }
};

/** Every state, including those of Map item processors and Parallel branches, at any depth. */
function* allStates(states: States): Generator<[string, State]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) yield* allStates(processor.States);
    } else if (state.Type === 'Parallel') {
      for (const branch of state.Branches) yield* allStates(branch.States);
    }
  }
}

// ---- tasks -------------------------------------------------------------------

/**
 * Invokes a function as Step Functions invokes Lambda: the payload and the
 * result cross a JSON boundary, a result over 256 KB fails the execution
 * (States.DataLimitExceeded), and an error keeps its name (Retry/Catch match
 * on it) with Lambda's `{errorType, errorMessage, trace}` JSON as its Cause.
 */
const invokeLikeLambda = async (invoke: LocalInvoke, input: JsonValue): Promise<JsonValue> => {
  let result: unknown;
  try {
    result = await invoke(JSON.parse(JSON.stringify(input)));
  } catch (error) {
    throw lambdaError(error);
  }
  const payload = JSON.stringify(result) ?? 'null';
  if (Buffer.byteLength(payload) > maxPayloadBytes) {
    throw new TerminalError(
      'States.DataLimitExceeded',
      `The state result has ${Buffer.byteLength(payload)} bytes, more than the ${maxPayloadBytes} Step Functions allows`,
    );
  }
  return JSON.parse(payload) as JsonValue;
};

const lambdaError = (error: unknown): Error => {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack?.split('\n') ?? []) : [];
  // aws-local-stepfunctions reports `message` as the Cause and matches Retry/Catch on `name`.
  const failure = new Error(JSON.stringify({ errorType, errorMessage, trace }));
  failure.name = errorType;
  return failure;
};

/** Reads the event log so that unread events do not pile up in memory. */
/** What a failed run means for the record; undefined for an abort (StopExecution or stop() handled it). */
const failureOutcome = (error: unknown): Outcome | undefined => {
  if (error instanceof ExecutionAbortedError) return undefined;
  if (error instanceof ExecutionTimeoutError) {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution ran longer than its TimeoutSeconds',
    };
  }
  // ExecutionError wraps the error of the state that failed the execution.
  const failed = error instanceof ExecutionError ? error.cause : error;
  if (failed instanceof Error) return { status: 'FAILED', error: failed.name, cause: failed.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(failed) };
};

// ---- records -----------------------------------------------------------------

const readRecord = (path: string): ExecutionRecord | undefined => {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<ExecutionRecord>;
    const valid =
      typeof record.executionArn === 'string' &&
      typeof record.stateMachineArn === 'string' &&
      typeof record.input === 'string' &&
      typeof record.startDate === 'number' &&
      statuses.includes(record.status as Status);
    return valid ? (record as ExecutionRecord) : undefined;
  } catch {
    return undefined;
  }
};

const seconds = (epochMs: number): number => epochMs / 1000;

const describeExecution = (r: ExecutionRecord): Json => ({
  executionArn: r.executionArn,
  stateMachineArn: r.stateMachineArn,
  name: r.name,
  status: r.status,
  startDate: seconds(r.startDate),
  ...(r.stopDate === undefined ? {} : { stopDate: seconds(r.stopDate) }),
  input: r.input,
  inputDetails: { included: true },
  ...(r.output === undefined ? {} : { output: r.output, outputDetails: { included: true } }),
  ...(r.error === undefined ? {} : { error: r.error }),
  ...(r.cause === undefined ? {} : { cause: r.cause }),
  redriveCount: 0,
});

/** The event that ends a closed execution's history, from its record. */
const terminalOf = (r: ExecutionRecord): Terminal | undefined => {
  if (r.status === 'RUNNING') return undefined;
  if (r.status === 'SUCCEEDED') return { status: 'SUCCEEDED', output: r.output ?? 'null' };
  return {
    status: r.status,
    ...(r.error === undefined ? {} : { error: r.error }),
    ...(r.cause === undefined ? {} : { cause: r.cause }),
  };
};

const executionListItem = (r: ExecutionRecord): Json => ({
  executionArn: r.executionArn,
  stateMachineArn: r.stateMachineArn,
  name: r.name,
  status: r.status,
  startDate: seconds(r.startDate),
  ...(r.stopDate === undefined ? {} : { stopDate: seconds(r.stopDate) }),
});

// ---- request parsing ---------------------------------------------------------

const optionalString = (body: Json, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError('SerializationException', `'${field}' must be a string`);
  return value;
};

const optionalBoolean = (body: Json, field: string): boolean | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new ApiError('SerializationException', `'${field}' must be a boolean`);
  return value;
};

const requiredArn = (body: Json, field: string): string => {
  const value = optionalString(body, field);
  if (value === undefined) {
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (!arnPattern.test(value)) throw new ApiError('InvalidArn', `Invalid Arn: '${value}'`);
  return value;
};

const validateInput = (input: string): void => {
  if (Buffer.byteLength(input) > maxPayloadBytes) {
    throw new ApiError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: more than ${maxPayloadBytes} bytes`,
    );
  }
  try {
    JSON.parse(input);
  } catch (error) {
    throw new ApiError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: ${(error as Error).message}`,
    );
  }
};

/**
 * One page of `items` in the order of `key` (unique per item). The token is the
 * last key returned, so a page never repeats or skips items when others are added.
 */
const paginate = <T>(items: T[], key: (item: T) => string, body: Json): { page: T[]; nextToken?: string } => {
  const size = pageSize(body);
  const token = optionalString(body, 'nextToken');
  const after = token === undefined ? undefined : decodeToken(token);
  const sorted = items
    .map((item) => ({ item, key: key(item) }))
    .filter((entry) => after === undefined || entry.key > after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = sorted.slice(0, size);
  const last = page.at(-1);
  return {
    page: page.map((entry) => entry.item),
    ...(sorted.length > size && last ? { nextToken: Buffer.from(last.key).toString('base64url') } : {}),
  };
};

/** `maxResults` as AWS reads it: 0 to 1000, where 0 (or none) means the default of 100. */
const pageSize = (body: Json): number => {
  const maxResults = body.maxResults ?? 0;
  if (
    typeof maxResults !== 'number' ||
    !Number.isInteger(maxResults) ||
    maxResults < 0 ||
    maxResults > 1000
  ) {
    throw new ApiError('ValidationException', `Invalid maxResults: ${String(maxResults)} (0 to 1000)`);
  }
  return maxResults || defaultPageSize;
};

/**
 * A history page token: the event id to go on from, bound to the execution and
 * the order (AWS asks to keep the other arguments unchanged between pages).
 */
const historyToken = (executionArn: string, reverse: boolean, next: number): string =>
  Buffer.from(JSON.stringify({ e: executionArn, r: reverse, n: next })).toString('base64url');

const decodeHistoryToken = (
  token: string,
  executionArn: string,
  reverse: boolean,
  length: number,
): number => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError('InvalidToken', 'Invalid Token');
  }
  const { e, r, n } = (parsed ?? {}) as { e?: unknown; r?: unknown; n?: unknown };
  const position = typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= length;
  if (e !== executionArn || r !== reverse || !position) {
    throw new ApiError('InvalidToken', `Invalid Token: '${token}'`);
  }
  return n;
};

const decodeToken = (token: string): string => {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!key || Buffer.from(key).toString('base64url') !== token)
    throw new ApiError('InvalidToken', 'Invalid Token');
  return key;
};

// ---- HTTP helpers --------------------------------------------------------------

const readJsonBody = async (req: IncomingMessage): Promise<Json> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxRequestBytes) chunks.push(chunk); // keep reading so that the reply reaches the client
  }
  if (size > maxRequestBytes)
    throw new ApiError('ValidationException', `Request body over ${maxRequestBytes} bytes`);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object');
  }
  return body as Json;
};

const send = (res: ServerResponse, status: number, body: Json, errorType?: string): void => {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
};
