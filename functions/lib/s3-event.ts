import type { S3Event } from 'aws-lambda';

export interface CreatedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly eventName: string;
  readonly eTag?: string;
  readonly sequencer?: string;
}

/** S3 notifications URL-encode keys with `+` for spaces; this gives back the real key. */
export const decodeS3EventKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

export const createdObjects = (event: S3Event): CreatedObject[] =>
  event.Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeS3EventKey(r.s3.object.key),
    size: r.s3.object.size,
    eventName: r.eventName,
    ...(r.s3.object.eTag ? { eTag: r.s3.object.eTag } : {}),
    ...(r.s3.object.sequencer ? { sequencer: r.s3.object.sequencer } : {}),
  }));
