import { z } from 'zod';
import { type Actor, isAdmin } from './actor.ts';
import { type ChainPosition, chainStart, isOfficeChain, verifySegment } from './audit-chain.ts';
import type { Campaign } from './campaign.ts';
import { BadRequestError, ForbiddenError, NotFoundError, say } from './errors.ts';
import { type Evidence, evidenceStatuses } from './evidence.ts';
import type { AuditEvent } from './inspection-service.ts';
import { fromNotAfterTo, instantSchema, regionCodeSchema } from './limits.ts';

/**
 * The auditor's archive: evidence and audit events by index (never by scan),
 * and the verification of a campaign's hash chain. Auditors and supervision
 * offices read within their region; everyone else is refused.
 */
const regionCode = regionCodeSchema();
/** `2026-11-24` or a full ISO timestamp; `to` includes everything that starts with it. */
const instant = instantSchema;
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
    params: { zh: '请给出 campaignId、schoolId 或 uploader：档案经索引读取，从不全表扫描' },
    message: 'give campaignId, schoolId or uploader: the archive is read through indexes, never scanned',
    path: ['campaignId'],
  })
  .superRefine(fromNotAfterTo);
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
    params: { zh: '请给出 campaignId、entityId 或 actor：事件经索引读取，从不全表扫描' },
    message: 'give campaignId, entityId or actor: events are read through indexes, never scanned',
    path: ['entityId'],
  })
  .superRefine(fromNotAfterTo);
export type AuditEventQuery = z.infer<typeof auditEventQuerySchema>;

export interface Page<T> {
  items: T[];
  cursor?: string;
}
/** A stored event: its sort key and, once linked into its chain (audit-chain.ts), its place and hashes. */
export type AuditEventView = AuditEvent & {
  sk: string;
  chainId?: string;
  seq?: number;
  prevHash?: string;
  hash?: string;
};
export type ChainEvent = Record<string, unknown> & { sk: string };

export interface AuditPorts {
  /** Evidence matching the query, only under `regionPrefix`. */
  evidence(q: Omit<AuditEvidenceQuery, 'region'> & { regionPrefix: string }): Promise<Page<Evidence>>;
  /** Audit events matching the query, only under `regionPrefix`. */
  events(q: AuditEventQuery & { regionPrefix: string }): Promise<Page<AuditEventView>>;
  /** Up to `limit` linked events of a campaign after place `afterSeq`, in chain order, as stored. */
  chainAfter(campaignId: string, afterSeq: number, limit: number): Promise<ChainEvent[]>;
  /** The campaign's chain head: how many events are linked, and the last hash. */
  head(campaignId: string): Promise<{ linked: number; head: string }>;
  /** How many of the campaign's events wait for their link (at most one sweep). */
  unlinked(campaignId: string): Promise<number>;
  campaign(id: string): Promise<Campaign | undefined>;
}

/**
 * One verification request checks at most this many events: a few DynamoDB
 * pages, well under a second, whatever the campaign's size, so that the API
 * answers far within API Gateway's 30 s. A longer chain is verified by
 * following `cursor` from page to page.
 */
export const verifyPageEvents = 2000;

export const verifyQuerySchema = z
  .object({
    cursor: z
      .string()
      .max(200)
      .optional()
      .describe('where the previous page stopped; absent: from the first event'),
  })
  .strict();

const encodePosition = (p: ChainPosition) =>
  Buffer.from(JSON.stringify([p.seq, p.hash])).toString('base64url');
const decodePosition = (cursor: string): ChainPosition => {
  try {
    const [seq, hash] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (
      Number.isInteger(seq) &&
      (seq as number) > 0 &&
      typeof hash === 'string' &&
      /^[0-9a-f]{64}$/.test(hash)
    )
      return { seq: seq as number, hash };
  } catch {
    // Falls through.
  }
  throw new BadRequestError(say('该游标不是本接口返回的游标。', 'The cursor is not one this API returned.'), [
    {
      path: 'query.cursor',
      message: say('请给出上一页的游标，或不给', 'give the cursor of the previous page, or none'),
    },
  ]);
};

