import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { sfn } from '#adapters/aws-clients';
import { stateMachines } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { logger } from '#lib/logger';
import { type CreatedObject, createdObjects } from '#lib/s3-event';

const importRegistryArn = requireEnv(stateMachines.importRegistry.envVar);

/**
 * S3 object-created notifications for `uploads/`. An import file starts the
 * import-registry workflow. The execution is named after the import and the
 * object's ETag, so a duplicate event starts nothing new while a changed
 * re-upload starts a fresh run.
 */
const importUpload = /^uploads\/imports\/([0-9A-Z]{26})\/source$/;

const startImport = async (object: CreatedObject, importId: string): Promise<'started' | 'duplicate'> => {
  const tag = (object.eTag ?? object.sequencer ?? 'upload').replace(/[^0-9A-Za-z-_]/g, '').slice(0, 40);
  const execution = `import-${importId}-${tag}`;
  try {
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: importRegistryArn,
        name: execution,
        input: JSON.stringify({ importId, execution, key: object.key }),
      }),
    );
    return 'started';
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return 'duplicate';
    throw error;
  }
};

export const handler = middy<S3Event, { started: number; duplicates: number; ignored: string[] }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    let started = 0;
    let duplicates = 0;
    const ignored: string[] = [];
    for (const object of createdObjects(event)) {
      const importId = importUpload.exec(object.key)?.[1];
      if (!importId) {
        ignored.push(object.key);
        logger.warn('no consumer for uploaded object', { key: object.key });
        continue;
      }
      if ((await startImport(object, importId)) === 'started') started++;
      else duplicates++;
    }
    return { started, duplicates, ignored };
  });
