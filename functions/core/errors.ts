import { say, type Text } from './text.ts';

export type { Text } from './text.ts';
export { say } from './text.ts';

/**
 * Domain errors. Each carries the HTTP status it maps to, so the HTTP edge can
 * render it as RFC 9457 problem+json without the core knowing about HTTP.
 * Only these errors (status < 500) ever reach a caller with their message.
 */
export interface ProblemDetail {
  /** A JSON pointer-ish location (`body.students`, `query.cursor`) and what is wrong there. */
  readonly path: string;
  /** Bilingual where the core wrote it; validation messages arrive already in the caller's language. */
  readonly message: string | Text;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Short, stable, URL-safe code; becomes the problem `type` suffix. */
  abstract readonly code: string;
  abstract readonly title: Text;
  readonly details?: readonly ProblemDetail[];
  /** What people read (problem `detail`), in Chinese and English; `message` is the English one (logs). */
  readonly text: Text;

  /** A plain string is an untranslated message: it reads the same in both languages. */
  constructor(message: string | Text, details?: readonly ProblemDetail[]) {
    const text = typeof message === 'string' ? say(message, message) : message;
    super(text.en);
    this.text = text;
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class BadRequestError extends DomainError {
  readonly status = 400;
  readonly code = 'bad-request';
  readonly title = say('请求有误', 'Bad request');
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation-failed';
  readonly title = say('请求校验未通过', 'Request validation failed');
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
  readonly title = say('需要登录认证', 'Authentication required');
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = say('无权操作', 'Not allowed');
}

/** Also used for things outside the caller's scope: they read as absent. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = say('未找到', 'Not found');
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly code = 'method-not-allowed';
  readonly title = say('不支持该请求方法', 'Method not allowed');
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
  readonly title = say('状态冲突', 'Conflict');
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = say('请求内容过大', 'Payload too large');
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = say('不支持的内容类型', 'Unsupported media type');
}
