import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Actor, isAdmin } from './actor.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';
import { limits, uniqueBy } from './limits.ts';
import { childrenOf, countiesUnder, findRegion, isCityDirect } from './regions.ts';
import type { Template } from './template.ts';
import { phases } from './template.ts';
import { say } from './text.ts';

/**
 * A campaign (督导活动): a template instantiated over a region for a window of
 * dates, fanned out into one inspection per target at launch.
 */
export const campaignStatuses = [
  'draft',
  'launching',
  'launch_failed',
  'active',
  'closing',
  'closed',
] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];
export const recurrences = ['monthly', 'semiannual'] as const;
export type Recurrence = (typeof recurrences)[number];

const inCentury = (v: string) => v >= '2000' && v < '2100';
const isoDate = z.iso
  .date('must be a date (YYYY-MM-DD)')
  .refine((d) => d >= '2000' && d < '2100', 'must be a date of the years 2000 to 2099');
/** At most three years: a campaign is a round of supervision, not a standing programme. */
const maxWindowDays = 3 * 366;
const windowSchema = z
  .object({ start: isoDate, end: isoDate })
  .refine((w) => w.start <= w.end, 'start must not be after end')
  .refine(
    (w) => (Date.parse(w.end) - Date.parse(w.start)) / 86_400_000 <= maxWindowDays,
    `a window spans at most ${maxWindowDays} days`,
  );

export const campaignInputSchema = z
  .object({
    templateId: z.string().min(1).max(64),
    title: z.string().trim().min(1).max(200),
    scope: z
      .string()
      .max(6)
      .regex(/^\d{2}(\d{2}){0,2}$/, 'must be a region code of 2, 4 or 6 digits'),
    window: windowSchema,
    overrides: z
      .object({
        phases: z
          .array(z.object({ phase: z.enum(phases), days: z.number().int().positive().max(365) }))
          .max(phases.length)
          .superRefine(uniqueBy((p: { phase: string }) => p.phase, 'phase'))
          .optional(),
        samplingPercent: z.number().positive().max(100).optional(),
        /**
         * Explicit due instants, phase by phase, instead of those computed from
         * the window and the phases' days (a visit due this Friday, or a drill
         * a few seconds ahead).
         */
        deadlines: z
          .partialRecord(
            z.enum(phases),
            z.iso.datetime({ offset: true }).refine(inCentury, 'years 2000–2099'),
          )
          .refine((d) => {
            const given = phases.flatMap((p) => (d[p] ? [Date.parse(d[p]!)] : []));
            return given.every((t, i) => i === 0 || t >= given[i - 1]!);
          }, 'deadlines must not fall before those of earlier phases')
          .optional(),
      })
      .strict()
      .optional(),
    /** Default: the template's recurrence; `null`: a one-off even of a recurring template. */
    recurrence: z.enum(recurrences).nullable().optional(),
    /**
     * A re-evaluation (复评/抽评): the launched campaigns of the same template
     * under this campaign's scope whose graded targets are its population
     * (the city re-evaluates a sample of what its counties evaluated).
     */
    basedOn: z
      .array(z.string().min(1).max(80))
      .min(1)
      .max(limits.basedOnCampaigns)
      .superRefine(uniqueBy((id: string) => id, 'campaign'))
      .optional(),
  })
  .strict();
export type CampaignInput = z.infer<typeof campaignInputSchema>;

export const campaignPatchSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    window: windowSchema,
    overrides: campaignInputSchema.shape.overrides,
    recurrence: z.enum(recurrences).nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

export interface Campaign extends Omit<CampaignInput, 'recurrence'> {
  recurrence?: Recurrence;
  id: string;
  templateVersion: number;
  status: CampaignStatus;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Seed of the sampling draw, fixed at creation so an auditor can redo it. */
  samplingSeed: string;
  /** The first occurrence's id for every occurrence of a recurring campaign. */
  seriesId?: string;
  occurrence?: number;
  /** For an active recurring campaign: when the next occurrence starts, and whether it exists yet. */
  nextStart?: string;
  nextOccurrenceCreated?: boolean;
  launch?: CampaignLaunch;
  close?: CampaignClose;
}

