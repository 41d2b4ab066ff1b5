import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createObjectStore, uploadHeaders } from '#adapters/object-store';

/**
 * The object store adapter's S3 paths against Ceph's radosgw (16.2, Debian
 * 12), a real S3 implementation, where the local cloud's s3rver checks no
 * signatures, checksums or Object Lock. The client is configured as the
 * project's (functions/adapters/aws-clients.ts).
 *
 * radosgw 16 checks SigV4 signatures (so everything a presigned URL signs),
 * Content-MD5, versioning, Object Lock retention and legal holds. It ignores
 * the x-amz-checksum-* headers entirely (flexible checksums came to Ceph
 * later): it neither verifies a body against x-amz-checksum-sha256 nor
 * requires a checksum on a bucket with a default retention. AWS does both;
 * for those the tests record what the adapter sends (`sent`) and check that
 * every write carries the SHA-256 of the bytes it sent, which is what AWS
 * would verify.
 */
const { endpoint, region, accessKeyId, secretAccessKey } = inject('radosgw');
const s3 = new S3Client({
  endpoint,
  region,
  credentials: { accessKeyId, secretAccessKey },
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

interface SentRequest {
  command: string;
  headers: Record<string, string>;
  /** Base64 SHA-256 of the body as sent; undefined for no body or a stream. */
  bodySha256?: string;
  streamed: boolean;
}
let sent: SentRequest[] = [];
s3.middlewareStack.add(
  (next, context) => async (args) => {
    const request = args.request as { headers: Record<string, string>; body?: unknown };
    const body = request.body;
    const bytes = typeof body === 'string' || body instanceof Uint8Array ? body : undefined;
    sent.push({
      command: context.commandName ?? '?',
      headers: { ...request.headers },
      ...(bytes !== undefined ? { bodySha256: createHash('sha256').update(bytes).digest('base64') } : {}),
      streamed: body !== undefined && body !== null && bytes === undefined,
    });
    return next(args);
  },
  { step: 'finalizeRequest', name: 'recordSentRequests', priority: 'low' },
);

const evidenceBucket = 'dudao-evidence';
const workBucket = 'dudao-work';
const evidence = createObjectStore(s3, evidenceBucket, { objectLock: true });
const work = createObjectStore(s3, workBucket);

const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const md5Base64 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('base64');
const mb = 1024 * 1024;
/** Same bytes, compared by length and SHA-256 (a deep equal of 300 KB takes a second). */
const expectSameBytes = (actual: Uint8Array, expected: Uint8Array) =>
  expect({ size: actual.length, sha256: sha256Hex(actual) }).toEqual({
    size: expected.length,
    sha256: sha256Hex(expected),
  });
let serial = 0;
const newKey = (prefix: string) => `${prefix}/${Date.now().toString(36)}-${++serial}`;

/** The HTTP status of an SDK call: its response's, or the error's. */
const statusOf = async (call: Promise<{ $metadata: { httpStatusCode?: number } }>) => {
  try {
    return (await call).$metadata.httpStatusCode;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  }
};
/** The error an SDK call fails with (name and status), or `undefined` if it succeeds. */
const failureOf = async (call: Promise<unknown>) => {
  try {
    await call;
    return undefined;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
};

const versionsOf = async (bucket: string, key: string) => {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return {
    versions: (listed.Versions ?? []).filter((v) => v.Key === key),
    deleteMarkers: (listed.DeleteMarkers ?? []).filter((m) => m.Key === key),
  };
};

/** Default retention applied: GOVERNANCE until about one day from now. */
const expectDefaultRetention = async (key: string) => {
  const head = await s3.send(new HeadObjectCommand({ Bucket: evidenceBucket, Key: key }));
  expect(head.ObjectLockMode).toBe('GOVERNANCE');
  const untilMs = head.ObjectLockRetainUntilDate!.getTime() - Date.now();
  expect(untilMs).toBeGreaterThan(23 * 3600_000);
  expect(untilMs).toBeLessThan(25 * 3600_000);
};

/** Each body-carrying write sent since the test began carried the SHA-256 of its bytes. */
const expectEveryWriteChecksummed = (commands: string[]) => {
  const writes = sent.filter((r) => commands.includes(r.command));
  expect(writes.length).toBeGreaterThan(0);
  for (const write of writes) {
    expect(write.streamed, `${write.command} streams its body`).toBe(false);
    expect(write.headers['x-amz-checksum-sha256'], `${write.command}'s x-amz-checksum-sha256`).toBe(
      write.bodySha256,
    );
  }
  return writes;
};

/** A presigned evidence upload as a browser sends it. */
const presignedPut = async (
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<{ status: number; code: string | undefined }> => {
  const response = await fetch(url, { method: 'PUT', headers, body });
  const text = await response.text();
  return { status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] };
};

const declared = (body: Uint8Array, contentType = 'image/png') => ({
  contentType,
  size: body.length,
  sha256Hex: sha256Hex(body),
});

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: evidenceBucket, ObjectLockEnabledForBucket: true }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: evidenceBucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: evidenceBucket,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
      },
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: workBucket }));
});

