import type { GroupCandidate, Target, TargetCandidate } from '../campaign.ts';
import type { CampaignRunInput } from '../campaign-runs.ts';
import type { CampaignStore, TemplateStore } from '../campaign-service.ts';
import type { Inspection, InspectionStatus } from '../inspection.ts';
import type { FileStore } from '../storage.ts';

/**
 * What the launch-campaign workflow's steps need. Input of every step:
 * {campaignId, execution}; batches add their number. Batch descriptors pass
 * through the workflow, never targets: the targets live in scratch files.
 */
export type LaunchInput = CampaignRunInput;
export interface LaunchBatch extends LaunchInput {
  batch: number;
}

/** Per-county and per-inspector counters of a campaign. */
export interface LaunchCounters {
  setTargets(campaignId: string, county: string, targets: number): Promise<void>;
  /** Adds to a county's counters (live progress while a launch runs). */
  add(campaignId: string, county: string, deltas: Readonly<Record<string, number>>): Promise<void>;
  /** Sets a county's inspections per status exactly (every status, zeros included). */
  setStatusCounts(
    campaignId: string,
    county: string,
    counts: Readonly<Record<InspectionStatus, number>>,
  ): Promise<void>;
  /** Inspections assigned to each inspector in this campaign (0 when none). */
  loads(campaignId: string, inspectorIds: readonly string[]): Promise<Map<string, number>>;
  addLoads(campaignId: string, loads: ReadonlyMap<string, number>): Promise<void>;
  setLoads(campaignId: string, loads: ReadonlyMap<string, number>): Promise<void>;
}

export interface LaunchInspections {
  /**
   * The inspections among `ids` that exist, read strongly consistently (by key,
   * never through an index that may lag), with what counting needs.
   */
  existing(
    ids: readonly string[],
  ): Promise<Map<string, Pick<Inspection, 'status' | 'assigneeId' | 'team' | 'regionCode'>>>;
  /** Writes new inspections (ids are deterministic, so a retry writes the same items). */
  create(inspections: readonly Inspection[]): Promise<void>;
}

export interface ResponsibleInspectors {
  /** The zone's responsible inspector of each school that is in a zone. */
  ofZones(schoolIds: readonly string[]): Promise<Map<string, string>>;
  /** Every responsible inspector of a county. */
  ofCounty(county: string): Promise<string[]>;
}

export interface LaunchPorts {
  campaigns: Pick<CampaignStore, 'get' | 'updateLaunch'>;
  templates: Pick<TemplateStore, 'get'>;
  /** Every school of a county, with what target rules look at. */
  schoolsOfCounty(county: string): Promise<TargetCandidate[]>;
  /** The school groups whose lead school lies in a county. */
  groupsOfCounty(county: string): Promise<GroupCandidate[]>;
  /**
   * The targets an earlier campaign graded in a county (its inspections with
   * a report), each with that inspection and grade: a re-evaluation's population.
   */
  gradedTargets(campaignId: string, county: string): Promise<Target[]>;
  /** The current principal term of each school of a county that has term records. */
  currentTermsOfCounty(county: string): Promise<{ schoolId: string; plannedEnd: string }[]>;
  /** Population and sample (kept for auditors). */
  archive: FileStore;
  /** Batch and result files of the execution. */
  scratch: FileStore;
  counters: LaunchCounters;
  inspections: LaunchInspections;
  inspectors: ResponsibleInspectors;
  now(): string;
}

/** What one batch found and did, written next to its batch file for the finalize step. */
export interface BatchResult {
  batch: number;
  created: number;
  existing: number;
  unassignable: string[];
  /** Inspections of this batch's targets per county (the inspection's own) and status. */
  tally: Record<string, Partial<Record<InspectionStatus, number>>>;
  /** Inspections of this batch's targets per team member (lead or member). */
  loads: Record<string, number>;
}