/** The sealing of a campaign by close-campaign: where its final record lies and its fingerprints. */
export interface CampaignClose {
  attempt: number;
  execution: string;
  executionArn?: string;
  by: string;
  startedAt: string;
  finishedAt?: string;
  statisticsKey?: string;
  manifest?: { key: string; sha256: string; sha256Key: string; files: number; bytes: number };
  chain?: { linked: number; head: string };
  legalHolds?: number;
  error?: string;
}

export interface CampaignLaunch {
  attempt: number;
  execution: string;
  executionArn?: string;
  startedAt: string;
  finishedAt?: string;
  targets?: number;
  /** Targets before sampling, and the percent sampled if any (see GET /campaigns/{id}/sample). */
  population?: number;
  samplingPercent?: number;
  created?: number;
  unassignable?: number;
  error?: string;
}

/** Statuses from which a launch may start. Launching an active campaign again creates only what is missing. */
export const launchableFrom: readonly CampaignStatus[] = ['draft', 'launch_failed', 'active'];

/** The date that is `months` months after an ISO date (clamped to the month's end). */
export const addMonths = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
};

export const recurrenceMonths: Record<Recurrence, number> = { monthly: 1, semiannual: 6 };

/** The window of the next occurrence: the same window shifted by the period. */
export const nextWindow = (window: Campaign['window'], recurrence: Recurrence): Campaign['window'] => ({
  start: addMonths(window.start, recurrenceMonths[recurrence]),
  end: addMonths(window.end, recurrenceMonths[recurrence]),
});

/** Deterministic id of an occurrence: the series id and its number. */
export const occurrenceId = (seriesId: string, occurrence: number): string => `${seriesId}-r${occurrence}`;

/** The next occurrence of an active recurring campaign: a draft the scheduler launches. */
export const nextOccurrence = (parent: Campaign, now: string, seed: string): Campaign => {
  if (!parent.recurrence) throw new Error(`campaign ${parent.id} does not recur`);
  const seriesId = parent.seriesId ?? parent.id;
  const occurrence = (parent.occurrence ?? 1) + 1;
  const { launch: _launch, nextStart: _next, nextOccurrenceCreated: _created, ...rest } = parent;
  return {
    ...rest,
    id: occurrenceId(seriesId, occurrence),
    seriesId,
    occurrence,
    window: nextWindow(parent.window, parent.recurrence),
    status: 'draft',
    version: 1,
    createdBy: 'scheduler',
    createdAt: now,
    updatedAt: now,
    samplingSeed: seed,
  };
};

/** Deterministic id of an inspection: the same campaign and target always give the same id. */
export const inspectionId = (campaignId: string, targetId: string): string => `${campaignId}-${targetId}`;

export interface TargetCandidate {
  id: string;
  kind: string;
  regionCode: string;
  townCode: string;
  name: string;
  principalTermStart: string;
}

export interface Target {
  /** School id, the region code of a town or county (督政), or a school group's id. */
  id: string;
  /** County of the target (a county target: itself). */
  regionCode: string;
  townCode?: string;
  name: string;
  /**
   * Who answers for the target (the inspected party): the school id of a
   * school, the region code of a town or county government, a group's lead
   * school. Absent: the id.
   */
  partyId?: string;
  /** A re-evaluation's target: the inspection of the campaign it is based on, and the grade it gave. */
  basedOn?: BasedOnGrade;
}

/** Where a re-evaluated target was graded before (the county's evaluation of a kindergarten). */
export interface BasedOnGrade {
  campaignId: string;
  inspectionId: string;
  grade: string;
  /** The day of that report. */
  reportedOn: string;
}

/** A school group as a target rule sees it (see registry.ts Group). */
export interface GroupCandidate {
  groupId: string;
  name: string;
  regionCode: string;
  leadSchoolId: string;
}

/** A principal's term is planned for five years (校长任期制: 一个任期一般为 5 年). */
export const termYears = 5;
export const plannedEndOf = (start: string): string => addMonths(start, termYears * 12);

/**
 * The last planned end a `principal-term-end` campaign reviews: terms planned
 * to end in the campaign's year, or before its window ends (a term already
 * over whose principal is still in office is due as well).
 */
export const termReviewCutoff = (campaign: Pick<Campaign, 'window'>): string => {
  const yearEnd = `${campaign.window.start.slice(0, 4)}-12-31`;
  return campaign.window.end > yearEnd ? campaign.window.end : yearEnd;
};

