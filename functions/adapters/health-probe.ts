import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import type { HealthProbe, ServiceHealth } from '#core/health';
import { dynamoDb, endpoints, s3, sfn } from './aws-clients.ts';

const timed = async (endpoint: string, probe: () => Promise<unknown>): Promise<ServiceHealth> => {
  const started = performance.now();
  try {
    await probe();
    return { status: 'ok', endpoint, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', endpoint, error: (error as Error).name };
  }
};

/** Checks each backing service with the cheapest call the function is allowed to make. */
export const awsHealthProbe = (names: {
  mainTable: string;
  bucket: string;
  stateMachineArn: string;
}): HealthProbe => ({
  dynamodb: () =>
    timed(endpoints.dynamodb, () => dynamoDb.send(new DescribeTableCommand({ TableName: names.mainTable }))),
  s3: () => timed(endpoints.s3, () => s3.send(new HeadBucketCommand({ Bucket: names.bucket }))),
  stepfunctions: () =>
    timed(endpoints.stepfunctions, () =>
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: names.stateMachineArn })),
    ),
});