/**
 * The result of one page of verification. `intact` speaks of what has been
 * verified so far (`verified`: places `fromSeq` to `throughSeq`, starting
 * from the hash the page started from); `complete` says whether that reaches
 * the chain's head. A broken link ends the verification with `brokenAt`.
 */
export type ChainVerification = {
  campaignId: string;
  intact: boolean;
  complete: boolean;
  linked: number;
  head: string;
  unlinked: number;
  verified: { fromSeq: number; throughSeq: number; startHash: string };
  cursor?: string;
  brokenAt?: { seq: number; sk: string; reason: string };
};

/** The archive (queries, verification, exports) is for auditors and supervision offices. */
export const archiveReader = (actor: Actor) => {
  if (!isAdmin(actor) && actor.role !== 'auditor')
    throw new ForbiddenError(
      say('档案仅供审计人员和督导机构查阅。', 'The archive is read by auditors and supervision offices.'),
    );
  return actor;
};

/** The narrower of the caller's region and the asked one; refused when they do not overlap. */
export const narrowRegion = (actor: Actor, asked: string | undefined) => {
  if (!asked || asked.startsWith(actor.scope)) return asked ?? actor.scope;
  if (actor.scope.startsWith(asked)) return actor.scope;
  throw new ForbiddenError(
    say(
      `区划 ${asked} 不在您的管辖范围（${actor.scope}）内。`,
      `Region ${asked} is outside your scope (${actor.scope}).`,
    ),
  );
};

export const createAuditService = (ports: AuditPorts, opts: { verifyPageEvents?: number } = {}) => ({
  async evidence(actor: Actor, query: AuditEvidenceQuery): Promise<Page<Evidence>> {
    const { region, ...rest } = query;
    return ports.evidence({ ...rest, regionPrefix: narrowRegion(archiveReader(actor), region) });
  },

  async events(actor: Actor, query: AuditEventQuery): Promise<Page<AuditEventView>> {
    return ports.events({ ...query, regionPrefix: narrowRegion(archiveReader(actor), undefined) });
  },

  /**
   * Recomputes one page of the campaign's hash chain (from the first event, or
   * from where `cursor` left off) and names the first broken link, if any.
   */
  async verify(actor: Actor, campaignId: string, cursor?: string): Promise<ChainVerification> {
    archiveReader(actor);
    // A campaign's chain, or an office chain (`office-32`: a province's templates and imports).
    const scope = isOfficeChain(campaignId)
      ? campaignId.slice('office-'.length)
      : (await ports.campaign(campaignId))?.scope;
    if (!scope || !(scope.startsWith(actor.scope) || actor.scope.startsWith(scope)))
      throw new NotFoundError(say(`未找到活动 ${campaignId}。`, `Campaign ${campaignId} not found.`));
    const start = cursor ? decodePosition(cursor) : chainStart(campaignId);
    const [head, unlinked] = await Promise.all([ports.head(campaignId), ports.unlinked(campaignId)]);
    if (start.seq > head.linked)
      throw new BadRequestError(say('该游标已超出此链的末尾。', 'The cursor is past the end of this chain.'));
    const events = await ports.chainAfter(campaignId, start.seq, opts.verifyPageEvents ?? verifyPageEvents);
    const result = verifySegment(start, events);
    const base = {
      campaignId,
      linked: head.linked,
      head: head.head,
      unlinked,
      verified: { fromSeq: start.seq + 1, throughSeq: result.through.seq, startHash: start.hash },
    };
    if (!result.intact) return { ...base, intact: false, complete: false, brokenAt: result.brokenAt };
    const complete = result.through.seq >= head.linked;
    if (complete && result.through.hash !== head.head) {
      return {
        ...base,
        intact: false,
        complete: false,
        brokenAt: {
          seq: result.through.seq,
          sk: events.at(-1)?.sk ?? '',
          reason: 'the chain head does not match the last linked event',
        },
      };
    }
    // A page can come short of the head while the index catches up with a linker that just ran: continue from it.
    return {
      ...base,
      intact: true,
      complete,
      ...(complete ? {} : { cursor: encodePosition(result.through) }),
    };
  },
});
export type AuditService = ReturnType<typeof createAuditService>;
