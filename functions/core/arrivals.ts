import { uploadOf } from './storage.ts';

/** An object S3 reports as created. */
export interface ArrivedObject {
  readonly key: string;
  readonly eTag?: string;
  readonly sequencer?: string;
}

/**
 * The import-registry execution for an uploaded file: named after the import
 * and the object's ETag, so a duplicate event (or the sweeper finding the same
 * upload) starts nothing new, while a changed re-upload starts a fresh run.
 */
export const importExecution = (importId: string, object: Pick<ArrivedObject, 'eTag' | 'sequencer'>) =>
  `import-${importId}-${(object.eTag ?? object.sequencer ?? 'upload').replace(/[^0-9A-Za-z-_]/g, '').slice(0, 40)}`;

export interface ArrivalPorts {
  /** Starts import-registry for an uploaded file; `duplicate` when that execution exists. */
  startImport(input: { importId: string; execution: string; key: string }): Promise<'started' | 'duplicate'>;
  /** Verifies an arrived evidence file and records the verdict; `changed` false if already settled. */
  verifyEvidence(evidenceId: string, key: string): Promise<{ changed: boolean }>;
}

/**
 * S3 object-created notifications.
 *
 * Primary course: an import's source file starts its import workflow; an
 * evidence file is verified (size, SHA-256, type by its magic bytes) and
 * stored or quarantined. Anything else is reported as ignored. A duplicate or
 * late event changes nothing.
 */
export const receiveUploads = (ports: ArrivalPorts) => async (objects: readonly ArrivedObject[]) => {
  const result = { started: 0, verified: 0, duplicates: 0, ignored: [] as string[] };
  for (const object of objects) {
    const upload = uploadOf(object.key);
    if (upload?.kind === 'import') {
      const started = await ports.startImport({
        importId: upload.importId,
        execution: importExecution(upload.importId, object),
        key: object.key,
      });
      if (started === 'started') result.started++;
      else result.duplicates++;
    } else if (upload?.kind === 'evidence') {
      const { changed } = await ports.verifyEvidence(upload.evidenceId, object.key);
      if (changed) result.verified++;
      else result.duplicates++;
    } else {
      result.ignored.push(object.key);
    }
  }
  return result;
};
