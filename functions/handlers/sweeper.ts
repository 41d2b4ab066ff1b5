import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { stateMachines, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { logger } from '#lib/logger';
import { campaignService } from './campaign-wiring.ts';

const campaigns = campaignService(
  requireEnv(tables.main.envVar),
  requireEnv(stateMachines.launchCampaign.envVar),
);

/**
 * The scheduled sweeper (EventBridge in AWS, an interval locally): creates
 * and launches the next occurrence of recurring campaigns when it is due.
 * Every part is idempotent, so it may run as often as it likes.
 */
export const handler = middy<unknown, { sweptAt: string; occurrencesCreated: number; launched: string[] }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const sweptAt = new Date().toISOString();
    const { created, launched } = await campaigns.runRecurrences(sweptAt.slice(0, 10));
    const result = { sweptAt, occurrencesCreated: created, launched };
    if (created > 0 || launched.length > 0) logger.info('sweep', result);
    return result;
  });
