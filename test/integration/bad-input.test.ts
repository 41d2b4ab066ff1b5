import { randomBytes } from 'node:crypto';
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { auditOperations } from '#handlers/api/audit';
import { burdenOperations } from '#handlers/api/burden';
import { campaignFileOperations } from '#handlers/api/campaign-files';
import { campaignOperations } from '#handlers/api/campaigns';
import { evidenceOperations } from '#handlers/api/evidence';
import { exportOperations } from '#handlers/api/exports';
import { inspectionOperations } from '#handlers/api/inspections';
import { kindergartenCycleOperations } from '#handlers/api/kindergarten-cycle';
import { principalOperations } from '#handlers/api/principals';
import { rankingOperations } from '#handlers/api/ranking';
import { registryOperations } from '#handlers/api/registry';
import { systemOperations } from '#handlers/api/system';
import { teamOperations } from '#handlers/api/teams';
import { cursorSeal } from '#lib/cursor';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import {
  activeCountyCampaign,
  createCampaign,
  launchAndWait,
  waitForExecution,
} from '#test/support/campaigns';
import { png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * Bad input is normal input: every request, however malformed, is answered
 * with a 4xx application/problem+json, never a 5xx and never a stack trace.
 *
 * The corpus is generated from the API's own description (GET /openapi.json):
 * for every operation, one change at a time away from a valid request made by
 * a real, authorised caller on real data (江岸区, Wuhan, 420102) — every
 * path and query parameter and every field of the body schema gets wrong
 * types, missing and extra fields, strings and lists over their limits,
 * Unicode oddities, numbers out of range, dates that do not exist, foreign
 * and forged cursors, odd ids, non-JSON bodies, wrong content types, oversize
 * and deeply nested bodies; then the hand-written cases that once were 500s,
 * and raw HTTP oddities through node:http and node:net.
 *
 * Each case has an intent. `reject`: the request breaks the documented
 * contract (its JSON Schema, or a documented rule), so the answer must be a
 * 4xx problem. `survive`: the request is odd but may be valid (an emoji in a
 * free-text field, an unknown query parameter the schema strips), so any
 * status below 500 will do, and a 4xx must still be a well-formed problem.
 * Failures are collected and reported once per block as a table.
 */

const county = '420102';
const town = '420102002';
const otherCounty = '420103';
const schools = Array.from({ length: 6 }, (_, i) => `42010200${String(i + 1).padStart(2, '0')}`);
const inspectorId = 'IWH420102';
const wideTemplateId = 'bad-input-wide';
const concurrency = 8;

// ---------------------------------------------------------------------------
// Sending and judging
// ---------------------------------------------------------------------------

type Intent = 'reject' | 'survive';

interface Case {
  /** The route key, e.g. `GET /schools/{id}`. */
  op: string;
  name: string;
  intent: Intent;
  method: string;
  /** The request target exactly as sent (path and query, already encoded). */
  target: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Raw HTTP oddity: any 4xx (or a closed connection) is an answer. */
  raw?: boolean;
  /** Bytes written as they are to a TCP socket (framing oddities). */
  bytes?: Buffer;
}

type Answer = { status: number; headers: IncomingHttpHeaders; text: string } | { closed: string };

const port = () => Number(new URL(apiUrl()).port);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency, keepAliveMsecs: 500 });

const httpExchange = (c: Case, useAgent: boolean): Promise<Answer> =>
  new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: port(),
        method: c.method,
        path: c.target,
        // node:http frames a GET's or DELETE's body only when told its length.
        headers:
          c.body !== undefined &&
          !Object.keys(c.headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h))
            ? { ...c.headers, 'content-length': String(Buffer.byteLength(c.body)) }
            : c.headers,
        agent: useAgent ? agent : false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (e) => resolve({ closed: e.message }));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (e) => resolve({ closed: `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}` }));
    req.end(c.body);
  });

/** Raw bytes on a fresh TCP connection; the first response, or how the connection ended. */
const netExchange = (bytes: Buffer): Promise<Answer> =>
  new Promise((resolve) => {
    const socket = connect(port(), '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!head) return resolve({ closed: text ? `unparseable answer: ${text.slice(0, 80)}` : 'closed' });
      const headers: IncomingHttpHeaders = {};
      for (const line of head[2]!.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(head[1]), headers, text: Buffer.from(head[3]!, 'latin1').toString('utf8') });
    };
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(bytes);
    // Half-close only after the server had a moment to answer what it has.
    setTimeout(() => socket.end(), 300);
  });

const send = async (c: Case): Promise<Answer> => {
  if (c.bytes) return netExchange(c.bytes);
  if (c.raw) return httpExchange(c, false);
  // A kept-alive socket the server closed a moment ago fails at once: try again on a fresh one.
  const first = await httpExchange(c, true);
  if ('closed' in first && /ECONNRESET|EPIPE|socket hang up/.test(first.closed))
    return httpExchange(c, false);
  return first;
};

/** `at fn (file:line:col)` or `at file.ts:line:col`, as V8 prints a stack. */
const stackTrace = /\bat (?:async )?[^\s()]+ \([^\s()]+:\d+:\d+\)|\bat [^\s()]+\.(?:[cm]?js|ts):\d+:\d+/;
const internals =
  /DynamoDB|ValidationException|TransactionCanceled|ConditionalCheckFailed|ResourceNotFound|AccessDenied|\.ts:|\.ts\b|\.mjs\b|node_modules|node:internal|file:\/\/|aws-sdk|Internal error|TypeError|RangeError|ReferenceError|Cannot read prop/i;

/** What is wrong with a problem+json answer, or undefined. */
const problemFault = (a: { status: number; headers: IncomingHttpHeaders; text: string }) => {
  const type = String(a.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `content type "${type}"`;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(a.text) as Record<string, unknown>;
  } catch {
    return 'the problem is not JSON';
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return 'the problem is not an object';
  if (typeof p.type !== 'string' || !/^https?:\/\/\S+$/.test(p.type)) return 'problem.type is not a URI';
  if (typeof p.title !== 'string' || p.title === '') return 'problem.title missing';
  if (p.status !== a.status) return `problem.status ${String(p.status)} ≠ HTTP ${a.status}`;
  if (typeof p.detail !== 'string' || p.detail === '') return 'problem.detail missing';
  if (typeof p.requestId !== 'string' || p.requestId === '') return 'problem.requestId missing';
  const header = a.headers['x-request-id'];
  if (header !== undefined && header !== p.requestId) return 'problem.requestId ≠ x-request-id';
  if (p.errors !== undefined) {
    if (!Array.isArray(p.errors)) return 'problem.errors is not a list';
    const bad = p.errors.find(
      (e) =>
        typeof e !== 'object' ||
        e === null ||
        typeof (e as { path?: unknown }).path !== 'string' ||
        typeof (e as { message?: unknown }).message !== 'string',
    );
    if (bad !== undefined) return 'an entry of problem.errors is not {path, message}';
  }
  if (p.type.endsWith('/validation-failed') && !(Array.isArray(p.errors) && p.errors.length > 0))
    return 'a validation problem without errors[]';
  return undefined;
};

/** Why an answer breaks the rule for its case, or undefined. */
const judge = (c: Case, a: Answer): string | undefined => {
  if ('closed' in a) return c.raw ? undefined : `no answer (${a.closed})`;
  if (stackTrace.test(a.text)) return 'stack trace in the body';
  if (a.status >= 500) return `a ${a.status}`;
  if (a.status < 400) {
    if (c.intent === 'reject') return `accepted (${a.status})`;
    return undefined;
  }
  if (internals.test(a.text)) return 'internal names in the body';
  // The gateway's own parser answers some raw oddities before any problem can be written.
  if (c.raw && !String(a.headers['content-type'] ?? '').startsWith('application/problem+json'))
    return undefined;
  return problemFault(a);
};

interface Outcome {
  c: Case;
  answer: Answer;
  fault: string | undefined;
  ms: number;
}

const runAll = async (cases: readonly Case[]): Promise<Outcome[]> => {
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      const started = performance.now();
      const answer = await send(c);
      outcomes[i] = { c, answer, fault: judge(c, answer), ms: performance.now() - started };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
};

const statusOf = (a: Answer) => ('closed' in a ? 'closed' : String(a.status));
const excerpt = (a: Answer) =>
  'closed' in a ? a.closed : a.text.replace(/\s+/g, ' ').slice(0, 200) || '(empty body)';

/** One failure for the whole block, with every failing case as a row. */
const failOnce = (what: string, outcomes: readonly Outcome[]) => {
  const failed = outcomes.filter((o) => o.fault !== undefined);
  if (failed.length === 0) return;
  const rows = failed.map(
    (o) =>
      `${o.c.method} ${o.c.op.split(' ')[1]} — ${o.c.name} — ${statusOf(o.answer)} (${o.fault}) — ${excerpt(o.answer)}`,
  );
  expect.fail(`${failed.length} of ${outcomes.length} ${what} broke the rule:\n${rows.join('\n')}`);
};

/** Per operation: how many cases, of which intent, which answers, how long; and what odd input got through. */
const summary = (title: string, outcomes: readonly Outcome[]) => {
  const byOp = new Map<string, Outcome[]>();
  for (const o of outcomes) byOp.set(o.c.op, [...(byOp.get(o.c.op) ?? []), o]);
  const count = (list: readonly string[]) => {
    const n = new Map<string, number>();
    for (const x of list) n.set(x, (n.get(x) ?? 0) + 1);
    return [...n].sort((a, b) => b[1] - a[1]);
  };
  const lines = [...byOp].map(([op, list]) => {
    const reject = list.filter((o) => o.c.intent === 'reject').length;
    const statuses = count(list.map((o) => statusOf(o.answer)))
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    const failed = list.filter((o) => o.fault).length;
    const seconds = (list.reduce((t, o) => t + o.ms, 0) / 1000).toFixed(1);
    return `${op.padEnd(52)} ${String(list.length).padStart(4)} (${reject} reject) ${seconds.padStart(5)} s  ${statuses}${failed ? `  ${failed} FAILED` : ''}`;
  });
  // Odd requests that were accepted (all of intent `survive`), by kind of oddity.
  const accepted = count(
    outcomes
      .filter((o) => !('closed' in o.answer) && o.answer.status < 400)
      .map((o) => o.c.name.replace(/^\[\d+\] /, '').replace(/^body\.[^:]+: /, 'body field: ')),
  )
    .map(([name, n]) => `  ${n}× ${name}`)
    .join('\n');
  console.log(
    `${title}: ${outcomes.length} cases\n${lines.join('\n')}${accepted ? `\naccepted odd requests:\n${accepted}` : ''}`,
  );
};

// ---------------------------------------------------------------------------
// Generating bad variants from JSON Schema
// ---------------------------------------------------------------------------

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  maximum?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  maxItems?: number;
  minItems?: number;
}

/** A JSON number written exactly as given (1e999, -0, 1.0), which JSON.stringify cannot produce. */
class RawNumber {
  constructor(readonly text: string) {}
}
const stringify = (value: unknown): string => {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v instanceof RawNumber ? `\u0000raw${raws.push(v.text) - 1}\u0000` : v,
  );
  return raws.length === 0 ? text : text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i) => raws[Number(i)]!);
};

type Path = (string | number)[];
interface Mutation {
  at: Path;
  name: string;
  intent: Intent;
  value?: unknown;
  remove?: boolean;
}

