import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from './aws-clients.ts';

/** The bucket as the application uses it: generated keys, presigned transfers. */
export const createObjectStore = (bucket: string) => ({
  /** A PUT URL that only accepts the signed content type (and length, when given). */
  presignUpload: (key: string, opts: { contentType: string; contentLength?: number; expiresIn?: number }) =>
    getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: opts.contentType,
        ...(opts.contentLength !== undefined ? { ContentLength: opts.contentLength } : {}),
      }),
      { expiresIn: opts.expiresIn ?? 900, signableHeaders: new Set(['content-type']) },
    ),

  presignDownload: (key: string, opts: { fileName?: string; expiresIn?: number } = {}) =>
    getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(opts.fileName
          ? {
              ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(opts.fileName)}`,
            }
          : {}),
      }),
      { expiresIn: opts.expiresIn ?? 300 },
    ),

  async size(key: string): Promise<number> {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  },

  async read(key: string): Promise<Uint8Array> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return object.Body.transformToByteArray();
  },

  async readJson<T>(key: string): Promise<T> {
    return JSON.parse(new TextDecoder().decode(await this.read(key))) as T;
  },

  async write(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  },

  writeJson(key: string, value: unknown): Promise<void> {
    return this.write(key, JSON.stringify(value), 'application/json');
  },
});
export type ObjectStore = ReturnType<typeof createObjectStore>;
