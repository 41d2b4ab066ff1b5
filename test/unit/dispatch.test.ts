import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError } from '#core/errors';
import { dispatch } from '#handlers/http/dispatch';
import { defineOperation, json, type OperationTable } from '#handlers/http/operation';
import { problemResponse, toProblem } from '#handlers/http/problem';
import { maxRequestBodyBytes } from '#infra/resources';
import { cursorSeal } from '#lib/cursor';
import { apiEvent, verifyTestToken } from '#test/support/events';

// A fixture table: the declared /me route, served by an operation with a body
// schema, so that body handling is exercised independently of real routes.
const echo = defineOperation({
  summary: 'echo',
  tags: [],
  body: z.object({ name: z.string().min(1), students: z.number().int() }),
  query: z.object({ limit: z.coerce.number().int().max(100).optional() }),
  responses: { 200: { description: 'echo', schema: z.unknown() } },
  problems: [400, 413, 415],
  handle: async ({ body, actor, query }) => json(200, { body, actor, query }),
});
const conflict = defineOperation({
  summary: 'conflict',
  tags: [],
  responses: {},
  problems: [409],
  handle: async () => {
    throw new ConflictError('stale version 3');
  },
});
const crash = defineOperation({
  summary: 'crash',
  tags: [],
  responses: {},
  problems: [],
  handle: async () => {
    throw new Error('secret internals at /var/task/index.js:12');
  },
});

const table = (op: typeof echo | typeof conflict | typeof crash) =>
  ({ 'GET /health': op, 'GET /openapi.json': op, 'GET /me': op }) as unknown as OperationTable;

const claims = { sub: 'u1', 'dudao:role': 'county_admin', 'dudao:scope': '320582' };

/** Runs dispatch the way the middleware does: errors become problem responses. */
const run = async (ops: OperationTable, event: ReturnType<typeof apiEvent>) => {
  try {
    return await dispatch(ops, event, { verify: verifyTestToken, cursors: cursorSeal(Buffer.alloc(32, 7)) });
  } catch (error) {
    return problemResponse(toProblem(error, event.requestContext.requestId));
  }
};

const body = (r: { body?: string }) => JSON.parse(r.body ?? 'null');

describe('dispatch', () => {
  const json = { 'content-type': 'application/json' };

  it('passes a valid request with the actor to the operation', async () => {
    const r = await run(
      table(echo),
      apiEvent('GET /me', {
        claims,
        headers: json,
        body: '{"name":"x","students":3}',
        query: { limit: '5' },
      }),
    );
    expect(r.statusCode).toBe(200);
    expect(body(r)).toEqual({
      body: { name: 'x', students: 3 },
      actor: { subject: 'u1', role: 'county_admin', scope: '320582' },
      query: { limit: 5 },
    });
    expect(r.headers?.['x-request-id']).toBe('req-1');
  });

  it.each([
    ['no claims', { headers: json, body: '{}' }, 401, 'unauthorized'],
    [
      'unknown role',
      { claims: { ...claims, 'dudao:role': 'janitor' }, headers: json, body: '{}' },
      403,
      'forbidden',
    ],
    [
      'scope of the wrong shape',
      { claims: { ...claims, 'dudao:scope': '32' }, headers: json, body: '{}' },
      403,
      'forbidden',
    ],
    ['malformed JSON', { claims, headers: json, body: '{"name":' }, 400, 'bad-request'],
    ['no body', { claims, headers: json }, 400, 'bad-request'],
    [
      'wrong content type',
      { claims, headers: { 'content-type': 'text/plain' }, body: '{}' },
      415,
      'unsupported-media-type',
    ],
    ['no content type', { claims, body: '{"name":"x","students":1}' }, 415, 'unsupported-media-type'],
    [
      'schema violation',
      { claims, headers: json, body: '{"name":"","students":"many"}' },
      400,
      'validation-failed',
    ],
    [
      'oversize body',
      { claims, headers: json, body: `"${'x'.repeat(maxRequestBodyBytes)}"` },
      413,
      'payload-too-large',
    ],
    [
      'bad query',
      { claims, headers: json, body: '{"name":"x","students":1}', query: { limit: '1000' } },
      400,
      'validation-failed',
    ],
  ] as const)('refuses %s with a problem+json %i', async (_, opts, status, code) => {
    const r = await run(table(echo), apiEvent('GET /me', opts));
    expect(r.statusCode).toBe(status);
    expect(r.headers?.['content-type']).toBe('application/problem+json');
    const problem = body(r);
    expect(problem).toMatchObject({ status, type: `https://dudao.dev/problems/${code}`, requestId: 'req-1' });
    expect(problem.detail).toEqual(expect.any(String));
  });

  it('lists every invalid field', async () => {
    const r = await run(
      table(echo),
      apiEvent('GET /me', { claims, headers: json, body: '{"students":"many"}' }),
    );
    expect(body(r).errors).toEqual([
      { path: 'body.name', message: expect.any(String) },
      { path: 'body.students', message: expect.any(String) },
    ]);
  });

  it('answers 404 for an unknown path and 405 for a known path with another method', async () => {
    const notFound = await run(table(echo), apiEvent('$default', { method: 'GET', path: '/nope' }));
    expect(notFound.statusCode).toBe(404);
    const notAllowed = await run(table(echo), apiEvent('$default', { method: 'DELETE', path: '/me' }));
    expect(notAllowed.statusCode).toBe(405);
    expect(body(notAllowed).detail).toContain('GET');
  });

  it('maps domain errors to their status', async () => {
    const r = await run(table(conflict), apiEvent('GET /me', { claims }));
    expect(r.statusCode).toBe(409);
    expect(body(r).detail).toBe('stale version 3');
  });

  it('hides the internals of unexpected errors', async () => {
    const r = await run(table(crash), apiEvent('GET /me', { claims }));
    expect(r.statusCode).toBe(500);
    expect(r.body).not.toContain('secret');
    expect(r.body).not.toContain('index.js');
  });
});

