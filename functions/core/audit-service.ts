import { z } from 'zod';
import { type Actor, isAdmin } from './actor.ts';
import { type Verification, verifyChain } from './audit-chain.ts';
import type { Campaign } from './campaign.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';
import { type Evidence, evidenceStatuses } from './evidence.ts';
import type { AuditEvent } from './inspection-service.ts';

/**
 * The auditor's archive: evidence and audit events by index (never by scan),
 * and the verification of a campaign's hash chain. Auditors and supervision
 * offices read within their region; everyone else is refused.
 */
const regionCode = z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a region code of 2, 4 or 6 digits');
/** `2026-11-24` or a full ISO timestamp; `to` includes everything that starts with it. */
const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, 'a date (2026-11-24) or an ISO timestamp');
const page = {
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
};

export const auditEvidenceQuerySchema = z
  .object({
    campaignId: z.string().min(1).max(80).optional(),
    region: regionCode.optional(),
    schoolId: z
      .string()
      .regex(/^\d{10}$/, 'a 10-digit school code')
      .optional(),
    indicatorId: z.string().min(1).max(60).optional(),
    uploader: z.string().min(1).max(120).optional(),
    from: instant.optional(),
    to: instant.optional(),
    status: z.enum(evidenceStatuses).optional(),
    ...page,
  })
  .strict()
  .refine((q) => q.campaignId || q.schoolId || q.uploader, {
    message: 'give campaignId, schoolId or uploader: the archive is read through indexes, never scanned',
    path: ['campaignId'],
  });
export type AuditEvidenceQuery = z.infer<typeof auditEvidenceQuerySchema>;

export const auditEventQuerySchema = z
  .object({
    campaignId: z.string().min(1).max(80).optional(),
    entityId: z.string().min(1).max(120).optional(),
    actor: z.string().min(1).max(120).optional(),
    from: instant.optional(),
    to: instant.optional(),
    ...page,
  })
  .strict()
  .refine((q) => q.campaignId || q.entityId || q.actor, {
    message: 'give campaignId, entityId or actor: events are read through indexes, never scanned',
    path: ['entityId'],
  });
export type AuditEventQuery = z.infer<typeof auditEventQuerySchema>;

export interface Page<T> {
  items: T[];
  cursor?: string;
}
export type AuditEventView = AuditEvent & { sk: string; seq?: number; hash?: string };
export type ChainEvent = Record<string, unknown> & { sk: string };

export interface AuditPorts {
  /** Evidence matching the query, only under `regionPrefix`. */
  evidence(q: Omit<AuditEvidenceQuery, 'region'> & { regionPrefix: string }): Promise<Page<Evidence>>;
  /** Audit events matching the query, only under `regionPrefix`. */
  events(q: AuditEventQuery & { regionPrefix: string }): Promise<Page<AuditEventView>>;
  /** Every stored event of a campaign, as stored (for recomputing its chain). */
  chain(campaignId: string): Promise<ChainEvent[]>;
  campaign(id: string): Promise<Campaign | undefined>;
}

/** The archive (queries, verification, exports) is for auditors and supervision offices. */
export const archiveReader = (actor: Actor) => {
  if (!isAdmin(actor) && actor.role !== 'auditor')
    throw new ForbiddenError('The archive is read by auditors and supervision offices.');
  return actor;
};

/** The narrower of the caller's region and the asked one; refused when they do not overlap. */
export const narrowRegion = (actor: Actor, asked: string | undefined) => {
  if (!asked || asked.startsWith(actor.scope)) return asked ?? actor.scope;
  if (actor.scope.startsWith(asked)) return actor.scope;
  throw new ForbiddenError(`Region ${asked} is outside your scope (${actor.scope}).`);
};

export const createAuditService = (ports: AuditPorts) => ({
  async evidence(actor: Actor, query: AuditEvidenceQuery): Promise<Page<Evidence>> {
    const { region, ...rest } = query;
    return ports.evidence({ ...rest, regionPrefix: narrowRegion(archiveReader(actor), region) });
  },

  async events(actor: Actor, query: AuditEventQuery): Promise<Page<AuditEventView>> {
    return ports.events({ ...query, regionPrefix: narrowRegion(archiveReader(actor), undefined) });
  },

  /** Recomputes the campaign's hash chain and names the first broken link, if any. */
  async verify(actor: Actor, campaignId: string): Promise<Verification & { campaignId: string }> {
    archiveReader(actor);
    const campaign = await ports.campaign(campaignId);
    if (!campaign || !(campaign.scope.startsWith(actor.scope) || actor.scope.startsWith(campaign.scope)))
      throw new NotFoundError(`Campaign ${campaignId} not found.`);
    return { campaignId, ...verifyChain(campaignId, await ports.chain(campaignId)) };
  },
});
export type AuditService = ReturnType<typeof createAuditService>;
