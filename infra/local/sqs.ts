import { createHash, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

/**
 * An SQS-compatible endpoint for the embedded local cloud: the on-failure
 * destination (dead-letter queue) of asynchronously invoked functions.
 *
 * Wiring (infra/local/cloud.ts): start it next to the Step Functions endpoint with
 * `startLocalSqs({ dataDir: opts.dataDir, queues, region: localRegion, accountId: localAccount })`,
 * push its `stop`, export `AWS_ENDPOINT_URL_SQS: sqs.endpoint`, and when `invokeAsync`
 * gives up call `sqs.send(queue, JSON.stringify(lambdaFailureRecord({ ... })))`.
 *
 * It speaks what `@aws-sdk/client-sqs` v3 and the AWS CLI speak today: the AWS
 * JSON 1.0 protocol (`POST /`, `X-Amz-Target: AmazonSQS.<Operation>`,
 * `content-type: application/x-amz-json-1.0`), in its query-compatible form:
 * an error carries `x-amzn-query-error: <query code>;Sender` (the SDK resolves
 * the exception class from that code first) and `{"__type": "com.amazonaws.sqs#<Shape>", "message"}`.
 * Signatures are not checked. Queues are standard queues declared at start.
 *
 * Each queue is a JSON Lines log, `<dataDir>/sqs/<queue>.jsonl`: a header line
 * `{"queue", "createdAt", "lastPurgeAt", "version": 1}`, then one line per change:
 *   {"op": "send", "message": StoredMessage}   a new message, with its whole state
 *   {"op": "state", "id", "visibleAt", "receiveCount", ...}   after a receive or a visibility change
 *   {"op": "delete", "id"}
 * A change is appended (one write) before it is applied in memory. The log is
 * rewritten (temp file + rename) at start, on purge, and when it has grown past
 * four lines per live message; a line torn by a crash is the last one, ignored.
 * Times are epoch ms.
 */

export interface LocalSqsOptions {
  /** Queue logs live under `<dataDir>/sqs/` and survive restarts. */
  dataDir: string;
  /** Standard queue names (no `.fifo`). */
  queues: readonly string[];
  region: string;
  accountId: string;
  /** Default 0: a free port. */
  port?: number;
  log?: (message: string) => void;
}

/** What SendMessage returns. */
export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
}

export interface LocalSqs {
  readonly endpoint: string;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  /**
   * In-process SendMessage: the same validation, storage and result. Throws an
   * `Error` named as the SDK would name its exception (`QueueDoesNotExist`,
   * `InvalidParameterValue`, `InvalidMessageContents`…).
   */
  send(name: string, body: string, attributes?: Record<string, MessageAttributeValue>): SendResult;
  /** Ends long polls with no messages, then closes the server. */
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;

/** A message attribute as it travels in JSON (`BinaryValue` in base64). */
interface WireAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

interface MessageState {
  /** Visible to ReceiveMessage from then on (after DelaySeconds, or when a visibility timeout ends). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The latest receive: its time and the token of its receipt handle. */
  receivedAt?: number;
  receipt?: string;
}

interface StoredMessage extends MessageState {
  id: string;
  body: string;
  md5: string;
  attributes?: Record<string, WireAttribute>;
  md5OfAttributes?: string;
  sentAt: number;
}

type LogLine =
  | { op: 'send'; message: StoredMessage }
  | ({ op: 'state'; id: string } & MessageState)
  | { op: 'delete'; id: string };

// ---- limits and defaults, as a standard queue has them ------------------------

/**
 * The queue's MaximumMessageSize: body plus attribute names, types and values.
 * AWS's default is now 1 MiB (1,048,576); this is what a queue created with
 * `MaximumMessageSize: 262144` (the old default, and Lambda's historic
 * asynchronous payload limit) refuses.
 */
const maxMessageBytes = 262_144;
/** Request bodies beyond this are refused (a 256 KB body can double when escaped into JSON). */
const maxRequestBytes = 2 * 1024 * 1024;
/** The queue's VisibilityTimeout (AWS's default). */
const defaultVisibilitySeconds = 30;
/** A visibility timeout, and a message's whole time in flight after a receive, are at most 12 hours. */
const maxVisibilitySeconds = 43_200;
/** The queue's MessageRetentionPeriod: 14 days, the maximum (AWS's default is 4 days). */
const retentionSeconds = 1_209_600;
const maxWaitSeconds = 20;
const maxDelaySeconds = 900;
const maxMessageAttributes = 10;
/** AWS accepts one PurgeQueue per queue every 60 seconds. */
const purgeIntervalMs = 60_000;
const queueName = /^[A-Za-z0-9_-]{1,80}$/;
const attributeName = /^(?!\.)(?!.*\.\.)(?!.*\.$)(?!(?:aws|amazon)\.)[A-Za-z0-9_.-]{1,256}$/i;
/** The characters SQS accepts in a body or a string attribute (XML 1.0's). */
const invalidCharacter = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const numberValue = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const queueAttributeNames = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
] as const;
type QueueAttributeName = (typeof queueAttributeNames)[number];
/** Those CreateQueue may name (and must then match, the queue being declared already). */
const settableAttributeNames: readonly QueueAttributeName[] = [
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
];