beforeEach(() => {
  sent = [];
});

describe('the buckets', () => {
  it('evidence is versioned, with Object Lock and a GOVERNANCE default retention; work has no lock', async () => {
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: evidenceBucket }));
    expect(versioning.Status).toBe('Enabled');
    const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: evidenceBucket }));
    expect(lock.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
    });
    expect(await failureOf(s3.send(new GetObjectLockConfigurationCommand({ Bucket: workBucket })))).toEqual({
      name: 'ObjectLockConfigurationNotFoundError',
      status: 404,
    });
  });
});

describe('a presigned evidence upload', () => {
  const body = randomBytes(2048);

  it('signs content type, length and the SHA-256 as headers, not query parameters', async () => {
    const url = new URL(await evidence.presignUpload(newKey('evidence'), declared(body)));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;x-amz-checksum-sha256',
    );
    // Hoisted into the query string, the checksum would not be a header the client must send.
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().startsWith('x-amz-checksum'))).toEqual(
      [],
    );
  });

  it('accepts exactly the declared body, stored under the default retention', async () => {
    const key = newKey('evidence');
    const url = await evidence.presignUpload(key, declared(body));
    expect(await presignedPut(url, uploadHeaders(declared(body)), body)).toEqual({
      status: 200,
      code: undefined,
    });
    const stored = await evidence.digest(key);
    expect(stored).toMatchObject({ size: body.length, sha256: sha256Hex(body) });
    const head = await s3.send(new HeadObjectCommand({ Bucket: evidenceBucket, Key: key }));
    expect(head.ContentType).toBe('image/png');
    await expectDefaultRetention(key);
  });

  // Each is a signature mismatch, on AWS as on radosgw: the URL signs these headers.
  it.each([
    {
      refused: 'a body of another length',
      send: () => ({ headers: uploadHeaders(declared(body)), body: Buffer.concat([body, Buffer.from('x')]) }),
    },
    {
      refused: 'another content type',
      send: () => ({ headers: uploadHeaders(declared(body, 'image/jpeg')), body }),
    },
    {
      refused: 'no checksum header',
      send: () => ({ headers: { 'content-type': 'image/png' }, body }),
    },
    {
      refused: 'a different body with its own (correct) checksum',
      send: () => {
        const other = randomBytes(body.length);
        return { headers: uploadHeaders(declared(other)), body: other };
      },
    },
  ])('refuses $refused (403), and nothing is stored', async ({ send }) => {
    const key = newKey('evidence');
    const url = await evidence.presignUpload(key, declared(body));
    const attempt = send();
    expect(await presignedPut(url, attempt.headers, attempt.body)).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    expect(await evidence.head(key)).toBeUndefined();
    expect((await versionsOf(evidenceBucket, key)).versions).toEqual([]);
  });

  it('a refused upload does not replace the stored object', async () => {
    const key = newKey('evidence');
    const url = await evidence.presignUpload(key, declared(body));
    expect((await presignedPut(url, uploadHeaders(declared(body)), body)).status).toBe(200);
    const other = randomBytes(body.length);
    for (const headers of [
      uploadHeaders(declared(other)),
      uploadHeaders(declared(body, 'text/html')),
      { 'content-type': 'image/png' },
    ]) {
      expect((await presignedPut(url, headers, other)).status).toBe(403);
    }
    expect((await versionsOf(evidenceBucket, key)).versions).toHaveLength(1);
    expect((await evidence.digest(key)).sha256).toBe(sha256Hex(body));
  });

  it('a different body of the same length under the declared checksum: only AWS refuses it', async () => {
    // AWS verifies the body against x-amz-checksum-sha256 and answers 400
    // BadDigest. radosgw 16 ignores the header (only the signature covers it),
    // so it stores the body; the object-created handler's digest is what
    // catches it there (and in the local cloud). If this starts failing with
    // 400, radosgw has learnt the check: assert the refusal instead.
    const key = newKey('evidence');
    const url = await evidence.presignUpload(key, declared(body));
    const tampered = randomBytes(body.length);
    expect(await presignedPut(url, uploadHeaders(declared(body)), tampered)).toEqual({
      status: 200,
      code: undefined,
    });
    const stored = await evidence.digest(key);
    expect(stored.size).toBe(body.length);
    expect(stored.sha256).not.toBe(sha256Hex(body));
    expect(stored.sha256).toBe(sha256Hex(tampered));
  });
});

