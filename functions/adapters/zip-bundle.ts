import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Transform } from 'node:stream';
import archiver from 'archiver';
import type { BundleWriter } from '#core/export/build-bundle';
import type { ObjectStore } from './object-store.ts';

/** Hashes and counts the bytes that pass through. */
const measuring = () => {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), bytes }) };
};

/**
 * A ZIP (entries stored, not compressed: evidence is mostly JPEG, PDF and MP4)
 * streamed into `target` under `key` while entries are added one at a time from
 * `source`, so memory stays flat whatever the bundle's size.
 */
export const openZipBundle = (source: ObjectStore, target: ObjectStore, key: string): BundleWriter => {
  const zip = archiver('zip', { store: true });
  const whole = measuring();
  const stored = target.upload(key, zip.pipe(whole.stream).pipe(new PassThrough()), 'application/zip');
  const failed = new Promise<never>((_, reject) => {
    zip.on('error', reject);
    zip.on('warning', reject);
    stored.catch(reject);
  });
  failed.catch(() => undefined);
  return {
    async addObject(path, objectKey, date) {
      // Hashed on the way into the ZIP: a transform buffers until the archiver reads, so no chunk is missed.
      const entry = measuring();
      zip.append((await source.stream(objectKey)).pipe(entry.stream), { name: path, date });
      await Promise.race([once(zip, 'entry'), failed]);
      return entry.result();
    },
    async addText(path, text) {
      zip.append(text, { name: path });
      await Promise.race([once(zip, 'entry'), failed]);
    },
    async finish() {
      await Promise.race([Promise.all([zip.finalize(), stored]), failed]);
      return whole.result();
    },
  };
};
