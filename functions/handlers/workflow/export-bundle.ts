import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Transform } from 'node:stream';
import archiver from 'archiver';
import { createAuditStore } from '#adapters/audit-store';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createExportRecords } from '#adapters/export-records';
import { createInspectionStore } from '#adapters/inspection-store';
import { createObjectStore } from '#adapters/object-store';
import { archiveEntry, evidenceTypes } from '#core/evidence';
import { auditEventsCsv, auditEventsName, type ExportManifest, manifestName } from '#core/export-bundle';
import { bucket, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { allPages } from '#lib/pages';
import { stepHandler } from './step-handler.ts';

const mainTable = requireEnv(tables.main.envVar);
const auditTable = requireEnv(tables.audit.envVar);
const records = createExportRecords(mainTable);
const evidenceStore = createEvidenceStore({ main: mainTable, audit: auditTable });
const audit = createAuditStore(auditTable);
const inspections = createInspectionStore({ main: mainTable, audit: auditTable });
const objects = createObjectStore(requireEnv(bucket.envVar));

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
 * The one step of export-evidence: streams each stored file of the slice
 * from the bucket into a ZIP (one at a time, so memory stays flat), hashing it
 * on the way; then the slice's audit events as CSV and the manifest. A re-run
 * writes the same bundle again.
 */
export const bundle = async ({ exportId }: { exportId: string }) => {
  const record = await records.get(exportId);
  if (!record) throw new Error(`Export ${exportId} does not exist.`);
  const { campaignId, region, schoolId } = record;

  const files = await allPages((cursor) =>
    evidenceStore.archive({
      campaignId,
      regionPrefix: region,
      status: 'stored',
      limit: 500,
      ...(schoolId ? { schoolId } : {}),
      ...(cursor ? { cursor } : {}),
    }),
  );
  let events = await allPages((cursor) =>
    audit.events({ campaignId, regionPrefix: region, limit: 500, ...(cursor ? { cursor } : {}) }),
  );
  if (schoolId) {
    const ofSchool = (await inspections.byTarget(schoolId)).filter((i) => i.campaignId === campaignId);
    const entities = new Set([...files.flatMap((f) => [f.id, f.inspectionId]), ...ofSchool.map((i) => i.id)]);
    events = events.filter((e) => entities.has(e.entityId));
  }

  const key = `exports/${campaignId}/${exportId}.zip`;
  const zip = archiver('zip', { store: true });
  const measured = measuring();
  const uploaded = objects.upload(key, zip.pipe(measured.stream).pipe(new PassThrough()), 'application/zip');
  const failed = new Promise<never>((_, reject) => {
    zip.on('error', reject);
    zip.on('warning', reject);
  });

  const listed: ExportManifest['files'] = [];
  const mismatches: ExportManifest['mismatches'] = [];
  for (const file of files) {
    const path = `files/${file.id}.${evidenceTypes[file.contentType].ext}`;
    const expected = archiveEntry(file).sha256;
    // Hashed on the way into the ZIP: a transform buffers until the archiver reads, so no chunk is missed.
    const hashed = measuring();
    zip.append((await objects.stream(file.key)).pipe(hashed.stream), {
      name: path,
      date: new Date(file.createdAt),
    });
    await Promise.race([once(zip, 'entry'), failed]);
    const actual = hashed.result().sha256;
    if (actual !== expected) mismatches.push({ evidenceId: file.id, expected, actual });
    listed.push({ path, fileName: file.fileName, contentType: file.contentType, ...archiveEntry(file) });
  }
  const csv = auditEventsCsv(events as unknown as Record<string, unknown>[]);
  zip.append(csv, { name: auditEventsName });
  const manifest: ExportManifest = {
    format: 'dudao-evidence-export/1',
    exportId,
    campaignId,
    region,
    schoolId: schoolId ?? null,
    createdAt: new Date().toISOString(),
    files: listed,
    auditEvents: {
      path: auditEventsName,
      sha256: createHash('sha256').update(csv).digest('hex'),
      events: events.length,
    },
    mismatches,
  };
  zip.append(JSON.stringify(manifest, null, 2), { name: manifestName });
  await Promise.race([Promise.all([zip.finalize(), uploaded]), failed]);

  const { sha256, bytes } = measured.result();
  const done = {
    status: 'ready' as const,
    finishedAt: new Date().toISOString(),
    key,
    bytes,
    sha256,
    files: listed.length,
    events: events.length,
    mismatches: mismatches.length,
  };
  await records.update(exportId, done);
  return { exportId, ...done };
};

export const handler = stepHandler(bundle);
