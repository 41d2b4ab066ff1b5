import { z } from 'zod';
import type { Role } from './actor.ts';
import { archiveKeys } from './storage.ts';

/**
 * Evidence (佐证材料): what may be uploaded, and how an arrived object is judged.
 * The type is decided by the file's magic bytes, never by its name.
 */
const mb = 1024 * 1024;
export const evidenceTypes = {
  'image/jpeg': { ext: 'jpg', maxBytes: 20 * mb },
  'image/png': { ext: 'png', maxBytes: 20 * mb },
  'image/heic': { ext: 'heic', maxBytes: 20 * mb },
  'application/pdf': { ext: 'pdf', maxBytes: 20 * mb },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    ext: 'docx',
    maxBytes: 20 * mb,
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { ext: 'xlsx', maxBytes: 20 * mb },
  'video/mp4': { ext: 'mp4', maxBytes: 200 * mb },
} as const;
export type EvidenceType = keyof typeof evidenceTypes;
/** `expired`: announced, but no file arrived within a day (the upload link lasts 15 minutes). */
export const evidenceStatuses = ['pending', 'stored', 'quarantined', 'expired'] as const;
export type EvidenceStatus = (typeof evidenceStatuses)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the file');

export const evidenceRequestSchema = z
  .object({
    fileName: z.string().min(1).max(255),
    contentType: z.enum(Object.keys(evidenceTypes) as [EvidenceType, ...EvidenceType[]]),
    size: z
      .number()
      .int()
      .positive()
      .max(200 * mb),
    sha256: sha256Hex,
    indicatorId: z.string().min(1).max(41).optional(),
    capturedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const limit = evidenceTypes[r.contentType]?.maxBytes;
    if (limit && r.size > limit) {
      ctx.addIssue({
        code: 'custom',
        path: ['size'],
        params: { zh: `${r.contentType} 文件不得超过 ${limit / mb} MB` },
        message: `${r.contentType} files are limited to ${limit / mb} MB`,
      });
    }
  });
export type EvidenceRequest = z.infer<typeof evidenceRequestSchema>;

export interface Evidence {
  id: string;
  inspectionId: string;
  campaignId: string;
  /** School (or county) of the inspection, and its county: the auditor's filters. */
  targetId: string;
  regionCode: string;
  indicatorId?: string;
  key: string;
  /** The uploader's file name, for display only. */
  fileName: string;
  contentType: EvidenceType;
  size: number;
  sha256: string;
  capturedAt?: string;
  uploader: string;
  createdAt: string;
  status: EvidenceStatus;
  verifiedAt?: string;
  reason?: string;
  detected?: { mime: string; size: number; sha256: string };
  /** Who announced it, by role: what a school was asked counts in its burden (burden.ts). */
  uploaderRole?: Role;
  /**
   * `link` (collect once, 减负): no upload of its own; the school had stored the
   * same file (SHA-256 and size) before, and this record points at it. Absent: `upload`.
   */
  kind?: 'upload' | 'link';
  /** The stored original a link points at (its object is `key`). */
  linkOf?: { evidenceId: string; inspectionId: string; campaignId: string };
}

/** A record as the API shows it: whether it is a link, and of which original. */
export const evidenceView = (e: Evidence) => ({
  ...e,
  linked: e.kind === 'link',
  ...(e.linkOf ? { originalId: e.linkOf.evidenceId } : {}),
});

/**
 * An original that a new announcement may link to: stored (verified), not
 * itself a link, with the same SHA-256, size and type as announced.
 */
export const linkable = (
  original: Evidence,
  request: Pick<EvidenceRequest, 'sha256' | 'size' | 'contentType'>,
): boolean =>
  original.status === 'stored' &&
  original.kind !== 'link' &&
  (original.detected?.sha256 ?? original.sha256) === request.sha256 &&
  (original.detected?.size ?? original.size) === request.size &&
  original.contentType === request.contentType;

/**
 * What the archive states about a file, as manifests list it: size and
 * SHA-256 as measured on arrival (the declared ones while it is pending).
 */
export const archiveEntry = (e: Evidence) => ({
  evidenceId: e.id,
  key: e.key,
  size: e.detected?.size ?? e.size,
  sha256: e.detected?.sha256 ?? e.sha256,
  status: e.status,
  inspectionId: e.inspectionId,
  schoolId: e.targetId,
  regionCode: e.regionCode,
  indicatorId: e.indicatorId ?? null,
  uploader: e.uploader,
  uploadedAt: e.createdAt,
  verifiedAt: e.verifiedAt ?? null,
  // A link's object is its original's (collect once): say so, so that the file is not counted twice.
  ...(e.linkOf ? { linkOf: e.linkOf.evidenceId } : {}),
});

/** Keys are generated from ids only, never from the file name. */
export const evidenceKey = (e: Pick<Evidence, 'campaignId' | 'inspectionId' | 'id'>) =>
  archiveKeys.evidence(e.campaignId, e.inspectionId, e.id);

/** Display-safe file name: no path, no control characters, at most 200 characters. */
export const sanitizeFileName = (name: string): string =>
  (name.split(/[\\/]/).pop() ?? '')
    .split('')
    .filter((c) => c >= ' ' && c !== '\u007f')
    .join('')
    .slice(0, 200) || 'file';

/** The verdict on an arrived object: stored, or quarantined with every reason found. */
export const judge = (
  declared: Pick<Evidence, 'contentType' | 'size' | 'sha256'>,
  actual: { size: number; sha256: string; mime: string | undefined },
): { status: 'stored' } | { status: 'quarantined'; reason: string } => {
  const reasons: string[] = [];
  if (actual.size !== declared.size)
    reasons.push(`size ${actual.size} differs from the declared ${declared.size}`);
  if (actual.size > evidenceTypes[declared.contentType].maxBytes)
    reasons.push(`larger than ${evidenceTypes[declared.contentType].maxBytes} bytes`);
  if (actual.sha256 !== declared.sha256) reasons.push('SHA-256 differs from the declared one');
  if (actual.mime !== declared.contentType)
    reasons.push(`content is ${actual.mime ?? 'of no known type'}, not ${declared.contentType}`);
  return reasons.length === 0 ? { status: 'stored' } : { status: 'quarantined', reason: reasons.join('; ') };
};