const systemAttributeNames = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
] as const;
type SystemAttributeName = (typeof systemAttributeNames)[number];

// ---- errors ------------------------------------------------------------------

/**
 * The errors this endpoint returns: the error shape (the SDK's exception class
 * and `__type`), the code of the query protocol that `x-amzn-query-error`
 * carries (from each shape's `awsQueryError` trait in the SQS model), and the
 * HTTP status. Unmodeled errors (InvalidParameterValue, MissingParameter…) are
 * SQS's common errors: the SDK raises them as SQSServiceException with that name.
 */
const errorKinds = {
  QueueDoesNotExist: { code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  ReceiptHandleIsInvalid: { code: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { code: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  PurgeQueueInProgress: { code: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  QueueNameExists: { code: 'QueueAlreadyExists', status: 400 },
  InvalidAddress: { code: 'InvalidAddress', status: 404 },
  UnsupportedOperation: { code: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidMessageContents: { code: 'InvalidMessageContents', status: 400 },
  InvalidAttributeName: { code: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { code: 'InvalidAttributeValue', status: 400 },
  InvalidParameterValue: { code: 'InvalidParameterValue', status: 400 },
  MissingParameter: { code: 'MissingParameter', status: 400 },
  SerializationException: { code: 'SerializationException', status: 400 },
  UnknownOperationException: { code: 'InvalidAction', status: 400 },
  InternalError: { code: 'InternalError', status: 500 },
} as const;
type ErrorKind = keyof typeof errorKinds;

class SqsError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = kind;
  }
}

const noSuchQueue = () => new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
const invalidValue = (parameter: string, value: unknown, reason: string) =>
  new SqsError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
  );

// ---- one queue -----------------------------------------------------------------

interface Waiter {
  wake: () => void;
}

class Queue {
  readonly messages = new Map<string, StoredMessage>();
  createdAt = Date.now();
  lastPurgeAt = 0;
  /** Lines in the log beyond the header: compaction is due when they are mostly dead. */
  private lines = 0;
  private readonly waiters = new Set<Waiter>();

  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly log: (message: string) => void,
  ) {}

  // -- persistence

  /** Reads the log (if any), drops expired messages, and rewrites it compacted. */
  load(now: number): void {
    if (existsSync(this.file)) {
      const text = readFileSync(this.file, 'utf8');
      const lines = text.split('\n');
      const complete = text.endsWith('\n') ? lines.length - 1 : lines.length;
      for (let i = 0; i < complete; i++) {
        const line = lines[i] ?? '';
        if (line.trim() === '') continue;
        const torn = i === complete - 1 && !text.endsWith('\n');
        if (!this.replay(line, i === 0)) {
          this.log(
            torn
              ? `${this.name}: ignoring a last line cut short by a crash`
              : `${this.name}: ignoring unreadable line ${i + 1} of ${this.file}`,
          );
        }
      }
    }
    for (const message of this.messages.values()) {
      if (expired(message, now)) this.messages.delete(message.id);
    }
    this.compact();
  }

  private replay(text: string, first: boolean): boolean {
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof line !== 'object' || line === null) return false;
    const entry = line as Json;
    if (first && typeof entry.queue === 'string') {
      if (typeof entry.createdAt === 'number') this.createdAt = entry.createdAt;
      if (typeof entry.lastPurgeAt === 'number') this.lastPurgeAt = entry.lastPurgeAt;
      return true;
    }
    if (entry.op === 'send' && isStoredMessage(entry.message)) {
      this.messages.set(entry.message.id, entry.message);
      return true;
    }
    if (entry.op === 'state' && typeof entry.id === 'string' && typeof entry.visibleAt === 'number') {
      const message = this.messages.get(entry.id);
      if (message) Object.assign(message, stateOf(entry as unknown as MessageState));
      return true;
    }
    if (entry.op === 'delete' && typeof entry.id === 'string') {
      this.messages.delete(entry.id);
      return true;
    }
    return false;
  }

  /** Appends changes to the log in one write; throws (and changes nothing) if the disk refuses. */
  append(...entries: LogLine[]): void {
    if (entries.length === 0) return;
    appendFileSync(this.file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.lines += entries.length;
  }

  /** Rewrites the log as a header plus one `send` line per live message. */
  compact(): void {
    const header = { queue: this.name, createdAt: this.createdAt, lastPurgeAt: this.lastPurgeAt, version: 1 };
    const lines = [JSON.stringify(header)];
    for (const message of this.messages.values()) lines.push(JSON.stringify({ op: 'send', message }));
    const temp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temp, `${lines.join('\n')}\n`);
    renameSync(temp, this.file);
    this.lines = this.messages.size;
  }

  compactIfMostlyDead(): void {
    if (this.lines > 64 && this.lines > 4 * this.messages.size) this.compact();
  }

  // -- messages

  add(message: StoredMessage): void {
    this.append({ op: 'send', message });
    this.messages.set(message.id, message);
    this.notify();
  }

  setState(message: StoredMessage, state: MessageState): void {
    this.append({ op: 'state', id: message.id, ...state });
    Object.assign(message, state);
  }

  delete(id: string): void {
    if (!this.messages.has(id)) return;
    this.append({ op: 'delete', id });
    this.messages.delete(id);
    this.compactIfMostlyDead();
  }

  purge(now: number): void {
    this.messages.clear();
    this.lastPurgeAt = now;
    this.compact();
  }

  /** Deletes the messages older than the retention period. */
  expire(now: number): void {
    const gone = [...this.messages.values()].filter((m) => expired(m, now));
    if (gone.length === 0) return;
    this.append(...gone.map((m) => ({ op: 'delete', id: m.id }) as const));
    for (const message of gone) this.messages.delete(message.id);
    this.compactIfMostlyDead();
  }

  /** Receives up to `max` visible messages, oldest first, hiding them for `visibilityMs`. */
  receive(max: number, visibilityMs: number, now: number): StoredMessage[] {
    this.expire(now);
    const taken: StoredMessage[] = [];
    for (const message of this.messages.values()) {
      if (taken.length === max) break;
      if (message.visibleAt <= now) taken.push(message);
    }
    const states = taken.map((message) => ({
      message,
      state: {
        visibleAt: now + visibilityMs,
        receiveCount: message.receiveCount + 1,
        firstReceivedAt: message.firstReceivedAt ?? now,
        receivedAt: now,
        receipt: randomUUID().replaceAll('-', ''),
      } satisfies MessageState,
    }));
    this.append(...states.map(({ message, state }) => ({ op: 'state', id: message.id, ...state }) as const));
    for (const { message, state } of states) Object.assign(message, state);
    return taken;
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    this.expire(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages.values()) {
      if (message.visibleAt <= now) visible++;
      else if (message.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** When the next hidden message becomes visible, if any. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next))
        next = message.visibleAt;
    }
    return next;
  }

  // -- long polling

  /** Resolves on the next change that may make a message visible, after `ms`, or when a signal aborts. */
  changed(ms: number, signals: AbortSignal[]): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          for (const signal of signals) signal.removeEventListener('abort', waiter.wake);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, Math.max(0, ms));
      for (const signal of signals) signal.addEventListener('abort', waiter.wake, { once: true });
      this.waiters.add(waiter);
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }
}

