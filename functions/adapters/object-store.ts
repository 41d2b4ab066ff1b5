import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from './aws-clients.ts';

/**
 * The bucket as the application uses it: generated keys, presigned transfers.
 * `objectLock` says whether the bucket has Object Lock (AWS); the local S3 has none.
 */
export const createObjectStore = (bucket: string, opts: { objectLock?: boolean } = {}) => ({
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

  /**
   * A PUT URL that signs content type, length and the SHA-256 the client
   * declared: S3 rejects any other body (s3rver does not check; the
   * object-created verification does, everywhere).
   */
  presignEvidenceUpload: (
    key: string,
    opts: { contentType: string; size: number; sha256Hex: string; expiresIn?: number },
  ) =>
    getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: opts.contentType,
        ContentLength: opts.size,
        ChecksumSHA256: Buffer.from(opts.sha256Hex, 'hex').toString('base64'),
      }),
      {
        expiresIn: opts.expiresIn ?? 900,
        signableHeaders: new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']),
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    ),

  /** Size, SHA-256 and the first bytes (for type detection) of a stored object, streamed. */
  async digest(key: string): Promise<{ size: number; sha256: string; head: Uint8Array }> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    let size = 0;
    const head: Buffer[] = [];
    let headBytes = 0;
    for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.length;
      if (headBytes < 4100) {
        head.push(Buffer.from(chunk.subarray(0, 4100 - headBytes)));
        headBytes += Math.min(chunk.length, 4100 - headBytes);
      }
    }
    return { size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
  },

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

  /** The object's body as a stream (for copying large objects without holding them). */
  async stream(key: string): Promise<Readable> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return object.Body as Readable;
  },

  /** Writes a stream of unknown length (multipart above 5 MB). */
  async upload(key: string, body: Readable, contentType: string): Promise<void> {
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
    }).done();
  },

  /** Places an Object Lock legal hold: the object cannot be deleted until the hold is lifted. */
  async legalHold(key: string): Promise<'placed' | 'unsupported'> {
    if (!opts.objectLock) return 'unsupported';
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: key, LegalHold: { Status: 'ON' } }));
    return 'placed';
  },
});
export type ObjectStore = ReturnType<typeof createObjectStore>;
