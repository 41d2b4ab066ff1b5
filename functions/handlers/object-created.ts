import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { dynamoClients, s3Client, sfnClient } from '#adapters/aws-clients';
import { createObjectStore } from '#adapters/object-store';
import { createWorkflowStarter } from '#adapters/workflow-starter';
import { receiveUploads } from '#core/arrivals';
import { logger } from '#lib/logger';
import { createdObjects } from '#lib/s3-event';
import { environmentOf } from './environment.ts';
import { evidenceWiring } from './wiring/evidence.ts';

// Composition root of the S3 object-created notifications.
const env = environmentOf('objectCreated');
const { db } = dynamoClients();
const evidence = evidenceWiring(
  { db, main: env.table('main'), audit: env.table('audit') },
  createObjectStore(s3Client(), env.bucket('evidence')),
);
const imports = createWorkflowStarter(sfnClient(), env.stateMachine('importRegistry'));

const receive = receiveUploads({
  startImport: async ({ importId, execution, key }) =>
    (await imports.startNew(execution, { importId, execution, key })) ? 'started' : 'duplicate',
  verifyEvidence: (evidenceId, key) => evidence.verify(evidenceId, key),
});

/** Imports start their workflow; evidence is verified (see core/arrivals.ts). */
export const handler = middy<S3Event, Awaited<ReturnType<typeof receive>>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const result = await receive(createdObjects(event));
    for (const key of result.ignored) logger.warn('no consumer for uploaded object', { key });
    return result;
  });
