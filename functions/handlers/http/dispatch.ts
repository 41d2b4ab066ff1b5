import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Actor } from '#core/actor';
import { MethodNotAllowedError, NotFoundError } from '#core/errors';
import type { Language } from '#core/text';
import { say } from '#core/text';
import type { CursorSeal } from '#lib/cursor';
import { logger } from '#lib/logger';
import { methodsForPath, routeByKey } from '#lib/routes';
import { languageHeaders, negotiateLanguage } from './language.ts';
import type { HttpResult, OperationTable } from './operation.ts';
import { type ApiEvent, authenticate, header, jsonBody, type VerifyToken, validate } from './request.ts';

/**
 * Turns an API Gateway event into an operation call. API Gateway (or the local
 * server) has matched the route (`$default`: no declared route matched); the
 * bearer token of a `jwt` route is verified here, before anything else.
 */
export const dispatch = async (
  operations: OperationTable,
  event: ApiEvent,
  edge: { verify: VerifyToken; cursors: CursorSeal },
): Promise<APIGatewayProxyStructuredResultV2> => {
  const requestId = event.requestContext.requestId;
  const language = negotiateLanguage(header(event, 'accept-language'));
  const route = routeByKey(event.routeKey);
  const operation = route ? operations[event.routeKey as keyof OperationTable] : undefined;
  if (!route || !operation) throw unmatched(event);

  // A public route serves anyone; a valid token it is given still says who asks (e.g. /health's details).
  const actor =
    route.auth === 'jwt'
      ? await authenticate(event, edge.verify, language)
      : header(event, 'authorization')
        ? await authenticate(event, edge.verify, language).catch(() => undefined)
        : undefined;
  if (actor) logger.appendKeys({ caller: { subject: actor.subject, role: actor.role, scope: actor.scope } });
  const path = operation.path
    ? validate(operation.path, event.pathParameters ?? {}, 'path', language)
    : undefined;
  const query = operation.query
    ? validate(operation.query, event.queryStringParameters ?? {}, 'query', language)
    : undefined;
  const body = operation.body ? validate(operation.body, jsonBody(event), 'body', language) : undefined;

  // Cursors are sealed to the list they page through: this route, this caller, these parameters.
  const binding = listBinding(event.routeKey, actor, path, query);
  const paged = query as { cursor?: unknown } | undefined;
  if (typeof paged?.cursor === 'string') paged.cursor = edge.cursors.unseal(binding, paged.cursor);

  const result = await operation.handle({ actor, path, query, body, requestId, language });
  const page = result.body as { cursor?: unknown } | undefined;
  if (page && typeof page === 'object' && typeof page.cursor === 'string')
    page.cursor = edge.cursors.seal(binding, page.cursor);
  return toResponse(result, requestId, language);
};

/** What a cursor belongs to: route, caller, path and query parameters (but the cursor and the page size). */
const listBinding = (routeKey: string, actor: Actor | undefined, path: unknown, query: unknown) => {
  const { cursor: _c, limit: _l, ...rest } = (query ?? {}) as Record<string, unknown>;
  const sorted = (v: Record<string, unknown>) =>
    Object.keys(v)
      .sort()
      .map((k) => [k, v[k]]);
  return JSON.stringify([
    routeKey,
    actor ? `${actor.role}:${actor.scope}` : '',
    sorted((path ?? {}) as Record<string, unknown>),
    sorted(rest),
  ]);
};

const unmatched = (event: ApiEvent): Error => {
  const { method, path } = event.requestContext.http;
  const allowed = methodsForPath(path);
  return allowed.length > 0
    ? new MethodNotAllowedError(
        say(
          `${path} 不支持 ${method}，请使用 ${allowed.join('、')}。`,
          `${method} is not allowed on ${path}; use ${allowed.join(', ')}.`,
        ),
      )
    : new NotFoundError(say(`没有 ${method} ${path} 这一接口。`, `No route ${method} ${path}.`));
};

const toResponse = (
  result: HttpResult,
  requestId: string,
  language: Language,
): APIGatewayProxyStructuredResultV2 => {
  const headers: Record<string, string> = {
    'x-request-id': requestId,
    ...languageHeaders(language),
    ...result.headers,
  };
  if (result.body === undefined) return { statusCode: result.status, headers };
  if (typeof result.body === 'string' && headers['content-type']) {
    return { statusCode: result.status, headers, body: result.body };
  }
  if (Buffer.isBuffer(result.body)) {
    return {
      statusCode: result.status,
      headers,
      body: result.body.toString('base64'),
      isBase64Encoded: true,
    };
  }
  headers['content-type'] ??= 'application/json';
  return { statusCode: result.status, headers, body: JSON.stringify(result.body) };
};
