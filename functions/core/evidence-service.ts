import { type Actor, isAdmin } from './actor.ts';
import type { BurdenDelta } from './burden.ts';
import { ConflictError, ForbiddenError, NotFoundError, say } from './errors.ts';
import {
  type Evidence,
  type EvidenceRequest,
  evidenceKey,
  evidenceView,
  judge,
  linkable,
  sanitizeFileName,
} from './evidence.ts';
import type { Inspection } from './inspection.ts';
import type { AuditEvent } from './inspection-service.ts';
import { canRead, performerOf } from './lifecycle.ts';

export interface EvidencePorts {
  evidence: {
    /** Creates the record and its audit event, unless the campaign is sealed: then false. */
    create(e: Evidence, audit: AuditEvent): Promise<boolean>;
    get(id: string): Promise<Evidence | undefined>;
    byInspection(inspectionId: string): Promise<Evidence[]>;
    /** The school's stored originals of this content, oldest first (a few at most). */
    storedOriginals(schoolId: string, sha256: string): Promise<Evidence[]>;
    /** The link already made for this content on this inspection, if any. */
    linkOn(inspectionId: string, sha256: string): Promise<string | undefined>;
    /** The link, its audit event and burden, once per inspection and content. */
    link(
      link: Evidence,
      audit: AuditEvent,
      burden: BurdenDelta,
    ): Promise<{ outcome: 'linked' } | { outcome: 'existing'; evidenceId: string } | { outcome: 'sealed' }>;
    settle(
      e: Evidence,
      verdict: Pick<Evidence, 'status' | 'reason' | 'detected' | 'verifiedAt'>,
      audit: AuditEvent,
      burden?: BurdenDelta,
    ): Promise<boolean>;
    logAccess(audit: AuditEvent): Promise<void>;
  };
  inspection(id: string): Promise<Inspection | undefined>;
  /** The target rules of the inspection's campaign template (who besides its performers reads it). */
  targetRules(
    inspection: Inspection,
  ): Promise<{ target: { unit: string; partyReadsSchoolInspections?: boolean } } | undefined>;
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
  /** Who reads an inspection reads its evidence (a government reads its schools' where the template says so). */
  const reads = async (actor: Actor, inspection: Inspection) =>
    canRead(actor, inspection) ||
    (actor.role === 'government' && canRead(actor, inspection, await ports.targetRules(inspection)));

  const inspectionFor = async (actor: Actor, id: string) => {
    const inspection = await ports.inspection(id);
    if (!inspection || !(await reads(actor, inspection)))
      throw new NotFoundError(say(`未找到督导 ${id}。`, `Inspection ${id} not found.`));
    return inspection;
  };

  /**
   * Collect once (减负): a file the school has already stored and verified
   * (same SHA-256, size and type; any inspection of the school, this one's
   * included) is linked, not uploaded again. The link is an evidence record of
   * its own, audited as `evidence_linked`; announcing the same file on the
   * same inspection again answers with that link. No stored original
   * (pending, quarantined, none): undefined, and the upload goes ahead.
   */
  const linkTo = async (
    actor: Actor,
    inspection: Inspection,
    request: EvidenceRequest,
    bySchool: boolean,
  ) => {
    const existing = await ports.evidence.linkOn(inspection.id, request.sha256);
    if (existing) {
      const link = await ports.evidence.get(existing);
      if (link) return linkAnswer(link, false);
    }
    const original = (await ports.evidence.storedOriginals(inspection.targetId, request.sha256)).find((e) =>
      linkable(e, request),
    );
    if (!original) return undefined;
    const now = ports.now();
    const link: Evidence = {
      id: ports.newId(),
      inspectionId: inspection.id,
      campaignId: inspection.campaignId,
      targetId: inspection.targetId,
      regionCode: inspection.regionCode,
      ...(request.indicatorId ? { indicatorId: request.indicatorId } : {}),
      key: original.key,
      fileName: sanitizeFileName(request.fileName),
      contentType: original.contentType,
      size: original.detected?.size ?? original.size,
      sha256: original.detected?.sha256 ?? original.sha256,
      ...(request.capturedAt ? { capturedAt: request.capturedAt } : {}),
      uploader: actor.subject,
      uploaderRole: actor.role,
      createdAt: now,
      status: 'stored',
      verifiedAt: now,
      kind: 'link',
      linkOf: {
        evidenceId: original.id,
        inspectionId: original.inspectionId,
        campaignId: original.campaignId,
      },
    };
    const result = await ports.evidence.link(
      link,
      {
        campaignId: link.campaignId,
        entityId: link.id,
        regionCode: link.regionCode,
        action: 'evidence_linked',
        actor: actor.subject,
        at: now,
        details: {
          inspectionId: inspection.id,
          sha256: link.sha256,
          size: link.size,
          originalId: original.id,
          originalInspectionId: original.inspectionId,
          key: original.key,
        },
      },
      bySchool ? { reused: 1 } : {},
    );
    if (result.outcome === 'sealed')
      throw new ConflictError(
        say(
          `活动 ${link.campaignId} 正在结束或已结束：其佐证材料已封存。`,
          `Campaign ${link.campaignId} is closing or closed: its evidence is sealed.`,
        ),
      );
    if (result.outcome === 'existing') {
      const made = await ports.evidence.get(result.evidenceId);
      if (made) return linkAnswer(made, false);
      throw new ConflictError(
        say(
          '该文件正被另一请求关联：请稍后重试。',
          'The file is being linked by another request: try again.',
        ),
      );
    }
    return linkAnswer(link, true);
  };

