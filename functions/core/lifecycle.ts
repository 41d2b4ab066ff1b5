import type { Actor } from './actor.ts';
import { isAdmin } from './actor.ts';
import { ConflictError, ForbiddenError } from './errors.ts';
import { type Inspection, type InspectionStatus, partyOf, statusLabels, teamMembers } from './inspection.ts';
import { say, type Text } from './text.ts';

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
 * The parts people play in an inspection: the inspected party (the school of
 * a school inspection, the town or county government of a 督政 one); the
 * team's lead (组长) — or an office over the target's region, which may act
 * as one; a member of the team; a school named in a rectification of a 督政
 * inspection (`named`: it works its own items only, see updateRectification).
 */
export type Performer = 'party' | 'named' | 'lead' | 'member';

interface Rule {
  readonly from: readonly InspectionStatus[];
  readonly by: readonly Performer[];
}

export const rules: Readonly<Record<Command, Rule>> = {
  submit_self_assessment: { from: ['assigned', 'self_assessed'], by: ['party'] },
  return_self_assessment: { from: ['self_assessed'], by: ['lead'] },
  record_findings: { from: ['assigned', 'self_assessed', 'inspected'], by: ['lead', 'member'] },
  issue_report: { from: ['inspected'], by: ['lead'] },
  submit_rectification: { from: ['rectifying', 'rectification_submitted'], by: ['party', 'named'] },
  return_rectification: { from: ['rectification_submitted', 'rectifying'], by: ['lead'] },
  review_rectification: { from: ['rectification_submitted', 'rectifying'], by: ['lead'] },
};

type Party = Pick<Inspection, 'targetId' | 'assigneeId' | 'team' | 'regionCode'> &
  Partial<Pick<Inspection, 'partyId' | 'townCode' | 'namedSchools'>>;

/** Roles that may be an inspected party: a school, or a government (督政). */
export const partyRoles: readonly Actor['role'][] = ['school', 'government'];

/**
 * Who the actor is to this inspection. The party is the school or government
 * whose scope is the inspection's party id; offices over its region act as its lead.
 */
export const performerOf = (actor: Actor, inspection: Party): Performer | undefined => {
  if (partyRoles.includes(actor.role) && actor.scope === partyOf(inspection)) return 'party';
  if (actor.role === 'school' && inspection.namedSchools?.includes(actor.scope)) return 'named';
  if (actor.role === 'inspector') {
    const lead = inspection.team?.lead ?? inspection.assigneeId;
    if (actor.scope === lead) return 'lead';
    if (teamMembers(inspection).includes(actor.scope)) return 'member';
  }
  if (isAdmin(actor) && inspection.regionCode.startsWith(actor.scope)) return 'lead';
  return undefined;
};

/**
 * May the actor see this inspection at all? Outside → 404. A government reads
 * the school inspections of its region only in campaigns whose template says
 * so (`target.partyReadsSchoolInspections`), and never acts on them.
 */
export const canRead = (
  actor: Actor,
  inspection: Party,
  template?: { target: { unit: string; partyReadsSchoolInspections?: boolean } },
) =>
  performerOf(actor, inspection) !== undefined ||
  (actor.role === 'auditor' && inspection.regionCode.startsWith(actor.scope)) ||
  (actor.role === 'government' &&
    template?.target.unit === 'school' &&
    template.target.partyReadsSchoolInspections === true &&
    (inspection.townCode ?? inspection.regionCode).startsWith(actor.scope));

const who: Record<Performer, Text> = {
  party: { zh: '被督导学校或政府', en: 'the inspected school or government' },
  named: { zh: '整改事项所指名的学校', en: 'a school named in a rectification' },
  lead: { zh: '督导组组长', en: 'the team lead' },
  member: { zh: '督导组成员', en: 'a team member' },
};

/** How people read a command (problem details). */
export const commandLabels: Record<Command, Text> = {
  submit_self_assessment: { zh: '提交自评', en: 'submit self assessment' },
  return_self_assessment: { zh: '退回自评', en: 'return self assessment' },
  record_findings: { zh: '记录督导结果', en: 'record findings' },
  issue_report: { zh: '出具督导报告', en: 'issue report' },
  submit_rectification: { zh: '提交整改', en: 'submit rectification' },
  return_rectification: { zh: '退回整改', en: 'return rectification' },
  review_rectification: { zh: '复查整改', en: 'review rectification' },
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
      say(
        `只有${rule.by.map((p) => who[p].zh).join('或')}可以${commandLabels[command].zh}。`,
        `Only ${rule.by.map((p) => who[p].en).join(' or ')} may ${commandLabels[command].en}.`,
      ),
    );
  }
  if (inspection.version !== expectedVersion) {
    throw new ConflictError(
      say(
        `该督导当前为第 ${inspection.version} 版，而非第 ${expectedVersion} 版：请重新读取。`,
        `The inspection is at version ${inspection.version}, not ${expectedVersion}: reload it.`,
      ),
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
      say(
        `处于“${statusLabels[inspection.status].zh}”状态的督导不能${commandLabels[command].zh}。`,
        `An inspection that is ${inspection.status} cannot take "${commandLabels[command].en}".`,
      ),
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
