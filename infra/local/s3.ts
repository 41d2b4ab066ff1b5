import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';

/**
 * s3rver on disk. It checks no signatures or checksums (the app verifies size
 * and SHA-256 itself) and emits object-created events, which we reshape into
 * exactly what an S3 notification delivers in AWS (keys URL-encoded).
 */
export interface LocalS3 {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const corsAllowAll = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export const startS3Local = async (opts: {
  dataDir: string;
  buckets: readonly string[];
  port?: number;
  /** Key prefixes whose object-created events are delivered, as the bucket's notification filters in AWS. */
  notificationPrefixes: readonly string[];
  onObjectCreated: (event: S3Event) => void;
}): Promise<LocalS3> => {
  const directory = join(opts.dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    directory,
    silent: true,
    // Browsers (portals) upload straight to presigned URLs.
    configureBuckets: opts.buckets.map((name) => ({ name, configs: [corsAllowAll] })),
  });
  server.on('event', (event: S3Event) => {
    const records = event.Records.filter(
      (r) =>
        r.eventName.startsWith('ObjectCreated:') &&
        opts.notificationPrefixes.some((prefix) => r.s3.object.key.startsWith(prefix)),
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
