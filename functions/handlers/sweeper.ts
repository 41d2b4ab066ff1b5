import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { sweepDeadlines } from '#core/inspection-service';
import { stateMachines, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { logger } from '#lib/logger';
import { auditWiring } from './audit-wiring.ts';
import { campaignService } from './campaign-wiring.ts';
import { inspectionWiring } from './inspection-wiring.ts';

const mainTable = requireEnv(tables.main.envVar);
const campaigns = campaignService(mainTable, { launch: requireEnv(stateMachines.launchCampaign.envVar) });
const auditTable = requireEnv(tables.audit.envVar);
const inspections = inspectionWiring({ main: mainTable, audit: auditTable });
const audit = auditWiring({ main: mainTable, audit: auditTable });

/**
 * The scheduled sweeper (EventBridge in AWS, an interval locally): overdue
 * rectifications and their escalations, the next occurrence of recurring
 * campaigns, then the hash-chain links of new audit events (last, so that
 * this run's own events are linked too). Every part is idempotent: it may
 * run as often as it likes.
 */
export const handler = middy<unknown, Record<string, unknown>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const sweptAt = new Date().toISOString();
    const deadlines = await sweepDeadlines(
      {
        due: (until) => inspections.store.dueRectifications(until),
        markOverdue: (item, at) => inspections.store.markOverdue(item, at),
        propose: (proposal) => inspections.store.propose(proposal),
        policyOf: async (campaignId) => {
          const campaign = await inspections.campaigns.get(campaignId);
          return campaign
            ? (await inspections.templates.get(campaign.templateId, campaign.templateVersion))?.escalation
            : undefined;
        },
      },
      sweptAt,
    );
    const { created, launched } = await campaigns.runRecurrences(sweptAt.slice(0, 10));
    const chains = await audit.store.linkPending();
    const result = { sweptAt, deadlines, occurrencesCreated: created, launched, chains };
    if (deadlines.due > 0 || created > 0 || launched.length > 0 || chains.linked > 0)
      logger.info('sweep', result);
    return result;
  });
