import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FunctionName } from '#infra/resources';
import { scheduledEvent } from '#local/cloud';

/**
 * The test's own SDK clients against the local cloud (endpoints from the
 * environment test/support/cloud-env.ts copies in). They act as an operator
 * would, outside any function, so no function's grants apply to them.
 */
export const testDynamo = new DynamoDBClient({});
export const testDb = DynamoDBDocumentClient.from(testDynamo, {
  marshallOptions: { removeUndefinedValues: true },
});
export const testS3 = new S3Client({
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
export const testSfn = new SFNClient({});
export const testSqs = new SQSClient({});
export const testLambda = new LambdaClient({});

/** Invokes a function through the local Lambda endpoint and returns its result; a function error throws. */
export const invoke = async <T = Record<string, unknown>>(fn: FunctionName, event: unknown): Promise<T> => {
  const response = await testLambda.send(
    new InvokeCommand({ FunctionName: `dudao-${fn}`, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const payload = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8') || 'null');
  if (response.FunctionError) {
    const error = new Error(payload?.errorMessage ?? 'function error');
    error.name = payload?.errorType ?? 'Error';
    throw error;
  }
  return payload as T;
};

/** What a sweep did (core/sweep.ts). */
export interface SweepResult {
  sweptAt: string;
  deadlines: { due: number; markedOverdue: number; proposed: Record<string, number> };
  phases: {
    watched: number;
    markedLate: Record<string, number>;
    proposed: number;
    contended: number;
    remaining: boolean;
  };
  created: number;
  launched: string[];
  evidence: { settled: number; expired: number };
  imports: { started: number; expired: number };
  chains: { campaigns: number; linked: number; contended: string[] };
}

/**
 * Runs the sweeper once, as the schedule would at `time` (default now). Test
 * files run side by side, and a sweep that finds another holding the lease
 * does nothing: this waits its turn (bounded) so that it gets a real run.
 */
export const sweep = async (time = new Date()): Promise<SweepResult> => {
  for (let attempt = 0; attempt < 100; attempt++) {
    const result = await invoke<SweepResult | { skipped: string }>('sweeper', scheduledEvent(time));
    if (!('skipped' in result)) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the sweeper lease stayed taken for 10 s');
};
