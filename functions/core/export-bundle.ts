import { z } from 'zod';

/**
 * An evidence export bundle (ZIP): `files/<evidence id>.<ext>`, `manifest.json`
 * (each file's SHA-256 as archived when it arrived) and `audit-events.csv`.
 * `verify-export` checks a bundle against its manifest with no network and no
 * dudao code but this file.
 */
export const manifestName = 'manifest.json';
export const auditEventsName = 'audit-events.csv';

export const manifestSchema = z.object({
  format: z.literal('dudao-evidence-export/1'),
  exportId: z.string(),
  campaignId: z.string(),
  region: z.string(),
  schoolId: z.string().nullable(),
  createdAt: z.string(),
  /** Each file: where it is in the ZIP, and the archive's entry for it (see archiveEntry). */
  files: z.array(
    z.object({
      path: z.string(),
      fileName: z.string(),
      contentType: z.string(),
      evidenceId: z.string(),
      key: z.string(),
      size: z.number(),
      sha256: z.string(),
      status: z.string(),
      inspectionId: z.string(),
      schoolId: z.string(),
      regionCode: z.string(),
      indicatorId: z.string().nullable(),
      uploader: z.string(),
      uploadedAt: z.string(),
      verifiedAt: z.string().nullable(),
    }),
  ),
  auditEvents: z.object({ path: z.string(), sha256: z.string(), events: z.number() }),
  /** Files whose stored bytes no longer matched the archive when the bundle was made. */
  mismatches: z.array(z.object({ evidenceId: z.string(), expected: z.string(), actual: z.string() })),
});
export type ExportManifest = z.infer<typeof manifestSchema>;

export type FileVerdict =
  | { path: string; status: 'ok' }
  | { path: string; status: 'differs'; expected: string; actual: string }
  | { path: string; status: 'missing' }
  | { path: string; status: 'unlisted' };

/** Compares a bundle's entries (path → SHA-256) with its manifest. */
export const checkBundle = (manifest: ExportManifest, actual: ReadonlyMap<string, string>): FileVerdict[] => {
  const listed = [
    ...manifest.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
    { path: manifest.auditEvents.path, sha256: manifest.auditEvents.sha256 },
  ];
  const verdicts: FileVerdict[] = listed.map(({ path, sha256 }): FileVerdict => {
    const found = actual.get(path);
    if (found === undefined) return { path, status: 'missing' };
    return found === sha256
      ? { path, status: 'ok' }
      : { path, status: 'differs', expected: sha256, actual: found };
  });
  const known = new Set([...listed.map((l) => l.path), manifestName]);
  for (const path of actual.keys()) if (!known.has(path)) verdicts.push({ path, status: 'unlisted' });
  return verdicts;
};

/** RFC 4180 CSV of audit events (one row each; details as JSON). */
export const auditEventsCsv = (events: readonly Record<string, unknown>[]): string => {
  const columns = ['seq', 'at', 'campaignId', 'entityId', 'regionCode', 'action', 'actor', 'details', 'hash'];
  const cell = (v: unknown) => {
    const text = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(','), ...events.map((e) => columns.map((c) => cell(e[c])).join(','))].join('\r\n')}\r\n`;
};
