import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/**
 * A Step Functions-compatible endpoint (AWS JSON 1.0, as `@aws-sdk/client-sfn`
 * and the AWS CLI speak it) that runs the repository's ASL files with
 * `aws-local-stepfunctions`, every Task served in-process by the real handler.
 *
 * Execution records are JSON files under `<dataDir>/executions/`:
 *   { executionArn, stateMachineArn, name, status, input, output?, error?, cause?,
 *     startDate, stopDate? (epoch ms), history: [{ type, timestamp, state? }] }
 * A record still RUNNING when the process stopped is re-run from the start on
 * the next `start()`; workflows are written to be idempotent.
 */
export interface LocalStateMachine {
  name: string;
  /** Raw ASL JSON text containing `${Placeholders}`. */
  definition: string;
  /** Placeholder → Lambda function ARN. */
  substitutions: Record<string, string>;
}
export type LocalInvoke = (payload: unknown) => Promise<unknown>;

export interface LocalStepFunctionsOptions {
  dataDir: string;
  region?: string;
  accountId?: string;
  stateMachines: LocalStateMachine[];
  /** Lambda function ARN → in-process invoke of the real handler. */
  functions: ReadonlyMap<string, LocalInvoke>;
  log?: (message: string, extra?: Record<string, unknown>) => void;
  /** Overrides every Retry interval (fast tests); default: the ASL's own. */
  retryIntervalMs?: number;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
interface HistoryEvent {
  type: string;
  timestamp: number;
  state?: string;
}
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
  history: HistoryEvent[];
}

interface Machine {
  arn: string;
  name: string;
  definitionText: string;
  definition: StateMachineDefinition;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
  retryStates: string[];
  createdAt: number;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

type Json = Record<string, unknown>;

export class LocalStepFunctions {
  private readonly region: string;
  private readonly accountId: string;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, { abort: () => void; stopped: boolean }>();
  private readonly dir: string;
  private server: Server | undefined;

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.dir = join(opts.dataDir, 'executions');
    for (const machine of opts.stateMachines) {
      const built = this.build(machine);
      this.machines.set(built.arn, built);
    }
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  async start(port = 0): Promise<{ endpoint: string }> {
    mkdirSync(this.dir, { recursive: true });
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as ExecutionRecord;
      this.executions.set(record.executionArn, record);
    }
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    const endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    for (const record of this.executions.values()) {
      if (record.status !== 'RUNNING') continue;
      if (!this.machines.has(record.stateMachineArn)) continue;
      this.log(`re-running execution ${record.name} left running by a previous process`);
      record.history.push({ type: 'ExecutionRestarted', timestamp: Date.now() });
      this.run(record);
    }
    return { endpoint };
  }

  async stop(): Promise<void> {
    // In-flight executions stay RUNNING on disk so that the next start re-runs them.
    for (const handle of this.running.values()) {
      handle.stopped = true;
      handle.abort();
    }
    this.running.clear();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.server = undefined;
  }

  private log(message: string, extra?: Record<string, unknown>) {
    this.opts.log?.(message, extra);
  }

  // ---- definitions -------------------------------------------------------

  private build(machine: LocalStateMachine): Machine {
    const text = machine.definition.replace(/\$\{(\w+)\}/g, (_, placeholder: string) => {
      const arn = machine.substitutions[placeholder];
      if (!arn) throw new Error(`state machine ${machine.name}: no substitution for \${${placeholder}}`);
      return arn;
    });
    for (const [placeholder, arn] of Object.entries(machine.substitutions)) {
      if (!this.opts.functions.has(arn)) {
        throw new Error(`state machine ${machine.name}: \${${placeholder}} → ${arn} is not a local function`);
      }
    }
    const definition = JSON.parse(text) as StateMachineDefinition;
    const handlers: Machine['handlers'] = {};
    const retryStates: string[] = [];
    const walk = (states: StateMachineDefinition['States']) => {
      for (const [name, state] of Object.entries(states)) {
        if ('Retry' in state && state.Retry) retryStates.push(name);
        if (state.Type === 'Task') {
          const invoke = this.opts.functions.get(state.Resource);
          if (!invoke)
            throw new Error(
              `state machine ${machine.name}: task ${name} uses unknown resource ${state.Resource}`,
            );
          handlers[name] = invoke;
        } else if (state.Type === 'Map') {
          const processor = state.ItemProcessor ?? state.Iterator;
          if (processor) walk(processor.States);
        } else if (state.Type === 'Parallel') {
          for (const branch of state.Branches) walk(branch.States);
        }
      }
    };
    walk(definition.States);
    return {
      arn: this.stateMachineArn(machine.name),
      name: machine.name,
      definitionText: text,
      definition,
      handlers,
      retryStates,
      createdAt: Date.now(),
    };
  }

