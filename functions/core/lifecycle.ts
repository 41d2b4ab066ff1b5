import type { Actor } from './actor.ts';
import { isAdmin } from './actor.ts';
import { ConflictError, ForbiddenError } from './errors.ts';
import type { Inspection, InspectionStatus } from './inspection.ts';

/**
 * The inspection lifecycle as one explicit table: which command may move an
 * inspection from which status to which, and who may give it. Everything else
 * (what a command stores) follows from a transition that this table allowed.
 *
 *   assigned ─self-assessment→ self_assessed ─findings→ inspected ─report→ reported ─(no problems)→ closed
 *   assigned ─findings (template without self-assessment)→ inspected
 *   reported ─(problems)→ rectifying ─all items submitted→ rectification_submitted
 *   rectification_submitted ─review: all passed→ reinspected → closed
 *   rectification_submitted ─review: a failure→ rectifying
 */
export const commands = [
  'submit_self_assessment',
  'record_findings',
  'issue_report',
  'submit_rectification',
  'review_rectification',
] as const;
export type Command = (typeof commands)[number];

type Performer = 'school' | 'inspector';

interface Rule {
  readonly from: readonly InspectionStatus[];
  readonly by: Performer;
}

export const rules: Readonly<Record<Command, Rule>> = {
  submit_self_assessment: { from: ['assigned', 'self_assessed'], by: 'school' },
  record_findings: { from: ['assigned', 'self_assessed', 'inspected'], by: 'inspector' },
  issue_report: { from: ['inspected'], by: 'inspector' },
  submit_rectification: { from: ['rectifying', 'rectification_submitted'], by: 'school' },
  review_rectification: { from: ['rectification_submitted', 'rectifying'], by: 'inspector' },
};

/** Who the actor is to this inspection. Offices over its region act as its inspector. */
export const performerOf = (
  actor: Actor,
  inspection: Pick<Inspection, 'targetId' | 'assigneeId' | 'regionCode'>,
) => {
  if (actor.role === 'school' && actor.scope === inspection.targetId) return 'school';
  if (actor.role === 'inspector' && actor.scope === inspection.assigneeId) return 'inspector';
  if (isAdmin(actor) && inspection.regionCode.startsWith(actor.scope)) return 'inspector';
  return undefined;
};

/** May the actor see this inspection at all? Outside → 404. */
export const canRead = (
  actor: Actor,
  inspection: Pick<Inspection, 'targetId' | 'assigneeId' | 'regionCode'>,
) =>
  performerOf(actor, inspection) !== undefined ||
  (actor.role === 'auditor' && inspection.regionCode.startsWith(actor.scope));

/**
 * Checks a command against the table: the actor's part, the current status,
 * and the version the caller read. Throws 403 or 409; returns nothing.
 */
export const authorize = (
  command: Command,
  actor: Actor,
  inspection: Pick<Inspection, 'status' | 'version' | 'targetId' | 'assigneeId' | 'regionCode'>,
  expectedVersion: number,
  options: { hasSelfAssessment: boolean },
): void => {
  const rule = rules[command];
  const performer = performerOf(actor, inspection);
  if (performer !== rule.by) {
    throw new ForbiddenError(
      `Only the ${rule.by === 'school' ? 'inspected school' : 'assigned inspector'} may ${command.replace(/_/g, ' ')}.`,
    );
  }
  if (inspection.version !== expectedVersion) {
    throw new ConflictError(
      `The inspection is at version ${inspection.version}, not ${expectedVersion}: reload it.`,
    );
  }
  let allowed = rule.from.includes(inspection.status);
  if (command === 'submit_self_assessment' && !options.hasSelfAssessment) allowed = false;
  if (command === 'record_findings' && inspection.status === 'assigned' && options.hasSelfAssessment)
    allowed = false;
  if (!allowed) {
    throw new ConflictError(
      `An inspection that is ${inspection.status} cannot take "${command.replace(/_/g, ' ')}".`,
    );
  }
};

/** The status after a command, given what it produced. */
export const nextStatus = (
  command: Command,
  outcome: { problems?: number; openItems?: number; unsubmittedItems?: number; failedReview?: boolean } = {},
): InspectionStatus => {
  switch (command) {
    case 'submit_self_assessment':
      return 'self_assessed';
    case 'record_findings':
      return 'inspected';
    case 'issue_report':
      return (outcome.problems ?? 0) > 0 ? 'rectifying' : 'closed';
    case 'submit_rectification':
      return (outcome.unsubmittedItems ?? 0) === 0 ? 'rectification_submitted' : 'rectifying';
    case 'review_rectification':
      if (outcome.failedReview) return 'rectifying';
      return (outcome.openItems ?? 0) === 0 ? 'closed' : 'rectification_submitted';
  }
};
