import type { Actor } from './actor.ts';
import { isAdmin } from './actor.ts';
import { ConflictError, ForbiddenError } from './errors.ts';
import { type Inspection, type InspectionStatus, teamMembers } from './inspection.ts';

/**
 * The inspection lifecycle as one explicit table: which command may move an
 * inspection from which status to which, and who may give it. Everything else
 * (what a command stores) follows from a transition that this table allowed.
 *
 *   unassigned ─team set→ assigned
 *   assigned ─self-assessment→ self_assessed ─findings→ inspected ─report→ rectifying | closed
 *   self_assessed ─returned for correction (退回)→ assigned
 *   assigned ─findings (template without self-assessment, or its deadline passed)→ inspected
 *   rectifying ─all items submitted→ rectification_submitted
 *   rectification_submitted ─an item returned for correction, or a failed review→ rectifying
 *   rectification_submitted ─review: all passed (复查)→ closed
 */
export const commands = [
  'submit_self_assessment',
  'return_self_assessment',
  'record_findings',
  'issue_report',
  'submit_rectification',
  'return_rectification',
  'review_rectification',
] as const;
export type Command = (typeof commands)[number];

/**
 * The parts people play in an inspection: the inspected school; the team's
 * lead (组长) — or an office over the school's region, which may act as one;
 * a member of the team.
 */
export type Performer = 'school' | 'lead' | 'member';

interface Rule {
  readonly from: readonly InspectionStatus[];
  readonly by: readonly Performer[];
}

export const rules: Readonly<Record<Command, Rule>> = {
  submit_self_assessment: { from: ['assigned', 'self_assessed'], by: ['school'] },
  return_self_assessment: { from: ['self_assessed'], by: ['lead'] },
  record_findings: { from: ['assigned', 'self_assessed', 'inspected'], by: ['lead', 'member'] },
  issue_report: { from: ['inspected'], by: ['lead'] },
  submit_rectification: { from: ['rectifying', 'rectification_submitted'], by: ['school'] },
  return_rectification: { from: ['rectification_submitted', 'rectifying'], by: ['lead'] },
  review_rectification: { from: ['rectification_submitted', 'rectifying'], by: ['lead'] },
};

type Party = Pick<Inspection, 'targetId' | 'assigneeId' | 'team' | 'regionCode'> &
  Partial<Pick<Inspection, 'partyId'>>;

/** The school that answers for an inspection: its target, or the party named for it (a group's lead school). */
export const answeringSchool = (inspection: Pick<Party, 'targetId' | 'partyId'>): string =>
  inspection.partyId ?? inspection.targetId;

/** Who the actor is to this inspection. Offices over its region act as its lead. */
export const performerOf = (actor: Actor, inspection: Party): Performer | undefined => {
  if (actor.role === 'school' && actor.scope === answeringSchool(inspection)) return 'school';
  if (actor.role === 'inspector') {
    const lead = inspection.team?.lead ?? inspection.assigneeId;
    if (actor.scope === lead) return 'lead';
    if (teamMembers(inspection).includes(actor.scope)) return 'member';
  }
  if (isAdmin(actor) && inspection.regionCode.startsWith(actor.scope)) return 'lead';
  return undefined;
};

/** May the actor see this inspection at all? Outside → 404. */
export const canRead = (actor: Actor, inspection: Party) =>
  performerOf(actor, inspection) !== undefined ||
  (actor.role === 'auditor' && inspection.regionCode.startsWith(actor.scope));

const who: Record<Performer, string> = {
  school: 'the inspected school',
  lead: 'the team lead',
  member: 'a team member',
};

/**
 * Checks a command against the table: the actor's part, the current status,
 * and the version the caller read. Throws 403 or 409; returns the actor's part.
 */
export const authorize = (
  command: Command,
  actor: Actor,
  inspection: Pick<Inspection, 'status' | 'version'> & Party,
  expectedVersion: number,
  options: {
    hasSelfAssessment: boolean;
    /** The self-assessment's deadline passed without one: the team may inspect without it. */
    selfAssessmentLate?: boolean;
  },
): Performer => {
  const rule = rules[command];
  const performer = performerOf(actor, inspection);
  if (!performer || !rule.by.includes(performer)) {
    throw new ForbiddenError(
      `Only ${rule.by.map((p) => who[p]).join(' or ')} may ${command.replace(/_/g, ' ')}.`,
    );
  }
  if (inspection.version !== expectedVersion) {
    throw new ConflictError(
      `The inspection is at version ${inspection.version}, not ${expectedVersion}: reload it.`,
    );
  }
  let allowed = rule.from.includes(inspection.status);
  if (command === 'submit_self_assessment' && !options.hasSelfAssessment) allowed = false;
  if (
    command === 'record_findings' &&
    inspection.status === 'assigned' &&
    options.hasSelfAssessment &&
    !options.selfAssessmentLate
  )
    allowed = false;
  if (!allowed) {
    throw new ConflictError(
      `An inspection that is ${inspection.status} cannot take "${command.replace(/_/g, ' ')}".`,
    );
  }
  return performer;
};

/** The status after a command, given what it produced. */
export const nextStatus = (
  command: Command,
  outcome: { problems?: number; openItems?: number; unsubmittedItems?: number; failedReview?: boolean } = {},
): InspectionStatus => {
  switch (command) {
    case 'submit_self_assessment':
      return 'self_assessed';
    case 'return_self_assessment':
      return 'assigned';
    case 'record_findings':
      return 'inspected';
    case 'issue_report':
      return (outcome.problems ?? 0) > 0 ? 'rectifying' : 'closed';
    case 'submit_rectification':
      return (outcome.unsubmittedItems ?? 0) === 0 ? 'rectification_submitted' : 'rectifying';
    case 'return_rectification':
      return 'rectifying';
    case 'review_rectification':
      if (outcome.failedReview) return 'rectifying';
      return (outcome.openItems ?? 0) === 0 ? 'closed' : 'rectification_submitted';
  }
};
