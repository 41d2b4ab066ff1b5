import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#lib/logger';

/**
 * Scheduled deadline sweeper (EventBridge in AWS, an interval locally). It will
 * find overdue phases through the due-date index once deadlines exist; for now
 * it reports that it ran.
 */
export const handler = middy<unknown, { sweptAt: string; overdue: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = { sweptAt: new Date().toISOString(), overdue: 0 };
    logger.debug('sweep', result);
    return result;
  });