const expired = (message: StoredMessage, now: number) => message.sentAt + retentionSeconds * 1000 <= now;

const stateOf = (s: MessageState): MessageState => ({
  visibleAt: s.visibleAt,
  receiveCount: typeof s.receiveCount === 'number' ? s.receiveCount : 0,
  ...(typeof s.firstReceivedAt === 'number' ? { firstReceivedAt: s.firstReceivedAt } : {}),
  ...(typeof s.receivedAt === 'number' ? { receivedAt: s.receivedAt } : {}),
  ...(typeof s.receipt === 'string' ? { receipt: s.receipt } : {}),
});

const isStoredMessage = (value: unknown): value is StoredMessage => {
  const m = value as Partial<StoredMessage> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'string' &&
    typeof m.body === 'string' &&
    typeof m.md5 === 'string' &&
    typeof m.sentAt === 'number' &&
    typeof m.visibleAt === 'number' &&
    typeof m.receiveCount === 'number'
  );
};

// ---- the endpoint ------------------------------------------------------------------

class LocalSqsServer {
  private readonly queues = new Map<string, Queue>();
  private readonly operations: Record<string, (body: Json, signal: AbortSignal) => Json | Promise<Json>>;
  private readonly log: (message: string) => void;
  private server: Server | undefined;
  private origin = '';
  private readonly stopping = new AbortController();

  constructor(private readonly opts: LocalSqsOptions) {
    this.log = opts.log ?? (() => undefined);
    const dir = join(opts.dataDir, 'sqs');
    for (const name of opts.queues) {
      if (!queueName.test(name)) {
        throw new Error(
          `local SQS: "${name}" is no standard queue name (1 to 80 letters, digits, - or _; FIFO queues are not served)`,
        );
      }
      if (this.queues.has(name)) throw new Error(`local SQS: queue "${name}" is declared twice`);
      this.queues.set(name, new Queue(name, join(dir, `${name}.jsonl`), (m) => this.log(m)));
    }
    this.operations = {
      GetQueueUrl: (body) => this.getQueueUrl(body),
      ListQueues: (body) => this.listQueues(body),
      CreateQueue: (body) => this.createQueue(body),
      GetQueueAttributes: (body) => this.getQueueAttributes(body),
      SendMessage: (body) => this.sendMessage(this.queueOf(body), body),
      ReceiveMessage: (body, signal) => this.receiveMessage(body, signal),
      DeleteMessage: (body) => this.deleteMessage(body),
      ChangeMessageVisibility: (body) => this.changeMessageVisibility(body),
      PurgeQueue: (body) => this.purgeQueue(body),
    };
  }

