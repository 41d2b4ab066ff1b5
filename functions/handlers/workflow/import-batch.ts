import { upsertBatch, type ValidRow } from '#core/import-service';
import { type BatchDescriptor, importTarget, objects, workKey } from './import-context.ts';
import { stepHandler } from './step-handler.ts';

/** Step 2 of import-registry (one Map iteration): upsert one batch and record its result. */
export const upsert = async (input: BatchDescriptor) => {
  const rows = await objects.readJson<ValidRow[]>(
    workKey(input.importId, input.execution, `batch-${input.batch}.json`),
  );
  const result = await upsertBatch(importTarget, {
    importId: input.importId,
    kind: input.kind,
    scope: input.scope,
    batch: input.batch,
    rows,
  });
  await objects.writeJson(workKey(input.importId, input.execution, `result-${input.batch}.json`), result);
  return { batch: input.batch, ...result.counts };
};

export const handler = stepHandler(upsert);
