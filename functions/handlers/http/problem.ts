import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '#core/errors';
import { inLanguage, type Language } from '#core/text';
import { languageHeaders } from './language.ts';

export const problemContentType = 'application/problem+json';
const typeBase = 'https://dudao.dev/problems/';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly requestId: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

/**
 * Renders any thrown value as RFC 9457 problem+json. Domain errors keep their
 * message; anything else becomes an opaque 500 (the caller sees the request id,
 * the logs have the stack).
 */
export const toProblem = (
  error: unknown,
  requestId: string,
  instance?: string,
  language: Language = 'zh',
): Problem => {
  const base = instance === undefined ? { requestId } : { requestId, instance };
  if (error instanceof DomainError) {
    return {
      type: typeBase + error.code,
      title: error.title[language],
      status: error.status,
      detail: error.text[language],
      ...base,
      ...(error.details
        ? { errors: error.details.map((d) => ({ path: d.path, message: inLanguage(d.message, language) })) }
        : {}),
    };
  }
  return {
    type: `${typeBase}internal`,
    title: language === 'zh' ? '内部错误' : 'Internal error',
    status: 500,
    detail:
      language === 'zh'
        ? '请求未能完成。报告此问题时请提供请求编号（requestId）。'
        : 'The request could not be completed. Quote the request id when reporting this.',
    ...base,
  };
};

export const problemResponse = (
  problem: Problem,
  language: Language = 'zh',
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: {
    'content-type': problemContentType,
    'x-request-id': problem.requestId,
    ...languageHeaders(language),
  },
  body: JSON.stringify(problem),
});