  async start(port: number): Promise<string> {
    const dir = join(this.opts.dataDir, 'sqs');
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir)) {
      // A temp file is a compaction cut short: the log it was to replace is intact.
      if (file.endsWith('.tmp')) rmSync(join(dir, file), { force: true });
      else if (file.endsWith('.jsonl') && !this.queues.has(file.slice(0, -'.jsonl'.length))) {
        this.log(`keeping ${file}: its queue is not declared`);
      }
    }
    const now = Date.now();
    for (const queue of this.queues.values()) queue.load(now);
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
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const queue of this.queues.values()) queue.notify();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      // Long polls were just ended: give their answers a moment to leave, then cut what is left.
      const force = setTimeout(() => server.closeAllConnections(), 1000);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
  }

  queueUrl(name: string): string {
    return `${this.origin}/${this.opts.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.opts.region}:${this.opts.accountId}:${name}`;
  }

  send(name: string, body: string, attributes?: Record<string, MessageAttributeValue>): SendResult {
    if (this.stopping.signal.aborted) throw new Error('local SQS is stopped');
    const queue = this.queues.get(name);
    if (!queue) throw noSuchQueue();
    const wire =
      attributes === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(attributes).map(([key, value]) => [
              key,
              {
                DataType: value.DataType,
                ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
                ...(value.BinaryValue === undefined
                  ? {}
                  : { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
                // Refused as over HTTP.
                ...(value.StringListValues ? { StringListValues: value.StringListValues } : {}),
                ...(value.BinaryListValues ? { BinaryListValues: value.BinaryListValues } : {}),
              },
            ]),
          );
    return this.sendMessage(queue, {
      MessageBody: body,
      ...(wire ? { MessageAttributes: wire } : {}),
    }) as unknown as SendResult;
  }

  // ---- operations ------------------------------------------------------------

  private getQueueUrl(body: Json): Json {
    const name = requiredString(body, 'QueueName');
    const owner = optionalString(body, 'QueueOwnerAWSAccountId');
    if (!this.queues.has(name) || (owner !== undefined && owner !== this.opts.accountId)) throw noSuchQueue();
    return { QueueUrl: this.queueUrl(name) };
  }

  private listQueues(body: Json): Json {
    const prefix = optionalString(body, 'QueueNamePrefix') ?? '';
    const maxResults = optionalInteger(body, 'MaxResults');
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) {
      throw invalidValue('MaxResults', maxResults, 'MaxResults must be an integer between 1 and 1000.');
    }
    const token = optionalString(body, 'NextToken');
    const after = token === undefined ? undefined : decodeToken(token);
    const names = [...this.queues.keys()]
      .filter((name) => name.startsWith(prefix) && (after === undefined || name > after))
      .sort();
    const page = names.slice(0, maxResults ?? 1000);
    const more = maxResults !== undefined && names.length > page.length;
    const last = page.at(-1);
    return {
      ...(page.length > 0 ? { QueueUrls: page.map((name) => this.queueUrl(name)) } : {}),
      ...(more && last ? { NextToken: Buffer.from(last).toString('base64url') } : {}),
    };
  }

  /** Only for a declared queue, and only if every attribute given is the one it has (as AWS answers then). */
  private createQueue(body: Json): Json {
    const name = requiredString(body, 'QueueName');
    const queue = this.queues.get(name);
    if (!queue) {
      throw new SqsError(
        'UnsupportedOperation',
        `The local SQS serves only the queues declared at start (${[...this.queues.keys()].join(', ')}); it cannot create ${name}.`,
      );
    }
    const wanted = optionalStringMap(body, 'Attributes') ?? {};
    const current = this.queueAttributes(queue, Date.now());
    for (const [attribute, value] of Object.entries(wanted)) {
      if (!settableAttributeNames.includes(attribute as QueueAttributeName)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${attribute}.`);
      }
      if (current[attribute as QueueAttributeName] !== value) {
        throw new SqsError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute ${attribute}`,
        );
      }
    }
    return { QueueUrl: this.queueUrl(name) };
  }

  private getQueueAttributes(body: Json): Json {
    const queue = this.queueOf(body);
    const names = optionalStringList(body, 'AttributeNames') ?? [];
    for (const name of names) {
      if (name !== 'All' && !queueAttributeNames.includes(name as QueueAttributeName)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    if (names.length === 0) return {};
    const all = this.queueAttributes(queue, Date.now());
    const chosen = names.includes('All')
      ? all
      : Object.fromEntries(names.map((name) => [name, all[name as QueueAttributeName]]));
    return { Attributes: chosen };
  }

  private queueAttributes(queue: Queue, now: number): Record<QueueAttributeName, string> {
    const { visible, inFlight, delayed } = queue.counts(now);
    const created = String(Math.floor(queue.createdAt / 1000));
    return {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: created,
      LastModifiedTimestamp: created,
      QueueArn: this.queueArn(queue.name),
      VisibilityTimeout: String(defaultVisibilitySeconds),
      MaximumMessageSize: String(maxMessageBytes),
      MessageRetentionPeriod: String(retentionSeconds),
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
    };
  }

  private sendMessage(queue: Queue, body: Json): Json {
    const text = optionalString(body, 'MessageBody');
    if (text === undefined || text === '') {
      throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    }
    for (const fifoOnly of ['MessageGroupId', 'MessageDeduplicationId']) {
      if (body[fifoOnly] !== undefined && body[fifoOnly] !== null) {
        throw new SqsError(
          'InvalidParameterValue',
          `The request include parameter that is not valid for this queue type. Reason: ${fifoOnly} is for FIFO queues.`,
        );
      }
    }
    if (body.MessageSystemAttributes !== undefined && body.MessageSystemAttributes !== null) {
      throw new SqsError('UnsupportedOperation', 'The local SQS does not store message system attributes.');
    }
    const invalid = invalidCharacter.exec(text);
    if (invalid) throw invalidContents(invalid[0], 'the message body');
    const delay = optionalInteger(body, 'DelaySeconds') ?? 0;
    if (delay < 0 || delay > maxDelaySeconds) {
      throw invalidValue('DelaySeconds', delay, `DelaySeconds must be >= 0 and <= ${maxDelaySeconds}`);
    }
    const attributes = messageAttributes(body.MessageAttributes);
    const size = Buffer.byteLength(text) + (attributes ? attributesSize(attributes) : 0);
    if (size > maxMessageBytes) {
      throw new SqsError(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${maxMessageBytes} bytes.`,
      );
    }
    const now = Date.now();
    const message: StoredMessage = {
      id: randomUUID(),
      body: text,
      md5: md5Hex(Buffer.from(text, 'utf8')),
      ...(attributes ? { attributes, md5OfAttributes: md5OfAttributes(attributes) } : {}),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    queue.add(message);
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5,
      ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes } : {}),
    };
  }

  private async receiveMessage(body: Json, signal: AbortSignal): Promise<Json> {
    const queue = this.queueOf(body);
    const max = optionalInteger(body, 'MaxNumberOfMessages') ?? 1;
    if (max < 1 || max > 10) {
      throw invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
    }
    const visibility = optionalInteger(body, 'VisibilityTimeout') ?? defaultVisibilitySeconds;
    if (visibility < 0 || visibility > maxVisibilitySeconds) {
      throw invalidValue(
        'VisibilityTimeout',
        visibility,
        `Must be between 0 and ${maxVisibilitySeconds}, if provided.`,
      );
    }
    const wait = optionalInteger(body, 'WaitTimeSeconds') ?? 0;
    if (wait < 0 || wait > maxWaitSeconds) {
      throw invalidValue('WaitTimeSeconds', wait, `Must be >= 0 and <= ${maxWaitSeconds}, if provided.`);
    }
    // MessageSystemAttributeNames replaced the deprecated AttributeNames; either asks. Names
    // this queue has no value for (FIFO's SequenceNumber, AWSTraceHeader…) are left out.
    const system = new Set([
      ...(optionalStringList(body, 'MessageSystemAttributeNames') ?? []),
      ...(optionalStringList(body, 'AttributeNames') ?? []),
    ]);
    const wantedAttributes = optionalStringList(body, 'MessageAttributeNames') ?? [];

    const deadline = Date.now() + wait * 1000;
    for (;;) {
      if (signal.aborted || this.stopping.signal.aborted) return {};
      const now = Date.now();
      const taken = queue.receive(max, visibility * 1000, now);
      if (taken.length > 0) {
        return { Messages: taken.map((m) => this.received(queue, m, system, wantedAttributes)) };
      }
      if (now >= deadline) return {};
      const next = queue.nextVisibleAt(now) ?? Number.POSITIVE_INFINITY;
      await queue.changed(Math.min(deadline, next) - now, [signal, this.stopping.signal]);
    }
  }

  private received(
    queue: Queue,
    message: StoredMessage,
    system: Set<string>,
    wantedAttributes: string[],
  ): Json {
    const all = system.has('All');
    const values: Record<SystemAttributeName, string | undefined> = {
      SenderId: this.opts.accountId,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp:
        message.firstReceivedAt === undefined ? undefined : String(message.firstReceivedAt),
    };
    const attributes = Object.fromEntries(
      systemAttributeNames
        .filter((name) => all || system.has(name))
        .flatMap((name) => (values[name] === undefined ? [] : [[name, values[name]]])),
    );
    const userAttributes = selectAttributes(message.attributes, wantedAttributes);
    return {
      MessageId: message.id,
      ReceiptHandle: receiptHandle(queue.name, message),
      MD5OfBody: message.md5,
      Body: message.body,
      ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      ...(userAttributes
        ? { MessageAttributes: userAttributes, MD5OfMessageAttributes: md5OfAttributes(userAttributes) }
        : {}),
    };
  }

  /**
   * A handle of this queue deletes its message, whichever receive it came from
   * (AWS: "If you use an old ReceiptHandle, the request will succeed, but the
   * message might not be deleted"); one of a message already deleted succeeds.
   */
  private deleteMessage(body: Json): Json {
    const queue = this.queueOf(body);
    const handle = parseReceiptHandle(requiredString(body, 'ReceiptHandle'), queue.name);
    queue.delete(handle.id);
    return {};
  }

  private changeMessageVisibility(body: Json): Json {
    const queue = this.queueOf(body);
    const raw = requiredString(body, 'ReceiptHandle');
    const handle = parseReceiptHandle(raw, queue.name);
    const timeout = optionalInteger(body, 'VisibilityTimeout');
    if (timeout === undefined) {
      throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    }
    if (timeout < 0 || timeout > maxVisibilitySeconds) {
      throw invalidValue(
        'VisibilityTimeout',
        timeout,
        `Must be between 0 and ${maxVisibilitySeconds}, if provided.`,
      );
    }
    const message = queue.messages.get(handle.id);
    if (!message || message.receipt !== handle.receipt) {
      throw invalidValue(
        'ReceiptHandle',
        raw,
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    const now = Date.now();
    if (message.visibleAt <= now) {
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    }
    if (now + timeout * 1000 > (message.receivedAt ?? now) + maxVisibilitySeconds * 1000) {
      throw invalidValue(
        'VisibilityTimeout',
        timeout,
        `Total VisibilityTimeout for the message is beyond the limit [${maxVisibilitySeconds} seconds]`,
      );
    }
    queue.setState(message, { ...stateOf(message), visibleAt: now + timeout * 1000 });
    if (timeout === 0) queue.notify();
    return {};
  }

  private purgeQueue(body: Json): Json {
    const queue = this.queueOf(body);
    const now = Date.now();
    if (queue.lastPurgeAt > 0 && now - queue.lastPurgeAt < purgeIntervalMs) {
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
      );
    }
    queue.purge(now);
    return {};
  }

  /** The queue a QueueUrl names: any host (localhost, 127.0.0.1, an AWS-style one), path `/<account>/<name>`. */
  private queueOf(body: Json): Queue {
    const url = requiredString(body, 'QueueUrl');
    let path: string[] = [];
    try {
      path = new URL(url).pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      // not a URL, or a malformed %-escape: path stays empty
    }
    if (path.length !== 2) {
      throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
    }
    const [account, name] = path as [string, string];
    const queue = account === this.opts.accountId ? this.queues.get(name) : undefined;
    if (!queue) throw noSuchQueue();
    return queue;
  }

  // ---- HTTP --------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A client that hangs up ends its long poll: messages are not hidden for nobody.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      // Read (bounded) before anything is refused, so that the refusal reaches the client.
      const raw = await readBody(req);
      if (req.method !== 'POST') {
        throw new SqsError('UnknownOperationException', 'The local SQS answers only POST requests.');
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
      const run = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
      if (!run) {
        throw operation
          ? new SqsError('UnsupportedOperation', `The local SQS does not implement ${operation}.`)
          : new SqsError(
              'UnknownOperationException',
              `Unknown operation '${target}': the local SQS speaks the AWS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.<Operation>).`,
            );
      }
      const result = await run(parseJson(raw), gone.signal);
      // Answers given while stopping close their connection, so that stop() need not cut it.
      if (this.stopping.signal.aborted) res.setHeader('connection', 'close');
      reply(res, 200, result);
    } catch (error) {
      if (error instanceof SqsError) {
        replyError(res, error);
      } else {
        this.log(
          `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        replyError(res, new SqsError('InternalError', 'We encountered an internal error. Please try again.'));
      }
    }
  }
}