describe('every write path on the Object Lock bucket', () => {
  it('write: one PUT with the SHA-256 of its body, under the default retention', async () => {
    const key = newKey('reports');
    const body = randomBytes(10_000);
    await evidence.write(key, body, 'application/octet-stream');
    expectSameBytes(await evidence.read(key), body);
    expectEveryWriteChecksummed(['PutObjectCommand']);
    await expectDefaultRetention(key);
  });

  it('writeJson: UTF-8 JSON, checksummed over its bytes', async () => {
    const key = newKey('campaigns');
    const value = { campaign: '余杭区 2026 春季督导', schools: 3, sealed: true };
    await evidence.writeJson(key, value);
    expect(await evidence.readJson(key)).toEqual(value);
    const head = await s3.send(new HeadObjectCommand({ Bucket: evidenceBucket, Key: key }));
    expect(head.ContentType).toBe('application/json');
    expectEveryWriteChecksummed(['PutObjectCommand']);
    await expectDefaultRetention(key);
  });

  it('upload below 5 MB: one PUT, checksummed from the buffered stream', async () => {
    const key = newKey('exports');
    const body = randomBytes(mb);
    await evidence.upload(
      key,
      Readable.from([body.subarray(0, 1000), body.subarray(1000)]),
      'application/zip',
    );
    expect(await evidence.digest(key)).toMatchObject({ size: body.length, sha256: sha256Hex(body) });
    const writes = expectEveryWriteChecksummed(['PutObjectCommand']);
    expect(writes).toHaveLength(1);
    await expectDefaultRetention(key);
  });

  it('upload above 5 MB: multipart, every part checksummed', async () => {
    const key = newKey('exports');
    const body = randomBytes(6 * mb + 12_345);
    const chunks = Array.from({ length: Math.ceil(body.length / (256 * 1024)) }, (_, i) =>
      body.subarray(i * 256 * 1024, (i + 1) * 256 * 1024),
    );
    await evidence.upload(key, Readable.from(chunks), 'application/zip');
    expect(sent.map((r) => r.command)).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    expect(sent[0]!.headers['x-amz-checksum-algorithm']).toBe('SHA256');
    expectEveryWriteChecksummed(['UploadPartCommand']);
    expect(await evidence.digest(key)).toMatchObject({ size: body.length, sha256: sha256Hex(body) });
    await expectDefaultRetention(key);
  });

  it('a presigned upload', async () => {
    const key = newKey('evidence');
    const body = randomBytes(4096);
    const url = await evidence.presignUpload(key, declared(body, 'application/pdf'));
    expect((await presignedPut(url, uploadHeaders(declared(body, 'application/pdf')), body)).status).toBe(
      200,
    );
    expect(await evidence.size(key)).toBe(body.length);
    await expectDefaultRetention(key);
  });

  it('a plain PutObject without a checksum: AWS refuses it, radosgw 16 does not', async () => {
    // AWS: 400 InvalidRequest "Content-MD5 OR x-amz-checksum- HTTP header is
    // required for Put Object requests with Object Lock parameters" (the
    // default retention counts; UploadPart likewise). radosgw 16 requires
    // neither, so the recorded headers above are the check; here it stores
    // the object and applies the default retention.
    const key = newKey('plain');
    const put = new PutObjectCommand({ Bucket: evidenceBucket, Key: key, Body: 'no checksum' });
    expect(await statusOf(s3.send(put))).toBe(200);
    expect(sent.at(-1)!.headers).not.toHaveProperty('x-amz-checksum-sha256');
    expect(sent.at(-1)!.headers).not.toHaveProperty('content-md5');
    await expectDefaultRetention(key);
  });

  it('radosgw 16 verifies Content-MD5 but neither verifies nor keeps x-amz-checksum-sha256', async () => {
    const body = 'the body';
    const badMd5 = new PutObjectCommand({
      Bucket: evidenceBucket,
      Key: newKey('plain'),
      Body: body,
      ContentMD5: md5Base64('another body'),
    });
    expect(await failureOf(s3.send(badMd5))).toEqual({ name: 'BadDigest', status: 400 });
    // AWS: 400 BadDigest. radosgw: stored.
    const key = newKey('plain');
    const badSha = new PutObjectCommand({
      Bucket: evidenceBucket,
      Key: key,
      Body: body,
      ChecksumSHA256: createHash('sha256').update('another body').digest('base64'),
    });
    expect(await statusOf(s3.send(badSha))).toBe(200);
    // AWS returns the stored checksum when asked; radosgw 16 has none.
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: evidenceBucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumSHA256).toBeUndefined();
  });

  it('the work bucket takes the same writes, without retention', async () => {
    const key = newKey('scratch');
    await work.writeJson(key, { step: 1 });
    await work.upload(`${key}.bin`, Readable.from([randomBytes(1000)]), 'application/octet-stream');
    const head = await s3.send(new HeadObjectCommand({ Bucket: workBucket, Key: key }));
    expect(head.ObjectLockMode).toBeUndefined();
    expect(head.VersionId).toBeUndefined();
    expect(await work.head(`${key}.bin`)).toBeDefined();
    expect(await work.legalHold(key)).toBe('unsupported');
    await s3.send(new DeleteObjectCommand({ Bucket: workBucket, Key: key }));
    expect(await work.head(key)).toBeUndefined();
  });
});

