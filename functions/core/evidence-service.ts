import { type Actor, isAdmin } from './actor.ts';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import { type Evidence, type EvidenceRequest, evidenceKey, judge, sanitizeFileName } from './evidence.ts';
import type { Inspection } from './inspection.ts';
import type { AuditEvent } from './inspection-service.ts';
import { canRead, performerOf } from './lifecycle.ts';

export interface EvidencePorts {
  evidence: {
    /** Creates the record and its audit event, unless the campaign is sealed: then false. */
    create(e: Evidence, audit: AuditEvent): Promise<boolean>;
    get(id: string): Promise<Evidence | undefined>;
    byInspection(inspectionId: string): Promise<Evidence[]>;
    settle(
      e: Evidence,
      verdict: Pick<Evidence, 'status' | 'reason' | 'detected' | 'verifiedAt'>,
      audit: AuditEvent,
    ): Promise<boolean>;
    logAccess(audit: AuditEvent): Promise<void>;
  };
  inspection(id: string): Promise<Inspection | undefined>;
  presignUpload(key: string, e: Pick<Evidence, 'contentType' | 'size' | 'sha256'>): Promise<string>;
  presignDownload(key: string, fileName: string): Promise<string>;
  newId(): string;
  now(): string;
}

/**
 * Evidence uploads (佐证材料): presigned, verified on arrival, every read logged.
 * The school and the inspection's inspector (or the office over it) upload;
 * auditors read; quarantined files are served to offices only.
 */
export const createEvidenceService = (ports: EvidencePorts) => {
  const inspectionFor = async (actor: Actor, id: string) => {
    const inspection = await ports.inspection(id);
    if (!inspection || !canRead(actor, inspection)) throw new NotFoundError(`Inspection ${id} not found.`);
    return inspection;
  };

  return {
    async requestUpload(actor: Actor, inspectionId: string, request: EvidenceRequest) {
      const inspection = await inspectionFor(actor, inspectionId);
      if (!performerOf(actor, inspection))
        throw new ForbiddenError('Only the school and its inspector upload evidence.');
      const now = ports.now();
      const evidence: Evidence = {
        id: ports.newId(),
        inspectionId,
        campaignId: inspection.campaignId,
        targetId: inspection.targetId,
        regionCode: inspection.regionCode,
        ...(request.indicatorId ? { indicatorId: request.indicatorId } : {}),
        key: '',
        fileName: sanitizeFileName(request.fileName),
        contentType: request.contentType,
        size: request.size,
        sha256: request.sha256,
        ...(request.capturedAt ? { capturedAt: request.capturedAt } : {}),
        uploader: actor.subject,
        createdAt: now,
        status: 'pending',
      };
      evidence.key = evidenceKey(evidence);
      const created = await ports.evidence.create(evidence, {
        campaignId: evidence.campaignId,
        entityId: evidence.id,
        regionCode: evidence.regionCode,
        action: 'request_evidence_upload',
        actor: actor.subject,
        at: now,
        details: { inspectionId, sha256: evidence.sha256, size: evidence.size },
      });
      if (!created)
        throw new ConflictError(
          `Campaign ${evidence.campaignId} is closing or closed: its evidence is sealed.`,
        );
      const url = await ports.presignUpload(evidence.key, evidence);
      return {
        id: evidence.id,
        status: evidence.status,
        upload: {
          method: 'PUT' as const,
          url,
          headers: {
            'content-type': evidence.contentType,
            'x-amz-checksum-sha256': Buffer.from(evidence.sha256, 'hex').toString('base64'),
          },
          expiresInSeconds: 900,
        },
      };
    },

    /**
     * The object-created verdict. A second or late event changes nothing, and
     * does not read the object again: `measure` runs only for a pending record.
     */
    async verifyArrival(
      evidenceId: string,
      measure: () => Promise<{ size: number; sha256: string; mime: string | undefined }>,
    ) {
      const evidence = await ports.evidence.get(evidenceId);
      if (evidence?.status !== 'pending') return { evidenceId, changed: false, status: evidence?.status };
      const actual = await measure();
      const verdict = judge(evidence, actual);
      const now = ports.now();
      const changed = await ports.evidence.settle(
        evidence,
        {
          ...verdict,
          verifiedAt: now,
          detected: { mime: actual.mime ?? 'unknown', size: actual.size, sha256: actual.sha256 },
        },
        {
          campaignId: evidence.campaignId,
          entityId: evidence.id,
          regionCode: evidence.regionCode,
          action: verdict.status === 'stored' ? 'store_evidence' : 'quarantine_evidence',
          actor: 'system:verifier',
          at: now,
          details: verdict.status === 'stored' ? { sha256: actual.sha256 } : { reason: verdict.reason },
        },
      );
      return { evidenceId, changed, status: verdict.status };
    },

    /**
     * Gives up an announcement whose file never arrived (the sweeper, a day
     * later): `expired`, once, with its audit event. False if it had settled.
     */
    async expireAnnouncement(evidenceId: string) {
      const evidence = await ports.evidence.get(evidenceId);
      if (evidence?.status !== 'pending') return false;
      const now = ports.now();
      const reason = 'no file arrived within a day of the announcement';
      return ports.evidence.settle(
        evidence,
        { status: 'expired', reason, verifiedAt: now },
        {
          campaignId: evidence.campaignId,
          entityId: evidence.id,
          regionCode: evidence.regionCode,
          action: 'expire_evidence',
          actor: 'system:sweeper',
          at: now,
          details: { reason },
        },
      );
    },

    async list(actor: Actor, inspectionId: string) {
      await inspectionFor(actor, inspectionId);
      return { items: await ports.evidence.byInspection(inspectionId) };
    },

    /** Metadata and a short-lived download link; every call is in the audit events. */
    async download(actor: Actor, evidenceId: string, requestId: string) {
      const evidence = await ports.evidence.get(evidenceId);
      const inspection = evidence ? await ports.inspection(evidence.inspectionId) : undefined;
      if (!evidence || !inspection || !canRead(actor, inspection))
        throw new NotFoundError(`Evidence ${evidenceId} not found.`);
      if (evidence.status === 'pending')
        throw new ConflictError('The file has not arrived or is still being verified.');
      if (evidence.status === 'quarantined' && !isAdmin(actor))
        throw new ForbiddenError('Quarantined files are served to supervision offices only.');
      await ports.evidence.logAccess({
        campaignId: evidence.campaignId,
        entityId: evidence.id,
        regionCode: evidence.regionCode,
        action: 'download_evidence',
        actor: actor.subject,
        at: ports.now(),
        details: { key: evidence.key, requestId, role: actor.role },
      });
      return {
        ...evidence,
        download: {
          url: await ports.presignDownload(evidence.key, evidence.fileName),
          expiresInSeconds: 300,
        },
      };
    },
  };
};
export type EvidenceService = ReturnType<typeof createEvidenceService>;
