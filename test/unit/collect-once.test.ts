import { describe, expect, it } from 'vitest';
import { reuseRate } from '#core/burden';
import { type Evidence, evidenceView, linkable } from '#core/evidence';

const stored: Evidence = {
  id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  inspectionId: 'c-1',
  campaignId: 'c',
  targetId: '3601230001',
  regionCode: '360123',
  key: 'evidence/c/c-1/01JABCDEFGHJKMNPQRSTVWXYZ0',
  fileName: 'a.png',
  contentType: 'image/png',
  size: 10,
  sha256: 'a'.repeat(64),
  uploader: 'school-1',
  createdAt: '2025-01-01T00:00:00.000Z',
  status: 'stored',
  detected: { mime: 'image/png', size: 10, sha256: 'a'.repeat(64) },
};
const asked = { sha256: 'a'.repeat(64), size: 10, contentType: 'image/png' as const };

describe('collect once', () => {
  it('links only to a stored original of the same content, size and type', () => {
    expect(linkable(stored, asked)).toBe(true);
    expect(linkable({ ...stored, status: 'pending' }, asked)).toBe(false);
    expect(linkable({ ...stored, status: 'quarantined' }, asked)).toBe(false);
    expect(linkable({ ...stored, kind: 'link' }, asked)).toBe(false);
    expect(linkable(stored, { ...asked, size: 11 })).toBe(false);
    expect(linkable(stored, { ...asked, contentType: 'application/pdf' })).toBe(false);
    // What was measured on arrival counts, not what was declared.
    expect(linkable({ ...stored, sha256: 'b'.repeat(64) }, asked)).toBe(true);
  });

  it('shows links with their original', () => {
    expect(evidenceView(stored)).toMatchObject({ linked: false });
    expect(
      evidenceView({
        ...stored,
        kind: 'link',
        linkOf: { evidenceId: 'o', inspectionId: 'i', campaignId: 'c' },
      }),
    ).toMatchObject({ linked: true, originalId: 'o' });
  });

  it('gives the reuse rate of the files a school gave', () => {
    expect(reuseRate({ fields: 3, uploaded: 0, reused: 0 })).toBeNull();
    expect(reuseRate({ fields: 0, uploaded: 1, reused: 1 })).toBe(50);
    expect(reuseRate({ fields: 0, uploaded: 2, reused: 1 })).toBe(33.33);
  });
});