/**
 * Whether a school's principal is due for the end-of-term review: its current
 * term (from the term records) is planned to end on or before
 * `termReviewCutoff`. A school without a term record (imported before terms
 * were kept) is judged by its row's `principalTermStart`.
 */
export const termDue = (
  campaign: Pick<Campaign, 'window'>,
  school: Pick<TargetCandidate, 'id' | 'principalTermStart'>,
  currentTerms: ReadonlyMap<string, { plannedEnd: string }>,
): boolean => {
  const plannedEnd =
    currentTerms.get(school.id)?.plannedEnd ??
    (school.principalTermStart ? plannedEndOf(school.principalTermStart) : undefined);
  return plannedEnd !== undefined && plannedEnd <= termReviewCutoff(campaign);
};

/**
 * Applies a template's target rule under a campaign's scope. School targets:
 * the schools of the template's kinds (`currentTerms`, school id → its
 * current principal term, serves the end-of-term rule). Town and county
 * targets (督政): every town or county of the region tree under the
 * campaign's scope, whether it has schools or not; without a scope (older
 * callers), the counties of the eligible schools. Group targets come from the
 * school-group registry, given as `groups`.
 */
export const selectTargets = (
  template: Template,
  campaign: Pick<Campaign, 'window'> & { scope?: string },
  schools: readonly TargetCandidate[],
  currentTerms: ReadonlyMap<string, { plannedEnd: string }> = new Map(),
  groups: readonly GroupCandidate[] = [],
): Target[] => {
  const unit = template.target.unit;
  if (unit === 'group') {
    // One inspection per group, in its lead school's county; the lead school answers for it.
    return groups
      .map((g) => ({ id: g.groupId, regionCode: g.regionCode, name: g.name, partyId: g.leadSchoolId }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
  if ((unit === 'town' || unit === 'county') && campaign.scope !== undefined) {
    // A city's pseudo-county of city-direct schools (市直) is no county government.
    const counties = countiesUnder(campaign.scope)
      .filter((c) => !isCityDirect(c.code))
      .sort((a, b) => a.code.localeCompare(b.code));
    if (unit === 'county')
      return counties.map((c) => ({ id: c.code, regionCode: c.code, name: c.name, partyId: c.code }));
    return counties
      .flatMap((c) =>
        childrenOf(c.code)
          .filter((t) => t.level === 'town')
          .map((t) => ({ id: t.code, regionCode: c.code, townCode: t.code, name: t.name, partyId: t.code })),
      )
      .sort((a, b) => a.id.localeCompare(b.id));
  }
  const kinds = new Set<string>(template.target.schoolKinds);
  const eligible = schools.filter(
    (s) =>
      kinds.has(s.kind) &&
      (!template.target.cityDirectOnly || isCityDirect(s.regionCode)) &&
      (!template.target.principalTermEndsInCampaignYear || termDue(campaign, s, currentTerms)),
  );
  if (unit === 'county') {
    const counties = [...new Set(eligible.map((s) => s.regionCode))].filter((c) => !isCityDirect(c)).sort();
    return counties.map((c) => ({ id: c, regionCode: c, name: findRegion(c)?.name ?? c, partyId: c }));
  }
  if (unit === 'town') {
    const towns = [...new Map(eligible.filter((s) => s.townCode).map((s) => [s.townCode, s])).values()];
    return towns
      .map((s) => ({
        id: s.townCode,
        regionCode: s.regionCode,
        townCode: s.townCode,
        name: findRegion(s.townCode)?.name ?? s.townCode,
        partyId: s.townCode,
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
  return eligible
    .map((s) => ({ id: s.id, regionCode: s.regionCode, townCode: s.townCode, name: s.name, partyId: s.id }))
    .sort((a, b) => a.id.localeCompare(b.id));
};

/**
 * Draws a sample stratified by county: in each county, ceil(percent %) of its
 * targets, chosen by sorting on a keyed hash of (seed, id). Anyone with the
 * seed and the population redraws exactly the same sample.
 */
export const drawSample = (population: readonly Target[], percent: number, seed: string): Target[] => {
  const byCounty = new Map<string, Target[]>();
  for (const t of population) byCounty.set(t.regionCode, [...(byCounty.get(t.regionCode) ?? []), t]);
  const rank = (t: Target) => createHash('sha256').update(`${seed}:${t.id}`).digest('hex');
  const sample: Target[] = [];
  for (const county of [...byCounty.keys()].sort()) {
    const targets = byCounty.get(county)!;
    const size = Math.ceil((targets.length * percent) / 100);
    sample.push(...[...targets].sort((a, b) => rank(a).localeCompare(rank(b))).slice(0, size));
  }
  return sample.sort((a, b) => a.id.localeCompare(b.id));
};

/** What `drawSample` does, in words (Chinese and English), for the people who check it. */
export const sampleMethod = (percent: number) => ({
  stratifyBy: 'county' as const,
  zh: `按区县分层抽样：每个区县内，将该区县的全部对象按 SHA-256("种子:对象标识码") 的十六进制值从小到大排序，取前 ⌈该区县对象数 × ${percent}%⌉ 个（向上取整，对象数不为 0 的区县至少 1 个）；样本按标识码排序。持有种子与总体名单者可复现同一样本。`,
  en: `Stratified by county: in each county, its targets are ordered by the hex SHA-256 of "seed:target id", ascending, and the first ceil(count × ${percent}%) are drawn (rounded up: at least one per county with targets); the sample is listed by id. Anyone with the seed and the population redraws the same sample.`,
  rank: 'sha256("<seed>:<target id>") as hex, ascending',
});

/** The last instant of a calendar day in China (Asia/Shanghai, UTC+8, no daylight saving). */
export const endOfChinaDay = (date: string): string =>
  new Date(Date.parse(`${date}T23:59:59.999+08:00`)).toISOString();

/**
 * Due instant of each phase: from the window start, phase after phase, each
 * at the end of its last day in China; a campaign's explicit deadlines
 * replace the computed ones phase by phase.
 */
export const phaseDeadlines = (
  template: Pick<Template, 'phases'>,
  campaign: Pick<Campaign, 'window' | 'overrides'>,
): Partial<Record<(typeof phases)[number], string>> => {
  const durations = new Map(template.phases.map((p) => [p.phase, p.days]));
  for (const p of campaign.overrides?.phases ?? []) durations.set(p.phase, p.days);
  const explicit = campaign.overrides?.deadlines ?? {};
  const deadlines: Partial<Record<(typeof phases)[number], string>> = {};
  let day = new Date(`${campaign.window.start}T00:00:00Z`);
  for (const phase of phases) {
    const days = durations.get(phase);
    if (days === undefined) continue;
    day = new Date(day.getTime() + days * 86_400_000);
    const given = explicit[phase];
    deadlines[phase] = given ? new Date(given).toISOString() : endOfChinaDay(day.toISOString().slice(0, 10));
  }
  return deadlines;
};

/** A campaign over, or above, the caller's region: what a caller of that region may see of it. */
export const overlapsScope = (actor: Pick<Actor, 'scope'>, campaign: Pick<Campaign, 'scope'>): boolean =>
  campaign.scope.startsWith(actor.scope) || actor.scope.startsWith(campaign.scope);

/** Offices and auditors read campaigns over, or above, their region. */
export const readsCampaign = (actor: Actor, campaign: Pick<Campaign, 'scope'>): boolean =>
  (isAdmin(actor) || actor.role === 'auditor') && overlapsScope(actor, campaign);

/**
 * A region a caller names for a campaign's figures: it exists (404), lies in
 * the caller's region (403: named outside it) and in the campaign (404).
 */
export const checkCampaignRegion = (
  actor: Pick<Actor, 'scope'>,
  campaign: Pick<Campaign, 'scope'>,
  region: string,
) => {
  if (!findRegion(region))
    throw new NotFoundError(say(`未找到区划 ${region}。`, `Region ${region} not found.`));
  if (!region.startsWith(actor.scope))
    throw new ForbiddenError(
      say(`区划 ${region} 不在您的管辖范围内。`, `Region ${region} lies outside your region.`),
    );
  if (!(region.startsWith(campaign.scope) || campaign.scope.startsWith(region)))
    throw new NotFoundError(
      say(`区划 ${region} 不在本活动中。`, `Region ${region} is not in this campaign.`),
    );
};
