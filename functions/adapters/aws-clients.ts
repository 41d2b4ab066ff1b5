import { channel } from 'node:diagnostics_channel';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS SDK clients. Each function's composition root builds the clients it
 * needs once per cold start and passes them to its adapters; nothing here is
 * a module-level singleton, so a function never holds a client for a service
 * it is not granted.
 *
 * Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables,
 * which the local cloud sets; in AWS they are unset and the SDK uses the real
 * services.
 *
 * Every client is announced on the `dudao:aws-sdk-client` diagnostics
 * channel when it is built. Nobody listens in AWS; the local cloud listens to
 * check each command a function sends against that function's synthesized IAM
 * grants (infra/local/grants.ts).
 */
export const sdkClientChannel = channel('dudao:aws-sdk-client');
export interface AnnouncedClient {
  readonly service: 'dynamodb' | 's3' | 'sfn';
  readonly client: DynamoDBClient | S3Client | SFNClient;
}

const announce = <T extends AnnouncedClient['client']>(service: AnnouncedClient['service'], client: T): T => {
  if (sdkClientChannel.hasSubscribers)
    sdkClientChannel.publish({ service, client } satisfies AnnouncedClient);
  return client;
};

/** The clients' types, for composition roots (which build them here, never import the SDK). */
export type { DynamoDBClient, DynamoDBDocumentClient, S3Client, SFNClient };

/** A DynamoDB client and the document client over it (sharing one middleware stack). */
export const dynamoClients = (): { dynamodb: DynamoDBClient; db: DynamoDBDocumentClient } => {
  const dynamodb = announce('dynamodb', new DynamoDBClient({}));
  return {
    dynamodb,
    db: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
  };
};

export const s3Client = (): S3Client =>
  announce(
    's3',
    new S3Client({
      // The local S3 serves buckets by path only.
      forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
      // The SDK's default CRC32 trailers corrupt streamed uploads on s3rver and end up
      // in presigned URLs. The object store sends the SHA-256 of every body it writes
      // instead, which is also what Object Lock requires on every PUT.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );

export const sfnClient = (): SFNClient => announce('sfn', new SFNClient({}));

/** Where each service is reached: a local endpoint or `aws` (for /health). */
export const endpointOf = (service: 'dynamodb' | 's3' | 'sfn'): string =>
  process.env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? 'aws';
