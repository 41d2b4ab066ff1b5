/**
 * Errors a workflow step throws. Step Functions matches `Retry`/`Catch` on the
 * error's name, so every class sets it.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const transientNames = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'SlowDown',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
]);

/** Marks infrastructure hiccups (throttling, 5xx, dropped connections) as retryable. */
export const classifyStepError = (error: unknown): unknown => {
  if (!(error instanceof Error)) return error;
  const sdk = error as Error & {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  const status = sdk.$metadata?.httpStatusCode ?? 0;
  if (
    sdk.$retryable ||
    status >= 500 ||
    transientNames.has(error.name) ||
    transientNames.has(sdk.code ?? '')
  ) {
    return new TransientError(`${error.name}: ${error.message}`, { cause: error });
  }
  return error;
};

/** Wraps a step so that transient failures surface as `TransientError`. */
export const step =
  <I, O>(run: (input: I) => Promise<O>) =>
  async (input: I): Promise<O> => {
    try {
      return await run(input);
    } catch (error) {
      throw classifyStepError(error);
    }
  };

/** The human-readable message of a caught step error (`$.error` = {Error, Cause}). */
export const causeMessage = (cause: unknown): string => {
  if (typeof cause !== 'string') return String(cause ?? '');
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
};
