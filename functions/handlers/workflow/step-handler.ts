import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#lib/logger';
import { step } from '#lib/workflow-errors';

/** A workflow step as a Lambda handler: structured logs, and transient failures named for `Retry`. */
export const stepHandler = <I, O>(run: (input: I) => Promise<O>) =>
  middy<I, O>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(step(run));