describe('legal holds and deletion', () => {
  it('legalHold places a hold that reads back ON', async () => {
    const key = newKey('evidence');
    await evidence.write(key, 'held', 'text/plain');
    expect(await evidence.legalHold(key)).toBe('placed');
    expect(sent.at(-1)!.command).toBe('PutObjectLegalHoldCommand');
    expect(sent.at(-1)!.headers['x-amz-checksum-sha256']).toBe(sent.at(-1)!.bodySha256);
    const hold = await s3.send(new GetObjectLegalHoldCommand({ Bucket: evidenceBucket, Key: key }));
    expect(hold.LegalHold).toEqual({ Status: 'ON' });
    const head = await s3.send(new HeadObjectCommand({ Bucket: evidenceBucket, Key: key }));
    expect(head.ObjectLockLegalHoldStatus).toBe('ON');
  });

  it('a locked version cannot be deleted; a held one not even by bypassing governance', async () => {
    const held = newKey('evidence');
    const retained = newKey('evidence');
    await evidence.write(held, 'held', 'text/plain');
    await evidence.write(retained, 'retained only', 'text/plain');
    await evidence.legalHold(held);
    const versionOf = async (key: string) =>
      (await s3.send(new HeadObjectCommand({ Bucket: evidenceBucket, Key: key }))).VersionId!;
    const [heldVersion, retainedVersion] = [await versionOf(held), await versionOf(retained)];

    const deleteVersion = (Key: string, VersionId: string, BypassGovernanceRetention?: boolean) =>
      failureOf(
        s3.send(
          new DeleteObjectCommand({ Bucket: evidenceBucket, Key, VersionId, BypassGovernanceRetention }),
        ),
      );
    expect(await deleteVersion(held, heldVersion)).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await deleteVersion(retained, retainedVersion)).toEqual({ name: 'AccessDenied', status: 403 });
    // GOVERNANCE yields to s3:BypassGovernanceRetention (the bucket owner has
    // it); a legal hold yields to nothing but its removal.
    expect(await deleteVersion(held, heldVersion, true)).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await evidence.read(held)).toEqual(new TextEncoder().encode('held'));
    expect(await deleteVersion(retained, retainedVersion, true)).toBeUndefined();
    expect(await evidence.head(retained)).toBeUndefined();
  });

  it('deleting the current version of a locked object adds a delete marker; the version stays', async () => {
    const key = newKey('evidence');
    await evidence.write(key, 'kept', 'text/plain');
    await evidence.legalHold(key);
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: evidenceBucket, Key: key }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toBeDefined();

    expect(await evidence.head(key)).toBeUndefined();
    expect(await failureOf(evidence.read(key))).toEqual({ name: 'NoSuchKey', status: 404 });
    const { versions, deleteMarkers } = await versionsOf(evidenceBucket, key);
    expect(versions).toHaveLength(1);
    expect(versions[0]!.IsLatest).toBe(false);
    expect(deleteMarkers).toEqual([
      expect.objectContaining({ IsLatest: true, VersionId: deleted.VersionId }),
    ]);
    const old = await s3.send(
      new GetObjectCommand({ Bucket: evidenceBucket, Key: key, VersionId: versions[0]!.VersionId }),
    );
    expect(await old.Body!.transformToString()).toBe('kept');

    // A delete marker is not locked: removing it brings the object back.
    await s3.send(
      new DeleteObjectCommand({ Bucket: evidenceBucket, Key: key, VersionId: deleted.VersionId }),
    );
    expect(new TextDecoder().decode(await evidence.read(key))).toBe('kept');
  });
});

