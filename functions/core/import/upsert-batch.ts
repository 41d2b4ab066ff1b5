import { upsertBatch, type ValidRow } from '../import-service.ts';
import { scratchKeys } from '../storage.ts';
import type { BatchDescriptor, ImportStepPorts } from './ports.ts';

/**
 * Step 2 of import-registry, one Map iteration: upsert one batch (created,
 * updated or unchanged per row, idempotent for this import) and write its
 * result next to it for the finalize step.
 */
export const upsertImportBatch = (ports: ImportStepPorts) => async (input: BatchDescriptor) => {
  const work = (file: string) => scratchKeys.importWork(input.importId, input.execution, file);
  const rows = await ports.scratch.readJson<ValidRow[]>(work(`batch-${input.batch}.json`));
  const result = await upsertBatch(ports.target, {
    importId: input.importId,
    kind: input.kind,
    scope: input.scope,
    batch: input.batch,
    rows,
  });
  await ports.scratch.writeJson(work(`result-${input.batch}.json`), result);
  return { batch: input.batch, ...result.counts };
};
