/**
 * Where each file lives. Two stores, split by how long a file must be kept
 * (see `buckets` in infra/resources.ts):
 *
 * - the **archive** (evidence bucket, Object Lock retention): evidence files and
 *   what an auditor needs to re-check a campaign years later;
 * - **scratch** (work bucket, expiring): uploads waiting to be imported,
 *   workflow batch files, reports and exports that can be made again.
 *
 * Keys are generated from ids only, never from a user's file name. The
 * functions' grants in infra/resources.ts name these prefixes.
 */
export const archiveKeys = {
  /** An uploaded evidence file (see evidenceKey in evidence.ts). */
  evidence: (campaignId: string, inspectionId: string, evidenceId: string) =>
    `evidence/${campaignId}/${inspectionId}/${evidenceId}`,
  /** Every target of a launch, before sampling. */
  population: (campaignId: string) => `campaigns/${campaignId}/population.json`,
  /** The drawn sample, with its seed and method. */
  sample: (campaignId: string) => `campaigns/${campaignId}/sample.json`,
  /** The sealed record of a closed campaign: statistics, manifest and its SHA-256. */
  sealed: (campaignId: string, file: string) => `campaigns/${campaignId}/sealed/${file}`,
} as const;

/** The record of each expert panel draw (inputs and result), kept with the archive. */
export const panelKeys = {
  draw: (campaignId: string, drawId: string) => `panels/${campaignId}/${drawId}.json`,
} as const;

export const scratchKeys = {
  /** Where an office uploads a registry spreadsheet (its object-created event starts the import). */
  importUpload: (importId: string) => `uploads/imports/${importId}/source`,
  /** An import execution's batch and result files (namespaced per execution, so re-runs never mix). */
  importWork: (importId: string, execution: string, file: string) =>
    `work/imports/${importId}/${execution}/${file}`,
  /** The row-level error report of an import. */
  importErrors: (importId: string) => `reports/imports/${importId}/errors.csv`,
  /** The same report in another language than Chinese (`errors.en.csv`). */
  importErrorsIn: (importId: string, language: 'en') => `reports/imports/${importId}/errors.${language}.csv`,
  /** A launch execution's batch and result files. */
  launchWork: (campaignId: string, execution: string, file: string) =>
    `work/launch/${campaignId}/${execution}/${file}`,
  /** An evidence export bundle. */
  export: (campaignId: string, exportId: string) => `exports/${campaignId}/${exportId}.zip`,
} as const;

/** What an upload's key says it is: an import's source file or an evidence file, by id. */
export const uploadOf = (
  key: string,
): { kind: 'import'; importId: string } | { kind: 'evidence'; evidenceId: string } | undefined => {
  const importId = /^uploads\/imports\/([0-9A-Z]{26})\/source$/.exec(key)?.[1];
  if (importId) return { kind: 'import', importId };
  const evidenceId = /^evidence\/[^/]+\/[^/]+\/([0-9A-Z]{26})$/.exec(key)?.[1];
  if (evidenceId) return { kind: 'evidence', evidenceId };
  return undefined;
};

/** A JSON and text file store (one bucket). */
export interface FileStore {
  readJson<T>(key: string): Promise<T>;
  writeJson(key: string, value: unknown): Promise<void>;
  write(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
}
