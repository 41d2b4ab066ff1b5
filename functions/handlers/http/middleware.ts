import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '#lib/logger';
import { negotiateLanguage } from './language.ts';
import { problemResponse, toProblem } from './problem.ts';
import { type ApiEvent, header } from './request.ts';

type Middleware = MiddlewareObj<ApiEvent, APIGatewayProxyStructuredResultV2>;

/**
 * Access log and error boundary: every response is logged (with the caller,
 * whom dispatch adds to the log keys once the token is verified), every error
 * becomes problem+json, and only errors below 500 say why.
 */
export const httpProblems = (): Middleware => {
  const startedAt = new WeakMap<object, number>();
  return {
    before: async (request) => {
      startedAt.set(request, performance.now());
      logger.appendKeys({ requestId: request.event.requestContext.requestId, route: request.event.routeKey });
    },
    after: async (request) => {
      const status = request.response?.statusCode ?? 200;
      logger.info('request', { status, ms: elapsed(startedAt.get(request)) });
    },
    onError: async (request) => {
      const { event, error } = request;
      const language = negotiateLanguage(header(event, 'accept-language'));
      const problem = toProblem(error, event.requestContext.requestId, event.rawPath, language);
      // The log keeps the English text whatever the caller reads.
      const logged = toProblem(error, event.requestContext.requestId, event.rawPath, 'en');
      const details = { status: problem.status, ms: elapsed(startedAt.get(request)) };
      if (problem.status >= 500) logger.error('request failed', { ...details, error });
      else
        logger.warn('request refused', {
          event: 'request.refused',
          ...details,
          method: event.requestContext.http.method,
          path: event.rawPath,
          sourceIp: event.requestContext.http.sourceIp,
          problem: problem.type,
          detail: logged.detail,
        });
      request.response = problemResponse(problem, language);
    },
  };
};

const elapsed = (started: number | undefined) =>
  started === undefined ? undefined : Math.round(performance.now() - started);
