import type { BatchResult, ImportTarget } from '../import-service.ts';
import type { ImportCounts, ImportKind } from '../imports.ts';
import type { AuditEvent } from '../inspection-service.ts';
import type { FileStore } from '../storage.ts';

/** One batch of an import, as the workflow passes it on (never the rows themselves). */
export interface BatchDescriptor {
  importId: string;
  execution: string;
  kind: ImportKind;
  /** Region the import may write into (rows were checked; stored rows are checked again per batch). */
  scope: string;
  batch: number;
}

export interface ImportStepPorts {
  records: {
    /** The workflow started on an upload: it owns the record from now on. */
    start(id: string, execution: string): Promise<{ kind: ImportKind; scope: string }>;
    get(id: string): Promise<{ scope: string; createdBy: string } | undefined>;
    /** Records the outcome; false when a newer execution has taken the import over. */
    finish(
      id: string,
      execution: string,
      outcome:
        | { status: 'completed'; counts: ImportCounts; errorReportKey: string; warnings: string[] }
        | { status: 'failed'; error: string; errorZh?: string },
      audit: AuditEvent,
    ): Promise<boolean>;
  };
  /** The uploaded spreadsheet: its size, and its rows as text (header first). */
  uploads: { size(key: string): Promise<number>; rows(key: string): Promise<string[][]> };
  scratch: FileStore;
  target: ImportTarget;
  registry: {
    /** Recounts a county's schools and inspectors. */
    recountCounty(county: string): Promise<unknown>;
    zoneSize(zoneId: string): Promise<number>;
  };
}

export type { BatchResult };
