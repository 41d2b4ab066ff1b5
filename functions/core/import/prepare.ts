import { logger } from '#lib/logger';
import { prepareRows } from '../import-service.ts';
import { ImportFileError, maxImportBytes } from '../imports.ts';
import { scratchKeys } from '../storage.ts';
import { say } from '../text.ts';
import type { BatchDescriptor, ImportStepPorts } from './ports.ts';

export interface ImportInput {
  importId: string;
  execution: string;
  /** The uploaded file (scratch). */
  key: string;
}

/**
 * Step 1 of import-registry.
 *
 * Primary course: take the import over for this execution; refuse a file
 * over the size limit; read its rows; validate every row (format, scope,
 * duplicates, zone consistency); write the rejected rows and the valid ones
 * in batch files; pass batch descriptors on, never rows.
 */
export const prepareImport = (ports: ImportStepPorts) => async (input: ImportInput) => {
  const record = await ports.records.start(input.importId, input.execution);
  const size = await ports.uploads.size(input.key);
  if (size > maxImportBytes) {
    const mb = (size / 1048576).toFixed(1);
    throw new ImportFileError(
      say(
        `文件大小为 ${mb} MB；导入文件不得超过 50 MB。`,
        `The file is ${mb} MB; imports are limited to 50 MB.`,
      ),
    );
  }
  const prepared = prepareRows(record.kind, await ports.uploads.rows(input.key), record.scope);
  const base = {
    importId: input.importId,
    execution: input.execution,
    kind: record.kind,
    scope: record.scope,
  };
  const work = (file: string) => scratchKeys.importWork(input.importId, input.execution, file);
  await Promise.all([
    ports.scratch.writeJson(work('rejected.json'), prepared.rejected),
    ports.scratch.writeJson(work('headings.json'), prepared.headings),
    ...prepared.batches.map((rows, i) => ports.scratch.writeJson(work(`batch-${i + 1}.json`), rows)),
  ]);
  logger.info('import prepared', { ...base, read: prepared.read, batches: prepared.batches.length });
  const batches: BatchDescriptor[] = prepared.batches.map((_, i) => ({ ...base, batch: i + 1 }));
  return { ...base, read: prepared.read, batches };
};
