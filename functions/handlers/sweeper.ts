import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { dynamoClients, s3Client, sfnClient } from '#adapters/aws-clients';
import { createImportRecords } from '#adapters/import-records';
import { createLease } from '#adapters/lease-store';
import { createObjectStore } from '#adapters/object-store';
import { createWorkflowStarter } from '#adapters/workflow-starter';
import { importExecution } from '#core/arrivals';
import { sweepPhaseDeadlines } from '#core/deadline-sweep';
import { scratchKeys } from '#core/storage';
import { sweep } from '#core/sweep';
import { logger } from '#lib/logger';
import { environmentOf } from './environment.ts';
import { auditWiring } from './wiring/audit.ts';
import { campaignService } from './wiring/campaigns.ts';
import { evidenceWiring } from './wiring/evidence.ts';
import { inspectionWiring } from './wiring/inspections.ts';

// Composition root of the scheduled sweeper (EventBridge in AWS, an interval locally).
const env = environmentOf('sweeper');
const { db } = dynamoClients();
const s3 = s3Client();
const sfn = sfnClient();
const tables = { db, main: env.table('main'), audit: env.table('audit') };
const evidenceObjects = createObjectStore(s3, env.bucket('evidence'));
const workObjects = createObjectStore(s3, env.bucket('work'));
const campaigns = campaignService(tables, {
  launch: createWorkflowStarter(sfn, env.stateMachine('launchCampaign')),
});
const inspections = inspectionWiring(tables);
const evidence = evidenceWiring(tables, evidenceObjects);
const imports = createImportRecords(db, tables.main);
const importWorkflow = createWorkflowStarter(sfn, env.stateMachine('importRegistry'));
const audit = auditWiring(tables);

const run = sweep({
  lease: createLease(db, tables.main, 'sweeper'),
  deadlines: {
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
  phaseDeadlines: (now) =>
    sweepPhaseDeadlines(
      {
        ...inspections.ports,
        watched: (until) => inspections.store.watched(until),
        unwatch: (id, version) => inspections.store.unwatch(id, version),
      },
      now,
    ),
  unactivatedReports: {
    list: (before) => inspections.store.pendingActivations(before),
    activate: (inspectionId, ids) => inspections.store.activate(inspectionId, ids),
  },
  runRecurrences: (today) => campaigns.runRecurrences(today),
  pendingEvidence: {
    list: (before) => evidence.store.pendingBefore(before),
    async settle(evidenceId, key) {
      if (!(await evidenceObjects.head(key))) return 'absent';
      return (await evidence.verify(evidenceId, key)).changed ? 'settled' : 'unchanged';
    },
    expire: (evidenceId) => evidence.service.expireAnnouncement(evidenceId),
  },
  awaitingImports: {
    list: (before) => imports.awaitingBefore(before),
    async start(importId) {
      const key = scratchKeys.importUpload(importId);
      const object = await workObjects.head(key);
      if (!object) return 'absent';
      const execution = importExecution(importId, { eTag: object.eTag });
      return (await importWorkflow.startNew(execution, { importId, execution, key }))
        ? 'started'
        : 'duplicate';
    },
    expire: (importId, at) => imports.expire(importId, at),
  },
  linkChains: () => audit.store.linkPending(),
  clock: () => new Date(),
});

/**
 * The sweep as of the schedule's time (`time` of the EventBridge event), one
 * at a time (see core/sweep.ts). Its outcome is logged when it did anything.
 */
export const handler = middy<Partial<ScheduledEvent>, Awaited<ReturnType<typeof run>>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const now =
      typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)) ? event.time : undefined;
    const result = await run(new Date(now ?? Date.now()).toISOString(), context.awsRequestId);
    logger.info('sweep', result);
    return result;
  });
