import { type DeadlinePorts, sweepDeadlines } from './inspection-service.ts';

/** Evidence still `pending` this long after its announcement is checked by the sweeper. */
export const pendingRecheckMinutes = 10;
/** An announcement or import whose file has not arrived after this long is given up. */
export const uploadGivenUpHours = 24;
/** How long a sweep may hold the lease (the sweeper's timeout). */
export const sweepLeaseSeconds = 240;

export interface SweepPorts {
  /** One sweep at a time, across every instance: a lease item with an expiry. */
  lease: {
    acquire(holder: string, until: Date): Promise<boolean>;
    release(holder: string): Promise<void>;
  };
  deadlines: DeadlinePorts;
  /** Marks late every owed phase whose deadline passed, and escalates it (see deadline-sweep.ts). */
  phaseDeadlines(
    now: string,
  ): Promise<{ watched: number; markedLate: Record<string, number>; proposed: number; contended: number }>;
  /** Reports committed before `before` whose rectifications were not all activated (a crash in between). */
  unactivatedReports: {
    list(before: string): Promise<{ inspectionId: string; rectificationIds: string[] }[]>;
    activate(inspectionId: string, rectificationIds: readonly string[]): Promise<void>;
  };
  /** Creates and launches due occurrences of recurring campaigns. */
  runRecurrences(today: string): Promise<{ created: number; launched: string[] }>;
  pendingEvidence: {
    /** Evidence announced before `before` and still pending, oldest first. */
    list(before: string): Promise<{ id: string; key: string; createdAt: string }[]>;
    /** Verifies the arrived file and records the verdict; `absent` if no file is there. */
    settle(evidenceId: string, key: string): Promise<'settled' | 'unchanged' | 'absent'>;
    /** Marks an announcement whose file never came `expired`, once. */
    expire(evidenceId: string, at: string): Promise<boolean>;
  };
  awaitingImports: {
    /** Imports created before `before` whose upload started no workflow, oldest first. */
    list(before: string): Promise<{ id: string; createdAt: string }[]>;
    /** Starts the import of an upload that is there; `absent` if nothing was uploaded. */
    start(importId: string): Promise<'started' | 'duplicate' | 'absent'>;
    expire(importId: string, at: string): Promise<boolean>;
  };
  /** Links every campaign's pending audit events into its hash chain. */
  linkChains(): Promise<{ campaigns: number; linked: number; contended: string[] }>;
  /** The wall clock (the lease), as opposed to the sweep's own `now`. */
  clock(): Date;
}

const minutesBefore = (now: string, minutes: number) =>
  new Date(Date.parse(now) - minutes * 60_000).toISOString();

/**
 * The scheduled sweep, at most one at a time.
 *
 * Primary course, as of `now` (the schedule's time):
 * 1. the rectifications of reports whose activation a crash interrupted are
 *    activated; overdue rectifications are marked and escalated by their
 *    template's policy; so is every other phase (self-assessment, visit,
 *    report, re-inspection) whose deadline passed while it was owed;
 * 2. due occurrences of recurring campaigns are created and launched;
 * 3. uploads whose object-created event was lost are picked up: evidence still
 *    pending after ten minutes is verified if its file is there, and an import
 *    whose file is there but started no workflow is started; after a day
 *    without a file, either is marked expired;
 * 4. new audit events are linked into their campaigns' hash chains (last, so
 *    that this sweep's own events are linked too).
 * Every part is idempotent: the sweep may run as often as it likes.
 */
export const sweep = (ports: SweepPorts) => async (now: string, holder: string) => {
  const leased = await ports.lease.acquire(
    holder,
    new Date(ports.clock().getTime() + sweepLeaseSeconds * 1000),
  );
  if (!leased) return { sweptAt: now, skipped: 'another sweep holds the lease' as const };
  try {
    const unactivated = await ports.unactivatedReports.list(minutesBefore(now, 1));
    for (const r of unactivated) await ports.unactivatedReports.activate(r.inspectionId, r.rectificationIds);
    const deadlines = await sweepDeadlines(ports.deadlines, now);
    const phases = await ports.phaseDeadlines(now);
    const recurrences = await ports.runRecurrences(now.slice(0, 10));

    const givenUp = minutesBefore(now, uploadGivenUpHours * 60);
    const evidence = { settled: 0, expired: 0 };
    for (const e of await ports.pendingEvidence.list(minutesBefore(now, pendingRecheckMinutes))) {
      const outcome = await ports.pendingEvidence.settle(e.id, e.key);
      if (outcome === 'settled') evidence.settled++;
      else if (
        outcome === 'absent' &&
        e.createdAt < givenUp &&
        (await ports.pendingEvidence.expire(e.id, now))
      )
        evidence.expired++;
    }
    const imports = { started: 0, expired: 0 };
    for (const i of await ports.awaitingImports.list(minutesBefore(now, pendingRecheckMinutes))) {
      const outcome = await ports.awaitingImports.start(i.id);
      if (outcome === 'started') imports.started++;
      else if (
        outcome === 'absent' &&
        i.createdAt < givenUp &&
        (await ports.awaitingImports.expire(i.id, now))
      )
        imports.expired++;
    }

    const chains = await ports.linkChains();
    return {
      sweptAt: now,
      reportsActivated: unactivated.length,
      deadlines,
      phases,
      ...recurrences,
      evidence,
      imports,
      chains,
    };
  } finally {
    await ports.lease.release(holder);
  }
};