/** Starts the endpoint on 127.0.0.1 with the messages left in `<dataDir>/sqs/`. */
export const startLocalSqs = async (opts: LocalSqsOptions): Promise<LocalSqs> => {
  const sqs = new LocalSqsServer(opts);
  const endpoint = await sqs.start(opts.port ?? 0);
  return {
    endpoint,
    queueUrl: (name) => sqs.queueUrl(name),
    queueArn: (name) => sqs.queueArn(name),
    send: (name, body, attributes) => sqs.send(name, body, attributes),
    stop: () => sqs.stop(),
  };
};

// ---- message attributes ----------------------------------------------------------

const invalidContents = (character: string, where: string) =>
  new SqsError(
    'InvalidMessageContents',
    `Invalid binary character '#x${(character.codePointAt(0) ?? 0).toString(16).toUpperCase()}' was found in ${where}, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
  );

/** Validates MessageAttributes as SendMessage does; undefined when there are none. */
const messageAttributes = (value: unknown): Record<string, WireAttribute> | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SqsError('SerializationException', "'MessageAttributes' must be an object");
  }
  const entries = Object.entries(value as Json);
  if (entries.length === 0) return undefined;
  if (entries.length > maxMessageAttributes) {
    throw new SqsError(
      'InvalidParameterValue',
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${maxMessageAttributes}].`,
    );
  }
  const result: Record<string, WireAttribute> = {};
  for (const [name, raw] of entries) {
    if (!attributeName.test(name)) {
      throw new SqsError('InvalidParameterValue', `Message (user) attribute name '${name}' is invalid.`);
    }
    if (typeof raw !== 'object' || raw === null) {
      throw new SqsError('SerializationException', `Message attribute '${name}' must be an object`);
    }
    const attribute = raw as Json;
    const type = optionalString(attribute, 'DataType');
    if (!type) {
      throw new SqsError(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    }
    const base = /^(String|Number|Binary)(\..+)?$/.exec(type)?.[1];
    if (!base || type.length > 256) {
      throw new SqsError(
        'InvalidParameterValue',
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    for (const list of ['StringListValues', 'BinaryListValues']) {
      const values = attribute[list];
      if (Array.isArray(values) && values.length > 0) {
        throw new SqsError(
          'InvalidParameterValue',
          `Message attribute list values are not supported (${name}).`,
        );
      }
    }
    if (base === 'Binary') {
      const encoded = optionalString(attribute, 'BinaryValue');
      const bytes = encoded === undefined ? undefined : Buffer.from(encoded, 'base64');
      if (!bytes || bytes.length === 0) {
        throw new SqsError(
          'InvalidParameterValue',
          `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
        );
      }
      result[name] = { DataType: type, BinaryValue: bytes.toString('base64') };
    } else {
      const text = optionalString(attribute, 'StringValue');
      if (text === undefined || text === '') {
        throw new SqsError(
          'InvalidParameterValue',
          `The message attribute '${name}' with type '${base}' must use field 'String'.`,
        );
      }
      if (base === 'Number' && !numberValue.test(text)) {
        throw new SqsError(
          'InvalidParameterValue',
          `Can't cast the value of message (user) attribute '${name}' to a number.`,
        );
      }
      const invalid = invalidCharacter.exec(text);
      if (invalid) throw invalidContents(invalid[0], `the message attribute '${name}'`);
      result[name] = { DataType: type, StringValue: text };
    }
  }
  return result;
};

const attributeValue = (attribute: WireAttribute): Buffer =>
  attribute.BinaryValue !== undefined
    ? Buffer.from(attribute.BinaryValue, 'base64')
    : Buffer.from(attribute.StringValue ?? '', 'utf8');

/** What attributes count toward the message size: names, types and values. */
const attributesSize = (attributes: Record<string, WireAttribute>): number =>
  Object.entries(attributes).reduce(
    (sum, [name, a]) =>
      sum + Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + attributeValue(a).length,
    0,
  );

/**
 * MD5OfMessageAttributes as SQS computes it: over the attributes in order of
 * name, each as length-prefixed (4 bytes, big-endian) name and data type, a
 * transport byte (1 string, 2 binary), and the length-prefixed value.
 */
const md5OfAttributes = (attributes: Record<string, WireAttribute>): string => {
  const parts: Buffer[] = [];
  const prefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name] as WireAttribute;
    prefixed(Buffer.from(name, 'utf8'));
    prefixed(Buffer.from(attribute.DataType, 'utf8'));
    parts.push(Buffer.from([attribute.BinaryValue !== undefined ? 2 : 1]));
    prefixed(attributeValue(attribute));
  }
  return md5Hex(Buffer.concat(parts));
};

