import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The AWS SDK clients, built once per process and reused across invocations.
 * Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, which
 * the local cloud sets; in AWS they are unset and the SDK uses the real services.
 */
const localS3 = process.env.AWS_ENDPOINT_URL_S3 !== undefined;

export const dynamoDb = new DynamoDBClient({});
export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});

export const s3 = new S3Client({
  // s3rver serves buckets by path only.
  forcePathStyle: localS3,
  // Default CRC32 checksums corrupt streamed uploads on s3rver and end up in
  // presigned URLs; dudao signs the SHA-256 it expects instead.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

export const sfn = new SFNClient({});

/** Where each client sends its requests: a local endpoint or `aws`. */
export const endpoints = {
  dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? 'aws',
  s3: process.env.AWS_ENDPOINT_URL_S3 ?? 'aws',
  stepfunctions: process.env.AWS_ENDPOINT_URL_SFN ?? 'aws',
} as const;
