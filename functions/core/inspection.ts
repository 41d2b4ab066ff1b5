import type { Phase } from './template.ts';

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
  'reinspected',
  'closed',
] as const;
export type InspectionStatus = (typeof inspectionStatuses)[number];

export interface Inspection {
  id: string;
  campaignId: string;
  templateId: string;
  targetId: string;
  targetName: string;
  /** County of the target: the shard of every campaign-wide index. */
  regionCode: string;
  townCode?: string;
  status: InspectionStatus;
  assigneeId?: string;
  deadlines: Partial<Record<Phase, string>>;
  version: number;
  createdAt: string;
  updatedAt: string;
}
