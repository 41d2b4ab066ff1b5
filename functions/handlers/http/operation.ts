import type { z } from 'zod';
import type { Actor } from '#core/actor';
import type { Language } from '#core/text';
import type { RouteKey } from '#infra/resources';

/** What an operation returns; JSON unless `contentType` says otherwise. */
export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OperationInput<P, Q, B> {
  /** Undefined only on public routes. */
  readonly actor: Actor | undefined;
  readonly path: P;
  readonly query: Q;
  readonly body: B;
  readonly requestId: string;
  /** The language people read the response in (negotiated from Accept-Language; zh by default). */
  readonly language: Language;
}

/**
 * One declared response. A JSON body has its zod `schema`; a download lists
 * the content types it may have in `files` (a route may have both: JSON by
 * default, a file with `format=csv|xlsx`). `files: []` is a response without
 * a body (a redirect or 204 would say so; dudao has none today).
 */
export type ResponseSpec =
  | { readonly description: string; readonly schema: z.ZodType; readonly files?: readonly string[] }
  | { readonly description: string; readonly schema?: undefined; readonly files: readonly string[] };

/** The 4xx statuses an operation may answer with problem+json (see functions/core/errors.ts). */
export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415;

/**
 * One HTTP operation: its schemas (which validate requests and generate the
 * OpenAPI document) and the function that calls into the core.
 */
export interface Operation<P = unknown, Q = unknown, B = unknown> {
  readonly summary: string;
  readonly tags: readonly string[];
  readonly path?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * Every problem status the operation can answer: 400 for any input, 401 and
   * 403 on jwt routes, 404 when something is looked up or scoped, 409 for
   * conditional writes, 413 and 415 for JSON bodies (and 413 for too-large files).
   */
  readonly problems: readonly ProblemStatus[];
  readonly handle: (input: OperationInput<P, Q, B>) => Promise<HttpResult>;
}

/** Identity function that lets TypeScript infer P, Q and B from the schemas. */
export const defineOperation = <P = undefined, Q = undefined, B = undefined>(
  operation: Operation<P, Q, B>,
): Operation<P, Q, B> => operation;

// biome-ignore lint/suspicious/noExplicitAny: the table mixes operations of different input types.
export type AnyOperation = Operation<any, any, any>;
export type OperationTable = Readonly<Record<RouteKey, AnyOperation>>;

export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpResult =>
  headers ? { status, body, headers } : { status, body };
