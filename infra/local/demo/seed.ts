import { createHash } from 'node:crypto';
import type { ImportKind } from '#core/imports';
import { generateDemoProvince } from './province.ts';

/**
 * Loads the demo province through the same path as a user's files:
 * POST /imports (with the file's size and SHA-256) → PUT to the presigned
 * URL with the headers it signs → poll GET /imports/{id}.
 */
export interface SeedOptions {
  apiUrl: string;
  token: string;
  province?: string;
  schools?: number;
  log?: (message: string) => void;
  timeoutMs?: number;
}

export interface ImportOutcome {
  id: string;
  status: string;
  counts: Record<string, number> | null;
  warnings: string[];
  error?: string;
}

export const importFile = async (
  opts: Pick<SeedOptions, 'apiUrl' | 'token' | 'timeoutMs'>,
  kind: ImportKind,
  fileName: string,
  body: Uint8Array | string,
  contentType = 'text/csv',
): Promise<ImportOutcome> => {
  const headers = { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' };
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const created = await fetch(`${opts.apiUrl}/imports`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      kind,
      fileName,
      contentType,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    }),
  });
  if (created.status !== 201)
    throw new Error(`POST /imports answered ${created.status}: ${await created.text()}`);
  const { id, upload } = (await created.json()) as {
    id: string;
    upload: { url: string; headers: Record<string, string> };
  };
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
  if (!put.ok) throw new Error(`upload of ${fileName} answered ${put.status}: ${await put.text()}`);

  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  while (Date.now() < deadline) {
    const response = await fetch(`${opts.apiUrl}/imports/${id}`, { headers });
    const record = (await response.json()) as ImportOutcome;
    if (record.status === 'completed' || record.status === 'failed') return record;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`import ${id} of ${fileName} did not finish in time`);
};

export const seedDemo = async (opts: SeedOptions): Promise<Record<ImportKind, ImportOutcome>> => {
  const log = opts.log ?? (() => undefined);
  const province = opts.province ?? '32';
  const schools = opts.schools ?? 20_000;
  const files = generateDemoProvince({ province, schools });
  log(
    `demo province ${province}: ${schools} schools, ${files.counts.inspectors} inspectors (${files.counts.experts} experts), ${files.counts.zones} zones`,
  );
  const outcomes = {} as Record<ImportKind, ImportOutcome>;
  for (const kind of ['schools', 'inspectors', 'zones'] as const) {
    const started = performance.now();
    const outcome = await importFile(opts, kind, `demo-${province}-${kind}.csv`, files[kind]);
    outcomes[kind] = outcome;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (outcome.status !== 'completed') throw new Error(`demo ${kind} import failed: ${outcome.error}`);
    log(`  ${kind}: ${JSON.stringify(outcome.counts)} in ${seconds} s`);
  }
  return outcomes;
};
