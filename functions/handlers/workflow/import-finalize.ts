import { countZoneMembers } from '#adapters/registry-store';
import type { BatchResult } from '#core/import-service';
import { emptyCounts, errorReportCsv, type RowError } from '#core/imports';
import { zoneSchoolLimit } from '#core/registry';
import { logger } from '#lib/logger';
import {
  type BatchDescriptor,
  errorReportKey,
  importRecords,
  mainTable,
  objects,
  registryStore,
  workKey,
} from './import-context.ts';
import { stepHandler } from './step-handler.ts';

interface FinalizeInput {
  importId: string;
  execution: string;
  kind: BatchDescriptor['kind'];
  read: number;
  batches: BatchDescriptor[];
}

/**
 * Step 3 of import-registry: sum the batch results, write the row-level error
 * report, recount the touched counties and zones, and complete the import.
 */
export const finalize = async (input: FinalizeInput) => {
  const key = (file: string) => workKey(input.importId, input.execution, file);
  const [rejectedEarly, results] = await Promise.all([
    objects.readJson<RowError[]>(key('rejected.json')),
    Promise.all(input.batches.map((b) => objects.readJson<BatchResult>(key(`result-${b.batch}.json`)))),
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

  const reportKey = errorReportKey(input.importId);
  await objects.write(reportKey, errorReportCsv(rejected), 'text/csv; charset=utf-8');

  const counties = [...new Set(results.flatMap((r) => r.counties))];
  if (input.kind !== 'zones') for (const county of counties) await registryStore.recountCounty(county);

  const warnings: string[] = [];
  for (const zone of new Set(results.flatMap((r) => r.zones))) {
    const size = await countZoneMembers(mainTable, zone);
    if (size > zoneSchoolLimit)
      warnings.push(`zone ${zone} has ${size} schools (more than ${zoneSchoolLimit})`);
  }

  const recorded = await importRecords.finish(input.importId, input.execution, {
    status: 'completed',
    counts,
    errorReportKey: reportKey,
    warnings,
  });
  logger.info('import finished', { importId: input.importId, counts, warnings: warnings.length, recorded });
  return { importId: input.importId, counts, warnings };
};

export const handler = stepHandler(finalize);