describe('cursors at the edge', () => {
  // A list that returns the inner cursor it was given, and hands out "next" for the next page.
  const list = defineOperation({
    summary: 'list',
    tags: [],
    query: z.object({
      region: z.string().optional(),
      cursor: z.string().optional(),
      limit: z.string().optional(),
    }),
    responses: {},
    problems: [400],
    handle: async ({ query }) => json(200, { given: query.cursor ?? null, items: [], cursor: 'next-page' }),
  });
  const ops = {
    'GET /health': list,
    'GET /openapi.json': list,
    'GET /me': list,
  } as unknown as OperationTable;
  const page = async (query: Record<string, string>, who = claims, route = 'GET /me') =>
    run(ops, apiEvent(route, { claims: who, query }));

  it('hands out sealed cursors and takes them back for the same list and caller, whatever the page size', async () => {
    const first = body(await page({ region: '3205' }));
    expect(first.cursor).not.toBe('next-page');
    const second = body(await page({ region: '3205', cursor: first.cursor, limit: '10' }));
    expect(second.given).toBe('next-page');
  });

  it('refuses, before any store sees it, a changed cursor, a hand-made one, another list’s and another caller’s', async () => {
    const { cursor } = body(await page({ region: '3205' }));
    const [inner, mac] = (cursor as string).split('.');
    const changed = `${Buffer.from('{"k":{"pk":"SCHOOL#1"}}').toString('base64url')}.${mac}`;
    const handMade = Buffer.from(JSON.stringify({ k: { pk: 'x', sk: 'y' } })).toString('base64url');
    const cases: [string, Promise<{ statusCode?: number; body?: string }>][] = [
      ['changed', page({ region: '3205', cursor: changed })],
      ['hand-made', page({ region: '3205', cursor: handMade })],
      ['truncated', page({ region: '3205', cursor: `${inner}.` })],
      ['another region', page({ region: '3206', cursor })],
      ['another caller', page({ region: '3205', cursor }, { ...claims, 'dudao:scope': '320583' })],
      ['another route', page({ region: '3205', cursor }, claims, 'GET /health')],
    ];
    for (const [what, response] of cases) {
      const r = await response;
      expect(r.statusCode, what).toBe(400);
      expect(body(r).errors, what).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    }
  });
});
