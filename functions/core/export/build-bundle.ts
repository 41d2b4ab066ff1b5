import { createHash } from 'node:crypto';
import { causeMessage } from '#lib/workflow-errors';
import type { AuditEventView } from '../audit-service.ts';
import type { Evidence } from '../evidence.ts';
import { archiveEntry, evidenceTypes } from '../evidence.ts';
import { auditEventsCsv, auditEventsName, type ExportManifest, manifestName } from '../export-bundle.ts';
import type { EvidenceExport } from '../export-service.ts';
import type { Inspection } from '../inspection.ts';
import { scratchKeys } from '../storage.ts';

/** A ZIP being written: entries one at a time, each hashed on its way in. */
export interface BundleWriter {
  /** Adds the bytes of an archived object; resolves with what was written once the entry is complete. */
  addObject(path: string, key: string, date: Date): Promise<{ sha256: string; bytes: number }>;
  addText(path: string, text: string): Promise<void>;
  /** Completes the ZIP and stores it; the SHA-256 and size of the whole bundle. */
  finish(): Promise<{ sha256: string; bytes: number }>;
}

export interface ExportPorts {
  exports: {
    get(id: string): Promise<EvidenceExport | undefined>;
    update(id: string, fields: Partial<EvidenceExport>): Promise<void>;
  };
  /** The slice's stored evidence, in the archive's order. */
  storedEvidence(q: { campaignId: string; regionPrefix: string; schoolId?: string }): Promise<Evidence[]>;
  /** The campaign's audit events under a region. */
  auditEvents(q: { campaignId: string; regionPrefix: string }): Promise<AuditEventView[]>;
  inspectionsOfTarget(targetId: string): Promise<Inspection[]>;
  /** Opens a bundle to be stored under `key` in scratch. */
  openBundle(key: string): BundleWriter;
  now(): string;
}

/**
 * The one step of export-evidence.
 *
 * Primary course: list the slice's stored files (a campaign, optionally a
 * region or one school); copy each from the archive into the ZIP one at a
 * time (memory stays flat), hashing it on the way and noting any file whose
 * bytes no longer match the archive's record; add the slice's audit events
 * as CSV and the manifest; store the ZIP in scratch and mark the export ready.
 * A re-run writes the same bundle again.
 */
export const buildExportBundle =
  (ports: ExportPorts) =>
  async ({ exportId }: { exportId: string }) => {
    const record = await ports.exports.get(exportId);
    if (!record) throw new Error(`Export ${exportId} does not exist.`);
    const { campaignId, region, schoolId } = record;

    const files = await ports.storedEvidence({
      campaignId,
      regionPrefix: region,
      ...(schoolId ? { schoolId } : {}),
    });
    let events = await ports.auditEvents({ campaignId, regionPrefix: region });
    if (schoolId) {
      const ofSchool = (await ports.inspectionsOfTarget(schoolId)).filter((i) => i.campaignId === campaignId);
      const entities = new Set([
        ...files.flatMap((f) => [f.id, f.inspectionId]),
        ...ofSchool.map((i) => i.id),
      ]);
      events = events.filter((e) => entities.has(e.entityId));
    }

    const key = scratchKeys.export(campaignId, exportId);
    const bundle = ports.openBundle(key);
    const listed: ExportManifest['files'] = [];
    const mismatches: ExportManifest['mismatches'] = [];
    for (const file of files) {
      const path = `files/${file.id}.${evidenceTypes[file.contentType].ext}`;
      const expected = archiveEntry(file).sha256;
      const { sha256: actual } = await bundle.addObject(path, file.key, new Date(file.createdAt));
      if (actual !== expected) mismatches.push({ evidenceId: file.id, expected, actual });
      listed.push({ path, fileName: file.fileName, contentType: file.contentType, ...archiveEntry(file) });
    }
    const csv = auditEventsCsv(events as unknown as Record<string, unknown>[]);
    await bundle.addText(auditEventsName, csv);
    const manifest: ExportManifest = {
      format: 'dudao-evidence-export/1',
      exportId,
      campaignId,
      region,
      schoolId: schoolId ?? null,
      createdAt: ports.now(),
      files: listed,
      auditEvents: {
        path: auditEventsName,
        sha256: createHash('sha256').update(csv).digest('hex'),
        events: events.length,
      },
      mismatches,
    };
    await bundle.addText(manifestName, JSON.stringify(manifest, null, 2));
    const { sha256, bytes } = await bundle.finish();

    const done = {
      status: 'ready' as const,
      finishedAt: ports.now(),
      key,
      bytes,
      sha256,
      files: listed.length,
      events: events.length,
      mismatches: mismatches.length,
    };
    await ports.exports.update(exportId, done);
    return { exportId, ...done };
  };

/** Catch path of export-evidence: the export says why it failed; a new export may be requested. */
export const failExport =
  (ports: Pick<ExportPorts, 'exports' | 'now'>) =>
  async (input: { exportId: string; error: { Error: string; Cause?: unknown } }) => {
    const message = `${input.error.Error}: ${causeMessage(input.error.Cause)}`.slice(0, 1000);
    await ports.exports.update(input.exportId, { status: 'failed', error: message, finishedAt: ports.now() });
    return { exportId: input.exportId, error: message };
  };
