import { describe, expect, it } from 'vitest';
import { genesisHash, linkHash, verifyChain } from '#core/audit-chain';

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
