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

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
}

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
