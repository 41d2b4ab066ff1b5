import { createHash } from 'node:crypto';

/**
 * The hash chain over a campaign's audit events. Events are written by many
 * functions at once; a single linker (the sweeper) later gives each new event
 * its place: seq, the previous event's hash, and its own hash over both. So
 * no write path contends on a chain head, and any later change to a linked
 * event, or its removal, breaks the chain at that point.
 */
export interface ChainedFields {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The chain an office's own changes are kept in (templates, imports), as a
 * campaign's changes are in the campaign's: one per province, hash-linked and
 * verifiable like a campaign's (`office-32`).
 */
export const officeChain = (regionCode: string) => `office-${regionCode.slice(0, 2)}`;
export const isOfficeChain = (chainId: string) => /^office-\d{2}$/.test(chainId);

export const genesisHash = (campaignId: string) =>
  createHash('sha256').update(`dudao:audit:${campaignId}`).digest('hex');

/** Canonical JSON (sorted keys) of the event (sort key included) without its chain fields. */
export const canonicalEvent = (event: Record<string, unknown>): string => {
  const { seq: _s, prevHash: _p, hash: _h, chainId: _c, ...content } = event;
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(content));
};

export const linkHash = (prevHash: string, seq: number, event: Record<string, unknown>) =>
  createHash('sha256')
    .update(`${prevHash}\n${seq}\n${canonicalEvent(event)}`)
    .digest('hex');

/** A place in a campaign's chain: the last event verified (seq 0 and the genesis hash before the first). */
export interface ChainPosition {
  seq: number;
  hash: string;
}
export const chainStart = (campaignId: string): ChainPosition => ({ seq: 0, hash: genesisHash(campaignId) });

export type SegmentVerification =
  | { intact: true; through: ChainPosition }
  | { intact: false; through: ChainPosition; brokenAt: { seq: number; sk: string; reason: string } };

/**
 * Verifies linked events that follow `start`, given in seq order: each must
 * come next (no gap, no repeat), point at the hash before it, and still hash
 * to what it says. Any change to a linked event, its removal or an inserted
 * one breaks the chain at that point.
 */
export const verifySegment = (
  start: ChainPosition,
  events: readonly (Record<string, unknown> & { sk: string })[],
): SegmentVerification => {
  let at = start;
  for (const event of events) {
    const seq = at.seq + 1;
    const fail = (reason: string): SegmentVerification => ({
      intact: false,
      through: at,
      brokenAt: { seq, sk: event.sk, reason },
    });
    if (event.seq !== seq) {
      return fail(
        event.seq === at.seq
          ? `two events claim place ${at.seq}`
          : `event ${seq} is missing (found seq ${String(event.seq)})`,
      );
    }
    if (event.prevHash !== at.hash) return fail('its previous hash does not match the event before it');
    const { pk: _pk, ...content } = event;
    if (linkHash(at.hash, seq, content) !== event.hash) return fail('its content no longer matches its hash');
    at = { seq, hash: event.hash as string };
  }
  return { intact: true, through: at };
};

export type Verification =
  | { intact: true; linked: number; unlinked: number; head: string }
  | {
      intact: false;
      linked: number;
      unlinked: number;
      brokenAt: { seq: number; sk: string; reason: string };
    };

/** Recomputes a whole chain, given every event of the campaign in any order (unlinked ones counted apart). */
export const verifyChain = (
  campaignId: string,
  events: readonly (Record<string, unknown> & { sk: string })[],
): Verification => {
  const linked = events
    .filter((e) => typeof e.seq === 'number')
    .sort((a, b) => (a.seq as number) - (b.seq as number));
  const unlinked = events.length - linked.length;
  const result = verifySegment(chainStart(campaignId), linked);
  return result.intact
    ? { intact: true, linked: linked.length, unlinked, head: result.through.hash }
    : { intact: false, linked: linked.length, unlinked, brokenAt: result.brokenAt };
};
