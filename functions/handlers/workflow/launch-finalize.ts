import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createObjectStore } from '#adapters/object-store';
import { finalizeLaunch } from '#core/launch/finalize';
import { environmentOf } from '../environment.ts';
import { launchPorts } from '../wiring/launch.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('launchFinalize');
const { db } = dynamoClients();

export const handler = stepHandler(
  finalizeLaunch(
    launchPorts(
      { db, main: env.table('main'), audit: env.table('audit') },
      { scratch: createObjectStore(s3Client(), env.bucket('work')) },
    ),
  ),
);
