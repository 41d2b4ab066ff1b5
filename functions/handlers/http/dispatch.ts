import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MethodNotAllowedError, NotFoundError } from '#core/errors';
import { logger } from '#lib/logger';
import { methodsForPath, routeByKey } from '#lib/routes';
import type { HttpResult, OperationTable } from './operation.ts';
import { type ApiEvent, authenticate, jsonBody, type VerifyToken, validate } from './request.ts';

/**
 * Turns an API Gateway event into an operation call. API Gateway (or the local
 * server) has matched the route (`$default`: no declared route matched); the
 * bearer token of a `jwt` route is verified here, before anything else.
 */
export const dispatch = async (
  operations: OperationTable,
  event: ApiEvent,
  verify: VerifyToken,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const requestId = event.requestContext.requestId;
  const route = routeByKey(event.routeKey);
  const operation = route ? operations[event.routeKey as keyof OperationTable] : undefined;
  if (!route || !operation) throw unmatched(event);

  const actor = route.auth === 'jwt' ? await authenticate(event, verify) : undefined;
  if (actor) logger.appendKeys({ caller: { subject: actor.subject, role: actor.role, scope: actor.scope } });
  const path = operation.path ? validate(operation.path, event.pathParameters ?? {}, 'path') : undefined;
  const query = operation.query
    ? validate(operation.query, event.queryStringParameters ?? {}, 'query')
    : undefined;
  const body = operation.body ? validate(operation.body, jsonBody(event), 'body') : undefined;

  const result = await operation.handle({ actor, path, query, body, requestId });
  return toResponse(result, requestId);
};

const unmatched = (event: ApiEvent): Error => {
  const { method, path } = event.requestContext.http;
  const allowed = methodsForPath(path);
  return allowed.length > 0
    ? new MethodNotAllowedError(`${method} is not allowed on ${path}; use ${allowed.join(', ')}.`)
    : new NotFoundError(`No route ${method} ${path}.`);
};

const toResponse = (result: HttpResult, requestId: string): APIGatewayProxyStructuredResultV2 => {
  const headers: Record<string, string> = { 'x-request-id': requestId, ...result.headers };
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
