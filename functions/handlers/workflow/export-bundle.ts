import { createAuditStore } from '#adapters/audit-store';
import { dynamoClients, s3Client } from '#adapters/aws-clients';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createExportRecords } from '#adapters/export-records';
import { createInspectionStore } from '#adapters/inspection-store';
import { createObjectStore } from '#adapters/object-store';
import { openZipBundle } from '#adapters/zip-bundle';
import { buildExportBundle } from '#core/export/build-bundle';
import { allPages } from '#lib/pages';
import { environmentOf } from '../environment.ts';
import { stepHandler } from './step-handler.ts';

const env = environmentOf('exportBundle');
const { db } = dynamoClients();
const s3 = s3Client();
const tables = { main: env.table('main'), audit: env.table('audit') };
const evidence = createEvidenceStore(db, tables);
const audit = createAuditStore(db, tables.audit);
const inspections = createInspectionStore(db, tables);
const archive = createObjectStore(s3, env.bucket('evidence'));
const work = createObjectStore(s3, env.bucket('work'));

export const handler = stepHandler(
  buildExportBundle({
    exports: createExportRecords(db, { main: tables.main }),
    storedEvidence: ({ campaignId, regionPrefix, schoolId }) =>
      allPages((cursor) =>
        evidence.archive({
          campaignId,
          regionPrefix,
          status: 'stored',
          limit: 500,
          ...(schoolId ? { schoolId } : {}),
          ...(cursor ? { cursor } : {}),
        }),
      ),
    auditEvents: ({ campaignId, regionPrefix }) =>
      allPages((cursor) =>
        audit.events({ campaignId, regionPrefix, limit: 500, ...(cursor ? { cursor } : {}) }),
      ),
    inspectionsOfTarget: (targetId) => inspections.byTarget(targetId),
    openBundle: (key) => openZipBundle(archive, work, key),
    now: () => new Date().toISOString(),
  }),
);
