import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * The contract check: every response a test gets through `call()` is checked
 * against GET /openapi.json, the document the API itself serves. The operation
 * is found by method and path template; its status must be declared; a JSON
 * body must match that status's schema, a problem+json body the Problem schema,
 * a file one of the declared content types. Each (route, status) checked is
 * recorded, so that the run can tell which routes no test ever saw succeed.
 */

type Json = Record<string, unknown>;
interface Template {
  method: string;
  template: string;
  pattern: RegExp;
  literals: number;
  responses: Record<string, Json>;
}
interface Contract {
  templates: Template[];
  validator: (schema: Json, key: string) => ValidateFunction;
}

export interface CheckedResponse {
  method: string;
  /** The path asked for, with its query string. */
  path: string;
  status: number;
  contentType: string;
  text: string;
  body: unknown;
}

const problemType = 'application/problem+json';
const problemRef = { $ref: '#/components/schemas/Problem' };
export const contractDir = (dataDir: string) => join(dataDir, 'contract');

// ajv-formats is CommonJS: its function is the default export, or that export's own `default`.
type AddFormats = (ajv: Ajv2020) => unknown;
const formats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

/** Compiles the document: one ajv instance, the document added once so that `$ref`s into it resolve. */
export const compileContract = (document: Json): Contract => {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  formats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: document.components }, 'openapi.json');
  const compiled = new Map<string, ValidateFunction>();
  const validator = (schema: Json, key: string) => {
    let v = compiled.get(key);
    if (v === undefined) {
      // `#/components/...` inside an operation's schema means the document's components.
      const rooted = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'),
      );
      v = ajv.compile(rooted);
      compiled.set(key, v);
    }
    return v as ValidateFunction;
  };
  const templates: Template[] = [];
  for (const [template, methods] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    const segments = template.split('/');
    const pattern = new RegExp(
      `^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`,
    );
    const literals = segments.filter((s) => !/^\{.+\}$/.test(s)).length;
    for (const [method, operation] of Object.entries(methods)) {
      templates.push({
        method: method.toUpperCase(),
        template,
        pattern,
        literals,
        responses: ((operation as Json).responses ?? {}) as Record<string, Json>,
      });
    }
  }
  // Like API Gateway: a path with more literal segments wins over one with parameters.
  templates.sort((a, b) => b.literals - a.literals);
  return { templates, validator };
};

let contract: Promise<Contract> | undefined;
/** The served document, fetched and compiled once per worker. */
export const loadContract = (apiUrl: string): Promise<Contract> => {
  contract ??= (async () => {
    const response = await fetch(`${apiUrl}/openapi.json`);
    if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
    return compileContract((await response.json()) as Json);
  })();
  return contract;
};

const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .slice(0, 10)
    .map((e) => `  ${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');

/**
 * Checks one response; returns the route it belongs to (`GET /schools/{id}`,
 * or undefined for a path no route matches), or throws saying what is wrong.
 */
export const checkResponse = (c: Contract, r: CheckedResponse): string | undefined => {
  const path = r.path.split('?')[0]!;
  const byPath = c.templates.filter((t) => t.pattern.test(path));
  const operation = byPath.find((t) => t.method === r.method.toUpperCase());
  const type = mediaType(r.contentType);
  const fail = (what: string, route: string, errors?: string): never => {
    throw new Error(
      `contract: ${route} answered ${r.status} (${type || 'no content type'}): ${what}` +
        `${errors ? `\n${errors}` : ''}\nbody: ${r.text.slice(0, 500)}`,
    );
  };
  const checkProblem = (route: string) => {
    if (type !== problemType) fail(`expected ${problemType}`, route);
    const v = c.validator(problemRef, 'problem');
    if (!v(r.body)) fail('the body is not a Problem', route, describe(v.errors));
    if ((r.body as { status?: unknown }).status !== r.status)
      fail('the problem’s status differs from the response’s', route);
  };

  if (!operation) {
    // No route: the API answers 404 (no such path) or 405 (the path exists, not the method),
    // or 413 for a body over the gateway's limit (refused before any route is matched).
    const route = `${r.method.toUpperCase()} ${path} (no route)`;
    if (r.status !== 413 && r.status !== (byPath.length > 0 ? 405 : 404))
      fail('a path without a route must answer 404, 405 or 413', route);
    checkProblem(route);
    return undefined;
  }
  const route = `${operation.method} ${operation.template}`;
  // A 5xx is the document's `default` (4xx statuses are each declared, or wrong).
  const declared =
    operation.responses[String(r.status)] ?? (r.status >= 500 ? operation.responses.default : undefined);
  if (!declared)
    fail(
      `status ${r.status} is not declared (declared: ${Object.keys(operation.responses).join(', ')})`,
      route,
    );
  const content = (declared!.content ?? {}) as Record<string, { schema?: Json }>;
  if (r.status >= 400 && type === problemType) {
    if (!content[problemType]) fail(`status ${r.status} is declared without problem+json`, route);
    checkProblem(route);
    return route;
  }
  if (Object.keys(content).length === 0) {
    if (r.text !== '') fail('the status is declared without a body', route);
    return route;
  }
  const media = content[type];
  if (!media) fail(`content type not declared (declared: ${Object.keys(content).join(', ')})`, route);
  if (type === 'application/json') {
    const v = c.validator(media!.schema ?? {}, `${route} ${r.status}`);
    if (!v(r.body)) fail('the body does not match the declared schema', route, describe(v.errors));
  } else if (r.text === '') {
    fail('an empty file', route);
  }
  return route;
};

/** Appends `route<TAB>status` to this worker's record under the cloud's data folder. */
export const recordChecked = (dataDir: string, route: string, status: number) => {
  const dir = contractDir(dataDir);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${process.pid}.log`), `${route}\t${status}\n`);
};

/** Every (route, status) any worker recorded. */
export const readChecked = (dataDir: string): Set<string> => {
  const seen = new Set<string>();
  let files: string[] = [];
  try {
    files = readdirSync(contractDir(dataDir));
  } catch {
    return seen;
  }
  for (const file of files) {
    for (const line of readFileSync(join(contractDir(dataDir), file), 'utf8').split('\n')) {
      if (line) seen.add(line);
    }
  }
  return seen;
};