  const linkAnswer = (link: Evidence, created: boolean) => ({
    created,
    id: link.id,
    status: link.status,
    linked: true as const,
    evidence: evidenceView(link),
    upload: null,
  });

  return {
    async requestUpload(actor: Actor, inspectionId: string, request: EvidenceRequest) {
      const inspection = await inspectionFor(actor, inspectionId);
      const performer = performerOf(actor, inspection);
      if (!performer)
        throw new ForbiddenError(
          say(
            '只有被督导方（学校或政府）及其督学可以上传佐证材料。',
            'Only the inspected party and its inspectors upload evidence.',
          ),
        );
      const linked = await linkTo(actor, inspection, request, performer === 'party');
      if (linked) return linked;
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
        uploaderRole: actor.role,
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
          say(
            `活动 ${evidence.campaignId} 正在结束或已结束：其佐证材料已封存。`,
            `Campaign ${evidence.campaignId} is closing or closed: its evidence is sealed.`,
          ),
        );
      const url = await ports.presignUpload(evidence.key, evidence);
      return {
        created: true,
        id: evidence.id,
        status: evidence.status,
        linked: false as const,
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
        // An arrived file the school uploaded is part of what it was asked (stored or not).
        evidence.uploaderRole === 'school' ? { uploaded: 1 } : {},
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
      return { items: (await ports.evidence.byInspection(inspectionId)).map(evidenceView) };
    },

    /**
     * Metadata and a short-lived download link; every call is in the audit
     * events. A link's download is its original's object.
     */
    async download(actor: Actor, evidenceId: string, requestId: string) {
      const evidence = await ports.evidence.get(evidenceId);
      const inspection = evidence ? await ports.inspection(evidence.inspectionId) : undefined;
      if (!evidence || !inspection || !(await reads(actor, inspection)))
        throw new NotFoundError(say(`未找到佐证材料 ${evidenceId}。`, `Evidence ${evidenceId} not found.`));
      if (evidence.status === 'pending')
        throw new ConflictError(
          say('文件尚未到达或仍在校验中。', 'The file has not arrived or is still being verified.'),
        );
      if (evidence.status === 'quarantined' && !isAdmin(actor))
        throw new ForbiddenError(
          say('隔离的文件仅提供给督导机构。', 'Quarantined files are served to supervision offices only.'),
        );
      await ports.evidence.logAccess({
        campaignId: evidence.campaignId,
        entityId: evidence.id,
        regionCode: evidence.regionCode,
        action: 'download_evidence',
        actor: actor.subject,
        at: ports.now(),
        details: {
          key: evidence.key,
          requestId,
          role: actor.role,
          ...(evidence.linkOf ? { originalId: evidence.linkOf.evidenceId } : {}),
        },
      });
      return {
        ...evidenceView(evidence),
        download: {
          url: await ports.presignDownload(evidence.key, evidence.fileName),
          expiresInSeconds: 300,
        },
      };
    },
  };
};
export type EvidenceService = ReturnType<typeof createEvidenceService>;
