/**
 * Domain errors. Each carries the HTTP status it maps to, so the HTTP edge can
 * render it as RFC 9457 problem+json without the core knowing about HTTP.
 * Only these errors (status < 500) ever reach a caller with their message.
 */
export interface ProblemDetail {
  /** A JSON pointer-ish location (`body.students`, `query.cursor`) and what is wrong there. */
  readonly path: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Short, stable, URL-safe code; becomes the problem `type` suffix. */
  abstract readonly code: string;
  abstract readonly title: string;
  readonly details?: readonly ProblemDetail[];

  constructor(message: string, details?: readonly ProblemDetail[]) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class BadRequestError extends DomainError {
  readonly status = 400;
  readonly code = 'bad-request';
  readonly title = 'Bad request';
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation-failed';
  readonly title = 'Request validation failed';
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
  readonly title = 'Authentication required';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'Not allowed';
}

/** Also used for things outside the caller's scope: they read as absent. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly code = 'method-not-allowed';
  readonly title = 'Method not allowed';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
  readonly title = 'Conflict';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'Payload too large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}
