import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createObjectStore } from '#adapters/object-store';
import { planLaunch } from '#core/launch/plan';
import { environmentOf } from '../environment.ts';
import { launchPorts } from '../wiring/launch.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('launchPlan');
const { db } = dynamoClients();
const s3 = s3Client();
/** Targets per batch (one Lambda invocation of the next step); LAUNCH_BATCH_SIZE tunes it. */
const batchSize = Number(process.env.LAUNCH_BATCH_SIZE ?? 500);
if (!Number.isInteger(batchSize) || batchSize < 1)
  throw new Error('LAUNCH_BATCH_SIZE must be a positive integer');

export const handler = stepHandler(
  planLaunch(
    launchPorts(
      { db, main: env.table('main') },
      {
        archive: createObjectStore(s3, env.bucket('evidence')),
        scratch: createObjectStore(s3, env.bucket('work')),
      },
    ),
    { batchSize },
  ),
);
