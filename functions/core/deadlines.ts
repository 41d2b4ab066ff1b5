import type { Inspection, InspectionStatus } from './inspection.ts';
import type { ActionType } from './inspection-input.ts';
import { type InspectionPhase, inspectionPhases, type Template } from './template.ts';

/**
 * Every deadline bites: the phases an inspection still owes, which of them are
 * late, and when the sweeper must look at it next. Pure; the sweeper and the
 * commands store what these functions say.
 *
 * A phase is owed from launch until the command that completes it: the
 * self-assessment (自查) until the school submits, the visit (实地督导) until
 * findings are recorded, the report until it is issued, the re-inspection
 * (复查) while rectifications wait for review. A phase whose deadline passes
 * while it is owed is marked late once (`late`, kept for good: the record of
 * 履职), and is overdue for as long as it stays owed (`overdue`, what offices
 * chase). Rectification items have their own due dates (see sweepDeadlines).
 */
export const owedPhases = (status: InspectionStatus, hasSelfAssessment: boolean): InspectionPhase[] => {
  switch (status) {
    case 'unassigned':
    case 'assigned':
      return hasSelfAssessment ? ['self_assessment', 'on_site', 'report'] : ['on_site', 'report'];
    case 'self_assessed':
      return ['on_site', 'report'];
    case 'inspected':
      return ['report'];
    case 'rectification_submitted':
      return ['reinspection'];
    default:
      return [];
  }
};

export const hasSelfAssessmentPhase = (template: Pick<Template, 'phases'>) =>
  template.phases.some((p) => p.phase === 'self_assessment');

type Tracked = Pick<Inspection, 'status' | 'deadlines' | 'late'>;

/** The owed phases already marked late: what the office sees as overdue now. */
export const overduePhases = (inspection: Tracked, template: Pick<Template, 'phases'>): InspectionPhase[] =>
  owedPhases(inspection.status, hasSelfAssessmentPhase(template)).filter((p) => inspection.late?.[p]);

const hours = (h: number) => h * 3_600_000;

/** When each escalation of a late phase falls due, by the template's policy. */
const escalationTimes = (
  phase: InspectionPhase,
  dueAt: string,
  policy: Template['escalation'],
): { type: ActionType; at: number }[] => {
  const rule = policy.phases[phase];
  const due = Date.parse(dueAt);
  return [
    ...(rule?.interviewAfterOverdueHours !== undefined
      ? [{ type: 'interview' as const, at: due + hours(rule.interviewAfterOverdueHours) }]
      : []),
    ...(rule?.notifyAfterOverdueHours !== undefined
      ? [{ type: 'notification' as const, at: due + hours(rule.notifyAfterOverdueHours) }]
      : []),
  ];
};

/**
 * When the sweeper must next look at the inspection: the earliest owed
 * deadline not yet marked, or escalation of a late phase not yet due.
 * Undefined once nothing it owes can still change (no index entry then).
 */
export const nextCheckAt = (
  inspection: Tracked,
  template: Pick<Template, 'phases' | 'escalation'>,
  now?: string,
): string | undefined => {
  const times: number[] = [];
  const after = now ? Date.parse(now) : Number.NEGATIVE_INFINITY;
  for (const phase of owedPhases(inspection.status, hasSelfAssessmentPhase(template))) {
    const dueAt = inspection.deadlines[phase];
    if (!dueAt) continue;
    if (!inspection.late?.[phase]) times.push(Date.parse(dueAt));
    else
      for (const e of escalationTimes(phase, dueAt, template.escalation)) if (e.at > after) times.push(e.at);
  }
  return times.length === 0 ? undefined : new Date(Math.min(...times)).toISOString();
};

/** What one look at an inspection finds, as of `now`. */
export interface DeadlineFinding {
  /** Owed phases whose deadline passed and which are not marked yet: mark them late. */
  markLate: InspectionPhase[];
  /** Escalations of late phases that are due (each proposed once; the store ignores repeats). */
  propose: { type: ActionType; phase: InspectionPhase }[];
  /** The inspection's `overdue` after marking. */
  overdue: InspectionPhase[];
  nextCheckAt: string | undefined;
}

export const examineDeadlines = (
  inspection: Tracked,
  template: Pick<Template, 'phases' | 'escalation'>,
  now: string,
): DeadlineFinding => {
  const t = Date.parse(now);
  const owed = owedPhases(inspection.status, hasSelfAssessmentPhase(template));
  const markLate = owed.filter((p) => {
    const dueAt = inspection.deadlines[p];
    return dueAt !== undefined && !inspection.late?.[p] && Date.parse(dueAt) <= t;
  });
  const late = { ...inspection.late, ...Object.fromEntries(markLate.map((p) => [p, now])) };
  const propose = owed.flatMap((phase) => {
    const dueAt = inspection.deadlines[phase];
    if (!dueAt || !late[phase]) return [];
    return escalationTimes(phase, dueAt, template.escalation)
      .filter((e) => e.at <= t)
      .map((e) => ({ type: e.type, phase }));
  });
  const after = { ...inspection, late };
  return {
    markLate,
    propose,
    overdue: overduePhases(after, template),
    nextCheckAt: nextCheckAt(after, template, now),
  };
};

/**
 * Counter deltas for the per-county progress item when an inspection moves
 * from one state to another: `overdue_<phase>` counts what is overdue now,
 * `late_<phase>` what was ever late.
 */
export const overdueDeltas = (
  before: Tracked,
  after: Tracked,
  template: Pick<Template, 'phases'>,
): Record<string, number> => {
  const deltas: Record<string, number> = {};
  const was = new Set(overduePhases(before, template));
  const is = new Set(overduePhases(after, template));
  for (const phase of inspectionPhases) {
    const d = (is.has(phase) ? 1 : 0) - (was.has(phase) ? 1 : 0);
    if (d !== 0) deltas[`overdue_${phase}`] = d;
    if (after.late?.[phase] && !before.late?.[phase]) deltas[`late_${phase}`] = 1;
  }
  return deltas;
};

/**
 * The fields every write of an inspection recomputes from its status,
 * deadlines and late marks: the earliest deadline it owes (`dueAt`, what the
 * office's list sorts by), what is overdue now, and when the sweep must look
 * next. A field that does not apply is returned as undefined, so that
 * spreading the result over an inspection clears it.
 */
export const deadlineTracking = (
  inspection: Tracked,
  template: Pick<Template, 'phases' | 'escalation'>,
  now?: string,
): Pick<Inspection, 'dueAt' | 'overdue' | 'nextCheckAt'> => {
  const owed = owedPhases(inspection.status, hasSelfAssessmentPhase(template))
    .map((p) => inspection.deadlines[p])
    .filter((d): d is string => d !== undefined)
    .sort();
  const overdue = overduePhases(inspection, template);
  return {
    dueAt: owed[0],
    overdue: overdue.length > 0 ? overdue : undefined,
    nextCheckAt: nextCheckAt(inspection, template, now),
  };
};
