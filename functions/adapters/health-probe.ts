import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { HealthProbe, ServiceHealth } from '#core/health';
import { endpointOf } from './aws-clients.ts';

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
export const awsHealthProbe = (
  clients: { dynamodb: DynamoDBClient; s3: S3Client; sfn: SFNClient },
  names: { mainTable: string; bucket: string; stateMachineArn: string },
): HealthProbe => ({
  dynamodb: () =>
    timed(endpointOf('dynamodb'), () =>
      clients.dynamodb.send(new DescribeTableCommand({ TableName: names.mainTable })),
    ),
  s3: () => timed(endpointOf('s3'), () => clients.s3.send(new HeadBucketCommand({ Bucket: names.bucket }))),
  stepfunctions: () =>
    timed(endpointOf('sfn'), () =>
      clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: names.stateMachineArn })),
    ),
});