/** ReceiveMessage's MessageAttributeNames: `All`, `.*`, exact names, or `prefix.*`. */
const selectAttributes = (
  attributes: Record<string, WireAttribute> | undefined,
  wanted: string[],
): Record<string, WireAttribute> | undefined => {
  if (!attributes || wanted.length === 0) return undefined;
  const matches = (name: string) =>
    wanted.some(
      (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
    );
  const chosen = Object.fromEntries(Object.entries(attributes).filter(([name]) => matches(name)));
  return Object.keys(chosen).length > 0 ? chosen : undefined;
};

const md5Hex = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');

// ---- receipt handles ---------------------------------------------------------------

/** Opaque to clients: base64url of `<queue> <message id> <receive token>`, a new token each receive. */
const receiptHandle = (queue: string, message: StoredMessage): string =>
  Buffer.from(`${queue} ${message.id} ${message.receipt ?? ''}`).toString('base64url');

const parseReceiptHandle = (handle: string, queue: string): { id: string; receipt: string } => {
  const invalid = () =>
    new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  const text = Buffer.from(handle, 'base64url').toString('utf8');
  if (Buffer.from(text).toString('base64url') !== handle) throw invalid();
  const [owner, id, receipt, ...rest] = text.split(' ');
  if (owner !== queue || !id || !receipt || rest.length > 0) throw invalid();
  return { id, receipt };
};

// ---- request parsing ------------------------------------------------------------------

const typeError = (field: string, type: string) =>
  new SqsError('SerializationException', `'${field}' must be ${type}`);

const optionalString = (body: Json, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(field, 'a string');
  return value;
};

const requiredString = (body: Json, field: string): string => {
  const value = optionalString(body, field);
  if (value === undefined || value === '') {
    throw new SqsError('MissingParameter', `The request must contain the parameter ${field}.`);
  }
  return value;
};

const optionalInteger = (body: Json, field: string): number | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw typeError(field, 'an integer');
  return value;
};

