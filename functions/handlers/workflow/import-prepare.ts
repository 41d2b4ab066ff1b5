import { prepareRows } from '#core/import-service';
import { ImportFileError, maxImportBytes } from '#core/imports';
import { logger } from '#lib/logger';
import { readTable, UnreadableFileError } from '#lib/tabular';
import { type BatchDescriptor, importRecords, objects, workKey } from './import-context.ts';
import { stepHandler } from './step-handler.ts';

export interface ImportInput {
  importId: string;
  execution: string;
  key: string;
}

/**
 * Step 1 of import-registry: read the uploaded file, validate every row and
 * write the valid ones as batch files. Passes batch descriptors on, never rows.
 */
export const prepare = async (input: ImportInput) => {
  const record = await importRecords.start(input.importId, input.execution);
  const size = await objects.size(input.key);
  if (size > maxImportBytes) {
    throw new ImportFileError(`The file is ${(size / 1048576).toFixed(1)} MB; imports are limited to 50 MB.`);
  }
  let rows: string[][];
  try {
    ({ rows } = await readTable(await objects.read(input.key)));
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new ImportFileError(error.message);
    throw error;
  }
  const prepared = prepareRows(record.kind, rows, record.scope);
  const base = {
    importId: input.importId,
    execution: input.execution,
    kind: record.kind,
    scope: record.scope,
  };
  await Promise.all([
    objects.writeJson(workKey(input.importId, input.execution, 'rejected.json'), prepared.rejected),
    ...prepared.batches.map((rows, i) =>
      objects.writeJson(workKey(input.importId, input.execution, `batch-${i + 1}.json`), rows),
    ),
  ]);
  logger.info('import prepared', { ...base, read: prepared.read, batches: prepared.batches.length });
  const batches: BatchDescriptor[] = prepared.batches.map((_, i) => ({ ...base, batch: i + 1 }));
  return { ...base, read: prepared.read, batches };
};

export const handler = stepHandler(prepare);
