import { inject } from 'vitest';
import type { Role } from '#core/actor';
import { devIssuer } from '#local/dev-issuer';
import { checkResponse, loadContract, recordChecked } from './contract.ts';

/** Small HTTP client for the local API, as a portal would call it. */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export const apiUrl = (): string => inject('cloud').apiUrl;

export const call = async <T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: {
    token?: string;
    body?: unknown;
    rawBody?: string | Buffer;
    headers?: Record<string, string>;
    /** Sent as Accept-Language (the API answers in Chinese without it). */
    lang?: string;
    /** Skip the contract check: only for a test that sends a deliberately malformed path. */
    unchecked?: boolean;
  } = {},
): Promise<ApiResponse<T>> => {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.lang) headers['accept-language'] = opts.lang;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(apiUrl() + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  if (!opts.unchecked) {
    // Every response is checked against GET /openapi.json (test/support/contract.ts).
    const route = checkResponse(await loadContract(apiUrl()), {
      method,
      path,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
      body: parsed,
    });
    if (route) recordChecked(inject('cloud').dataDir, route, response.status);
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
};

/** A token from the local dev issuer for any role and scope. */
export const tokenFor = async (
  role: Role,
  scope: string,
  opts: { subject?: string; ttlSeconds?: number } = {},
) => {
  const issuer = await devIssuer(inject('cloud').dataDir);
  return issuer.issue({ role, scope, ...opts });
};
