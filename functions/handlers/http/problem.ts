import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, type ProblemDetail } from '#core/errors';

export const problemContentType = 'application/problem+json';
const typeBase = 'https://dudao.dev/problems/';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly requestId: string;
  readonly errors?: readonly ProblemDetail[];
}

/**
 * Renders any thrown value as RFC 9457 problem+json. Domain errors keep their
 * message; anything else becomes an opaque 500 (the caller sees the request id,
 * the logs have the stack).
 */
export const toProblem = (error: unknown, requestId: string, instance?: string): Problem => {
  const base = instance === undefined ? { requestId } : { requestId, instance };
  if (error instanceof DomainError) {
    return {
      type: typeBase + error.code,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...base,
      ...(error.details ? { errors: error.details } : {}),
    };
  }
  return {
    type: `${typeBase}internal`,
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be completed. Quote the request id when reporting this.',
    ...base,
  };
};

export const problemResponse = (problem: Problem): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: { 'content-type': problemContentType, 'x-request-id': problem.requestId },
  body: JSON.stringify(problem),
});
