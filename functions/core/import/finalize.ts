import { logger } from '#lib/logger';
import { officeChain } from '../audit-chain.ts';
import type { BatchResult } from '../import-service.ts';
import { emptyCounts, errorReportCsv, type RowError } from '../imports.ts';
import { zoneSchoolLimit } from '../registry.ts';
import { scratchKeys } from '../storage.ts';
import type { BatchDescriptor, ImportStepPorts } from './ports.ts';

interface FinalizeInput {
  importId: string;
  execution: string;
  kind: BatchDescriptor['kind'];
  scope: string;
  read: number;
  batches: BatchDescriptor[];
}

/**
 * Step 3 of import-registry.
 *
 * Primary course: sum the batches' results; write the row-level error
 * report; recount the counties the import touched and check the size of the
 * zones it touched; complete the import with its counts and warnings.
 */
export const finalizeImport = (ports: ImportStepPorts) => async (input: FinalizeInput) => {
  const work = (file: string) => scratchKeys.importWork(input.importId, input.execution, file);
  const [rejectedEarly, headings, results] = await Promise.all([
    ports.scratch.readJson<RowError[]>(work('rejected.json')),
    // Absent for a run prepared before reports named the file's own headers: codes then.
    ports.scratch
      .readJson<Record<string, string>>(work('headings.json'))
      .catch(() => ({}) as Record<string, string>),
    Promise.all(
      input.batches.map((b) => ports.scratch.readJson<BatchResult>(work(`result-${b.batch}.json`))),
    ),
  ]);

  const counts = { ...emptyCounts(), read: input.read };
  const rejected = [...rejectedEarly];
  for (const result of results) {
    counts.created += result.counts.created;
    counts.updated += result.counts.updated;
    counts.unchanged += result.counts.unchanged;
    rejected.push(...result.rejected);
  }
  counts.rejected = new Set(rejected.map((e) => e.row)).size;
  rejected.sort((a, b) => a.row - b.row);
  const named = rejected.map((e) => {
    const heading = headings[e.column];
    return heading ? { ...e, heading } : e;
  });

  // The report in Chinese (errors.csv, the one the import record names) and in English beside it.
  const reportKey = scratchKeys.importErrors(input.importId);
  await Promise.all([
    ports.scratch.write(reportKey, errorReportCsv(named, 'zh'), 'text/csv; charset=utf-8'),
    ports.scratch.write(
      scratchKeys.importErrorsIn(input.importId, 'en'),
      errorReportCsv(named, 'en'),
      'text/csv; charset=utf-8',
    ),
  ]);

  const counties = [...new Set(results.flatMap((r) => r.counties))];
  // Zones change the towns' inspector counts; schools and inspectors the county's counts as well.
  for (const county of counties) await ports.registry.recountCounty(county);

  const warnings: string[] = [];
  for (const zone of new Set(results.flatMap((r) => r.zones))) {
    const size = await ports.registry.zoneSize(zone);
    if (size > zoneSchoolLimit)
      warnings.push(`zone ${zone} has ${size} schools (more than ${zoneSchoolLimit})`);
  }

  const recorded = await ports.records.finish(
    input.importId,
    input.execution,
    { status: 'completed', counts, errorReportKey: reportKey, warnings },
    {
      campaignId: officeChain(input.scope),
      entityId: `import:${input.importId}`,
      regionCode: input.scope,
      action: 'complete_import',
      actor: 'system:import-registry',
      at: new Date().toISOString(),
      details: { execution: input.execution, kind: input.kind, counts, warnings: warnings.length },
    },
  );
  logger.info('import finished', { importId: input.importId, counts, warnings: warnings.length, recorded });
  return { importId: input.importId, counts, warnings };
};
