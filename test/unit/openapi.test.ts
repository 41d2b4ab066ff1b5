import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
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
import { buildOpenApi } from '#handlers/http/openapi';
import type { AnyOperation, OperationTable } from '#handlers/http/operation';
import { routeKey, routes } from '#infra/resources';
import { checkResponse, compileContract } from '#test/support/contract';

// The operation table as the API function builds it; no operation is called here, so no dependency is.
const none = {} as never;
const operations: OperationTable = {
  ...systemOperations({ health: none, openapi: () => ({}) }),
  ...registryOperations({ registry: none, imports: none }),
  ...campaignOperations({ campaigns: none }),
  ...campaignFileOperations({ files: none, preview: none }),
  ...principalOperations({ registry: none }),
  ...evidenceOperations({ evidence: none }),
  ...inspectionOperations({ campaigns: none, inspections: none }),
  ...teamOperations({ teams: none, views: none, panels: none }),
  ...burdenOperations({ burden: none, prefill: none }),
  ...auditOperations({ audit: none }),
  ...exportOperations({ exports: none }),
  ...rankingOperations({ ranking: none }),
  ...kindergartenCycleOperations({ reEvaluation: none, registry: none }),
};
const document = buildOpenApi(operations, { version: 'test' }) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
};
const entries = routes.map((r) => [routeKey(r), r, operations[routeKey(r) as keyof OperationTable]] as const);
const successes = (op: AnyOperation) => Object.entries(op.responses).filter(([s]) => Number(s) < 300);

describe('the contract (GET /openapi.json)', () => {
  it('has an operation for every declared route', () => {
    expect(entries.filter(([, , op]) => !op).map(([key]) => key)).toEqual([]);
  });

  it('gives every operation a success response with a JSON schema or the files it downloads', () => {
    const missing = entries
      .filter(
        ([, , op]) =>
          successes(op).length === 0 || successes(op).some(([, spec]) => !spec.schema && !spec.files?.length),
      )
      .map(([key]) => key);
    expect(missing).toEqual([]);
  });

  it('lists the problems every operation can answer: 400 for input, 401 and 403 on jwt routes, 413 and 415 for bodies', () => {
    const wrong = entries.flatMap(([key, route, op]) => {
      const expected = [
        ...(op.path || op.query || op.body ? [400] : []),
        ...(route.auth === 'jwt' ? [401, 403] : []),
        ...(op.body ? [413, 415] : []),
        ...(successes(op).some(([, spec]) => spec.files?.length) ? [413] : []),
      ];
      const absent = expected.filter((s) => !op.problems.includes(s as never));
      return absent.length > 0 ? [`${key}: ${absent.join(', ')}`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('documents each problem status with the Problem schema, not only a default', () => {
    const cases = entries.flatMap(([, route, op]) =>
      op.problems.map((status) => ({
        route: `${route.method} ${route.path}`,
        content: document.paths[route.path]?.[route.method.toLowerCase()]?.responses[String(status)]?.content,
      })),
    );
    expect(cases.length).toBeGreaterThan(entries.length);
    for (const c of cases) {
      expect(c.content, c.route).toEqual({
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      });
    }
    // No 4xx hides in `default` (that is for 5xx): each is declared by the operation's problems.
    for (const [, route, op] of entries) {
      const statuses = Object.keys(document.paths[route.path]![route.method.toLowerCase()]!.responses);
      expect(statuses.filter((s) => s.startsWith('4')).sort(), route.path).toEqual(
        op.problems.map(String).sort(),
      );
    }
  });

  it('compiles every schema in the document with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses)', () => {
    const contract = compileContract(document as never);
    let compiled = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            const schema = (media as { schema?: Record<string, unknown> }).schema ?? {};
            expect(() => contract.validator(schema, `${method} ${path} ${status} ${type}`)).not.toThrow();
            compiled++;
          }
        }
      }
    }
    expect(compiled).toBeGreaterThan(routes.length * 3);
  });

  it('rejects a body its schema does not allow, and accepts one it does (the check can fail)', () => {
    const contract = compileContract(document as never);
    const ok = {
      method: 'GET',
      path: '/me',
      status: 200,
      contentType: 'application/json',
      body: { subject: 's', role: 'county_admin', scope: '320582' },
      text: '{}',
    };
    expect(checkOf(contract, ok)).toBe('GET /me');
    expect(() => checkOf(contract, { ...ok, body: { subject: 's', role: 'pope', scope: '1' } })).toThrow(
      /GET \/me answered 200.*does not match/s,
    );
    expect(() => checkOf(contract, { ...ok, status: 201 })).toThrow(/status 201 is not declared/);
    expect(() =>
      checkOf(contract, {
        ...ok,
        status: 404,
        contentType: 'application/problem+json',
        body: {
          type: 'https://dudao.dev/problems/not-found',
          title: 'Not found',
          status: 404,
          detail: 'x',
          requestId: 'r',
        },
      }),
    ).toThrow(/status 404 is not declared/);
    expect(
      checkOf(contract, {
        ...ok,
        path: '/schools/3201000001',
        status: 404,
        contentType: 'application/problem+json',
        body: {
          type: 'https://dudao.dev/problems/not-found',
          title: 'Not found',
          status: 404,
          detail: 'x',
          requestId: 'r',
        },
      }),
    ).toBe('GET /schools/{id}');
  });

  it('checks the documented formats (ajv-formats is loaded)', () => {
    const ajv = new Ajv2020();
    (
      (addFormatsModule as unknown as { default?: (a: Ajv2020) => void }).default ??
      (addFormatsModule as unknown as (a: Ajv2020) => void)
    )(ajv);
    expect(ajv.validate({ type: 'string', format: 'uri' }, 'not a uri')).toBe(false);
  });
});

const checkOf = (contract: ReturnType<typeof compileContract>, r: Parameters<typeof checkResponse>[1]) =>
  checkResponse(contract, r);
