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

export const genesisHash = (campaignId: string) =>
  createHash('sha256').update(`dudao:audit:${campaignId}`).digest('hex');

/** Canonical JSON (sorted keys) of the event (sort key included) without its chain fields. */
export const canonicalEvent = (event: Record<string, unknown>): string => {
  const { seq: _s, prevHash: _p, hash: _h, ...content } = event;
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

export type Verification =
  | { intact: true; linked: number; unlinked: number; head: string }
  | {
      intact: false;
      linked: number;
      unlinked: number;
      brokenAt: { seq: number; sk: string; reason: string };
    };

/** Recomputes the chain in seq order and names the first broken link. */
export const verifyChain = (
  campaignId: string,
  events: readonly (Record<string, unknown> & { sk: string })[],
): Verification => {
  const linked = events
    .filter((e) => typeof e.seq === 'number')
    .sort((a, b) => (a.seq as number) - (b.seq as number));
  const unlinked = events.length - linked.length;
  let prev = genesisHash(campaignId);
  for (const [i, event] of linked.entries()) {
    const seq = i + 1;
    const fail = (reason: string) => ({
      intact: false as const,
      linked: linked.length,
      unlinked,
      brokenAt: { seq, sk: event.sk, reason },
    });
    if (event.seq !== seq) return fail(`event ${seq} is missing (found seq ${String(event.seq)})`);
    if (event.prevHash !== prev) return fail('its previous hash does not match the event before it');
    const { pk: _pk, ...content } = event;
    if (linkHash(prev, seq, content) !== event.hash) return fail('its content no longer matches its hash');
    prev = event.hash as string;
  }
  return { intact: true, linked: linked.length, unlinked, head: prev };
};
