import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createObjectStore } from '#adapters/object-store';
import { createLaunchBatch } from '#core/launch/batch';
import { environmentOf } from '../environment.ts';
import { launchPorts } from '../wiring/launch.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('launchBatch');
const { db } = dynamoClients();

export const handler = stepHandler(
  createLaunchBatch(
    launchPorts(
      { db, main: env.table('main') },
      { scratch: createObjectStore(s3Client(), env.bucket('work')) },
    ),
  ),
);
