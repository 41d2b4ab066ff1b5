import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodeJwt } from 'jose';
import type { z } from 'zod';
import { type Actor, actorSchema } from '#core/actor';
import {
  BadRequestError,
  ForbiddenError,
  PayloadTooLargeError,
  type ProblemDetail,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#core/errors';
import { defaultLanguage, issueMessage, type Language, say } from '#core/text';
import { auth, maxRequestBodyBytes } from '#infra/resources';
import { logger } from '#lib/logger';
import { zodMessages } from './language.ts';

/** The event API Gateway (HTTP API, payload 2.0) gives the API function. */
export type ApiEvent = APIGatewayProxyEventV2;

/** Verified claims of a bearer token, or undefined when it is not a valid one. */
export type VerifyToken = (token: string) => Promise<Record<string, unknown> | undefined>;

/**
 * The caller, from the bearer token the function verifies itself: 401 without
 * a token or with one that fails verification, 403 with a valid token whose
 * role and scope dudao cannot use.
 */
export const authenticate = async (
  event: ApiEvent,
  verify: VerifyToken,
  language: Language = defaultLanguage,
): Promise<Actor> => {
  const authorization = header(event, 'authorization');
  if (!authorization)
    throw new UnauthorizedError(
      say('此接口需要持有效令牌（Bearer token）访问。', 'A bearer token is required for this route.'),
    );
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const claims = token ? await verify(token) : undefined;
  if (!claims) {
    // A failed login, with whom the token claims to be (unverified): the security log's own event.
    logger.warn('authentication failed', {
      event: 'auth.failed',
      claimed: claimedBy(token),
      sourceIp: event.requestContext.http.sourceIp,
      userAgent: event.requestContext.http.userAgent,
    });
    throw new UnauthorizedError(say('令牌无效或已过期。', 'The bearer token is invalid or expired.'));
  }
  const parsed = actorSchema.safeParse(
    {
      subject: claims.sub,
      name: typeof claims[auth.nameClaim] === 'string' ? claims[auth.nameClaim] : undefined,
      role: claims[auth.roleClaim],
      scope: claims[auth.scopeClaim],
    },
    { error: zodMessages(language) },
  );
  if (!parsed.success) {
    logger.warn('authentication failed', {
      event: 'auth.unusable',
      claimed: claimedBy(token),
      sourceIp: event.requestContext.http.sourceIp,
    });
    throw new ForbiddenError(
      say('令牌未载明可用的角色与管辖范围。', 'The token does not carry a usable role and scope.'),
      issues(parsed.error, 'token', language),
    );
  }
  return parsed.data;
};

/** Who a token says it is, read without verifying it (for the log of a refusal only). */
const claimedBy = (token: string | undefined) => {
  if (!token) return undefined;
  try {
    const claims = decodeJwt(token);
    return {
      sub: claims.sub,
      iss: claims.iss,
      role: claims[auth.roleClaim],
      scope: claims[auth.scopeClaim],
      exp: claims.exp,
    };
  } catch {
    return { malformed: true };
  }
};

/** Decodes, size-checks and parses a JSON body. */
export const jsonBody = (event: ApiEvent): unknown => {
  const raw = event.body;
  if (raw === undefined || raw === null || raw === '') {
    throw new BadRequestError(say('此接口需要 JSON 请求体。', 'This route needs a JSON request body.'));
  }
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > maxRequestBodyBytes) {
    throw new PayloadTooLargeError(
      say(
        `请求体不得超过 ${maxRequestBodyBytes} 字节。`,
        `Request bodies are limited to ${maxRequestBodyBytes} bytes.`,
      ),
    );
  }
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    const got = contentType ? `"${contentType}"` : '';
    throw new UnsupportedMediaTypeError(
      say(
        `请以 application/json 发送请求体（收到的是 ${got || '无内容类型'}）。`,
        `Send the body as application/json (got ${got || 'no content type'}).`,
      ),
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    throw new BadRequestError(
      say(`请求体不是有效的 JSON：${reason}`, `The body is not valid JSON: ${reason}`),
    );
  }
};

export const header = (event: ApiEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

/** Validates one part of the request; failures list every offending field. */
export const validate = <T>(
  schema: z.ZodType<T>,
  value: unknown,
  part: 'body' | 'query' | 'path',
  language: Language = defaultLanguage,
): T => {
  const parsed = schema.safeParse(value, { error: zodMessages(language) });
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    say(`请求的${partNames[part]}未通过校验。`, `The request ${part} is not valid.`),
    issues(parsed.error, part, language),
  );
};

const partNames = { body: '请求体', query: '查询参数', path: '路径参数' } as const;

/** Issue messages in the language of the parse (zod's own from its locale, the schemas' own translated). */
const issues = (error: z.ZodError, part: string, language: Language = defaultLanguage): ProblemDetail[] =>
  error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issueMessage(issue as Parameters<typeof issueMessage>[0], language),
  }));
