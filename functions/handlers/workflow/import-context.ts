import { createImportRecords } from '#adapters/import-records';
import { createObjectStore } from '#adapters/object-store';
import { createImportTarget, createRegistryStore } from '#adapters/registry-store';
import { bucket, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';

/** Adapters shared by the import workflow's steps, built once per cold start. */
const mainTable = requireEnv(tables.main.envVar);
export const importRecords = createImportRecords(mainTable);
export const objects = createObjectStore(requireEnv(bucket.envVar));
export const importTarget = createImportTarget(mainTable);
export const registryStore = createRegistryStore(mainTable);
export { mainTable };

/** Where an execution keeps its intermediate files (namespaced so re-runs never mix). */
export const workKey = (importId: string, execution: string, file: string) =>
  `work/imports/${importId}/${execution}/${file}`;
export const errorReportKey = (importId: string) => `reports/imports/${importId}/errors.csv`;

export interface BatchDescriptor {
  importId: string;
  execution: string;
  kind: import('#core/imports').ImportKind;
  /** Region the import may write into (rows were checked; stored rows are checked again per batch). */
  scope: string;
  batch: number;
}
