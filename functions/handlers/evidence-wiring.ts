import { ulid } from 'ulid';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createInspectionStore } from '#adapters/inspection-store';
import { createObjectStore } from '#adapters/object-store';
import { createEvidenceService } from '#core/evidence-service';

/** The evidence use cases wired to DynamoDB and S3 (shared by the API and the object-created handler). */
export const evidenceWiring = (names: { main: string; audit: string; bucket: string }) => {
  const objects = createObjectStore(names.bucket);
  const inspections = createInspectionStore(names);
  const service = createEvidenceService({
    evidence: createEvidenceStore(names),
    inspection: async (id) => (await inspections.get(id))?.inspection,
    presignUpload: (key, e) =>
      objects.presignEvidenceUpload(key, { contentType: e.contentType, size: e.size, sha256Hex: e.sha256 }),
    presignDownload: (key, fileName) => objects.presignDownload(key, { fileName }),
    newId: ulid,
    now: () => new Date().toISOString(),
  });
  return { service, objects };
};