const optionalStringList = (body: Json, field: string): string[] | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw typeError(field, 'a list of strings');
  return value as string[];
};

const optionalStringMap = (body: Json, field: string): Record<string, string> | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw typeError(field, 'a map of strings');
  }
  return value as Record<string, string>;
};

const decodeToken = (token: string): string => {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (!name || Buffer.from(name).toString('base64url') !== token) {
    throw new SqsError('InvalidParameterValue', 'Invalid NextToken value.');
  }
  return name;
};

// ---- HTTP helpers ------------------------------------------------------------------------

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxRequestBytes) chunks.push(chunk); // keep reading so that the reply reaches the client
  }
  if (size > maxRequestBytes) {
    throw new SqsError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: the request has more than ${maxRequestBytes} bytes.`,
    );
  }
  return Buffer.concat(chunks);
};

const parseJson = (raw: Buffer): Json => {
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new SqsError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SqsError('SerializationException', 'The request body must be a JSON object');
  }
  return body as Json;
};

const reply = (
  res: ServerResponse,
  status: number,
  body: Json,
  headers: Record<string, string> = {},
): void => {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
};

const replyError = (res: ServerResponse, error: SqsError): void => {
  const { code, status } = errorKinds[error.kind];
  reply(
    res,
    status,
    { __type: `com.amazonaws.sqs#${error.kind}`, message: error.message },
    { 'x-amzn-query-error': `${code};${status >= 500 ? 'Receiver' : 'Sender'}` },
  );
};

