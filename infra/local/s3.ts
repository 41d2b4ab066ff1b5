import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';

/**
 * s3rver on disk. It checks no signatures, checksums or Object Lock (the app
 * verifies size and SHA-256 itself; test/s3 runs the same paths against a real
 * radosgw), and emits object-created events, which we reshape into exactly
 * what an S3 notification delivers in AWS (keys URL-encoded), for the declared
 * prefixes of each bucket only.
 */
export interface LocalS3 {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface LocalBucket {
  readonly name: string;
  /** Key prefixes whose object-created events are delivered, as the bucket's notification filters in AWS. */
  readonly notificationPrefixes: readonly string[];
}

const corsRule = (origins: readonly string[]) => `<CORSConfiguration>
  <CORSRule>
    ${origins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join('')}
    <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>content-type</AllowedHeader><AllowedHeader>content-length</AllowedHeader><AllowedHeader>x-amz-checksum-sha256</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export const startS3Local = async (opts: {
  dataDir: string;
  buckets: readonly LocalBucket[];
  /** Origins allowed to use presigned URLs from a browser (the portal's). */
  corsOrigins: readonly string[];
  port?: number;
  onObjectCreated: (event: S3Event) => void;
}): Promise<LocalS3> => {
  const directory = join(opts.dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    directory,
    silent: true,
    configureBuckets: opts.buckets.map((b) => ({
      name: b.name,
      configs: opts.corsOrigins.length > 0 ? [corsRule(opts.corsOrigins)] : [],
    })),
  });
  const prefixesOf = new Map(opts.buckets.map((b) => [b.name, b.notificationPrefixes]));
  server.on('event', (event: S3Event) => {
    const records = event.Records.filter(
      (r) =>
        r.eventName.startsWith('ObjectCreated:') &&
        (prefixesOf.get(r.s3.bucket.name) ?? []).some((prefix) => r.s3.object.key.startsWith(prefix)),
    ).map((r) => ({
      ...r,
      awsRegion: process.env.AWS_REGION ?? r.awsRegion,
      s3: { ...r.s3, object: { ...r.s3.object, key: encodeS3EventKey(r.s3.object.key) } },
    }));
    if (records.length > 0) opts.onObjectCreated({ Records: records });
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
};

/** S3 notifications URL-encode keys, with `+` for spaces (form encoding). */
export const encodeS3EventKey = (key: string): string => encodeURIComponent(key).replace(/%20/g, '+');
