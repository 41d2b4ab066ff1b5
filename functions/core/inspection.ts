import type { BasedOnGrade } from './campaign.ts';
import type { ReplacementReason } from './panels.ts';
import type { InspectionPhase, Phase } from './template.ts';

/**
 * One inspection of one target (school, or county for 督政 templates) in a
 * campaign. Created by the launch; its lifecycle beyond `assigned` belongs to
 * the inspections module.
 */
export const inspectionStatuses = [
  'unassigned',
  'assigned',
  'self_assessed',
  'inspected',
  'reported',
  'rectifying',
  'rectification_submitted',
  'closed',
] as const;
export type InspectionStatus = (typeof inspectionStatuses)[number];

/** Where a team came from: the zone (automatic), the office (by hand, a rule or a file), an expert panel draw. */
export const teamSources = ['zone', 'office', 'rule', 'file', 'panel'] as const;
export type TeamSource = (typeof teamSources)[number];

export interface TeamMember {
  inspectorId: string;
  /** The indicators this member records findings for; absent: any indicator. */
  indicatorIds?: string[];
}

/**
 * The inspection team (督导组): a lead (组长), who reports and reviews, and
 * members, who record findings for the indicators given to them. The lead is
 * also the first member.
 */
export interface Team {
  lead: string;
  members: TeamMember[];
  source: TeamSource;
  setAt: string;
  setBy: string;
  /** A drawn panel: the draw it came from (GET /campaigns/{id}/panels), and its replacements, oldest first. */
  drawId?: string;
  replacements?: {
    out: string;
    in: string;
    reason: ReplacementReason;
    at: string;
    by: string;
  }[];
}

export interface Inspection {
  id: string;
  campaignId: string;
  templateId: string;
  targetId: string;
  targetName: string;
  /**
   * Who answers for the target (the inspected party, see lifecycle.ts): the
   * school id of a school, the region code of a town or county government, a
   * group's lead school. Absent on inspections launched before it was kept:
   * the target id.
   */
  partyId?: string;
  /**
   * 督政: schools named in this inspection's rectifications (a problem found
   * at a school of the county); each reads the inspection and works its own items.
   */
  namedSchools?: string[];
  /** A re-evaluation's inspection: where and how its target was graded before (see campaign.ts). */
  basedOn?: BasedOnGrade;
  /** County of the target: the shard of every campaign-wide index. */
  regionCode: string;
  townCode?: string;
  status: InspectionStatus;
  /** The team's lead (kept beside `team` for readers that need only the lead). */
  assigneeId?: string;
  team?: Team;
  /** Due instant (ISO 8601) of each phase the template has. */
  deadlines: Partial<Record<Phase, string>>;
  /** Phases the deadline sweep found late, and when (kept once the phase is done: the record of 履职). */
  late?: Partial<Record<InspectionPhase, string>>;
  /** Late phases still owed (see core/deadlines.ts): what the office chases. Absent when none. */
  overdue?: InspectionPhase[];
  /** The earliest deadline it still owes (late ones included): what the office's list sorts by. */
  dueAt?: string;
  /** When the deadline sweep must look at it next (its entry in the watch index); absent: never. */
  nextCheckAt?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The inspected party of an inspection (see `partyId`). */
export const partyOf = (inspection: Pick<Inspection, 'partyId' | 'targetId'>): string =>
  inspection.partyId ?? inspection.targetId;

/** Every inspector of the team, lead first. */
export const teamMembers = (inspection: Pick<Inspection, 'team' | 'assigneeId'>): string[] =>
  inspection.team
    ? [...new Set([inspection.team.lead, ...inspection.team.members.map((m) => m.inspectorId)])]
    : inspection.assigneeId
      ? [inspection.assigneeId]
      : [];

/** How people read a status (reports, lists, letters). */
export const statusLabels: Record<InspectionStatus, { zh: string; en: string }> = {
  unassigned: { zh: '待分配', en: 'unassigned' },
  assigned: { zh: '已分配', en: 'assigned' },
  self_assessed: { zh: '已自查', en: 'self-assessed' },
  inspected: { zh: '已督导', en: 'inspected' },
  reported: { zh: '已报告', en: 'reported' },
  rectifying: { zh: '整改中', en: 'rectifying' },
  rectification_submitted: { zh: '整改待复查', en: 'rectification submitted' },
  closed: { zh: '已办结', en: 'closed' },
};
