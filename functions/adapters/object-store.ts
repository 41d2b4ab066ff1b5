import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

const base64Sha256 = (body: string | Uint8Array) => createHash('sha256').update(body).digest('base64');
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** The headers a client must send with a presigned upload (they are signed). */
export const uploadHeaders = (upload: { contentType: string; sha256Hex: string }) => ({
  'content-type': upload.contentType,
  'x-amz-checksum-sha256': hexToBase64(upload.sha256Hex),
});

/**
 * One bucket as the application uses it: generated keys, presigned transfers.
 *
 * Every PUT carries the SHA-256 of its body (`x-amz-checksum-sha256`): S3
 * refuses a body that does not match it, and a bucket with an Object Lock
 * default retention refuses any PUT without a checksum. Presigned uploads
 * sign content type, length and the SHA-256 the client declared, so S3
 * accepts no other body. `objectLock` says whether the bucket has Object Lock
 * (AWS); the local S3 has none.
 */
export const createObjectStore = (s3: S3Client, bucket: string, opts: { objectLock?: boolean } = {}) => ({
  bucket,

  /** A PUT URL for exactly this content type, size and SHA-256; send `uploadHeaders` with it. */
  presignUpload: (
    key: string,
    upload: { contentType: string; size: number; sha256Hex: string; expiresIn?: number },
  ) =>
    getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: upload.contentType,
        ContentLength: upload.size,
        ChecksumSHA256: hexToBase64(upload.sha256Hex),
      }),
      {
        expiresIn: upload.expiresIn ?? 900,
        signableHeaders: new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']),
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    ),

  presignDownload: (key: string, download: { fileName?: string; expiresIn?: number } = {}) =>
    getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(download.fileName
          ? {
              ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(download.fileName)}`,
            }
          : {}),
      }),
      { expiresIn: download.expiresIn ?? 300 },
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

  async size(key: string): Promise<number> {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  },

  /** Size and ETag of an object, or undefined when there is none (HEAD). */
  async head(key: string): Promise<{ size: number; eTag: string } | undefined> {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: head.ContentLength ?? 0, eTag: head.ETag ?? '' };
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
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
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ChecksumSHA256: base64Sha256(body),
      }),
    );
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

  /**
   * Writes a stream of unknown length: one PUT below 5 MB, multipart above.
   * lib-storage reads the stream into part buffers, so each PUT or part
   * carries the SHA-256 of its buffer in a header (no streaming trailer).
   */
  async upload(key: string, body: Readable, contentType: string): Promise<void> {
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType, ChecksumAlgorithm: 'SHA256' },
    }).done();
  },

  /** Places an Object Lock legal hold: the object cannot be deleted until the hold is lifted. */
  async legalHold(key: string): Promise<'placed' | 'unsupported'> {
    if (!opts.objectLock) return 'unsupported';
    await s3.send(
      new PutObjectLegalHoldCommand({
        Bucket: bucket,
        Key: key,
        LegalHold: { Status: 'ON' },
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    return 'placed';
  },
});
export type ObjectStore = ReturnType<typeof createObjectStore>;