// ---- Lambda's on-failure record --------------------------------------------------------------

export interface LambdaFailure {
  /** The function's ARN; unqualified means `$LATEST`, as the record then names it. */
  functionArn: string;
  requestId: string;
  /** The event of the asynchronous invocation (JSON). */
  event: unknown;
  /** What the last attempt threw. */
  error: unknown;
  /** Attempts made, 1 + retries (3 with the default two retries). */
  attempts: number;
  timestamp?: Date;
}

/**
 * The record Lambda sends to an on-failure destination (an SQS queue gets it as
 * the message body) when an asynchronous invocation has exhausted its retries,
 * per "Capturing records of Lambda asynchronous invocations" in the Lambda
 * Developer Guide. Less certain fields:
 * - `requestContext.functionArn` carries the version that ran: the documented
 *   examples show `...:function:name:$LATEST` for an unqualified invocation.
 * - `responseContext.functionError`: the 2019 examples (and aws-cdk-lib's
 *   README) show "Handled"; today's Node.js runtimes report a thrown error
 *   through the Runtime API's error endpoint, which Lambda labels "Unhandled"
 *   (what `aws lambda invoke` prints as FunctionError for a throwing handler).
 * - `responsePayload` is the runtime's error document. The Node.js runtime
 *   interface client builds it as `{errorType: name, errorMessage: message,
 *   trace: stack lines}` for an Error and `{errorType: typeof value,
 *   errorMessage: String(value), trace: []}` otherwise; older runtimes wrote
 *   `stackTrace`. A timeout would instead read `Sandbox.Timedout` with "Task
 *   timed out after N seconds": not built here, local functions are not timed out.
 * - `timestamp` is when the record was made, ISO 8601 with milliseconds.
 * - When the record exceeds the destination's size limit, AWS fails the delivery
 *   (DestinationDeliveryFailures metric); `send` refuses it with InvalidParameterValue.
 */
export const lambdaFailureRecord = ({
  functionArn,
  requestId,
  event,
  error,
  attempts,
  timestamp = new Date(),
}: LambdaFailure) => ({
  version: '1.0' as const,
  timestamp: timestamp.toISOString(),
  requestContext: {
    requestId,
    functionArn: functionArn.split(':').length === 7 ? `${functionArn}:$LATEST` : functionArn,
    condition: 'RetriesExhausted' as const,
    approximateInvokeCount: attempts,
  },
  requestPayload: event,
  responseContext: {
    statusCode: 200,
    executedVersion: '$LATEST',
    functionError: 'Unhandled' as const,
  },
  responsePayload: runtimeErrorDocument(error),
});

const runtimeErrorDocument = (
  error: unknown,
): { errorType: string; errorMessage: string; trace: string[] } => {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};
