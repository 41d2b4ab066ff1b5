import { describe, expect, it } from 'vitest';
import { type SweepPorts, sweep } from '#core/sweep';

/**
 * The sweep's rules on an in-memory world: when lost uploads are picked up or
 * given up, that it runs alone, and that chains are linked last.
 */
const now = '2026-12-02T08:00:00.000Z';
const minutesAgo = (m: number) => new Date(Date.parse(now) - m * 60_000).toISOString();

const world = (opts: { leaseHeld?: boolean } = {}) => {
  const calls: string[] = [];
  const evidence = [
    { id: 'E-fresh', key: 'evidence/c/i/E-fresh', createdAt: minutesAgo(5), arrived: true },
    { id: 'E-lost', key: 'evidence/c/i/E-lost', createdAt: minutesAgo(30), arrived: true },
    { id: 'E-waiting', key: 'evidence/c/i/E-waiting', createdAt: minutesAgo(60), arrived: false },
    { id: 'E-never', key: 'evidence/c/i/E-never', createdAt: minutesAgo(25 * 60), arrived: false },
  ];
  const imports = [
    { id: 'I-lost', createdAt: minutesAgo(20), uploaded: true },
    { id: 'I-never', createdAt: minutesAgo(30 * 60), uploaded: false },
  ];
  const settled = new Set<string>();
  const ports: SweepPorts = {
    lease: {
      acquire: async () => {
        calls.push('lease');
        return !opts.leaseHeld;
      },
      release: async () => void calls.push('release'),
    },
    deadlines: {
      due: async () => {
        calls.push('deadlines');
        return [];
      },
      markOverdue: async () => true,
      propose: async () => true,
      policyOf: async () => undefined,
    },
    phaseDeadlines: async () => {
      calls.push('phases');
      return { watched: 0, markedLate: {}, proposed: 0, contended: 0, remaining: false };
    },
    unactivatedReports: {
      list: async () => [],
      activate: async () => undefined,
    },
    runRecurrences: async () => {
      calls.push('recurrences');
      return { created: 0, launched: [] };
    },
    pendingEvidence: {
      list: async (before) => evidence.filter((e) => e.createdAt < before && !settled.has(e.id)),
      settle: async (id) => {
        const e = evidence.find((x) => x.id === id)!;
        if (!e.arrived) return 'absent';
        if (settled.has(id)) return 'unchanged';
        settled.add(id);
        return 'settled';
      },
      expire: async (id) => {
        if (settled.has(id)) return false;
        settled.add(id);
        calls.push(`expire ${id}`);
        return true;
      },
    },
    awaitingImports: {
      list: async (before) => imports.filter((i) => i.createdAt < before && !settled.has(i.id)),
      start: async (id) => {
        const i = imports.find((x) => x.id === id)!;
        if (!i.uploaded) return 'absent';
        settled.add(id);
        return 'started';
      },
      expire: async (id) => {
        settled.add(id);
        calls.push(`expire ${id}`);
        return true;
      },
    },
    linkChains: async () => {
      calls.push('link');
      return { campaigns: 0, linked: 0, contended: [] };
    },
    clock: () => new Date(now),
  };
  return { ports, calls, settled };
};

describe('sweep', () => {
  it('picks up uploads whose event was lost after ten minutes, and gives up those without a file after a day', async () => {
    const { ports, calls, settled } = world();
    const result = await sweep(ports)(now, 'me');
    expect(result).toMatchObject({
      evidence: { settled: 1, expired: 1 },
      imports: { started: 1, expired: 1 },
    });
    expect([...settled].sort()).toEqual(['E-lost', 'E-never', 'I-lost', 'I-never']);
    expect(calls).toContain('expire E-never');
    expect(calls).not.toContain('expire E-waiting');
  });

  it('changes nothing the second time', async () => {
    const { ports } = world();
    await sweep(ports)(now, 'me');
    expect(await sweep(ports)(now, 'me')).toMatchObject({
      evidence: { settled: 0, expired: 0 },
      imports: { started: 0, expired: 0 },
    });
  });

  it('does nothing while another sweep holds the lease', async () => {
    const { ports, calls } = world({ leaseHeld: true });
    expect(await sweep(ports)(now, 'me')).toEqual({ sweptAt: now, skipped: 'another sweep holds the lease' });
    expect(calls).toEqual(['lease']);
  });

  it('links the audit chains last, so that its own events are linked too, and always releases the lease', async () => {
    const { ports, calls } = world();
    await sweep(ports)(now, 'me');
    expect(calls.indexOf('link')).toBe(calls.length - 2);
    expect(calls.at(-1)).toBe('release');
  });
});
