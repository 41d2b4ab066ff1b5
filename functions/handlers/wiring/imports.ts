import { createImportRecords } from '#adapters/import-records';
import type { ObjectStore } from '#adapters/object-store';
import { countZoneMembers, createImportTarget, createRegistryStore } from '#adapters/registry-store';
import type { ImportStepPorts } from '#core/import/ports';
import { ImportFileError } from '#core/imports';
import { readTable, UnreadableFileError } from '#lib/tabular';
import type { Tables } from './tables.ts';

/** The import-registry steps' ports over DynamoDB and the work bucket. */
export const importStepPorts = (tables: Tables & { audit?: string }, work: ObjectStore): ImportStepPorts => {
  const registry = createRegistryStore(tables.db, tables.main);
  return {
    records: createImportRecords(tables.db, tables.main, tables.audit),
    uploads: {
      size: (key) => work.size(key),
      async rows(key) {
        try {
          return (await readTable(await work.read(key))).rows;
        } catch (error) {
          // The person who uploaded the file reads this message on the import.
          if (error instanceof UnreadableFileError)
            throw new ImportFileError({ zh: error.zh, en: error.message });
          throw error;
        }
      },
    },
    scratch: work,
    target: createImportTarget(tables.db, tables.main),
    registry: {
      recountCounty: (county) => registry.recountCounty(county),
      zoneSize: (zoneId) => countZoneMembers(tables.db, tables.main, zoneId),
    },
  };
};
