import { mapLimited } from '#lib/concurrency';
import { examineDeadlines } from './deadlines.ts';
import { ConflictError } from './errors.ts';
import { teamMembers } from './inspection.ts';
import { inspectionTransitions } from './inspection-commit.ts';
import type { InspectionPorts, Proposal } from './inspection-service.ts';

export interface PhaseDeadlinePorts extends InspectionPorts {
  /** Inspections whose watch time (nextCheckAt) is before `until`. */
  watched(until: string): Promise<string[]>;
  /** Takes an inspection of a campaign that no longer runs off the watch index (no new version). */
  unwatch(inspectionId: string, version: number): Promise<void>;
}

export const sweeperSubject = 'system:sweeper';
/**
 * At most this many inspections are examined a sweep (the oldest watch times
 * first); the rest wait for the next sweep, which the result says. A campaign
 * launched with its deadlines already past marks its thousands over a few runs.
 */
export const phaseChecksPerSweep = 2000;

/**
 * Every deadline bites: each inspection on the watch index whose time has
 * come is examined (see core/deadlines.ts); a phase whose deadline passed
 * while owed is marked late once, with the team members' `late_<phase>`
 * counters (a missed monthly visit, for 责任督学履职) and the county's
 * `late_` and `overdue_` counters, and the template's escalation policy for
 * that phase proposes an interview or a notification once. Each mark is one
 * transition of the inspection (conditional on its version, audited), so a
 * sweep that runs twice, or beside a command, marks nothing twice.
 */
export const sweepPhaseDeadlines = async (ports: PhaseDeadlinePorts, now: string) => {
  const { loadAny, commit } = inspectionTransitions({ ...ports, now: () => now });
  const result = {
    watched: 0,
    markedLate: {} as Record<string, number>,
    proposed: 0,
    contended: 0,
    remaining: false,
  };
  const due = await ports.watched(now);
  result.remaining = due.length > phaseChecksPerSweep;
  await mapLimited(due.slice(0, phaseChecksPerSweep), 8, async (id) => {
    result.watched++;
    const loaded = await loadAny(id);
    if (!loaded) return;
    const { inspection, template, campaign } = loaded;
    if (campaign.status !== 'active') {
      await ports.unwatch(id, inspection.version);
      return;
    }
    const finding = examineDeadlines(inspection, template, now);
    if (finding.markLate.length === 0 && finding.propose.length === 0) return;
    const proposals: Proposal[] = finding.propose.map((p) => ({
      campaignId: campaign.id,
      type: p.type,
      inspectionId: id,
      phase: p.phase,
      reason: `${p.phase} overdue since ${inspection.deadlines[p.phase]}`,
      regionCode: inspection.regionCode,
      at: now,
    }));
    const lateCounters = Object.fromEntries(finding.markLate.map((p) => [`late_${p}`, 1]));
    try {
      await commit('phase_late', sweeperSubject, loaded, {
        status: inspection.status,
        fields: {
          late: { ...inspection.late, ...Object.fromEntries(finding.markLate.map((p) => [p, now])) },
        },
        loads:
          finding.markLate.length > 0
            ? Object.fromEntries(teamMembers(inspection).map((m) => [m, lateCounters]))
            : {},
        proposals,
        details: { late: finding.markLate, escalations: finding.propose },
      });
      for (const phase of finding.markLate) result.markedLate[phase] = (result.markedLate[phase] ?? 0) + 1;
      result.proposed += proposals.length;
    } catch (error) {
      // Someone changed it meanwhile: the next sweep looks again at what it is then.
      if (error instanceof ConflictError) result.contended++;
      else throw error;
    }
  });
  return result;
};