  // ---- executions --------------------------------------------------------

  private persist(record: ExecutionRecord) {
    const file = join(
      this.dir,
      `${encodeURIComponent(record.executionArn.split(':').slice(-2).join(':'))}.json`,
    );
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(record));
    renameSync(temp, file);
  }

  private run(record: ExecutionRecord) {
    const machine = this.machines.get(record.stateMachineArn)!;
    const stateMachine = new StateMachine(machine.definition, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    const taskHandlers = Object.fromEntries(
      Object.entries(machine.handlers).map(([state, invoke]) => [
        state,
        // The handler's own error (with its name) must reach Retry/Catch.
        async (input: unknown) => (await invoke(input)) as never,
      ]),
    );
    const execution = stateMachine.run(JSON.parse(record.input), {
      overrides: {
        taskResourceLocalHandlers: taskHandlers,
        ...(this.opts.retryIntervalMs !== undefined
          ? {
              retryIntervalOverrides: Object.fromEntries(
                machine.retryStates.map((s) => [s, this.opts.retryIntervalMs as number]),
              ),
            }
          : {}),
      },
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          Input: JSON.parse(record.input),
          StartTime: new Date(record.startDate).toISOString(),
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    const handle = { abort: execution.abort, stopped: false };
    this.running.set(record.executionArn, handle);
    void this.collectHistory(record, execution.eventLogs, handle);
    execution.result.then(
      (output) => this.finish(record, handle, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
      (error: unknown) => {
        if (handle.stopped) return; // process stopping: leave the record RUNNING
        if (record.status === 'ABORTED') return;
        const { Error: name, Cause } = failureOf(error);
        this.finish(record, handle, { status: 'FAILED', error: name, cause: Cause });
      },
    );
  }

  private async collectHistory(
    record: ExecutionRecord,
    events: AsyncGenerator<EventLog>,
    handle: { stopped: boolean },
  ) {
    try {
      for await (const event of events) {
        if (handle.stopped) return;
        if (
          event.type === 'StateEntered' ||
          event.type === 'StateExited' ||
          event.type === 'StateRetried' ||
          event.type === 'StateCaught' ||
          event.type === 'StateFailed'
        ) {
          record.history.push({ type: event.type, timestamp: event.timestamp, state: event.state.name });
        }
      }
    } catch {
      // The execution ended; its result handler records the outcome.
    }
  }

  private finish(
    record: ExecutionRecord,
    handle: { stopped: boolean },
    outcome: { status: Status; output?: string; error?: string; cause?: string },
  ) {
    if (handle.stopped || record.status !== 'RUNNING') return;
    Object.assign(record, outcome, { stopDate: Date.now() });
    record.history.push({
      type: `Execution${outcome.status === 'SUCCEEDED' ? 'Succeeded' : 'Failed'}`,
      timestamp: Date.now(),
    });
    this.running.delete(record.executionArn);
    this.persist(record);
    this.log(`execution ${record.name} ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}`);
  }

  // ---- HTTP --------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse) {
    const reply = (status: number, body: Json, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.')
        ? target.slice('AWSStepFunctions.'.length)
        : '';
      let body: Json;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
      } catch {
        throw new ApiError('SerializationException', 'The request body is not valid JSON');
      }
      reply(200, this.dispatch(operation, body));
    } catch (error) {
      const type = error instanceof ApiError ? error.type : 'InternalFailure';
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof ApiError)) this.log(`internal error: ${message}`);
      reply(error instanceof ApiError ? 400 : 500, { __type: type, message }, { 'x-amzn-errortype': type });
    }
  }

  private dispatch(operation: string, body: Json): Json {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(body);
      case 'DescribeExecution':
        return describe(this.execution(body.executionArn));
      case 'ListExecutions':
        return this.listExecutions(body);
      case 'StopExecution':
        return this.stopExecution(body);
      case 'GetExecutionHistory':
        return this.history(body);
      case 'ListStateMachines':
        return {
          stateMachines: [...this.machines.values()].map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: 'STANDARD',
            creationDate: m.createdAt / 1000,
          })),
        };
      case 'DescribeStateMachine': {
        const machine = this.machine(body.stateMachineArn);
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: 'ACTIVE',
          definition: machine.definitionText,
          roleArn: `arn:aws:iam::${this.accountId}:role/local`,
          type: 'STANDARD',
          creationDate: machine.createdAt / 1000,
        };
      }
      default:
        throw new ApiError(
          'UnknownOperationException',
          `Operation ${operation || '(none)'} is not supported locally`,
        );
    }
  }

  private machine(arn: unknown): Machine {
    const machine = typeof arn === 'string' ? this.machines.get(arn) : undefined;
    if (!machine)
      throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  }

  private execution(arn: unknown): ExecutionRecord {
    const record = typeof arn === 'string' ? this.executions.get(arn) : undefined;
    if (!record) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return record;
  }

  private startExecution(body: Json): Json {
    const machine = this.machine(body.stateMachineArn);
    const name = typeof body.name === 'string' ? body.name : randomUUID();
    if (!/^[0-9A-Za-z_-]{1,80}$/.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = typeof body.input === 'string' ? body.input : '{}';
    try {
      JSON.parse(input);
    } catch {
      throw new ApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As in AWS (Standard workflows): same name and input while running → same execution.
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate / 1000 };
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
      history: [{ type: 'ExecutionStarted', timestamp: Date.now() }],
    };
    this.executions.set(executionArn, record);
    this.persist(record);
    this.run(record);
    return { executionArn, startDate: record.startDate / 1000 };
  }

  private listExecutions(body: Json): Json {
    const machine = this.machine(body.stateMachineArn);
    const status = typeof body.statusFilter === 'string' ? body.statusFilter : undefined;
    const max =
      typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : 100;
    const offset =
      typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new ApiError('InvalidToken', 'Invalid nextToken');
    const matching = [...this.executions.values()]
      .filter((r) => r.stateMachineArn === machine.arn && (!status || r.status === status))
      .sort((a, b) => b.startDate - a.startDate || b.name.localeCompare(a.name));
    const page = matching.slice(offset, offset + max);
    return {
      executions: page.map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: r.startDate / 1000,
        ...(r.stopDate ? { stopDate: r.stopDate / 1000 } : {}),
      })),
      ...(offset + max < matching.length
        ? { nextToken: Buffer.from(String(offset + max)).toString('base64url') }
        : {}),
    };
  }

  private stopExecution(body: Json): Json {
    const record = this.execution(body.executionArn);
    if (record.status === 'RUNNING') {
      record.status = 'ABORTED';
      record.stopDate = Date.now();
      if (typeof body.error === 'string') record.error = body.error;
      if (typeof body.cause === 'string') record.cause = body.cause;
      record.history.push({ type: 'ExecutionAborted', timestamp: record.stopDate });
      this.running.get(record.executionArn)?.abort();
      this.running.delete(record.executionArn);
      this.persist(record);
    }
    return { stopDate: (record.stopDate ?? Date.now()) / 1000 };
  }

  private history(body: Json): Json {
    const record = this.execution(body.executionArn);
    const events = body.reverseOrder === true ? [...record.history].reverse() : record.history;
    return {
      events: events.map((e, i) => ({
        id: i + 1,
        timestamp: e.timestamp / 1000,
        type: e.type,
        ...(e.state ? { stateEnteredEventDetails: { name: e.state } } : {}),
      })),
    };
  }
}

const describe = (r: ExecutionRecord): Json => ({
  executionArn: r.executionArn,
  stateMachineArn: r.stateMachineArn,
  name: r.name,
  status: r.status,
  input: r.input,
  ...(r.output !== undefined ? { output: r.output } : {}),
  ...(r.error !== undefined ? { error: r.error } : {}),
  ...(r.cause !== undefined ? { cause: r.cause } : {}),
  startDate: r.startDate / 1000,
  ...(r.stopDate ? { stopDate: r.stopDate / 1000 } : {}),
});

/** The Error/Cause pair of a failed execution, as Step Functions reports them. */
const failureOf = (error: unknown): { Error: string; Cause: string } => {
  // ExecutionError wraps the runtime error of the state that failed the execution.
  const inner = (error as { cause?: unknown }).cause ?? error;
  const candidate = inner as { name?: string; message?: string; errorName?: string; cause?: unknown };
  const name = candidate.name ?? 'States.TaskFailed';
  const message = candidate.message ?? String(inner);
  return { Error: name, Cause: message };
};