const mutate = (root: unknown, m: Mutation): unknown => {
  if (m.at.length === 0) return m.value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of m.at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = m.at.at(-1)!;
  if (m.remove) delete parent[last];
  // defineProperty, so that even `__proto__` becomes an own key of the JSON.
  else
    Object.defineProperty(parent, last, {
      value: m.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
};

const codePoints = (s: string) => [...s].length;
const typeOf = (s: Schema): string | undefined => {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  if (s.const !== undefined) return typeof s.const;
  if (s.enum) return typeof s.enum[0];
  return undefined;
};

/** Does a string satisfy the JSON Schema of a string (as OpenAPI describes it)? */
const stringOk = (s: Schema, v: string): boolean => {
  if (s.const !== undefined && v !== s.const) return false;
  if (s.enum && !s.enum.includes(v)) return false;
  if (s.maxLength !== undefined && codePoints(v) > s.maxLength) return false;
  if (s.minLength !== undefined && codePoints(v) < s.minLength) return false;
  if (s.pattern && !new RegExp(s.pattern).test(v)) return false;
  return true;
};
const numberOk = (s: Schema, v: number): boolean =>
  Number.isFinite(v) &&
  (typeOf(s) !== 'integer' || Number.isInteger(v)) &&
  (s.maximum === undefined || v <= s.maximum) &&
  (s.minimum === undefined || v >= s.minimum) &&
  (s.exclusiveMinimum === undefined || v > s.exclusiveMinimum) &&
  (s.exclusiveMaximum === undefined || v < s.exclusiveMaximum);

/** Strings that trip up parsers, storage, logs and displays. */
const unicodeOddities: [string, string][] = [
  ['lone surrogates', 'a\ud800b\udfff'],
  ['NUL', 'a\u0000b'],
  ['RTL override and mark', '\u202Eevil\u202C\u200Fشرح'],
  ['invisible and control characters', '\u200B\uFEFFe\u0301\u0301\u0085\u007f'],
  ['emoji with ZWJ', '👩‍👩‍👧‍👦🎉'],
  ['4-byte Chinese (CJK Ext. B)', '𠀀𠀁𠂉𪚥'],
  ['only whitespace', ' \t\n '],
];
/** A string whose value is constrained (pattern, enum, format): every oddity is refused alike. */
const constrained = (s: Schema) => Boolean(s.pattern || s.enum || s.const !== undefined || s.format);

const dateOddities = [
  '2026-02-30',
  '9999-99-99',
  '2026-13-01',
  '2026-00-10',
  '2025-02-29',
  '2026-1-5',
  '20260105',
];
const dateTimeOddities = [
  '2026-02-30T10:00:00Z',
  '2026-01-05T24:00:00Z',
  '2026-01-05T10:60:00Z',
  '9999-99-99T99:99:99Z',
  '2026-01-05 10:00:00Z',
  '2026-01-05',
];

/** Candidate strings for a string field whose valid value is `base` (if there is one). */
const stringCandidates = (s: Schema, base: string | undefined, far: number): [string, string][] => {
  const out: [string, string][] = [];
  if (s.maxLength !== undefined) {
    out.push([`one over maxLength (${s.maxLength + 1})`, 'x'.repeat(s.maxLength + 1)]);
    out.push([
      `far over maxLength (${Math.max(far, s.maxLength * 10)})`,
      'x'.repeat(Math.max(far, s.maxLength * 10)),
    ]);
    if (!constrained(s)) {
      out.push([`maxLength 4-byte characters (${s.maxLength} code points)`, '𠀀'.repeat(s.maxLength)]);
      out.push([`maxLength 3-byte Chinese characters`, '中'.repeat(s.maxLength)]);
    }
  } else {
    out.push([`very long (${far})`, 'x'.repeat(far)]);
  }
  out.push(['empty', '']);
  out.push(...(constrained(s) ? unicodeOddities.slice(0, 2) : unicodeOddities));
  if (base !== undefined && constrained(s)) {
    out.push(['with a trailing !', `${base}!`], ['with a leading space', ` ${base}`]);
    out.push(['with a trailing newline', `${base}\n`], ['with a NUL appended', `${base}\u0000`]);
    if (base.toUpperCase() !== base) out.push(['upper-cased', base.toUpperCase()]);
  }
  if (s.enum) out.push(['not one of the enum', 'no-such-value']);
  if (s.format === 'date') for (const d of dateOddities) out.push([`date ${d}`, d]);
  if (s.format === 'date-time') for (const d of dateTimeOddities) out.push([`date-time ${d}`, d]);
  return out;
};

const wrongTypes = (s: Schema, nullable: boolean): [string, unknown][] => {
  const type = typeOf(s);
  if (type === undefined) return [];
  const all: [string, unknown][] = [
    ['null', null],
    ['true', true],
    ['0', 0],
    ['"x"', 'x'],
    ['[]', []],
    ['{}', {}],
  ];
  return all.filter(([, v]) => {
    if (v === null) return !nullable;
    if (typeof v === 'boolean') return type !== 'boolean';
    if (typeof v === 'number') return type !== 'number' && !(type === 'integer' && Number.isInteger(v));
    if (typeof v === 'string') return type !== 'string' || !stringOk(s, v);
    if (Array.isArray(v)) return type !== 'array';
    return type !== 'object';
  });
};

/** Every one-change-away variant of `value` (valid for `s`), as mutations at `at`. */
const mutationsOf = (s: Schema, value: unknown, at: Path, nullable = false): Mutation[] => {
  const out: Mutation[] = [];
  const label = (what: string) => `${['body', ...at].join('.')}: ${what}`;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const nonNull = alternatives.filter((a) => a.type !== 'null');
    // The member the value is of: by its `type` or `kind` constant, else by the keys it requires.
    const given = (value ?? {}) as Record<string, unknown>;
    const member =
      nonNull.find((m) =>
        (['type', 'kind'] as const).some((key) => {
          const discriminator = m.properties?.[key]?.const;
          return discriminator !== undefined && given[key] === discriminator;
        }),
      ) ??
      nonNull.find(
        (m) =>
          typeof value === 'object' &&
          value !== null &&
          (m.required ?? []).length > 0 &&
          (m.required ?? []).every((k) => k in given),
      ) ??
      nonNull[0]!;
    if (nonNull.length > 1 && member.properties?.type?.const !== undefined) {
      out.push({
        at: [...at, 'type'],
        name: label('type of no variant'),
        intent: 'reject',
        value: 'no-such-type',
      });
    }
    return [...out, ...mutationsOf(member, value, at, nullable || nonNull.length < alternatives.length)];
  }
  for (const [name, v] of wrongTypes(s, nullable))
    out.push({ at, name: label(`wrong type ${name}`), intent: 'reject', value: v });
  const type = typeOf(s);
  if (type === 'string') {
    const far = 20_000;
    for (const [name, v] of stringCandidates(s, typeof value === 'string' ? value : undefined, far)) {
      if (v === value) continue;
      out.push({ at, name: label(name), intent: stringOk(s, v) ? 'survive' : 'reject', value: v });
    }
  }
  if (type === 'number' || type === 'integer') {
    const base = typeof value === 'number' ? value : 1;
    const candidates: [string, number | RawNumber][] = [
      ['-1', -1],
      ['0', 0],
      ['1e308', 1e308],
      ['1e999 (Infinity)', new RawNumber('1e999')],
      ['1e-999 (0)', new RawNumber('1e-999')],
      ['-0', new RawNumber('-0')],
      ['a 30-digit integer', new RawNumber('100000000000000000000000000001')],
    ];
    if (s.maximum !== undefined) candidates.push([`maximum + 1 (${s.maximum + 1})`, s.maximum + 1]);
    if (s.minimum !== undefined) candidates.push([`minimum - 1 (${s.minimum - 1})`, s.minimum - 1]);
    if (s.exclusiveMinimum !== undefined)
      candidates.push([`exclusiveMinimum (${s.exclusiveMinimum})`, s.exclusiveMinimum]);
    if (type === 'integer') candidates.push([`${base + 0.5} (not an integer)`, base + 0.5]);
    if (type === 'integer') candidates.push([`${base}.0`, new RawNumber(`${base}.0`)]);
    for (const [name, v] of candidates) {
      const n = v instanceof RawNumber ? (JSON.parse(v.text) as number) : v;
      if (!(v instanceof RawNumber) && v === value) continue;
      out.push({
        at,
        name: label(`number ${name}`),
        intent: numberOk(s, n) ? 'survive' : 'reject',
        value: v,
      });
    }
    out.push({ at, name: label('the number as a string'), intent: 'reject', value: String(base) });
  }
  if (type === 'boolean')
    out.push({ at, name: label('"true" as a string'), intent: 'reject', value: 'true' });
  if (type === 'array') {
    const list = Array.isArray(value) ? value : [];
    const max = s.maxItems;
    if (list.length > 0) {
      if (max !== undefined) {
        out.push({
          at,
          name: label(`one over maxItems (${max + 1})`),
          intent: 'reject',
          value: Array(max + 1).fill(list[0]),
        });
        const far = Math.min(max * 10, 5_000);
        out.push({
          at,
          name: label(`far over maxItems (${far})`),
          intent: 'reject',
          value: Array(far).fill(list[0]),
        });
      }
      out.push({ at, name: label('an entry twice'), intent: 'survive', value: [list[0], ...list] });
      out.push({ at, name: label('a null entry'), intent: 'reject', value: [...list, null] });
      if (s.items) out.push(...mutationsOf(s.items, list[0], [...at, 0]));
    } else if (s.items) {
      out.push({ at, name: label('a null entry'), intent: 'reject', value: [null] });
    }
    if ((s.minItems ?? 0) > 0) out.push({ at, name: label('empty list'), intent: 'reject', value: [] });
  }
  if (type === 'object') {
    const object = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const required = new Set(s.required ?? []);
    for (const [key, property] of Object.entries(s.properties ?? {})) {
      if (key in object) {
        out.push({
          at: [...at, key],
          name: label(`${key} missing`),
          intent: required.has(key) ? 'reject' : 'survive',
          remove: true,
        });
      }
      // An absent object or list has no fields to change (the valid request would have to carry it).
      const composite =
        ['object', 'array'].includes(typeOf(property) ?? '') || property.anyOf || property.oneOf;
      if (key in object || !composite) out.push(...mutationsOf(property, object[key], [...at, key]));
    }
    const closed = s.additionalProperties === false;
    for (const extra of ['zzExtra', '__proto__', 'constructor']) {
      out.push({
        at: [...at, extra],
        name: label(`extra field ${extra}`),
        intent: closed ? 'reject' : 'survive',
        value: extra === 'zzExtra' ? 1 : { polluted: true },
      });
    }
  }
  return out;
};

// ---------------------------------------------------------------------------
// The operations: who calls them, on what, with which valid request
// ---------------------------------------------------------------------------

interface Base {
  token: string | undefined;
  path: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
}

interface OpenApiOperation {
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security: unknown[];
}

interface World {
  tokens: {
    office: string;
    city: string;
    province: string;
    otherOffice: string;
    inspector: string;
    auditor: string;
    school: string[];
    expired: string;
  };
  campaignId: string;
  wideCampaignId: string;
  draftId: string;
  launchDraftId: string;
  /** A launched campaign that drew a sample, and a closed (sealed) one. */
  sampledId: string;
  sealedId: string;
  /** A launched government-duty campaign over the county's towns (what rankings rank). */
  townsId: string;
  /** A school group of the county; the city's kindergarten re-evaluation based on the county's evaluation. */
  groupId: string;
  reEvaluationId: string;
  /** Inspections of the start-of-term campaign, each in the status its commands need. */
  inspections: {
    assigned: string;
    selfAssessed: string;
    inspected: string;
    rectifying: string;
    submitted: string;
    /** Reported, with feedback, for the acknowledgement alone (it moves the version). */
    acknowledging: string;
  };
  versions: Record<string, number>;
  wide: { assigned: string; selfAssessed: string };
  evidence: { assigned: string[]; selfAssessed: string; rectifying: string };
  importId: string;
  exportId: string;
  /** Real cursors, each of one list and caller. */
  cursors: Record<string, string>;
  openapi: { paths: Record<string, Record<string, OpenApiOperation>> };
}

let w: World;

/** The operations with their zod schemas (no dependencies: nothing is called, only `path`, `query`, `body` read). */
const none = {} as never;
const handlerSchemas = {
  ...systemOperations({ health: none, openapi: () => undefined }),
  ...registryOperations({ registry: none, imports: none }),
  ...campaignOperations({ campaigns: none }),
  ...evidenceOperations({ evidence: none }),
  ...inspectionOperations({ inspections: none, campaigns: none }),
  ...auditOperations({ audit: none }),
  ...exportOperations({ exports: none }),
  ...teamOperations({ teams: none, views: none, panels: none }),
  ...burdenOperations({ burden: none, prefill: none }),
  ...campaignFileOperations({ files: none, preview: none }),
  ...principalOperations({ registry: none }),
  ...rankingOperations({ ranking: none }),
  ...kindergartenCycleOperations({ reEvaluation: none, registry: none }),
} as Record<string, { path?: ZodType; query?: ZodType; body?: ZodType }>;

const ok = async <T = Record<string, unknown>>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<T> => {
  const r = await call<T>(method, path, { token, ...(body !== undefined ? { body } : {}) });
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
  return r.body;
};

const startOfTerm = {
  'campus-safety': 'campus_patrol',
  enrolment: 'document_review',
  textbooks: 'campus_patrol',
  health: 'campus_patrol',
  'class-size': 'data_review',
  fees: 'document_review',
} as const;
const indicatorIds = Object.keys(startOfTerm) as (keyof typeof startOfTerm)[];

const selfAssessment = (version: number, evidenceIds: string[] = []) => ({
  version,
  indicators: indicatorIds.map((indicatorId, i) => ({
    indicatorId,
    score: 90,
    statement: '自查：制度健全，落实到位。',
    evidenceIds: i === 0 ? evidenceIds : [],
  })),
});
const findings = (version: number, problems: number, evidenceIds: string[] = []) => ({
  version,
  visit: { date: '2026-10-12', durationMinutes: 120 },
  indicators: indicatorIds.map((indicatorId, i) => ({
    indicatorId,
    method: startOfTerm[indicatorId],
    score: 85,
    comment: '基本达标',
    problems:
      i < problems ? [{ description: '台账不全', severity: 'minor', dueAt: '2026-12-01T00:00:00Z' }] : [],
    evidenceIds: i === 0 ? evidenceIds : [],
  })),
});

const wideIndicators = Array.from({ length: 100 }, (_, i) => `i${String(i).padStart(3, '0')}`);
const wideTemplate = {
  id: wideTemplateId,
  version: 1,
  title: { zh: '百项指标督导', en: 'A hundred indicators' },
  indicators: wideIndicators.map((id) => ({
    id,
    title: { zh: `指标 ${id}`, en: `Indicator ${id}` },
    weight: 1,
    methods: ['document_review'],
  })),
  phases: [
    { phase: 'self_assessment', days: 5 },
    { phase: 'on_site', days: 10 },
    { phase: 'rectification', days: 30 },
  ],
  grading: { excellent: 90, good: 80, pass: 60 },
  target: { unit: 'school', schoolKinds: ['primary'] },
};
const wideSelfAssessment = (version: number, statement: string) => ({
  version,
  indicators: wideIndicators.map((indicatorId) => ({ indicatorId, score: 80, statement, evidenceIds: [] })),
});
const wideFindings = (version: number, indicatorsWithProblems: number) => ({
  version,
  visit: { date: '2026-10-20', durationMinutes: 240 },
  indicators: wideIndicators.map((indicatorId, i) => ({
    indicatorId,
    method: 'document_review',
    score: 70,
    problems:
      i < indicatorsWithProblems
        ? Array.from({ length: 20 }, (_, n) => ({
            description: `问题 ${n + 1}：记录缺失`,
            severity: 'minor',
          }))
        : [],
  })),
});

const window = { start: '2026-10-01', end: '2026-12-31' };

/** The valid requests every variant is one change away from, per operation. */
const basesOf = (): Record<string, Base[]> => {
  const t = w.tokens;
  const i = w.inspections;
  const v = w.versions;
  const office = (path: Record<string, string> = {}, query: Record<string, string> = {}, body?: unknown) => [
    { token: t.office, path, query, ...(body !== undefined ? { body } : {}) },
  ];
  const byAuditor = (path: Record<string, string>, query: Record<string, string>) => ({
    token: t.auditor,
    path,
    query,
  });
  return {
    'GET /health': [{ token: undefined, path: {}, query: {} }],
    'GET /openapi.json': [{ token: undefined, path: {}, query: {} }],
    'GET /me': [{ token: t.school[0], path: {}, query: {} }],
    'GET /regions/{code}': office({ code: county }),
    'GET /schools': office({}, { region: county, kind: 'primary', q: '小学' }),
    'GET /schools/{id}': office({ id: schools[0]! }),
    'GET /inspectors': office({}, { region: county }),
    'GET /inspectors/{id}': office({ id: inspectorId }),
    'GET /zones/{id}': office({ id: `Z${county}` }),
    'POST /imports': office(
      {},
      {},
      {
        kind: 'schools',
        fileName: '学校名单.csv',
        contentType: 'text/csv',
        size: 1024,
        sha256: 'a'.repeat(64),
      },
    ),
    'GET /imports/{id}': office({ id: w.importId }),
    'GET /templates': office(),
    'POST /templates': office(
      {},
      {},
      {
        id: 'bad-input-base',
        version: 1,
        basedOn: { id: 'start-of-term', version: 1 },
        title: { zh: '开学督查（区县版）', en: 'Start of term, county edition' },
        description: '区县自定义的开学督查模板',
        indicators: [
          {
            id: 'campus-safety',
            title: { zh: '校园安全', en: 'Campus safety' },
            weight: 60,
            methods: ['campus_patrol'],
            evidence: ['消防设施照片'],
          },
          { id: 'fees', title: { zh: '规范收费', en: 'Fees' }, weight: 40, methods: ['document_review'] },
        ],
        phases: [
          { phase: 'self_assessment', days: 5 },
          { phase: 'on_site', days: 10 },
        ],
        grading: { excellent: 90, good: 80, pass: 60 },
        target: { unit: 'school', schoolKinds: ['primary'], principalTermEndsInCampaignYear: false },
        sampling: { percent: 10, stratifyBy: 'county' },
        recurrence: 'monthly',
        escalation: {
          interviewAfterOverdueHours: 168,
          notifyAfterOverdueHours: 720,
          notifyAfterFailedReviews: 2,
        },
        team: { mode: 'zone' },
      },
    ),
    'GET /templates/{id}': office({ id: 'start-of-term' }),
    'POST /campaigns': office(
      {},
      {},
      {
        templateId: 'start-of-term',
        title: '江岸区开学督查',
        scope: county,
        window,
        overrides: { phases: [{ phase: 'on_site', days: 12 }], samplingPercent: 50 },
        recurrence: 'semiannual',
      },
    ),
    'GET /campaigns': office({}, { scope: county, status: 'active' }),
    'GET /campaigns/{id}': office({ id: w.campaignId }),
    'PATCH /campaigns/{id}': office(
      { id: w.draftId },
      {},
      {
        version: 1,
        changes: {
          title: '江岸区开学督查（修订）',
          window: { start: '2026-10-08', end: '2026-12-31' },
          overrides: { samplingPercent: 20 },
          recurrence: null,
        },
      },
    ),
    // A draft of the city office over a county without schools: a launch that gets through does little.
    'POST /campaigns/{id}/launch': [{ token: t.city, path: { id: w.launchDraftId }, query: {} }],
    'GET /campaigns/{id}/launch': office({ id: w.campaignId }),
    'GET /campaigns/{id}/progress': office({ id: w.campaignId }, { region: county }),
    'GET /campaigns/{id}/report': office({ id: w.campaignId }, { region: county, format: 'json' }),
    'GET /campaigns/{id}/actions': office({ id: w.campaignId }),
    'POST /campaigns/{id}/actions': [
      { type: 'incentive', inspectionIds: [i.assigned], text: '予以表彰' },
      {
        type: 'interview',
        inspectionId: i.rectifying,
        date: '2026-11-02',
        leaderSummoned: '校长',
        attendees: ['责任督学', '校长'],
        minutes: '约谈纪要：限期整改。',
      },
      {
        type: 'notification',
        inspectionId: i.rectifying,
        visibility: 'internal',
        schoolIds: [schools[3]!],
        regionCodes: [county],
        text: '通报：整改不力。',
      },
      {
        type: 'accountability',
        inspectionId: i.rectifying,
        decisionReference: '岸教督〔2026〕1号',
        text: '问责',
      },
    ].map((body) => ({ token: t.office, path: { id: w.campaignId }, query: {}, body })),
    'GET /inspections': [
      {
        token: t.inspector,
        path: {},
        query: { assignee: 'me', campaignId: w.campaignId, status: 'assigned' },
      },
      { token: t.office, path: {}, query: { schoolId: schools[0]!, campaignId: w.campaignId } },
    ],
    'GET /inspections/{id}': office({ id: i.assigned }),
    'PUT /inspections/{id}/self-assessment': [
      {
        token: t.school[0],
        path: { id: i.assigned },
        query: {},
        body: selfAssessment(v.assigned!, [w.evidence.assigned[0]!]),
      },
    ],
    'PUT /inspections/{id}/findings': [
      {
        token: t.inspector,
        path: { id: i.selfAssessed },
        query: {},
        body: findings(v.selfAssessed!, 1, [w.evidence.selfAssessed]),
      },
    ],
    'POST /inspections/{id}/report': [
      { token: t.inspector, path: { id: i.inspected }, query: {}, body: { version: v.inspected } },
    ],
    'POST /inspections/{id}/feedback/acknowledge': [
      { token: t.school[5], path: { id: i.acknowledging }, query: {}, body: { version: v.acknowledging } },
    ],
    'PUT /inspections/{id}/rectifications/{rid}': [
      {
        token: t.school[3],
        path: { id: i.rectifying, rid: 'campus-safety-1' },
        query: {},
        body: {
          version: v.rectifying,
          plan: '更换灭火器，完善台账',
          completion: { statement: '已整改完毕', evidenceIds: [w.evidence.rectifying] },
        },
      },
    ],
    'POST /inspections/{id}/rectifications/{rid}/review': [
      {
        token: t.inspector,
        path: { id: i.submitted, rid: 'campus-safety-1' },
        query: {},
        body: { version: v.submitted, result: 'fail', comment: '复查未通过' },
      },
    ],
    'POST /inspections/{id}/actions': [
      {
        type: 'interview',
        date: '2026-11-03',
        leaderSummoned: '校长',
        attendees: ['责任督学'],
        minutes: '约谈纪要',
      },
      { type: 'notification', visibility: 'public', schoolIds: [schools[3]!], regionCodes: [], text: '通报' },
      { type: 'accountability', decisionReference: '岸教督〔2026〕2号' },
    ].map((body) => ({ token: t.office, path: { id: i.rectifying }, query: {}, body })),
    // Returns, teams and panels, the office's views. The start-of-term campaign has zone teams and no
    // panels: drawing or replacing on it is refused (409) whatever gets through.
    'POST /inspections/{id}/self-assessment/return': [
      {
        token: t.inspector,
        path: { id: i.selfAssessed },
        query: {},
        body: { version: v.selfAssessed, reason: '请补充消防演练记录' },
      },
    ],
    'GET /inspections/{id}/submissions': office({ id: i.selfAssessed }),
    'POST /inspections/{id}/rectifications/{rid}/return': [
      {
        token: t.inspector,
        path: { id: i.submitted, rid: 'campus-safety-1' },
        query: {},
        body: { version: v.submitted, reason: '整改材料不全' },
      },
    ],
    'PUT /inspections/{id}/team': [
      {
        token: t.office,
        path: { id: i.assigned },
        query: {},
        body: {
          version: v.assigned,
          lead: inspectorId,
          members: [{ inspectorId: `${inspectorId}B`, indicatorIds: ['campus-safety', 'fees'] }],
          reason: '增派专职督学',
        },
      },
    ],
    'POST /campaigns/{id}/teams': [
      { rule: { kind: 'zone' }, region: county },
      { rule: { kind: 'county', size: 2, inspectorKinds: ['responsible', 'full_time'] } },
      { assignments: [{ schoolId: schools[0]!, lead: inspectorId, members: [] }] },
      {
        file: {
          name: 'teams.csv',
          contentBase64: Buffer.from(
            `学校标识码,督学编号,角色\r\n${schools[0]},${inspectorId},组长\r\n`,
          ).toString('base64'),
        },
      },
    ].map((body) => ({ token: t.office, path: { id: w.campaignId }, query: {}, body })),
    'GET /campaigns/{id}/inspections': [
      ...office({ id: w.campaignId }, { region: county, status: 'assigned', overdue: 'any', limit: '20' }),
      ...office({ id: w.campaignId }, { assignee: inspectorId, format: 'csv' }),
      ...office({ id: w.campaignId }, { region: town.slice(0, 6), grade: 'good', format: 'xlsx' }),
    ],
    'GET /inspectors/{id}/workload': [
      ...office({ id: inspectorId }, { limit: '10' }),
      { token: t.inspector, path: { id: inspectorId }, query: {} },
    ],
    'POST /campaigns/{id}/panels': office({ id: w.campaignId }, {}, { region: county }),
    'GET /campaigns/{id}/panels': office({ id: w.campaignId }),
    'POST /inspections/{id}/team/replacements': [
      {
        token: t.office,
        path: { id: i.assigned },
        query: {},
        body: { version: v.assigned, memberId: inspectorId, reason: { code: 'sick', note: '住院' } },
      },
    ],
    // Collect once: school 1 asks for a draft in another start-of-term campaign, from its self-assessment.
    'GET /inspections/{id}/self-assessment/prefill': [
      { token: t.school[1], path: { id: `${w.sealedId}-${schools[1]}` }, query: {} },
    ],
    'GET /campaigns/{id}/burden': [
      ...office({ id: w.campaignId }, { region: county, limit: '20' }),
      ...office({ id: w.campaignId }, { region: town, format: 'csv' }),
      { token: t.auditor, path: { id: w.campaignId }, query: { format: 'xlsx' } },
    ],
    'GET /schools/{id}/burden': [
      office({ id: schools[1]! })[0]!,
      { token: t.school[1], path: { id: schools[1]! }, query: {} },
    ],
    'GET /principals': [
      ...office({}, { region: county, termEndsBefore: '2030-01-01', limit: '20' }),
      ...office({}, { school: schools[0]! }),
      { token: t.auditor, path: {}, query: { region: county } },
    ],
    'GET /campaigns/{id}/preview': office({ id: w.draftId }),
    'GET /campaigns/{id}/sample': office({ id: w.sampledId }),
    'GET /campaigns/{id}/ranking': [
      ...office({ id: w.townsId }),
      ...office({ id: w.townsId }, { region: county }),
      { token: t.auditor, path: { id: w.townsId }, query: {} },
    ],
    // Its towns have no reports: publishing is refused (409) whatever gets through.
    'POST /campaigns/{id}/ranking/publish': [
      { token: t.office, path: { id: w.townsId }, query: {}, body: {} },
      { token: t.office, path: { id: w.townsId }, query: {}, body: { region: county } },
    ],
    'GET /schools/{id}/rectifications': [
      ...office({ id: schools[0]! }),
      { token: t.school[0], path: { id: schools[0]! }, query: {} },
    ],
    'GET /groups': [...office({}, { region: county, limit: '20' }), ...office({})],
    'GET /groups/{id}': [
      ...office({ id: w.groupId }),
      { token: t.school[5], path: { id: w.groupId }, query: {} },
    ],
    'GET /campaigns/{id}/re-evaluation': [
      { token: t.city, path: { id: w.reEvaluationId }, query: {} },
      ...office({ id: w.reEvaluationId }, { region: county, format: 'csv' }),
      { token: t.city, path: { id: w.reEvaluationId }, query: { format: 'xlsx', limit: '10' } },
    ],
    'GET /kindergartens/due': [
      ...office({}, { region: county, year: '2026', limit: '20' }),
      { token: t.auditor, path: {}, query: { year: '2031' } },
    ],
    'GET /campaigns/{id}/sealed': [byAuditor({ id: w.sealedId }, {})],
    'GET /schools/{id}/history': office({ id: schools[0]! }),
    'POST /inspections/{id}/evidence': [
      {
        token: t.school[0],
        path: { id: i.assigned },
        query: {},
        body: {
          fileName: '消防设施.png',
          contentType: 'image/png',
          size: 2048,
          sha256: 'b'.repeat(64),
          indicatorId: 'campus-safety',
          capturedAt: '2026-10-10T08:00:00+08:00',
        },
      },
    ],
    'GET /inspections/{id}/evidence': office({ id: i.assigned }),
    'GET /evidence/{id}': office({ id: w.evidence.assigned[0]! }),
    'GET /audit/evidence': [
      byAuditor(
        {},
        {
          campaignId: w.campaignId,
          region: county,
          indicatorId: 'campus-safety',
          status: 'stored',
          from: '2026-01-01',
          to: '2099-12-31',
        },
      ),
      byAuditor({}, { schoolId: schools[0]! }),
      byAuditor({}, { uploader: `school-${schools[0]}` }),
    ],
    'GET /audit/events': [
      byAuditor({}, { campaignId: w.campaignId, from: '2026-01-01T00:00:00Z', to: '2099-12-31' }),
      byAuditor({}, { entityId: i.assigned }),
      byAuditor({}, { actor: `office-${county}` }),
    ],
    'GET /audit/campaigns/{id}/verify': [byAuditor({ id: w.campaignId }, {})],
    // The draft: closing is refused (409) whatever gets through, so the corpus never seals a campaign.
    'POST /campaigns/{id}/close': office({ id: w.draftId }),
    'POST /audit/exports': [
      {
        token: t.auditor,
        path: {},
        query: {},
        body: { campaignId: w.campaignId, region: county, schoolId: schools[0]! },
      },
    ],
    'GET /audit/exports/{id}': [byAuditor({ id: w.exportId }, {})],
  };
};

const enc = encodeURIComponent;

/**
 * The token with one signature character changed, well inside the signature: its last characters may
 * carry padding bits only (and a token may already end in `AA`), so changing them need not change a byte.
 */
const changedByte = (token: string) => {
  const at = token.length - 10;
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
};

/** Query pairs are sent as given; a pair without a value is a bare name (`?flag`). */
type QueryPairs = [string, string | null][];
const targetOf = (template: string, path: Record<string, string>, query: QueryPairs) => {
  const p = template.replace(/\{(\w+)\}/g, (_, name: string) => path[name] ?? '');
  return query.length > 0 ? `${p}?${query.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&')}` : p;
};

interface Request {
  method: string;
  template: string;
  base: Base;
}

/** A case from a valid request with some of its parts replaced (values of path and query already encoded). */
const variant = (
  r: Request,
  name: string,
  intent: Intent,
  over: {
    path?: Record<string, string>;
    query?: QueryPairs;
    body?: string | Buffer | null;
    headers?: Record<string, string>;
    token?: string | null;
    method?: string;
    raw?: boolean;
  } = {},
): Case => {
  const path = over.path ?? Object.fromEntries(Object.entries(r.base.path).map(([k, v]) => [k, enc(v)]));
  const query: QueryPairs =
    over.query ?? Object.entries(r.base.query).map(([k, v]): [string, string] => [enc(k), enc(v)]);
  const body =
    over.body === null
      ? undefined
      : (over.body ?? (r.base.body !== undefined ? stringify(r.base.body) : undefined));
  const token = over.token === null ? undefined : (over.token ?? r.base.token);
  const headers: Record<string, string> = {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...over.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  return {
    op: `${r.method} ${r.template}`,
    name,
    intent,
    method: over.method ?? r.method,
    target: targetOf(r.template, path, query),
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(over.raw ? { raw: true } : {}),
  };
};

const decodedQueryValue = (raw: string) => new URLSearchParams(`v=${raw}`).get('v') ?? '';

/** Path parameter values (encoded as sent) that name nothing that exists. */
const oddIds = (name: string, real: string, max: number): [string, string][] => [
  [`one over maxLength (${max + 1})`, 'a'.repeat(max + 1)],
  ['far too long (4000)', 'a'.repeat(4000)],
  ['unknown', name === 'code' ? '999999' : 'no-such-id-4041'],
  ['empty', ''],
  ['an encoded /', `${enc(real)}%2Fx`],
  ['a raw /', `${enc(real)}/x`],
  ['%00', `${enc(real)}%00`],
  ['..', '..'],
  ['encoded ..', '%2e%2e'],
  ['.', '.'],
  ['an invalid UTF-8 sequence (lone surrogate)', '%ED%A0%80'],
  ['a bare %', '%'],
  ['an RTL override', '%E2%80%AEabc'],
  ['an emoji', '%F0%9F%98%80'],
  ['4-byte Chinese', '%F0%A0%80%80%F0%A0%80%81'],
  ['an encoded ?', 'a%3Fb'],
  ['quote and angle brackets', '%22%3Cscript%3E'],
  ['the real id and a trailing space', `${enc(real)}%20`],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ...(name === 'code'
    ? ([
        ['10 digits', '4201020001'],
        ['8 digits', '42010200'],
        ['a negative number', '-42'],
      ] as [string, string][])
    : []),
];

/** Query values (encoded as sent) for a query parameter, with whether they break its schema. */
const oddQueryValues = (name: string, s: Schema, base: string | undefined): [string, string, Intent][] => {
  const out: [string, string, Intent][] = [];
  const type = typeOf(s);
  if (type === 'integer' || type === 'number') {
    const max = s.maximum ?? 200;
    const numeric = [
      'abc',
      'NaN',
      'Infinity',
      '-Infinity',
      '-1',
      '0',
      '1.5',
      String(max + 1),
      '1e400',
      '9'.repeat(400),
      '',
      ' ',
      '%00',
      '1%00',
      'null',
      'true',
      '[]',
    ];
    for (const v of numeric) {
      const n = Number(decodedQueryValue(v));
      out.push([
        `"${v}"`,
        v === ' ' ? '%20' : v,
        decodedQueryValue(v).trim() !== '' && numberOk(s, n) ? 'survive' : 'reject',
      ]);
    }
    for (const v of ['1e1', '0x10', '%2B5', '050', '%205'])
      out.push([`"${v}" (a number, oddly written)`, v, 'survive']);
    return out;
  }
  const strings: [string, string][] = [
    [`one over maxLength`, 'x'.repeat((s.maxLength ?? 7999) + 1)],
    ['far too long (8000)', 'x'.repeat(8000)],
    ['empty', ''],
    ['%00', 'a%00b'],
    ['an invalid UTF-8 sequence (lone surrogate)', '%ED%A0%80'],
  ];
  if (!constrained(s)) {
    strings.push(['a raw %FF byte', '%FF'], ['a bare %', '%'], ['an RTL override', '%E2%80%AEabc']);
    strings.push(['an emoji', '%F0%9F%98%80'], ['4-byte Chinese', '%F0%A0%80%80']);
  }
  if (base !== undefined && constrained(s)) {
    strings.push(['with a trailing !', `${enc(base)}!`], ['with a trailing newline', `${enc(base)}%0A`]);
    strings.push(['upper-cased', enc(base.toUpperCase())]);
  }
  if (s.enum) strings.push(['not one of the enum', 'no-such-value']);
  if (name === 'from' || name === 'to') {
    const notInstants = [...dateOddities, ...dateTimeOddities].filter((d) => d !== '2026-01-05');
    for (const d of [...notInstants, 'yesterday', '0', '2026-01-01T00:00:00+25:00'])
      out.push([`date ${d}`, enc(d), 'reject']);
  }
  for (const [label, v] of strings) {
    if (v === (base === undefined ? undefined : enc(base))) continue;
    out.push([label, v, stringOk(s, decodedQueryValue(v)) ? 'survive' : 'reject']);
  }
  return out;
};

/** The generated corpus of one operation. */
const corpusOf = (method: string, template: string, operation: OpenApiOperation, bases: Base[]): Case[] => {
  const cases: Case[] = [];
  const params = operation.parameters;
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const isJwt = operation.security.length > 0;

  // A request that may get through is sent from the first valid request that has it, not again from the
  // others (each one that gets through writes, and DynamoDB Local is the slowest part of the run).
  const seen = new Set<string>();
  const push = (c: Case, tag: string) => {
    const key = c.name.slice(tag.length);
    if (c.intent === 'survive' && seen.has(key)) return;
    seen.add(key);
    cases.push(c);
  };
  bases.forEach((base, n) => {
    const r: Request = { method, template, base };
    const tag = bases.length > 1 ? `[${n + 1}] ` : '';
    const encodedPath = Object.fromEntries(Object.entries(base.path).map(([k, v]) => [k, enc(v)]));
    const encodedQuery = Object.entries(base.query).map(([k, v]): [string, string] => [enc(k), enc(v)]);

    // Path parameters: ids that do not exist, too long, with / . .. %00 and Unicode in them (once: the bases share them).
    for (const p of params.filter((x) => x.in === 'path' && n === 0)) {
      for (const [label, value] of oddIds(p.name, base.path[p.name] ?? '', p.schema.maxLength ?? 64)) {
        push(
          variant(r, `${tag}path ${p.name}: ${label}`, 'reject', {
            path: { ...encodedPath, [p.name]: value },
          }),
          tag,
        );
      }
    }

    // Query parameters, one at a time, each with every odd value.
    for (const p of params.filter((x) => x.in === 'query')) {
      const others = encodedQuery.filter(([k]) => k !== p.name);
      for (const [label, value, intent] of oddQueryValues(p.name, p.schema, base.query[p.name])) {
        push(
          variant(r, `${tag}query ${p.name}: ${label}`, intent, { query: [...others, [p.name, value]] }),
          tag,
        );
      }
      const given = base.query[p.name];
      if (given !== undefined) {
        push(
          variant(
            r,
            `${tag}query ${p.name}: given twice`,
            stringOk(p.schema, `${given},${given}`) && typeOf(p.schema) === 'string' ? 'survive' : 'reject',
            {
              query: [...encodedQuery, [p.name, enc(given)]],
            },
          ),
          tag,
        );
        push(variant(r, `${tag}query ${p.name}: missing`, 'survive', { query: others }), tag);
      }
    }
    // Query parameters the operation does not have.
    for (const [label, pairs] of [
      ['an unknown query parameter', [['zzExtra', '1']]],
      ['a query parameter named __proto__', [['__proto__', 'x']]],
      ['a query parameter named constructor', [['constructor', 'x']]],
      ['a query parameter with an emoji name', [['%F0%9F%98%80', '1']]],
      ['a bare query parameter name', [['flag', null]]],
      ['600 query parameters', Array.from({ length: 600 }, (_, i) => [`p${i}`, '1'])],
    ] as [string, QueryPairs][]) {
      push(variant(r, `${tag}query: ${label}`, 'survive', { query: [...encodedQuery, ...pairs] }), tag);
    }
    if (params.some((p) => p.name === 'from') && params.some((p) => p.name === 'to')) {
      const others = encodedQuery.filter(([k]) => k !== 'from' && k !== 'to');
      for (const [from, to] of [
        ['2026-12-01', '2026-01-01'],
        ['2026-06-02T00:00:00Z', '2026-06-01T23:59:59Z'],
        ['2026-06-02T00:00:00Z', '2026-06-01'],
        ['2099-12-31', '2000-01-01'],
      ] as const)
        push(
          variant(r, `${tag}query: from ${from} after to ${to}`, 'reject', {
            query: [...others, ['from', enc(from)], ['to', enc(to)]],
          }),
          tag,
        );
    }

    // The body, field by field.
    if (bodySchema && base.body !== undefined) {
      for (const m of mutationsOf(bodySchema, base.body, [])) {
        push(variant(r, `${tag}${m.name}`, m.intent, { body: stringify(mutate(base.body, m)) }), tag);
      }
    }
  });

  // Once per operation, from its first valid request.
  const r: Request = { method, template, base: bases[0]! };
  const validBody = r.base.body !== undefined ? stringify(r.base.body) : '{}';
  const takesBody = bodySchema !== undefined;
  const bodyIntent: Intent = takesBody ? 'reject' : 'survive';

  // Who asks.
  if (isJwt) {
    cases.push(variant(r, 'no bearer token', 'reject', { token: null }));
    cases.push(
      variant(r, 'an empty Bearer', 'reject', { token: null, headers: { authorization: 'Bearer ' } }),
    );
    cases.push(
      variant(r, 'Basic instead of Bearer', 'reject', {
        token: null,
        headers: { authorization: 'Basic YTpi' },
      }),
    );
    cases.push(variant(r, 'a token that is not a JWT', 'reject', { token: 'not-a-jwt' }));
    cases.push(variant(r, 'a token with a byte changed', 'reject', { token: changedByte(r.base.token!) }));
    cases.push(variant(r, 'an expired token', 'reject', { token: w.tokens.expired }));
    cases.push(variant(r, 'a 10 000-character token', 'reject', { token: 'a'.repeat(10_000) }));
  } else {
    cases.push(variant(r, 'a token that is not a JWT', 'survive', { token: 'not-a-jwt' }));
  }

  // What the body is.
  const notJson: [string, string][] = [
    ['a body that is not JSON', 'not json'],
    ['truncated JSON', validBody.slice(0, Math.max(1, Math.floor(validBody.length / 2)))],
    ['JSON with trailing garbage', `${validBody}x`],
    ['two JSON documents', `${validBody}${validBody}`],
    ['single-quoted pseudo-JSON', "{'version': 1}"],
    ['NaN as a value', '{"version": NaN}'],
    ['a comment in JSON', `/* c */ ${validBody}`],
    ['a BOM before the JSON', `\uFEFF${validBody}`],
    ['a NUL byte', '\u0000'],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
    ['an array holding the valid body', `[${validBody}]`],
    ['a JSON string', '"x"'],
    ['a JSON number', '42'],
    ['JSON true', 'true'],
    ['an empty object', '{}'],
    ['only whitespace', ' \r\n\t '],
    ['10 000 levels of nested arrays', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['10 000 levels of nested objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['100 000 levels of nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['an unclosed nesting of 10 000', '['.repeat(10_000)],
  ];
  // A route without a body ignores one: a few are enough to show it never crashes on one.
  const ignored = new Set(['a body that is not JSON', 'a JSON array', '10 000 levels of nested arrays']);
  for (const [label, text] of notJson) {
    if (takesBody || ignored.has(label)) cases.push(variant(r, `body: ${label}`, bodyIntent, { body: text }));
  }
  if (takesBody) {
    const inner = validBody.slice(1, -1);
    const firstKey = Object.keys(r.base.body as object)[0]!;
    cases.push(
      variant(r, 'body: deep nesting (10 000) in an extra field', 'survive', {
        body: `{${inner},"zzDeep":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      }),
    );
    cases.push(
      variant(r, `body: deep nesting (10 000) in place of ${firstKey}`, 'reject', {
        // Written by hand: JSON.stringify itself runs out of stack on such a value.
        body: (() => {
          const { [firstKey]: _replaced, ...rest } = r.base.body as Record<string, unknown>;
          const others = stringify(rest).slice(1, -1);
          return `{"${firstKey}":${'['.repeat(10_000)}${']'.repeat(10_000)}${others ? `,${others}` : ''}}`;
        })(),
      }),
    );
    cases.push(
      variant(r, `body: duplicate key ${firstKey}, the last one wrong`, 'reject', {
        body: `{${inner},"${firstKey}":{"dup":[1]}}`,
      }),
    );
    cases.push(
      variant(r, `body: duplicate key ${firstKey}, the first one wrong`, 'survive', {
        body: `{"${firstKey}":{"dup":[1]},${inner}}`,
      }),
    );
    cases.push(
      variant(r, 'body: invalid UTF-8 bytes inside a string', 'survive', {
        body: Buffer.concat([
          Buffer.from(validBody.slice(0, -1)),
          Buffer.from(',"zzBytes":"'),
          Buffer.from([0xed, 0xa0, 0x80, 0xff, 0xfe, 0xc0, 0xaf]),
          Buffer.from('"}'),
        ]),
      }),
    );
    cases.push(
      variant(r, 'body: UTF-16 encoded', 'survive', {
        body: Buffer.from(validBody, 'utf16le'),
        headers: { 'content-type': 'application/json; charset=utf-16le' },
      }),
    );
    cases.push(variant(r, 'no body', 'reject', { body: null }));
    cases.push(variant(r, 'an empty body', 'reject', { body: '' }));
  }
  // Size: one byte over the API's 1 MB (test/integration/api.test.ts sends one over the gateway's 10 MB).
  const megabyte = 1024 * 1024;
  cases.push(
    variant(r, 'a body of 1 MB + 1 byte', bodyIntent, {
      body: validBody + ' '.repeat(megabyte + 1 - Buffer.byteLength(validBody)),
    }),
  );
  if (takesBody) {
    cases.push(
      variant(r, 'a body of exactly 1 MB', 'survive', {
        body: validBody + ' '.repeat(megabyte - Buffer.byteLength(validBody)),
      }),
    );
  }
  // What the body says it is.
  const contentTypes: [string, string, Intent][] = [
    ['no content type', '', bodyIntent],
    ['text/plain', 'text/plain', bodyIntent],
    ['a form', 'application/x-www-form-urlencoded', bodyIntent],
    ['multipart', 'multipart/form-data; boundary=x', bodyIntent],
    ['application/xml', 'application/xml', bodyIntent],
    ['application/octet-stream', 'application/octet-stream', bodyIntent],
    ['application/jsonx', 'application/jsonx', bodyIntent],
    ['just "json"', 'json', bodyIntent],
    ['image/png', 'image/png', bodyIntent],
    ['application/json with a charset', 'application/json; charset=utf-8', 'survive'],
    ['application/problem+json', 'application/problem+json', 'survive'],
    ['upper-case APPLICATION/JSON', 'APPLICATION/JSON', 'survive'],
    ['a list of two content types', 'application/json, text/plain', 'survive'],
    ['a 5000-character content type', `application/json; x=${'y'.repeat(5000)}`, 'survive'],
  ];
  for (const [label, type, intent] of contentTypes) {
    if (!takesBody && !['no content type', 'a form'].includes(label)) continue;
    cases.push(
      variant(r, `content type: ${label}`, intent, { body: validBody, headers: { 'content-type': type } }),
    );
  }
  // A body on a route that takes none (a GET, a launch): ignored, never a crash.
  if (!takesBody) {
    cases.push(variant(r, 'a JSON body on a route without one', 'survive', { body: '{"version":1}' }));
    cases.push(
      variant(r, 'a non-JSON body on a route without one', 'survive', {
        body: 'not json',
        headers: { 'content-type': 'text/plain' },
      }),
    );
  }
  return cases;
};

// ---------------------------------------------------------------------------
// Raw HTTP oddities, per operation
// ---------------------------------------------------------------------------

const rawCases = (method: string, template: string, base: Base): Case[] => {
  const r: Request = { method, template, base };
  const real = variant(r, '', 'reject');
  const head = (lines: string[], body = '') => Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  const auth = base.token ? [`Authorization: Bearer ${base.token}`] : [];
  const host = `Host: 127.0.0.1:${port()}`;
  return [
    {
      ...real,
      name: 'raw: request target //[ (no URL parser takes it)',
      raw: true,
      target: `//[${real.target}`,
    },
    {
      ...real,
      name: 'raw: request target with a raw 0xFF byte',
      raw: true,
      target: `${real.target.split('?')[0]}\u00ff`,
    },
    {
      ...real,
      name: 'raw: absolute-form request target',
      raw: true,
      intent: 'survive',
      target: `http://example.com${real.target}`,
    },
    {
      ...real,
      name: 'raw: non-ASCII bytes in the Authorization header',
      raw: true,
      headers: { ...real.headers, authorization: `Bearer ${base.token ?? 'x'}\u00e4\u00b8\u00ad` },
      ...(base.token ? {} : { intent: 'survive' as const }),
    },
    {
      ...real,
      name: 'raw: non-ASCII bytes in a harmless header',
      raw: true,
      intent: 'survive',
      headers: { ...real.headers, 'x-note': '\u00e4\u00b8\u00ad\u00e6\u0096\u0087\u00ff' },
    },
    {
      ...real,
      name: 'raw: a 20 KB header',
      raw: true,
      headers: { ...real.headers, 'x-big': 'a'.repeat(20_000) },
    },
    { ...real, name: 'raw: an unknown method BREW', raw: true, method: 'BREW' },
    {
      ...real,
      name: 'raw: Transfer-Encoding chunked with a broken chunk',
      raw: true,
      bytes: head(
        [
          `${method} ${real.target} HTTP/1.1`,
          host,
          ...auth,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
        ],
        'zz\r\n{"version":1}\r\n0\r\n\r\n',
      ),
    },
    {
      ...real,
      name: 'raw: a chunk longer than it says',
      raw: true,
      bytes: head(
        [
          `${method} ${real.target} HTTP/1.1`,
          host,
          ...auth,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
        ],
        '2\r\n{"version":1}\r\n0\r\n\r\n',
      ),
    },
    {
      ...real,
      name: 'raw: both Content-Length and Transfer-Encoding',
      raw: true,
      bytes: head(
        [
          `${method} ${real.target} HTTP/1.1`,
          host,
          ...auth,
          'Content-Type: application/json',
          'Content-Length: 4',
          'Transfer-Encoding: chunked',
        ],
        '0\r\n\r\n',
      ),
    },
    {
      ...real,
      name: 'raw: a bare LF line ending and a header without a colon',
      raw: true,
      bytes: Buffer.from(`${method} ${real.target} HTTP/1.1\n${host}\nthis is not a header\n\n`, 'latin1'),
    },
    {
      ...real,
      name: 'raw: HTTP/9.9',
      raw: true,
      bytes: head([`${method} ${real.target} HTTP/9.9`, host, ...auth]),
    },
  ];
};

// ---------------------------------------------------------------------------
// The world: real data for real ids
// ---------------------------------------------------------------------------

const inspectionOf = async (token: string, campaignId: string, schoolId: string) => {
  const list = await ok<{ items: { id: string; version: number }[] }>(
    'GET',
    `/inspections?schoolId=${schoolId}&campaignId=${campaignId}`,
    token,
  );
  if (!list.items[0]) throw new Error(`no inspection of ${schoolId} in ${campaignId}`);
  return list.items[0].id;
};
const versionOf = async (token: string, id: string) =>
  (await ok<{ version: number }>('GET', `/inspections/${id}`, token)).version;

const evidenceFile = async (reader: string, token: string, inspectionId: string, n: number) => {
  const body = Buffer.concat([png, Buffer.from(`#bad-input-${n}`)]);
  const stored = await uploadEvidence(
    reader,
    token,
    inspectionId,
    {
      fileName: `f${n}.png`,
      contentType: 'image/png',
      size: body.length,
      sha256: sha256(body),
      indicatorId: 'campus-safety',
    },
    body,
  );
  if (stored.status !== 'stored') throw new Error(`evidence ${stored.id} is ${stored.status}`);
  return stored.id;
};

const buildWorld = async (): Promise<World> => {
  const { office, campaignId } = await activeCountyCampaign({
    county,
    town,
    schoolIds: schools,
    inspectorId,
  });
  const tokens: World['tokens'] = {
    office,
    city: await tokenFor('city_admin', '4201', { subject: 'office-4201' }),
    province: await tokenFor('province_admin', '42', { subject: 'office-42' }),
    otherOffice: await tokenFor('county_admin', otherCounty, { subject: `office-${otherCounty}` }),
    inspector: await tokenFor('inspector', inspectorId, { subject: `inspector-${inspectorId}` }),
    auditor: await tokenFor('auditor', county, { subject: `auditor-${county}` }),
    school: await Promise.all(schools.map((id) => tokenFor('school', id, { subject: `school-${id}` }))),
    expired: await tokenFor('county_admin', county, { subject: `office-${county}`, ttlSeconds: -60 }),
  };
  const t = tokens;
  // A second inspector, so that the inspector list has two pages of one.
  const imported = await importFile(
    { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 },
    'inspectors',
    'i2.csv',
    `inspector_id,name,kind,region_code,phone\r\n${inspectorId}B,督学乙,full_time,${county},13900000010\r\n`,
  );
  if (imported.status !== 'completed') throw new Error(`import ${imported.status}`);
  await ok('POST', '/templates', office, wideTemplate);

  const [wideCampaign, draft, launchDraft] = await Promise.all([
    createCampaign(office, { templateId: wideTemplateId, title: '百项指标', scope: county, window }),
    createCampaign(office, { templateId: 'start-of-term', title: '草稿', scope: county, window }),
    createCampaign(t.city, { templateId: 'start-of-term', title: '无校区县', scope: otherCounty, window }),
  ]);
  const launched = await launchAndWait(office, wideCampaign.id);
  if (launched.status !== 'SUCCEEDED') throw new Error(`wide launch ${launched.status}`);
  const launchedOf = async (token: string, body: Record<string, unknown>) => {
    const c = await createCampaign(token, { window, ...body });
    const done = await launchAndWait(token, c.id);
    if (done.status !== 'SUCCEEDED') throw new Error(`launch of ${String(body.title)}: ${done.status}`);
    return c.id as string;
  };
  const [townsId, reEvaluationId] = await Promise.all([
    launchedOf(office, { templateId: 'government-duty', title: '镇街履职', scope: county }),
    launchedOf(office, { templateId: 'kindergarten-evaluation', title: '幼儿园评估', scope: county }).then(
      (id) =>
        launchedOf(t.city, {
          templateId: 'kindergarten-evaluation',
          title: '幼儿园复评',
          scope: '4201',
          basedOn: [id],
        }),
    ),
    (async () => {
      const grouped = await importFile(
        { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 },
        'groups',
        'g.csv',
        'group_id,group_name,group_kind,region_code,lead_school_id,school_id\r\n' +
          `GBAD01,江岸教育集团,集团,${county},${schools[4]},${schools[4]}\r\n` +
          `GBAD01,江岸教育集团,集团,${county},${schools[4]},${schools[5]}\r\n`,
      );
      if (grouped.status !== 'completed') throw new Error(`groups import ${grouped.status}`);
    })(),
  ]);
  const groupId = 'GBAD01';
  const [sampledId, sealedId] = await Promise.all([
    (async () => {
      const c = await createCampaign(office, {
        templateId: 'start-of-term',
        title: '抽样',
        scope: county,
        window,
        overrides: { samplingPercent: 50 },
      });
      if ((await launchAndWait(office, c.id)).status !== 'SUCCEEDED') throw new Error('sampled launch');
      return c.id as string;
    })(),
    (async () => {
      const c = await createCampaign(office, {
        templateId: 'start-of-term',
        title: '已结束',
        scope: county,
        window,
      });
      if ((await launchAndWait(office, c.id)).status !== 'SUCCEEDED') throw new Error('sealed launch');
      const closing = await ok<{ executionArn: string }>('POST', `/campaigns/${c.id}/close`, office);
      await waitForExecution(closing.executionArn);
      return c.id as string;
    })(),
  ]);

  const [assigned, selfAssessed, inspected, rectifying, submitted, acknowledging] = await Promise.all(
    schools.map((s) => inspectionOf(office, campaignId, s)),
  );
  const [wideAssigned, wideSelfAssessed] = await Promise.all(
    schools.slice(0, 2).map((s) => inspectionOf(office, wideCampaign.id, s)),
  );
  const inspections = {
    assigned: assigned!,
    selfAssessed: selfAssessed!,
    inspected: inspected!,
    rectifying: rectifying!,
    submitted: submitted!,
    acknowledging: acknowledging!,
  };
  const s = t.school;

  // Each inspection driven to the status its commands need, side by side.
  const [evidenceAssigned, evidenceSelfAssessed, evidenceRectifying] = await Promise.all([
    (async () => [
      await evidenceFile(office, s[0]!, inspections.assigned, 1),
      await evidenceFile(office, s[0]!, inspections.assigned, 2),
    ])(),
    (async () => {
      await ok('PUT', `/inspections/${inspections.selfAssessed}/self-assessment`, s[1]!, selfAssessment(1));
      return evidenceFile(office, t.inspector, inspections.selfAssessed, 3);
    })(),
    (async () => {
      const id = inspections.rectifying;
      await ok('PUT', `/inspections/${id}/self-assessment`, s[3]!, selfAssessment(1));
      await ok('PUT', `/inspections/${id}/findings`, t.inspector, findings(2, 2));
      await ok('POST', `/inspections/${id}/report`, t.inspector, { version: 3 });
      return evidenceFile(office, s[3]!, id, 4);
    })(),
    (async () => {
      const id = inspections.inspected;
      await ok('PUT', `/inspections/${id}/self-assessment`, s[2]!, selfAssessment(1));
      await ok('PUT', `/inspections/${id}/findings`, t.inspector, findings(2, 1));
    })(),
    (async () => {
      const id = inspections.submitted;
      await ok('PUT', `/inspections/${id}/self-assessment`, s[4]!, selfAssessment(1));
      await ok('PUT', `/inspections/${id}/findings`, t.inspector, findings(2, 1));
      await ok('POST', `/inspections/${id}/report`, t.inspector, { version: 3 });
      await ok('PUT', `/inspections/${id}/rectifications/campus-safety-1`, s[4]!, {
        version: 4,
        completion: { statement: '已整改', evidenceIds: [] },
      });
    })(),
    (async () => {
      const id = inspections.acknowledging;
      await ok('PUT', `/inspections/${id}/self-assessment`, s[5]!, selfAssessment(1));
      await ok('PUT', `/inspections/${id}/findings`, t.inspector, findings(2, 1));
      await ok('POST', `/inspections/${id}/report`, t.inspector, { version: 3 });
    })(),
    ok('PUT', `/inspections/${wideSelfAssessed}/self-assessment`, s[1]!, wideSelfAssessment(1, '自查')),
  ]);
  const versions: Record<string, number> = {};
  for (const [key, id] of Object.entries(inspections)) versions[key] = await versionOf(office, id);

  const exported = await ok<{ id: string }>('POST', '/audit/exports', t.auditor, { campaignId });

  // Real cursors: one list, one caller, one set of parameters each.
  const cursorOf = async (path: string, token: string) => {
    const page = await ok<{ cursor?: string }>('GET', path, token);
    if (!page.cursor) throw new Error(`GET ${path} gave no cursor`);
    return page.cursor;
  };
  const cursorPaths: Record<string, [string, string]> = {
    schools: [`/schools?region=${county}&limit=1`, office],
    schoolsOfKind: [`/schools?region=${county}&kind=primary&limit=1`, office],
    schoolsOfProvince: [`/schools?region=${county}&limit=1`, t.province],
    inspectors: [`/inspectors?region=${county}&limit=1`, office],
    inspectorsOfProvince: [`/inspectors?region=${county}&limit=1`, t.province],
    campaigns: [`/campaigns?scope=${county}&limit=1`, office],
    campaignsOfCity: [`/campaigns?scope=${county}&limit=1`, t.city],
    workList: ['/inspections?assignee=me&limit=1', t.inspector],
    schoolInspections: [`/inspections?schoolId=${schools[0]}&limit=1`, office],
    auditEvidence: [`/audit/evidence?campaignId=${campaignId}&limit=1`, t.auditor],
    auditEvidenceOfOffice: [`/audit/evidence?campaignId=${campaignId}&limit=1`, office],
    auditEvents: [`/audit/events?campaignId=${campaignId}&limit=1`, t.auditor],
    auditEventsOfOffice: [`/audit/events?campaignId=${campaignId}&limit=1`, office],
    campaignInspections: [`/campaigns/${campaignId}/inspections?limit=1`, office],
    campaignInspectionsOfCity: [`/campaigns/${campaignId}/inspections?limit=1`, t.city],
    burden: [`/campaigns/${campaignId}/burden?limit=1`, office],
    principals: [`/principals?region=${county}&limit=1`, office],
  };
  const cursors: Record<string, string> = {};
  for (const [key, [path, token]] of Object.entries(cursorPaths)) cursors[key] = await cursorOf(path, token);

  const openapi = await call<World['openapi']>('GET', '/openapi.json');
  if (openapi.status !== 200) throw new Error(`GET /openapi.json answered ${openapi.status}`);

  return {
    tokens,
    campaignId,
    wideCampaignId: wideCampaign.id,
    draftId: draft.id,
    launchDraftId: launchDraft.id,
    sampledId,
    sealedId,
    townsId,
    groupId,
    reEvaluationId,
    inspections,
    versions,
    wide: { assigned: wideAssigned!, selfAssessed: wideSelfAssessed! },
    evidence: {
      assigned: evidenceAssigned,
      selfAssessed: evidenceSelfAssessed,
      rectifying: evidenceRectifying,
    },
    importId: imported.id,
    exportId: exported.id,
    cursors,
    openapi: openapi.body,
  };
};

// ---------------------------------------------------------------------------
// Cursors
// ---------------------------------------------------------------------------

/** The lists that page, with the valid request of each and the real cursor it returned. */
const lists = () => {
  const t = w.tokens;
  return [
    { op: 'GET /schools', token: t.office, query: { region: county }, own: 'schools' },
    { op: 'GET /inspectors', token: t.office, query: { region: county }, own: 'inspectors' },
    { op: 'GET /campaigns', token: t.office, query: { scope: county }, own: 'campaigns' },
    { op: 'GET /inspections', token: t.inspector, query: { assignee: 'me' }, own: 'workList' },
    { op: 'GET /inspections', token: t.office, query: { schoolId: schools[0]! }, own: 'schoolInspections' },
    {
      op: 'GET /audit/evidence',
      token: t.auditor,
      query: { campaignId: w.campaignId },
      own: 'auditEvidence',
    },
    { op: 'GET /audit/events', token: t.auditor, query: { campaignId: w.campaignId }, own: 'auditEvents' },
    {
      op: 'GET /campaigns/{id}/inspections',
      token: t.office,
      // As the API parses it (the binding of a cursor is the parsed query, defaults included).
      query: { format: 'json' },
      path: { id: w.campaignId },
      own: 'campaignInspections',
    },
    {
      op: 'GET /campaigns/{id}/burden',
      token: t.office,
      query: { format: 'json' },
      path: { id: w.campaignId },
      own: 'burden',
    },
    { op: 'GET /principals', token: t.office, query: { region: county }, own: 'principals' },
    {
      op: 'GET /audit/campaigns/{id}/verify',
      token: t.auditor,
      query: {},
      path: { id: w.campaignId },
      own: undefined,
    },
  ] as {
    op: string;
    token: string;
    query: Record<string, string>;
    path?: Record<string, string>;
    own?: string;
  }[];
};

/** The same list asked by another caller, and with other parameters. */
const foreignOf: Record<string, string[]> = {
  schools: ['schoolsOfProvince', 'schoolsOfKind'],
  inspectors: ['inspectorsOfProvince'],
  campaigns: ['campaignsOfCity'],
  auditEvidence: ['auditEvidenceOfOffice'],
  auditEvents: ['auditEventsOfOffice'],
  campaignInspections: ['campaignInspectionsOfCity'],
};

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const cursorCases = (): Case[] => {
  const cases: Case[] = [];
  for (const list of lists()) {
    const [method, template] = list.op.split(' ') as [string, string];
    const r: Request = {
      method,
      template,
      base: { token: list.token, path: list.path ?? {}, query: list.query },
    };
    const own = list.own ? w.cursors[list.own] : undefined;
    const odd: [string, string][] = [
      ['random base64', randomBytes(24).toString('base64url')],
      ['random standard base64 (with + and /)', randomBytes(30).toString('base64')],
      [
        'random base64, sealed-looking',
        `${randomBytes(24).toString('base64url')}.${randomBytes(18).toString('base64url')}`,
      ],
      ['base64 JSON of a DynamoDB key', b64({ k: { pk: 'SCHOOL#x', sk: 'y' } })],
      [
        'base64 JSON of another shape, sealed-looking',
        `${b64([1, 2, 3])}.${randomBytes(18).toString('base64url')}`,
      ],
      ['base64 JSON {c:-1}', b64({ c: -1 })],
      ['base64 of "null"', b64('null')],
      ['a verify position, unsealed', b64([1, 'a'.repeat(64)])],
      ['empty', ''],
      ['a dot', '.'],
      ['two dots', '..'],
      ['three parts', 'a.b.c'],
      ['2001 characters', 'a'.repeat(2001)],
      ['8000 characters', 'a'.repeat(8000)],
      ['%00', '%00'],
      ['an emoji', '%F0%9F%98%80'],
      ['an invalid UTF-8 sequence', '%ED%A0%80'],
      ['JSON as it is', enc('{"k":{"pk":"x"}}')],
    ];
    if (own) {
      const dot = own.lastIndexOf('.');
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      odd.push(
        ['truncated by 3', own.slice(0, -3)],
        ['truncated to half', own.slice(0, Math.floor(own.length / 2))],
        ['only its first part', own.slice(0, dot)],
        ['only its seal', own.slice(dot + 1)],
        ['a character of the state changed', flip(own, 2)],
        ['a character of the seal changed', flip(own, dot + 3)],
        ['twice', `${own}${own}`],
        ['the parts swapped', `${own.slice(dot + 1)}.${own.slice(0, dot)}`],
      );
    }
    // Cursors the API did return, but for another list, another caller or other parameters.
    for (const [key, cursor] of Object.entries(w.cursors)) {
      if (key === list.own) continue;
      const related = list.own && foreignOf[list.own]?.includes(key);
      odd.push([related ? `the same list's cursor of ${key}` : `the cursor of ${key}`, cursor]);
    }
    for (const [label, value] of odd) {
      const query = [
        ...Object.entries(list.query).map(([k, v]): [string, string] => [k, enc(v)]),
        ['cursor', value === '' || /%/.test(value) ? value : enc(value)] as [string, string],
      ];
      cases.push(variant(r, `${list.own ?? 'verify'}: cursor ${label}`, 'reject', { query }));
    }
    if (own) {
      // The same cursor is good for any page size: it belongs to the list, not to the page.
      const query: [string, string][] = [
        ...Object.entries(list.query).map(([k, v]): [string, string] => [k, enc(v)]),
        ['cursor', enc(own)],
        ['limit', '2'],
      ];
      cases.push(variant(r, `${list.own}: its own cursor with another limit`, 'survive', { query }));
      // base64url decoders skip what is not base64: such a cursor decodes to the real one.
      cases.push(
        variant(r, `${list.own}: its own cursor with a padding =`, 'survive', {
          query: [...query.slice(0, -2), ['cursor', enc(`${own}=`)]],
        }),
      );
    }
  }
  return cases;
};

/** The binding a cursor is sealed to (functions/handlers/http/dispatch.ts, listBinding). */
const bindingOf = (
  routeKey: string,
  role: string,
  scope: string,
  path: Record<string, string>,
  query: Record<string, string>,
) => {
  const sorted = (v: Record<string, unknown>) =>
    Object.keys(v)
      .sort()
      .map((k) => [k, v[k]]);
  return JSON.stringify([routeKey, `${role}:${scope}`, sorted(path), sorted(query)]);
};

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

beforeAll(async () => {
  w = await buildWorld();
}, 240_000);

const operations = () => {
  const bases = basesOf();
  const out: { method: string; template: string; operation: OpenApiOperation; bases: Base[] }[] = [];
  for (const [template, methods] of Object.entries(w.openapi.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const key = `${method.toUpperCase()} ${template}`;
      const given = bases[key];
      if (!given) throw new Error(`no valid request for ${key}: add one to basesOf()`);
      out.push({ method: method.toUpperCase(), template, operation, bases: given });
    }
  }
  return out;
};

describe('bad input is normal input', () => {
  it('every operation of /openapi.json has a valid request here, and it is accepted', async () => {
    const ops = operations();
    expect(ops.length).toBe(Object.keys(basesOf()).length);
    // Read-only operations answer their valid request with 2xx: the variants are one change from a real request.
    const reads = ops.filter((o) => o.method === 'GET');
    const outcomes = await runAll(
      reads.flatMap((o) =>
        o.bases.map((base, n) => ({
          ...variant({ method: o.method, template: o.template, base }, `valid request ${n + 1}`, 'survive'),
          intent: 'survive' as const,
        })),
      ),
    );
    const refused = outcomes.filter((o) => 'closed' in o.answer || o.answer.status >= 300);
    expect(refused.map((o) => `${o.c.op}: ${excerpt(o.answer)}`)).toEqual([]);
    // Every valid request passes the very schemas the API validates with (commands are not sent: they change state).
    const invalid = ops.flatMap((o) =>
      o.bases.flatMap((base, n) => {
        const schemas = handlerSchemas[`${o.method} ${o.template}`] ?? {};
        return (['path', 'query', 'body'] as const).flatMap((part) => {
          const schema = schemas[part];
          const value = part === 'body' ? base.body : base[part];
          if (!schema)
            return value === undefined || Object.keys(value as object).length === 0
              ? []
              : [`${o.method} ${o.template} [${n + 1}]: a ${part} it does not take`];
          const parsed = schema.safeParse(value ?? {});
          return parsed.success
            ? []
            : [`${o.method} ${o.template} [${n + 1}] ${part}: ${parsed.error.message}`];
        });
      }),
    );
    expect(invalid).toEqual([]);
  });

  it('answers cursors it did not return for this list and caller with 4xx problems', async () => {
    const outcomes = await runAll(cursorCases());
    summary('cursors', outcomes);
    failOnce('cursor cases', outcomes);
  }, 120_000);

  it('answers the requests that once were 500s with 4xx problems', async () => {
    const t = w.tokens;
    const i = w.inspections;
    const hand = (
      op: string,
      name: string,
      intent: Intent,
      token: string,
      path: Record<string, string>,
      body?: unknown,
      query: Record<string, string> = {},
    ) => {
      const [method, template] = op.split(' ') as [string, string];
      return variant(
        { method, template, base: { token, path, query, ...(body !== undefined ? { body } : {}) } },
        name,
        intent,
      );
    };
    const sa = 'PUT /inspections/{id}/self-assessment';
    const fi = 'PUT /inspections/{id}/findings';
    const long = (n: number) => '督导'.repeat(Math.ceil(n / 2)).slice(0, n);
    const template = (over: Record<string, unknown>) => ({
      ...wideTemplate,
      id: `bad-input-${randomBytes(4).toString('hex')}`,
      ...over,
    });
    // 150 Chinese characters (3 bytes each) and 50 control characters (6 bytes each as JSON escapes).
    const bulky = `${'中'.repeat(150)}${'\u0001'.repeat(50)}`;
    const kb = (body: unknown) => `${Math.round(Buffer.byteLength(stringify(body)) / 1024)} KB`;
    const bulkyTemplate = template({
      description: long(2000),
      indicators: wideTemplate.indicators.map((x) => ({
        ...x,
        title: { zh: long(200), en: 'x'.repeat(200) },
        evidence: Array.from({ length: 10 }, () => bulky),
      })),
    });
    const problems = (n: number) =>
      Array.from({ length: n }, (_, k) => ({ description: `问题 ${k + 1}`, severity: 'minor' }));
    const cases: Case[] = [
      // A valid-looking self-assessment: the same indicator many times, statements of 5,000 characters.
      hand(
        sa,
        'the same indicator 100 times, statements of 5,000 characters',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        {
          version: w.versions.assigned,
          indicators: Array.from({ length: 100 }, () => ({
            indicatorId: 'campus-safety',
            score: 90,
            statement: long(5000),
            evidenceIds: [],
          })),
        },
      ),
      hand(
        sa,
        'the same indicator 6 times, statements of 2,000 characters',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        {
          version: w.versions.assigned,
          indicators: Array.from({ length: 6 }, () => ({
            indicatorId: 'campus-safety',
            score: 90,
            statement: long(2000),
            evidenceIds: [],
          })),
        },
      ),
      hand(
        sa,
        'every indicator with a 5,000-character statement',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        {
          ...selfAssessment(w.versions.assigned!),
          indicators: selfAssessment(w.versions.assigned!).indicators.map((x) => ({
            ...x,
            statement: long(5000),
          })),
        },
      ),
      hand(
        sa,
        '100 indicators with 2,000-character Chinese statements (600 KB)',
        'reject',
        t.school[0]!,
        { id: w.wide.assigned },
        wideSelfAssessment(1, long(2000)),
      ),
      hand(
        sa,
        '1,000 indicators',
        'reject',
        t.school[0]!,
        { id: w.wide.assigned },
        {
          version: 1,
          indicators: Array.from({ length: 1000 }, (_, k) => ({
            indicatorId: `i${k}`,
            score: 1,
            statement: 'x',
            evidenceIds: [],
          })),
        },
      ),
      hand(
        sa,
        'an indicator the template does not have',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        {
          version: w.versions.assigned,
          indicators: [{ indicatorId: 'no-such-indicator', score: 1, statement: 'x', evidenceIds: [] }],
        },
      ),
      hand(
        sa,
        'evidence of another inspection',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        selfAssessment(w.versions.assigned!, [w.evidence.rectifying]),
      ),
      hand(
        sa,
        'an evidence id that does not exist',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        selfAssessment(w.versions.assigned!, ['01ARZ3NDEKTSV4RRFFQ69G5FAV']),
      ),
      hand(
        sa,
        '21 evidence ids on one indicator',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        selfAssessment(
          w.versions.assigned!,
          Array.from({ length: 21 }, (_, k) => `01ARZ3NDEKTSV4RRFFQ69G5F${String(k).padStart(2, '0')}`),
        ),
      ),
      // Findings with 300 problems.
      hand(
        fi,
        '300 problems under one indicator',
        'reject',
        t.inspector,
        { id: i.selfAssessed },
        {
          ...findings(w.versions.selfAssessed!, 0),
          indicators: findings(w.versions.selfAssessed!, 0).indicators.map((x, k) =>
            k === 0 ? { ...x, problems: problems(300) } : x,
          ),
        },
      ),
      hand(
        fi,
        '300 problems over 15 indicators (20 each)',
        'reject',
        t.inspector,
        { id: w.wide.selfAssessed },
        wideFindings(2, 15),
      ),
      hand(
        fi,
        'every indicator twice',
        'reject',
        t.inspector,
        { id: i.selfAssessed },
        {
          ...findings(w.versions.selfAssessed!, 0),
          indicators: [
            ...findings(w.versions.selfAssessed!, 0).indicators,
            ...findings(w.versions.selfAssessed!, 0).indicators,
          ],
        },
      ),
      hand(
        fi,
        'a visit on 2026-02-30',
        'reject',
        t.inspector,
        { id: i.selfAssessed },
        { ...findings(w.versions.selfAssessed!, 0), visit: { date: '2026-02-30', durationMinutes: 60 } },
      ),
      hand(
        fi,
        'a rectification due 2026-02-30',
        'reject',
        t.inspector,
        { id: i.selfAssessed },
        {
          ...findings(w.versions.selfAssessed!, 0),
          indicators: findings(w.versions.selfAssessed!, 1).indicators.map((x) => ({
            ...x,
            problems: x.problems.map((p) => ({ ...p, dueAt: '2026-02-30T00:00:00Z' })),
          })),
        },
      ),
      // An indicator named twice.
      hand(
        'POST /templates',
        'an indicator named twice',
        'reject',
        t.office,
        {},
        template({
          indicators: [
            { id: 'same', title: { zh: '甲', en: 'A' }, weight: 50, methods: ['document_review'] },
            { id: 'same', title: { zh: '乙', en: 'B' }, weight: 50, methods: ['document_review'] },
          ],
        }),
      ),
      hand(
        sa,
        'an indicator named twice',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        {
          ...selfAssessment(w.versions.assigned!),
          indicators: [
            ...selfAssessment(w.versions.assigned!).indicators,
            selfAssessment(w.versions.assigned!).indicators[0],
          ],
        },
      ),
      hand(
        'POST /templates',
        'weights that add up to 99',
        'reject',
        t.office,
        {},
        template({ indicators: wideTemplate.indicators.slice(1) }),
      ),
      hand(
        'POST /templates',
        'grading thresholds that rise',
        'reject',
        t.office,
        {},
        template({ grading: { excellent: 60, good: 80, pass: 90 } }),
      ),
      hand(
        'POST /templates',
        'a phase twice',
        'reject',
        t.office,
        {},
        template({
          phases: [
            { phase: 'on_site', days: 1 },
            { phase: 'on_site', days: 2 },
          ],
        }),
      ),
      hand(
        'POST /templates',
        'a method twice',
        'reject',
        t.office,
        {},
        template({
          indicators: [
            { id: 'a', title: { zh: '甲', en: 'A' }, weight: 100, methods: ['interview', 'interview'] },
          ],
        }),
      ),
      hand(
        'POST /templates',
        'a new version of a built-in',
        'reject',
        t.office,
        {},
        { ...template({}), id: 'start-of-term', version: 2 },
      ),
      // A ~900 KB template body.
      hand(
        'POST /templates',
        `a template of ${kb(bulkyTemplate)} within every field limit`,
        'reject',
        t.office,
        {},
        bulkyTemplate,
      ),
      hand(
        'POST /templates',
        'a ~900 KB description',
        'reject',
        t.office,
        {},
        template({ description: 'x'.repeat(900_000) }),
      ),
      hand(
        'POST /templates',
        '~900 KB in a field the schema does not have',
        'survive',
        t.office,
        {},
        template({ zzPadding: 'x'.repeat(900_000) }),
      ),
      // A notification with 500 long school ids.
      ...['POST /campaigns/{id}/actions', 'POST /inspections/{id}/actions'].flatMap((op) => {
        const path = { id: op.startsWith('POST /campaigns') ? w.campaignId : i.rectifying };
        const notification = (schoolIds: string[]) => ({
          type: 'notification',
          visibility: 'internal',
          schoolIds,
          text: '通报',
        });
        return [
          hand(
            op,
            'a notification naming 500 long school ids',
            'reject',
            t.office,
            path,
            notification(
              Array.from({ length: 500 }, (_, k) => `${String(k).padStart(10, '0')}${'9'.repeat(54)}`),
            ),
          ),
          hand(
            op,
            'a notification naming 500 school ids',
            'reject',
            t.office,
            path,
            notification(Array.from({ length: 500 }, (_, k) => `42010${String(k).padStart(5, '0')}`)),
          ),
          hand(
            op,
            'a notification naming 200 unknown schools',
            'reject',
            t.office,
            path,
            notification(Array.from({ length: 200 }, (_, k) => `4201029${String(k).padStart(3, '0')}`)),
          ),
          hand(
            op,
            'a notification naming 200 schools, all the same',
            'reject',
            t.office,
            path,
            notification(Array(200).fill(schools[0])),
          ),
          hand(
            op,
            'a notification naming a school outside the campaign',
            'reject',
            t.office,
            path,
            notification(['3205820001']),
          ),
          hand(op, 'a notification naming 101 regions', 'reject', t.office, path, {
            ...notification([]),
            regionCodes: Array.from({ length: 101 }, (_, k) => `420102${String(k + 1).padStart(3, '0')}`),
          }),
          hand(op, 'a notification naming a region outside the office', 'reject', t.office, path, {
            ...notification([]),
            regionCodes: ['32'],
          }),
          hand(op, 'a notification naming a region that does not exist', 'reject', t.office, path, {
            ...notification([]),
            regionCodes: ['420199'],
          }),
          hand(op, 'an incentive naming 201 inspections', 'reject', t.office, path, {
            type: 'incentive',
            inspectionIds: Array.from({ length: 201 }, (_, k) => `x${k}`),
            text: '表彰',
          }),
          // POST /inspections/{id}/actions names its own inspection (the path's), whatever the body says.
          hand(
            op,
            'an incentive naming inspections of another campaign',
            op.startsWith('POST /campaigns') ? 'reject' : 'survive',
            t.office,
            path,
            { type: 'incentive', inspectionIds: [w.wide.assigned], text: '表彰' },
          ),
          hand(op, 'an interview with 51 attendees', 'reject', t.office, path, {
            type: 'interview',
            date: '2026-11-01',
            leaderSummoned: '校长',
            attendees: Array(51).fill('人'),
            minutes: '纪要',
          }),
          hand(op, 'a 10 001-character notification', 'reject', t.office, path, {
            ...notification([]),
            text: '通'.repeat(10_001),
          }),
        ];
      }),
      hand(
        'POST /campaigns/{id}/actions',
        'accountability without an inspection',
        'reject',
        t.office,
        { id: w.campaignId },
        { type: 'accountability', decisionReference: 'x' },
      ),
      hand(
        'POST /campaigns/{id}/actions',
        'accountability of an inspection of another campaign',
        'reject',
        t.office,
        { id: w.campaignId },
        { type: 'accountability', inspectionId: w.wide.assigned, decisionReference: 'x' },
      ),
      hand(
        'POST /campaigns/{id}/actions',
        'accountability of an unknown inspection',
        'reject',
        t.office,
        { id: w.campaignId },
        { type: 'accountability', inspectionId: 'no-such-inspection', decisionReference: 'x' },
      ),
      // Campaign windows that cannot be.
      ...[
        ['start after end', { start: '2026-12-31', end: '2026-10-01' }],
        ['longer than three years', { start: '2000-01-01', end: '2099-12-31' }],
        ['in 1999', { start: '1999-01-01', end: '1999-02-01' }],
        ['in 2100', { start: '2100-01-01', end: '2100-02-01' }],
        ['on 2026-02-30', { start: '2026-02-30', end: '2026-03-30' }],
        ['on 9999-99-99', { start: '2026-01-01', end: '9999-99-99' }],
      ].map(([label, win]) =>
        hand(
          'POST /campaigns',
          `a window ${label as string}`,
          'reject',
          t.office,
          {},
          { templateId: 'start-of-term', title: 'x', scope: county, window: win },
        ),
      ),
      hand(
        'POST /campaigns',
        'a template that does not exist',
        'reject',
        t.office,
        {},
        { templateId: 'no-such-template', title: 'x', scope: county, window },
      ),
      hand(
        'POST /campaigns',
        'a scope outside the office',
        'reject',
        t.office,
        {},
        { templateId: 'start-of-term', title: 'x', scope: '32', window },
      ),
      hand(
        'POST /campaigns',
        'a scope that is no region',
        'reject',
        t.office,
        {},
        { templateId: 'start-of-term', title: 'x', scope: '999999', window },
      ),
      hand(
        'POST /campaigns',
        'a phase overridden twice',
        'reject',
        t.office,
        {},
        {
          templateId: 'start-of-term',
          title: 'x',
          scope: county,
          window,
          overrides: {
            phases: [
              { phase: 'on_site', days: 1 },
              { phase: 'on_site', days: 2 },
            ],
          },
        },
      ),
      hand(
        'PATCH /campaigns/{id}',
        'no change at all',
        'reject',
        t.office,
        { id: w.draftId },
        { version: 1, changes: {} },
      ),
      hand(
        'PATCH /campaigns/{id}',
        'an active campaign',
        'reject',
        t.office,
        { id: w.campaignId },
        { version: 1, changes: { title: 'x' } },
      ),
      hand(
        'POST /inspections/{id}/evidence',
        'a 25 MB PNG',
        'reject',
        t.school[0]!,
        { id: i.assigned },
        { fileName: 'a.png', contentType: 'image/png', size: 25 * 1024 * 1024, sha256: 'c'.repeat(64) },
      ),
      hand(
        'POST /inspections/{id}/evidence',
        'a file name of path segments and NULs',
        'survive',
        t.school[0]!,
        { id: i.assigned },
        {
          fileName: '../../etc/passwd\u0000.png',
          contentType: 'image/png',
          size: 10,
          sha256: 'c'.repeat(64),
        },
      ),
      hand(
        'POST /inspections/{id}/evidence',
        // Not checked against the template today (an observation, not a documented rule).
        'an indicator the template does not have',
        'survive',
        t.school[0]!,
        { id: i.assigned },
        {
          fileName: 'a.png',
          contentType: 'image/png',
          size: 10,
          sha256: 'c'.repeat(64),
          indicatorId: 'no-such-indicator',
        },
      ),
      hand(
        'POST /audit/exports',
        'a campaign that does not exist',
        'reject',
        t.auditor,
        {},
        { campaignId: 'no-such-campaign' },
      ),
      hand(
        'POST /audit/exports',
        'a region outside the auditor',
        'reject',
        t.auditor,
        {},
        { campaignId: w.campaignId, region: '32' },
      ),
      hand('GET /inspections', 'neither assignee nor schoolId', 'reject', t.office, {}, undefined, {}),
      hand('GET /inspections', 'assignee=me asked by an office', 'reject', t.office, {}, undefined, {
        assignee: 'me',
      }),
      hand('GET /inspections', 'a school outside the caller', 'reject', t.office, {}, undefined, {
        schoolId: '3205820001',
      }),
      hand('GET /schools', 'a region outside the caller', 'reject', t.office, {}, undefined, {
        region: '32',
      }),
      hand('GET /schools', 'a region that does not exist', 'reject', t.office, {}, undefined, {
        region: '420199',
      }),
      hand(
        'GET /campaigns/{id}/progress',
        'a region outside the campaign',
        'reject',
        t.office,
        { id: w.campaignId },
        undefined,
        { region: '3205' },
      ),
      hand(
        'GET /campaigns/{id}/report',
        'a region outside the campaign, as xlsx',
        'reject',
        t.office,
        { id: w.campaignId },
        undefined,
        { region: '3205', format: 'xlsx' },
      ),
      hand('GET /audit/events', 'no index to read by', 'reject', t.auditor, {}, undefined, {
        from: '2026-01-01',
      }),
      hand('GET /audit/evidence', 'no index to read by', 'reject', t.auditor, {}, undefined, {
        region: county,
      }),
      hand('GET /audit/evidence', 'a region outside the auditor', 'reject', t.auditor, {}, undefined, {
        campaignId: w.campaignId,
        region: '32',
      }),
    ];
    // `from` later than `to`, by every index the archive reads through.
    for (const [op, indexes] of [
      [
        'GET /audit/events',
        [{ campaignId: w.campaignId }, { entityId: i.assigned }, { actor: `office-${county}` }],
      ],
      [
        'GET /audit/evidence',
        [{ campaignId: w.campaignId }, { schoolId: schools[0]! }, { uploader: `school-${schools[0]}` }],
      ],
    ] as [string, Record<string, string>[]][]) {
      for (const index of indexes) {
        for (const [from, to] of [
          ['2026-12-01', '2026-01-01'],
          ['2026-06-02T00:00:00.000Z', '2026-06-01T00:00:00.000Z'],
          ['2026-06-02T00:00:00Z', '2026-06-01'],
          ['2026-06-01T00:00:00.001Z', '2026-06-01T00:00:00.000Z'],
        ]) {
          cases.push(
            hand(
              op,
              `from ${from} later than to ${to} (by ${Object.keys(index)[0]})`,
              'reject',
              t.auditor,
              {},
              undefined,
              { ...index, from: from!, to: to! },
            ),
          );
        }
        cases.push(
          hand(op, `to on 2026-02-30 (by ${Object.keys(index)[0]})`, 'reject', t.auditor, {}, undefined, {
            ...index,
            to: '2026-02-30',
          }),
        );
        cases.push(
          hand(op, `from 9999-99-99 (by ${Object.keys(index)[0]})`, 'reject', t.auditor, {}, undefined, {
            ...index,
            from: '9999-99-99',
          }),
        );
      }
    }
    const outcomes = await runAll(cases);

    // In sequence, on the wide campaign: valid but large submissions, then the report of 200 problems.
    const step = async (c: Case) => {
      const answer = await send(c);
      outcomes.push({ c, answer, fault: judge(c, answer), ms: 0 });
      return answer;
    };
    const wideId = w.wide.selfAssessed;
    const sized = await step(
      hand(
        sa,
        '100 indicators with 800-character Chinese statements (~245 KB)',
        'survive',
        t.school[0]!,
        { id: w.wide.assigned },
        wideSelfAssessment(1, long(800)),
      ),
    );
    const lone = await step(
      hand(
        sa,
        'statements with lone surrogates, NULs and RTL overrides',
        'survive',
        t.school[1]!,
        { id: wideId },
        wideSelfAssessment(2, 'a\ud800b\u0000c\u202Ed\udfff'),
      ),
    );
    const version = await versionOf(t.office, wideId);
    const recorded = await step(
      hand(
        fi,
        'findings with 200 problems (10 indicators × 20)',
        'survive',
        t.inspector,
        { id: wideId },
        wideFindings(version, 10),
      ),
    );
    const reported = await step(
      hand(
        'POST /inspections/{id}/report',
        'the report of 200 problems (200 rectifications)',
        'survive',
        t.inspector,
        { id: wideId },
        { version: await versionOf(t.office, wideId) },
      ),
    );
    console.log(
      `large valid submissions: self-assessment ${'status' in sized ? sized.status : 'closed'}, lone surrogates ${'status' in lone ? lone.status : 'closed'}, findings ${'status' in recorded ? recorded.status : 'closed'}, report ${'status' in reported ? reported.status : 'closed'}`,
    );
    summary('known past 500s', outcomes);
    failOnce('hand-written cases', outcomes);
  }, 180_000);

  it('answers cursors sealed with the server’s key around a state no list made with 4xx problems (defence in depth)', async () => {
    const seal = cursorSeal(Buffer.from(process.env.CURSOR_KEY!, 'base64'));
    const actorOf = (token: string) => {
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        string
      >;
      return [claims['dudao:role']!, claims['dudao:scope']!] as const;
    };
    // The inner state of each real cursor, read with the binding of its own list.
    const inner: Record<string, string> = {};
    for (const list of lists()) {
      if (!list.own) continue;
      const [role, scope] = actorOf(list.token);
      inner[list.own] = seal.unseal(
        bindingOf(list.op, role, scope, list.path ?? {}, list.query),
        w.cursors[list.own]!,
      );
    }
    const states: [string, string][] = [
      ['not base64 JSON', 'not-json'],
      ['empty', ''],
      ['null', b64('null')],
      ['[]', b64([])],
      ['{}', b64({})],
      ['{k: null}', b64({ k: null })],
      ['{k: {}}', b64({ k: {} })],
      ['{k: "x"}', b64({ k: 'x' })],
      ['{k: [1, 2]}', b64({ k: [1, 2] })],
      ['{k: {pk}}', b64({ k: { pk: 'x' } })],
      ['{k: {pk, sk}} of nothing', b64({ k: { pk: 'x', sk: 'y' } })],
      ['{k: {pk: {S}}}', b64({ k: { pk: { S: 'x' }, sk: { S: 'y' } } })],
      ['{k: {x: 1}}', b64({ k: { x: 1 } })],
      ['{c: -1}', b64({ c: -1 })],
      ['{c: 1.5}', b64({ c: 1.5 })],
      ['{c: 1e9}', b64({ c: 1e9 })],
      ['{c: 0, k: "x"}', b64({ c: 0, k: 'x' })],
      ['{c: 0, k: {x: 1}}', b64({ c: 0, k: { x: 1 } })],
      ['a verify position past the end', b64([1e9, 'a'.repeat(64)])],
      ['a verify position 0', b64([0, 'a'.repeat(64)])],
      ['a verify position of strings', b64(['1', 'x'])],
      ...Object.entries(inner).map(([key, state]): [string, string] => [`the state of ${key}`, state]),
    ];
    const cases: Case[] = [];
    for (const list of lists()) {
      const [method, template] = list.op.split(' ') as [string, string];
      const [role, scope] = actorOf(list.token);
      const binding = bindingOf(list.op, role, scope, list.path ?? {}, list.query);
      for (const [label, state] of states) {
        if (list.own && state === inner[list.own]) continue;
        const query: [string, string][] = [
          ...Object.entries(list.query).map(([k, v]): [string, string] => [k, enc(v)]),
          ['cursor', enc(seal.seal(binding, state))],
        ];
        cases.push(
          variant(
            { method, template, base: { token: list.token, path: list.path ?? {}, query: list.query } },
            `${list.own ?? 'verify'}: sealed ${label}`,
            // Only the server can make these: an empty or first page is a fair answer, a 5xx is not.
            'survive',
            { query },
          ),
        );
      }
    }
    const outcomes = await runAll(cases);
    summary('sealed forgeries', outcomes);
    failOnce('sealed forgeries', outcomes);
  }, 120_000);
  it('answers the generated corpus of every operation with 4xx problems, never a 5xx', async () => {
    const ops = operations();
    const corpus = ops.flatMap((o) => corpusOf(o.method, o.template, o.operation, o.bases));
    // Methods a path does not have: 405, whatever else the request carries.
    for (const template of new Set(ops.map((o) => o.template))) {
      const declared = ops.filter((o) => o.template === template);
      const o = declared[0]!;
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        if (declared.some((d) => d.method === method)) continue;
        corpus.push(
          variant(
            { method: o.method, template, base: o.bases[0]! },
            `method ${method}, which the path does not have`,
            'reject',
            { method },
          ),
        );
      }
    }
    // What must be refused first: a request that gets through may change what the rest finds.
    const ordered = [
      ...corpus.filter((c) => c.intent === 'reject'),
      ...corpus.filter((c) => c.intent === 'survive'),
    ];
    const started = performance.now();
    const outcomes = await runAll(ordered);
    summary(`generated corpus (${Math.round(performance.now() - started)} ms)`, outcomes);
    failOnce('generated cases', outcomes);
  }, 300_000);

  it('answers raw HTTP oddities on every operation with a 4xx or a closed connection, never a 5xx', async () => {
    const cases = operations().flatMap((o) => rawCases(o.method, o.template, o.bases[0]!));
    const outcomes = await runAll(cases);
    summary('raw HTTP', outcomes);
    failOnce('raw HTTP cases', outcomes);
  }, 120_000);
});
