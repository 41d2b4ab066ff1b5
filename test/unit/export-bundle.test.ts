import { describe, expect, it } from 'vitest';
import { auditEventsCsv, checkBundle, type ExportManifest } from '#core/export-bundle';

const manifest: ExportManifest = {
  format: 'dudao-evidence-export/1',
  exportId: 'X1',
  campaignId: 'C1',
  region: '36',
  schoolId: null,
  createdAt: '2026-11-24T00:00:00Z',
  files: ['a', 'b'].map((id) => ({
    path: `files/${id}.png`,
    evidenceId: id,
    sha256: `hash-${id}`,
    size: 1,
    fileName: `${id}.png`,
    contentType: 'image/png',
    inspectionId: 'I1',
    schoolId: '3601040001',
    indicatorId: null,
    uploader: 'school',
    uploadedAt: '2026-11-24T00:00:00Z',
    key: `evidence/C1/I1/${id}`,
    status: 'stored',
    regionCode: '360104',
    verifiedAt: '2026-11-24T00:00:01Z',
  })),
  auditEvents: { path: 'audit-events.csv', sha256: 'hash-csv', events: 2 },
  mismatches: [],
};

describe('checkBundle', () => {
  it('passes a bundle whose every entry matches', () => {
    const entries = new Map([
      ['files/a.png', 'hash-a'],
      ['files/b.png', 'hash-b'],
      ['audit-events.csv', 'hash-csv'],
      ['manifest.json', 'anything'],
    ]);
    expect(checkBundle(manifest, entries).every((v) => v.status === 'ok')).toBe(true);
  });

  it('names a changed file, a missing one and one the manifest does not list', () => {
    const entries = new Map([
      ['files/a.png', 'other'],
      ['audit-events.csv', 'hash-csv'],
      ['files/extra.exe', 'x'],
    ]);
    expect(checkBundle(manifest, entries).filter((v) => v.status !== 'ok')).toEqual([
      { path: 'files/a.png', status: 'differs', expected: 'hash-a', actual: 'other' },
      { path: 'files/b.png', status: 'missing' },
      { path: 'files/extra.exe', status: 'unlisted' },
    ]);
  });
});

describe('auditEventsCsv', () => {
  it('writes one quoted, escaped row per event with details as JSON', () => {
    const csv = auditEventsCsv([
      { seq: 1, at: 't', action: 'store_evidence', actor: 'a,b', details: { say: 'he said "hi"' } },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'seq,at,campaignId,entityId,regionCode,action,actor,details,hash',
      '1,t,,,,store_evidence,"a,b","{""say"":""he said \\""hi\\""""}",',
      '',
    ]);
  });
});