describe('reads return the stored bytes', () => {
  const key = 'evidence/reads/photo.png';
  // A PNG signature, then noise: more than digest's 4100-byte head.
  const body = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(300_000)]);

  beforeAll(async () => {
    await evidence.write(key, body, 'image/png');
  });

  it('digest: size, SHA-256 and the first 4100 bytes', async () => {
    const digest = await evidence.digest(key);
    expect(digest.size).toBe(body.length);
    expect(digest.sha256).toBe(sha256Hex(body));
    expectSameBytes(digest.head, body.subarray(0, 4100));
  });

  it('read, readJson, size, head', async () => {
    expectSameBytes(await evidence.read(key), body);
    expect(await evidence.size(key)).toBe(body.length);
    expect(await evidence.head(key)).toBeDefined();
    expect(await evidence.head(`${key}.missing`)).toBeUndefined();
    await evidence.writeJson('evidence/reads/manifest.json', [{ id: 'e1', sha256: sha256Hex(body) }]);
    expect(await evidence.readJson('evidence/reads/manifest.json')).toEqual([
      { id: 'e1', sha256: sha256Hex(body) },
    ]);
  });

  it('stream', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of await evidence.stream(key)) chunks.push(chunk as Buffer);
    expectSameBytes(Buffer.concat(chunks), body);
  });

  it('a presigned download serves the bytes, named as asked', async () => {
    const plain = await fetch(await evidence.presignDownload(key));
    expect(plain.status).toBe(200);
    expectSameBytes(new Uint8Array(await plain.arrayBuffer()), body);

    const named = await fetch(await evidence.presignDownload(key, { fileName: '校园 照片.png' }));
    expect(named.status).toBe(200);
    expect(named.headers.get('content-disposition')).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('校园 照片.png')}`,
    );
    expect(named.headers.get('content-type')).toBe('image/png');
    expectSameBytes(new Uint8Array(await named.arrayBuffer()), body);
  });

  it('a presigned download URL is bound to its key and signature', async () => {
    const url = new URL(await evidence.presignDownload(key));
    url.pathname = `${url.pathname}.missing`;
    expect((await fetch(url)).status).toBe(403);
    const forged = new URL(await evidence.presignDownload(key));
    forged.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect((await fetch(forged)).status).toBe(403);
  });
});
