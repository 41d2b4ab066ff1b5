import { describe, expect, it } from 'vitest';
import { genesisHash, linkHash, verifyChain } from '#core/audit-chain';
import { createAuditService } from '#core/audit-service';
import type { Campaign } from '#core/campaign';

/** A chain of `n` events as the linker stores them. */
const chain = (campaignId: string, n: number) => {
  let prev = genesisHash(campaignId);
  return Array.from({ length: n }, (_, i) => {
    const event = {
      sk: `2026-11-24T00:00:0${i}Z#E${i}#0`,
      campaignId,
      entityId: `E${i}`,
      action: 'store_evidence',
      details: { size: i, nested: { b: 1, a: 2 } },
    };
    const hash = linkHash(prev, i + 1, event);
    const linked = { pk: `CAMPAIGN#${campaignId}`, ...event, seq: i + 1, prevHash: prev, hash };
    prev = hash;
    return linked;
  });
};

describe('verifyChain', () => {
  it('finds an untouched chain intact and counts unlinked events apart', () => {
    const events = [...chain('C1', 4), { sk: 'z', campaignId: 'C1', entityId: 'new' }];
    expect(verifyChain('C1', events)).toMatchObject({ intact: true, linked: 4, unlinked: 1 });
  });

  it('does not depend on key order inside an event', () => {
    const events = chain('C1', 2).map((e) => ({
      ...e,
      details: { nested: { a: 2, b: 1 }, size: e.details.size },
    }));
    expect(verifyChain('C1', events).intact).toBe(true);
  });

  it('names the first event whose content changed', () => {
    const events = chain('C1', 4);
    events[2] = { ...events[2]!, action: 'forged' };
    expect(verifyChain('C1', events)).toMatchObject({
      intact: false,
      brokenAt: { seq: 3, sk: events[2]!.sk, reason: expect.stringContaining('no longer matches') },
    });
  });

  it('names the place of a removed event', () => {
    const events = chain('C1', 4);
    events.splice(1, 1);
    expect(verifyChain('C1', events)).toMatchObject({ intact: false, brokenAt: { seq: 2 } });
  });

  it('refuses a chain moved to another campaign', () => {
    expect(verifyChain('C2', chain('C1', 2))).toMatchObject({ intact: false, brokenAt: { seq: 1 } });
  });

  it('notices a rehashed event because the next link no longer follows it', () => {
    const events = chain('C1', 3);
    const forged = { ...events[1]!, action: 'forged' };
    const { pk: _pk, ...content } = forged;
    forged.hash = linkHash(forged.prevHash, 2, content);
    events[1] = forged;
    expect(verifyChain('C1', events)).toMatchObject({ intact: false, brokenAt: { seq: 3 } });
  });
});

describe('verifying a chain page by page', () => {
  const campaign = { id: 'C1', scope: '36' } as unknown as Campaign;
  const service = (events: ReturnType<typeof chain>, head = events.at(-1)) =>
    createAuditService(
      {
        evidence: async () => ({ items: [] }),
        events: async () => ({ items: [] }),
        chainAfter: async (_id, after, limit) =>
          events.filter((e) => (e.seq as number) > after).slice(0, limit),
        head: async () => ({ linked: head?.seq ?? 0, head: head?.hash ?? '' }),
        unlinked: async () => 0,
        campaign: async () => campaign,
      },
      { verifyPageEvents: 3 },
    );
  const auditor = { subject: 'a', role: 'auditor', scope: '36' } as const;
  const verifyAll = async (s: ReturnType<typeof service>) => {
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await s.verify(auditor, 'C1', cursor);
      pages.push(page);
      cursor = page.cursor;
    } while (cursor);
    return pages;
  };

  it('walks a long chain in bounded pages, each starting where the last one ended', async () => {
    const pages = await verifyAll(service(chain('C1', 7)));
    expect(pages.map((p) => [p.verified.fromSeq, p.verified.throughSeq, p.complete])).toEqual([
      [1, 3, false],
      [4, 6, false],
      [7, 7, true],
    ]);
    expect(pages.every((p) => p.intact)).toBe(true);
  });

  it('names an event changed on a later page', async () => {
    const events = chain('C1', 7);
    events[4] = { ...events[4]!, action: 'forged' };
    const pages = await verifyAll(service(events));
    expect(pages.at(-1)).toMatchObject({ intact: false, brokenAt: { seq: 5 } });
  });

  it('names a second event claiming a taken place', async () => {
    const events = chain('C1', 4);
    events.splice(2, 0, { ...events[1]!, sk: 'inserted' });
    const pages = await verifyAll(service(events));
    expect(pages.at(-1)).toMatchObject({
      intact: false,
      brokenAt: { reason: expect.stringContaining('two events') },
    });
  });

  it('refuses a head that the last event does not reach, and a cursor it did not hand out', async () => {
    const events = chain('C1', 2);
    const wrongHead = { ...events[1]!, hash: 'f'.repeat(64) };
    expect((await verifyAll(service(events, wrongHead))).at(-1)).toMatchObject({
      intact: false,
      brokenAt: { reason: expect.stringContaining('head') },
    });
    await expect(service(events).verify(auditor, 'C1', 'not-a-cursor')).rejects.toThrow(/cursor/);
  });
});
