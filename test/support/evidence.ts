import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { call } from './api.ts';
import { waitFor } from './wait.ts';

/** Evidence files and the upload path, as a portal drives it. */
// The smallest real PNG: signature + IHDR + IDAT + IEND of a 1×1 pixel.
export const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f2e9a40000000049454e44ae426082',
  'hex',
);
export const exe = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(126, 0x90),
  Buffer.from('PE\0\0'),
  Buffer.alloc(200, 1),
]);
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface EvidenceView {
  id: string;
  status: string;
  reason?: string;
  key: string;
  download?: { url: string };
}

/** Announces a file, uploads `body` to the presigned URL, and waits for the verdict. */
export const uploadEvidence = async (
  reader: string,
  token: string,
  inspectionId: string,
  declared: { fileName: string; contentType: string; size: number; sha256: string; indicatorId?: string },
  body: Buffer,
) => {
  const announced = await call<{ id: string; upload: { url: string; headers: Record<string, string> } }>(
    'POST',
    `/inspections/${inspectionId}/evidence`,
    {
      token,
      body: declared,
    },
  );
  expect(announced.status, announced.text).toBe(201);
  const put = await fetch(announced.body.upload.url, {
    method: 'PUT',
    headers: announced.body.upload.headers,
    body,
  });
  expect(put.status).toBe(200);
  return waitFor(
    async () => {
      const list = await call<{ items: EvidenceView[] }>('GET', `/inspections/${inspectionId}/evidence`, {
        token: reader,
      });
      const found = list.body.items.find((e) => e.id === announced.body.id);
      return found && found.status !== 'pending' ? found : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: 'the upload to be verified' },
  );
};
