import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { fileTypeFromBuffer } from 'file-type';
import { sfn } from '#adapters/aws-clients';
import { bucket, stateMachines, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { logger } from '#lib/logger';
import { type CreatedObject, createdObjects } from '#lib/s3-event';

import { evidenceWiring } from './evidence-wiring.ts';

const importRegistryArn = requireEnv(stateMachines.importRegistry.envVar);
const evidence = evidenceWiring({
  main: requireEnv(tables.main.envVar),
  audit: requireEnv(tables.audit.envVar),
  bucket: requireEnv(bucket.envVar),
});

/**
 * S3 object-created notifications. An evidence file is verified (size,
 * SHA-256, magic bytes) and stored or quarantined. An import file starts the
 * import-registry workflow. The execution is named after the import and the
 * object's ETag, so a duplicate event starts nothing new while a changed
 * re-upload starts a fresh run.
 */
const importUpload = /^uploads\/imports\/([0-9A-Z]{26})\/source$/;
const evidenceUpload = /^evidence\/[^/]+\/[^/]+\/([0-9A-Z]{26})$/;

/** Recomputes size, SHA-256 and type from the stored bytes and records the verdict. */
const verifyEvidence = (object: CreatedObject, evidenceId: string) =>
  evidence.service.verifyArrival(evidenceId, async () => {
    const digest = await evidence.objects.digest(object.key);
    const detected = await fileTypeFromBuffer(digest.head);
    return { size: digest.size, sha256: digest.sha256, mime: detected?.mime };
  });

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

export const handler = middy<
  S3Event,
  { started: number; verified: number; duplicates: number; ignored: string[] }
>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    let started = 0;
    let duplicates = 0;
    const ignored: string[] = [];
    let verified = 0;
    for (const object of createdObjects(event)) {
      const importId = importUpload.exec(object.key)?.[1];
      const evidenceId = evidenceUpload.exec(object.key)?.[1];
      if (importId) {
        if ((await startImport(object, importId)) === 'started') started++;
        else duplicates++;
      } else if (evidenceId) {
        const verdict = await verifyEvidence(object, evidenceId);
        if (verdict.changed) verified++;
        else duplicates++;
      } else {
        ignored.push(object.key);
        logger.warn('no consumer for uploaded object', { key: object.key });
      }
    }
    return { started, verified, duplicates, ignored };
  });
