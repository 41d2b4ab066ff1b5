import type { z } from 'zod';
import { type Actor, isAdmin } from './actor.ts';
import type { BurdenDelta } from './burden.ts';
import { type Campaign, overlapsScope, readsCampaign } from './campaign.ts';
import { ConflictError, ForbiddenError, NotFoundError, say, ValidationError } from './errors.ts';
import type { Evidence } from './evidence.ts';
import { type Inspection, type InspectionStatus, partyOf, teamMembers } from './inspection.ts';
import { inspectionTransitions } from './inspection-commit.ts';
import type {
  ActionInput,
  ActionType,
  findingsSchema,
  rectificationUpdateSchema,
  reviewSchema,
  selfAssessmentSchema,
  severities,
} from './inspection-input.ts';
import { canRead, nextStatus, performerOf } from './lifecycle.ts';
import { limits } from './limits.ts';
import { findRegion } from './regions.ts';
import type { School } from './registry.ts';
import type { Grade, InspectionPhase, Template } from './template.ts';
import { gradeTexts, type Text } from './text.ts';
import {
  gradeByVerdicts,
  type IndicatorVerdict,
  quantitativeKinds,
  type Verdict,
  valueErrors,
  verdictLabels,
  verdictsOf,
} from './verdicts.ts';

/**
 * Inspections after launch: self-assessment, findings, report with feedback,
 * rectification and re-inspection, and the follow-up actions (incentive,
 * interview, notification, accountability). Every command is one transition
 * of the lifecycle table, committed with its records, counters and audit
 * event in a single transaction.
 */
/**
 * `draft`: written by a report that has not committed yet (invisible until it
 * does, then read as `open` until it is activated into the due-date index).
 */
export type RectificationStatus = 'draft' | 'open' | 'planned' | 'submitted' | 'passed';
export interface Rectification {
  id: string;
  inspectionId: string;
  campaignId: string;
  /** County of the inspection (its progress counters). */
  regionCode: string;
  indicatorId: string;
  /** 督政: the school of the inspected county the problem was found at; that school works the item. */
  schoolId?: string;
  problem: string;
  severity: (typeof severities)[number];
  dueAt: string;
  status: RectificationStatus;
  plan?: string;
  completion?: { statement: string; evidenceIds: string[]; submittedAt: string };
  reviews: { result: 'pass' | 'fail'; comment: string; by: string; at: string }[];
  failedReviews: number;
  /** Completions returned for correction (退回), each with why: the earlier versions of the submission. */
  returns?: {
    reason: string;
    by: string;
    at: string;
    completion: NonNullable<Rectification['completion']>;
  }[];
  overdueSince?: string;
}

export interface AuditEvent {
  campaignId: string;
  entityId: string;
  /** County (or wider) the event concerns: what scopes an auditor's view of it. */
  regionCode: string;
  action: string;
  actor: string;
  at: string;
  details?: Record<string, unknown>;
}

/**
 * Large submissions stored beside the inspection, one item each (each under
 * DynamoDB's item limit on its own): the self-assessment and the findings.
 */
export interface InspectionParts {
  selfAssessment?: {
    indicators: z.infer<typeof selfAssessmentSchema>['indicators'];
    submittedAt: string;
    by: string;
    /** Which submission this is (1, 2… after returns). */
    n?: number;
    /** Set when the team returned it for correction (退回). */
    returned?: { reason: string; by: string; at: string };
  };
  /**
   * Findings per indicator, each by the team member who recorded it; a
   * member's PUT replaces the entries of the indicators it names.
   */
  findings?: {
    visit: z.infer<typeof findingsSchema>['visit'];
    /** Each member's latest visit record. */
    visits?: (z.infer<typeof findingsSchema>['visit'] & { by: string; inspectorId?: string })[];
    indicators: (z.infer<typeof findingsSchema>['indicators'][number] & { by?: string })[];
    recordedAt: string;
    by: string;
  };
}

/**
 * One submitted version of a self-assessment, kept for good: a returned
 * submission (退回) stays readable beside the one that replaced it.
 */
export interface Submission {
  kind: 'selfAssessment';
  n: number;
  value: NonNullable<InspectionParts['selfAssessment']>;
}

/** What one command writes, atomically. The store turns it into one transaction. */
export interface Transition {
  inspection: Inspection & Record<string, unknown>;
  expected: { version: number; status: InspectionStatus };
  /** Parts the command replaces. */
  parts?: InspectionParts;
  /** Submission versions written (a new one, or one marked returned). */
  submissions?: Submission[];
  /** Rectifications changed by the command (a report's new ones are written as drafts before it). */
  rectifications: Rectification[];
  /** A report's drafts to activate once it commits: the inspection says so until they are. */
  activation?: { rectificationIds: string[] };
  /** Deltas for the county's progress counters (status moves, grades, problems…). */
  counters: Record<string, number>;
  /** The team changed: the members' work-list entries to write (lead first) and to remove. */
  members?: { put: string[]; remove: string[] };
  /** Deltas for team members' counters in this campaign (assigned, visits, closed, late_<phase>). */
  loads: Record<string, Record<string, number>>;
  proposals: Proposal[];
  /** What the command asked of the school (fields filled…), added to its burden counters. */
  burden?: BurdenDelta;
  /** A report of a cycled template (template.cycleYears): the school's last evaluation, set on its record. */
  evaluated?: SchoolEvaluated;
  audit: AuditEvent;
}

/** The last evaluation a school keeps on its registry record (the kindergartens' 5-year cycle). */
export interface SchoolEvaluated {
  schoolId: string;
  /** The day (China) of the report. */
  on: string;
  campaignId: string;
  inspectionId: string;
  grade: Grade;
}

export interface Proposal {
  campaignId: string;
  type: ActionType;
  inspectionId: string;
  /** Rectification it concerns, if any: one proposal per (type, inspection, rectification or phase). */
  rectificationId?: string;
  /** Late phase it concerns, if any. */
  phase?: InspectionPhase;
  reason: string;
  regionCode: string;
  at: string;
}

export interface InspectionRecord {
  inspection: Inspection & Record<string, unknown>;
  parts: InspectionParts;
  /** As stored: drafts included (see visibleRectifications). */
  rectifications: Rectification[];
}

export interface InspectionStore {
  get(id: string): Promise<InspectionRecord | undefined>;
  commit(transition: Transition): Promise<void>;
  timeline(id: string): Promise<AuditEvent[]>;
  /** The inspections whose team the inspector is on (lead or member), by campaign. */
  byAssignee(
    inspectorId: string,
    q: { campaignId?: string; status?: InspectionStatus; cursor?: string; limit: number },
  ): Promise<{ items: Inspection[]; cursor?: string }>;
  byTarget(targetId: string): Promise<Inspection[]>;
  /** Rectifications naming the school (drafts included: see visibleRectifications), any inspection. */
  namedRectifications(schoolId: string): Promise<Rectification[]>;
  byTargetPage(
    targetId: string,
    q: { campaignId?: string; cursor?: string; limit: number },
  ): Promise<{ items: Inspection[]; cursor?: string }>;
  /** The inspections of these ids that exist. */
  many(ids: readonly string[]): Promise<Inspection[]>;
  /** Every submitted version of a part, oldest first. */
  submissions(inspectionId: string): Promise<Submission[]>;
  /** Writes a report's rectifications as drafts, each once (an existing non-draft item is left alone). */
  writeDrafts(rectifications: readonly Rectification[]): Promise<void>;
  /** Turns a committed report's drafts into open rectifications (in the due-date index), then says so. */
  activate(inspectionId: string, rectificationIds: readonly string[]): Promise<void>;
  recordAction(action: {
    campaignId: string;
    id: string;
    input: ActionInput;
    actor: string;
    at: string;
    regionCode: string;
  }): Promise<void>;
  proposals(campaignId: string): Promise<(Proposal & { status: string; actionId?: string })[]>;
}

export interface InspectionPorts {
  store: InspectionStore;
  campaign(id: string): Promise<Campaign | undefined>;
  template(id: string, version: number): Promise<Template | undefined>;
  /** The evidence records of these ids that exist (one BatchGet per 100), with where they belong. */
  evidenceByIds(ids: readonly string[]): Promise<Evidence[]>;
  /** A school of the registry with its facts (students, teachers, principal), for registry-fact indicators. */
  schoolFacts?(schoolId: string): Promise<School | undefined>;
  /** A school as the actor may see it (NotFoundError otherwise: unknown and unseen read alike). */
  visibleSchool(actor: Actor, schoolId: string): Promise<{ id: string }>;
  /** A school of the registry, whoever asks (for checking what an action or a problem names). */
  school(schoolId: string): Promise<{ id: string; regionCode: string; townCode?: string } | undefined>;
  /**
   * Puts the stored evidence of an inspection under legal hold (问责). Never
   * throws: a hold it could not place is placed again when the campaign is sealed.
   */
  holdEvidence?(inspectionId: string): Promise<{ files: number; placed: number } | { deferred: string }>;
  now(): string;
  newId(): string;
}

/**
 * Weighted total (0–100) from indicator scores alone. Reports grade by
 * verdicts (verdicts.ts `gradeByVerdicts`), which gives exactly this for a
 * template of score indicators all scored.
 */
export const weightedScore = (template: Template, scores: ReadonlyMap<string, number>): number =>
  Math.round(template.indicators.reduce((sum, i) => sum + (scores.get(i.id) ?? 0) * i.weight, 0)) / 100;

/**
 * The rectifications that belong to the inspection: a report's drafts count
 * once the report that lists them has committed (read as `open` until they
 * are activated); a failed report's drafts belong to nothing.
 */
export const visibleRectifications = (record: InspectionRecord): Rectification[] => {
  const reported = new Set(
    ((record.inspection.report as { rectificationIds?: string[] } | undefined)?.rectificationIds ??
      []) as string[],
  );
  return record.rectifications
    .filter((r) => r.status !== 'draft' || reported.has(r.id))
    .map((r) => (r.status === 'draft' ? { ...r, status: 'open' as const } : r));
};

/**
 * Counters of a report's quantitative verdicts, per county (`v_<indicator>_met`,
 * `v_<indicator>_not_met`): the campaign report counts the rest of the
 * county's inspections as not assessed.
 */
export const verdictCounters = (list: readonly IndicatorVerdict[]): Record<string, number> =>
  Object.fromEntries(
    list
      .filter((v) => quantitativeKinds.includes(v.kind) && v.verdict !== 'not_assessed')
      .map((v) => [`v_${v.indicatorId}_${v.verdict}`, 1]),
  );

/** The government (town or county region) an inspection is of, if its party is one (督政). */
export const governmentOf = (inspection: Pick<Inspection, 'partyId' | 'targetId'>) => {
  const region = findRegion(partyOf(inspection));
  return region && (region.level === 'town' || region.level === 'county') ? region : undefined;
};

/**
 * The feedback letter (反馈) in Chinese and English: score, grade label,
 * problems counted per indicator (by title), the earliest rectification deadline.
 */
export const feedbackLetter = (input: {
  score: number | null;
  grade: Grade | null;
  problems: number;
  byIndicator: readonly { title: Text; problems: number }[];
  /** The quantitative indicators' verdicts (达标 / 未达标 / 未评估), by title. */
  verdicts?: readonly { title: Text; verdict: Verdict }[];
  earliestDue?: string;
}): Text => {
  const grade = input.grade ? (gradeTexts[input.grade] ?? { zh: input.grade, en: input.grade }) : undefined;
  const verdicts = input.verdicts ?? [];
  const result = say(
    (grade ? `督导得分 ${input.score}，等次：${grade.zh}。` : '督导结果：未评估（无可评定的数据）。') +
      (verdicts.length > 0
        ? `${verdicts.map((v) => `${v.title.zh}：${verdictLabels[v.verdict].zh}`).join('；')}。`
        : ''),
    (grade
      ? `Inspection score ${input.score}, grade: ${grade.en}. `
      : 'Inspection result: not assessed (no data to grade). ') +
      (verdicts.length > 0
        ? `${verdicts.map((v) => `${v.title.en}: ${verdictLabels[v.verdict].en}`).join('; ')}. `
        : ''),
  );
  if (input.problems === 0)
    return say(`${result.zh}未发现需整改的问题。`, `${result.en}No problems to rectify were found.`);
  const zhList = input.byIndicator.map((i) => `${i.title.zh}（${i.problems} 项）`).join('、');
  const enList = input.byIndicator
    .map((i) => `${i.title.en} (${i.problems} ${i.problems === 1 ? 'item' : 'items'})`)
    .join('; ');
  return say(
    `${result.zh}发现 ${input.problems} 个问题：${zhList}。` +
      `请逐项制定整改方案，于期限内完成整改（最早期限 ${input.earliestDue}）。`,
    `${result.en}${input.problems} ${input.problems === 1 ? 'problem was' : 'problems were'} found: ${enList}. ` +
      `Plan the rectification of each one and complete it by its deadline (the earliest is ${input.earliestDue}).`,
  );
};

/** The calendar day in China (UTC+8) of an instant. */
const chinaDay = (instant: string): string =>
  new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 10);

export const createInspectionService = (ports: InspectionPorts) => {
  const { store } = ports;
  const { load, begin, commit } = inspectionTransitions(ports);

  /**
   * Every evidence id a submission names must exist and be a record of this
   * inspection (an upload, or a link made on it to a file the school stored
   * before), and not one found to be something else (quarantined) or never to
   * have come (expired). Read by id in batches: a submission names at most
   * limits.indicators × limits.evidencePerEntry ids.
   */
  const checkEvidence = async (inspectionId: string, entries: { path: string; ids: readonly string[] }[]) => {
    const named = [...new Set(entries.flatMap((e) => e.ids))];
    if (named.length === 0) return;
    const records = new Map((await ports.evidenceByIds(named)).map((e) => [e.id, e]));
    const errors = entries.flatMap((entry) =>
      entry.ids.flatMap((id, i) => {
        const record = records.get(id);
        // Unknown and another inspection's read alike (an id says nothing of other schools' files).
        if (record === undefined || record.inspectionId !== inspectionId)
          return [
            {
              path: `${entry.path}.${i}`,
              message: say(
                `${id} 不是本督导的佐证材料（请先在本督导登记该文件：学校以前存过的文件会被关联，无需重新上传）`,
                `${id} is not evidence of this inspection (announce the file on it: one the school stored before is linked, not uploaded again)`,
              ),
            },
          ];
        const status = record.status;
        if (status === 'quarantined' || status === 'expired')
          return [
            {
              path: `${entry.path}.${i}`,
              message: say(
                `${id} 的状态为 ${status}：不能作为佐证材料`,
                `${id} is ${status}: it cannot serve as evidence`,
              ),
            },
          ];
        return [];
      }),
    );
    if (errors.length > 0) {
      const bad = [...new Set(errors.map((e) => e.message.en.split(' ')[0]))];
      throw new ValidationError(
        say(
          `此处列出的部分佐证材料不能使用：${bad.join('、')}。`,
          `Some evidence named here cannot be used: ${bad.join(', ')}.`,
        ),
        errors,
      );
    }
  };

  /**
   * A problem may name a school only in the inspection of a government, and
   * only a school of that government's region (the county; a town's own schools).
   */
  const checkNamedSchools = async (inspection: Inspection, input: z.infer<typeof findingsSchema>) => {
    const named = input.indicators.flatMap((indicator, n) =>
      indicator.problems.flatMap((p, k) =>
        p.schoolId ? [{ schoolId: p.schoolId, path: `body.indicators.${n}.problems.${k}.schoolId` }] : [],
      ),
    );
    if (named.length === 0) return;
    const government = governmentOf(inspection);
    if (!government)
      throw new ValidationError(
        say(
          '只有对乡镇或县级政府的督导才能在问题中指明学校。',
          'Only the inspection of a town or county names schools in its problems.',
        ),
        named.map((n) => ({
          path: n.path,
          message: say('本督导的对象是学校', 'this inspection is of a school'),
        })),
      );
    const schools = await Promise.all(named.map((n) => ports.school(n.schoolId)));
    const errors = named.flatMap((n, i) => {
      const school = schools[i];
      const inRegion =
        school !== undefined &&
        school.regionCode === inspection.regionCode &&
        (government.level === 'county' || school.townCode === government.code);
      return inRegion
        ? []
        : [
            {
              path: n.path,
              message: say(
                `${n.schoolId} 不是${government.name}的学校`,
                `${n.schoolId} is not a school of ${government.name}`,
              ),
            },
          ];
    });
    if (errors.length > 0)
      throw new ValidationError(
        say(
          `问题只能指明${government.name}（${government.code}）的学校。`,
          `A problem names a school of ${government.name} (${government.code}).`,
        ),
        errors,
      );
  };

  const indicatorIds = (template: Template, given: readonly { indicatorId: string }[], path: string) => {
    const known = new Set(template.indicators.map((i) => i.id));
    const errors = given
      .map((g, i) =>
        known.has(g.indicatorId)
          ? undefined
          : {
              path: `body.indicators.${i}.indicatorId`,
              message: say(`不是模板 ${template.id} 的指标`, `not an indicator of ${template.id}`),
            },
      )
      .filter((e): e is { path: string; message: Text } => e !== undefined);
    if (errors.length > 0)
      throw new ValidationError(
        say(`${path} 中有未知的指标。`, `Unknown indicators in the ${path}.`),
        errors,
      );
  };

  /** Each value of the kind its indicator takes (a number for a number indicator…): 400 otherwise. */
  const checkValues = (template: Template, given: Parameters<typeof valueErrors>[1], path: string) => {
    const errors = valueErrors(template, given);
    if (errors.length > 0)
      throw new ValidationError(
        say(
          `${path} 中有数值与其指标类型不符。`,
          `Some values of the ${path} are not of their indicator's kind.`,
        ),
        errors,
      );
  };

  /** LOAD counters of every team member: `closed` when the inspection closes. */
  const closing = (inspection: Inspection, status: InspectionStatus) =>
    status === 'closed' && inspection.status !== 'closed'
      ? Object.fromEntries(teamMembers(inspection).map((m) => [m, { closed: 1 }]))
      : {};

  /**
   * Everything an action names lies inside both the caller's region and the
   * campaign's: inspections of this campaign and schools that are not read as
   * absent (404), regions that are not refused (403).
   */
  const checkReferences = async (actor: Actor, campaign: Campaign, input: ActionInput) => {
    const inside = (code: string) => code.startsWith(actor.scope) && code.startsWith(campaign.scope);
    if (input.type === 'incentive' && input.inspectionIds.length > 0) {
      const found = new Map((await store.many(input.inspectionIds)).map((i) => [i.id, i]));
      const unseen = input.inspectionIds.flatMap((id, n) => {
        const i = found.get(id);
        return i && i.campaignId === campaign.id && inside(i.regionCode)
          ? []
          : [
              {
                path: `body.inspectionIds.${n}`,
                message: say(
                  `本活动及您的区域内没有督导 ${id}`,
                  `no inspection ${id} in this campaign and your region`,
                ),
              },
            ];
      });
      if (unseen.length > 0)
        throw new NotFoundError(
          say('此处列出的部分督导未找到。', 'Some inspections named here were not found.'),
          unseen,
        );
    }
    if (input.type === 'notification') {
      const schools = await Promise.all(input.schoolIds.map((id) => ports.school(id)));
      const unseen = input.schoolIds.flatMap((id, n) =>
        schools[n] && inside(schools[n]!.regionCode)
          ? []
          : [
              {
                path: `body.schoolIds.${n}`,
                message: say(
                  `本活动及您的区域内没有学校 ${id}`,
                  `no school ${id} in this campaign's and your region`,
                ),
              },
            ],
      );
      if (unseen.length > 0)
        throw new NotFoundError(
          say('此处列出的部分学校未找到。', 'Some schools named here were not found.'),
          unseen,
        );
      const outside = input.regionCodes.flatMap((code, n) =>
        findRegion(code) && inside(code)
          ? []
          : [
              {
                path: `body.regionCodes.${n}`,
                message: say(
                  `${code} 不是本活动中您所辖的区划`,
                  `${code} is not a region of this campaign under your office`,
                ),
              },
            ],
      );
      if (outside.length > 0)
        throw new ForbiddenError(
          say(
            '通报只能列出同时属于您和本活动的区划。',
            'A notification may name only regions under both you and the campaign.',
          ),
          outside,
        );
    }
  };

  return {
    /** The inspection with its parts, rectifications, timeline and what its template asks. */
    async get(actor: Actor, id: string) {
      const { inspection, parts, rectifications, template } = await load(actor, id);
      if (performerOf(actor, inspection) === 'named') {
        // A school named in a 督政 inspection sees the inspection and its own items, not the government's file.
        const { feedback: _f, report: _r, ...summary } = inspection;
        return {
          ...summary,
          rectifications: rectifications.filter((r) => r.schoolId === actor.scope),
          template: { id: template.id, version: template.version, title: template.title },
        };
      }
      return {
        ...inspection,
        ...parts,
        rectifications,
        template: {
          id: template.id,
          version: template.version,
          title: template.title,
          indicators: template.indicators,
          phases: template.phases,
          grading: template.grading,
        },
        /**
         * Each graded indicator's verdict from the team's findings as they
         * stand (the report keeps those it graded with); none recorded: not assessed.
         */
        verdicts: verdictsOf(template, parts.findings?.indicators ?? []),
        ...(parts.selfAssessment
          ? { selfAssessmentVerdicts: verdictsOf(template, parts.selfAssessment.indicators) }
          : {}),
        timeline: await store.timeline(id),
      };
    },

    /** Every submitted version of the self-assessment, returned ones included, oldest first. */
    async submissions(actor: Actor, id: string) {
      await load(actor, id);
      return { items: await store.submissions(id) };
    },

    async list(
      actor: Actor,
      q: {
        assignee?: 'me';
        schoolId?: string;
        targetId?: string;
        campaignId?: string;
        status?: InspectionStatus;
        cursor?: string;
        limit: number;
      },
    ) {
      if (q.assignee === 'me') {
        if (actor.role !== 'inspector')
          throw new ForbiddenError(
            say('assignee=me 是督学的工作清单。', 'assignee=me is the work list of an inspector.'),
          );
        return store.byAssignee(actor.scope, q);
      }
      if (q.schoolId) {
        await ports.visibleSchool(actor, q.schoolId);
        const page = await store.byTargetPage(q.schoolId, {
          ...(q.campaignId ? { campaignId: q.campaignId } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
          limit: q.limit,
        });
        const items = page.items.filter((i) => canRead(actor, i) && (!q.status || i.status === q.status));
        return page.cursor ? { items, cursor: page.cursor } : { items };
      }
      // A school or a government asking with no filter means its own; a target id is read through
      // the same index (every item read is filtered by what the actor may see: others' read as none).
      const targetId =
        q.targetId ?? (actor.role === 'government' || actor.role === 'school' ? actor.scope : undefined);
      if (targetId) {
        const page = await store.byTargetPage(targetId, {
          ...(q.campaignId ? { campaignId: q.campaignId } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
          limit: q.limit,
        });
        const items = page.items.filter((i) => canRead(actor, i) && (!q.status || i.status === q.status));
        return page.cursor ? { items, cursor: page.cursor } : { items };
      }
      throw new ValidationError(
        say(
          '请说明查询谁的督导：assignee=me、schoolId=… 或 targetId=…',
          'Say whose inspections: assignee=me, schoolId=… or targetId=…',
        ),
        [
          {
            path: 'query',
            message: say(
              '须给出 assignee、schoolId 或 targetId',
              'assignee, schoolId or targetId is required',
            ),
          },
        ],
      );
    },

    /**
     * The rectification items naming a school in 督政 inspections (a problem of
     * a county's evaluation found at this school), with the inspection each
     * belongs to: what the school works, through that inspection's routes.
     */
    async namedRectifications(actor: Actor, schoolId: string) {
      await ports.visibleSchool(actor, schoolId);
      const named = await store.namedRectifications(schoolId);
      const ids = [...new Set(named.map((r) => r.inspectionId))].slice(0, limits.namedInspections);
      const records = await Promise.all(ids.map((id) => store.get(id)));
      const items = records.flatMap((record) => {
        if (!record) return [];
        const { inspection } = record;
        if (!canRead(actor, inspection)) return [];
        return visibleRectifications(record)
          .filter((r) => r.schoolId === schoolId)
          .map((r) => ({
            inspectionId: inspection.id,
            campaignId: inspection.campaignId,
            templateId: inspection.templateId,
            targetId: inspection.targetId,
            targetName: inspection.targetName,
            inspectionStatus: inspection.status,
            version: inspection.version,
            rectification: r,
          }));
      });
      return { schoolId, items };
    },

    async history(actor: Actor, schoolId: string) {
      await ports.visibleSchool(actor, schoolId);
      const inspections = (await store.byTarget(schoolId)).filter((i) => canRead(actor, i));
      const entries = await Promise.all(
        inspections.map(async (i) => {
          const record = await store.get(i.id);
          const open = (record ? visibleRectifications(record) : []).filter((r) => r.status !== 'passed');
          return {
            inspectionId: i.id,
            campaignId: i.campaignId,
            templateId: i.templateId,
            status: i.status,
            grade: (record?.inspection.report as { grade?: Grade } | undefined)?.grade ?? null,
            score: (record?.inspection.report as { score?: number } | undefined)?.score ?? null,
            openRectifications: open.map((r) => ({
              id: r.id,
              indicatorId: r.indicatorId,
              dueAt: r.dueAt,
              status: r.status,
            })),
          };
        }),
      );
      return { schoolId, inspections: entries };
    },

    async submitSelfAssessment(actor: Actor, id: string, input: z.infer<typeof selfAssessmentSchema>) {
      const loaded = await begin('submit_self_assessment', actor, id, input.version);
      indicatorIds(loaded.template, input.indicators, 'self-assessment');
      checkValues(loaded.template, input.indicators, 'self-assessment');
      await checkEvidence(
        id,
        input.indicators.map((i, n) => ({ path: `body.indicators.${n}.evidenceIds`, ids: i.evidenceIds })),
      );
      const n = (loaded.parts.selfAssessment?.n ?? (loaded.parts.selfAssessment ? 1 : 0)) + 1;
      const value = { indicators: input.indicators, submittedAt: ports.now(), by: actor.subject, n };
      // Each indicator entry is a field the school filled; registry facts were never asked of it.
      const facts = new Set(loaded.template.indicators.filter((i) => i.registryFact).map((i) => i.id));
      const fields = input.indicators.filter((i) => !facts.has(i.indicatorId)).length;
      return commit('submit_self_assessment', actor.subject, loaded, {
        status: nextStatus('submit_self_assessment'),
        parts: { selfAssessment: value },
        submissions: [{ kind: 'selfAssessment', n, value }],
        ...(actor.role === 'school' ? { burden: { fields } } : {}),
        details: { submission: n },
      });
    },

    /** The lead returns the self-assessment for correction (退回): the school submits again; both versions stay. */
    async returnSelfAssessment(actor: Actor, id: string, input: { version: number; reason: string }) {
      const loaded = await begin('return_self_assessment', actor, id, input.version);
      const current = loaded.parts.selfAssessment;
      if (!current)
        throw new ConflictError(say('没有可退回的自评。', 'There is no self-assessment to return.'));
      const n = current.n ?? 1;
      if (n > limits.returns)
        throw new ConflictError(
          say(
            `自评已被退回 ${limits.returns} 次：请按现状进行督导。`,
            `The self-assessment was returned ${limits.returns} times: inspect it as it is.`,
          ),
        );
      const returned = { reason: input.reason, by: actor.subject, at: ports.now() };
      const value = { ...current, n, returned };
      return commit('return_self_assessment', actor.subject, loaded, {
        status: nextStatus('return_self_assessment'),
        parts: { selfAssessment: value },
        submissions: [{ kind: 'selfAssessment', n, value }],
        counters: { returns: 1 },
        details: { submission: n, reason: input.reason },
      });
    },

    /**
     * Findings per indicator. The lead may record any indicator; a member
     * those given to them. Entries of indicators not named are kept, so that
     * members record side by side; each entry says who recorded it.
     */
    async recordFindings(actor: Actor, id: string, input: z.infer<typeof findingsSchema>) {
      const loaded = await begin('record_findings', actor, id, input.version);
      indicatorIds(loaded.template, input.indicators, 'findings');
      checkValues(loaded.template, input.indicators, 'findings');
      if (loaded.performer === 'member') {
        const member = loaded.inspection.team?.members.find((m) => m.inspectorId === actor.scope);
        const allowed = member?.indicatorIds ? new Set(member.indicatorIds) : undefined;
        const outside = input.indicators.flatMap((i, n) =>
          allowed && !allowed.has(i.indicatorId)
            ? [
                {
                  path: `body.indicators.${n}.indicatorId`,
                  message: say(`指标 ${i.indicatorId} 未分配给您`, `${i.indicatorId} is not given to you`),
                },
              ]
            : [],
        );
        if (outside.length > 0)
          throw new ForbiddenError(
            say(
              '督导组成员只能记录分配给自己的指标的督导结果。',
              'A team member records findings for the indicators given to them.',
            ),
            outside,
          );
      }
      await checkEvidence(
        id,
        input.indicators.map((i, n) => ({ path: `body.indicators.${n}.evidenceIds`, ids: i.evidenceIds })),
      );
      await checkNamedSchools(loaded.inspection, input);
      const now = ports.now();
      const named = new Set(input.indicators.map((i) => i.indicatorId));
      const previous = loaded.parts.findings;
      const indicators = [
        ...(previous?.indicators ?? []).filter((i) => !named.has(i.indicatorId)),
        ...input.indicators.map((i) => ({ ...i, by: actor.subject })),
      ].sort(
        (a, b) =>
          loaded.template.indicators.findIndex((t) => t.id === a.indicatorId) -
          loaded.template.indicators.findIndex((t) => t.id === b.indicatorId),
      );
      const visitor = actor.role === 'inspector' ? actor.scope : undefined;
      const visits = [
        ...(previous?.visits ?? []).filter((v) => v.by !== actor.subject),
        { ...input.visit, by: actor.subject, ...(visitor ? { inspectorId: visitor } : {}) },
      ];
      const firstVisit = loaded.inspection.status !== 'inspected';
      return commit('record_findings', actor.subject, loaded, {
        status: nextStatus('record_findings'),
        parts: {
          findings: { visit: input.visit, visits, indicators, recordedAt: now, by: actor.subject },
        },
        // The visit counts for the inspector who made it (责任督学履职: visits done / schools in the zone).
        loads: firstVisit && visitor ? { [visitor]: { visits: 1 } } : {},
        details: { indicators: [...named], visitDate: input.visit.date },
      });
    },

    /** Report 报告 + feedback 反馈 + one rectification 整改 per problem; excellent grades propose an incentive. */
    async issueReport(actor: Actor, id: string, input: { version: number }) {
      const loaded = await begin('issue_report', actor, id, input.version);
      const findings = loaded.parts.findings;
      if (!findings)
        throw new ConflictError(
          say('该督导尚无可出具报告的督导结果。', 'The inspection has no findings to report on.'),
        );
      // A score indicator must be scored; a quantitative one without its figures is not assessed.
      const scored = new Set(
        findings.indicators.filter((i) => typeof i.score === 'number').map((i) => i.indicatorId),
      );
      const missing = loaded.template.indicators
        .filter((i) => i.kind === 'score' && !scored.has(i.id))
        .map((i) => i.id);
      if (missing.length > 0)
        throw new ConflictError(
          say(
            `督导结果缺少以下指标的得分：${missing.join('、')}。`,
            `The findings have no score for ${missing.join(', ')}.`,
          ),
        );
      const { score, grade, verdicts } = gradeByVerdicts(loaded.template, findings.indicators);
      const now = ports.now();
      const defaultDue =
        loaded.inspection.deadlines.rectification ??
        new Date(Date.parse(now) + 30 * 86_400_000).toISOString();
      const rectifications: Rectification[] = findings.indicators.flatMap((indicator) =>
        indicator.problems.map((problem, n) => ({
          id: `${indicator.indicatorId}-${n + 1}`,
          inspectionId: id,
          campaignId: loaded.inspection.campaignId,
          regionCode: loaded.inspection.regionCode,
          indicatorId: indicator.indicatorId,
          ...(problem.schoolId ? { schoolId: problem.schoolId } : {}),
          problem: problem.description,
          severity: problem.severity,
          dueAt: problem.dueAt ?? defaultDue,
          status: 'open' as const,
          reviews: [],
          failedReviews: 0,
        })),
      );
      const namedSchools = [
        ...new Set(rectifications.flatMap((r) => (r.schoolId ? [r.schoolId] : []))),
      ].sort();
      const problemsByIndicator: Record<string, number> = {};
      for (const r of rectifications)
        problemsByIndicator[`p_${r.indicatorId}`] = (problemsByIndicator[`p_${r.indicatorId}`] ?? 0) + 1;
      // The letter names indicators by title and counts their problems; each problem is its own rectification.
      const earliestDue = rectifications
        .map((r) => r.dueAt)
        .sort()[0]
        ?.slice(0, 10);
      const titleOf = (indicatorId: string): Text =>
        loaded.template.indicators.find((i) => i.id === indicatorId)?.title ?? {
          zh: indicatorId,
          en: indicatorId,
        };
      const texts = feedbackLetter({
        score,
        grade,
        problems: rectifications.length,
        byIndicator: Object.entries(problemsByIndicator).map(([key, n]) => ({
          title: titleOf(key.slice(2)),
          problems: n,
        })),
        verdicts: verdicts
          .filter((v) => quantitativeKinds.includes(v.kind))
          .map((v) => ({ title: titleOf(v.indicatorId), verdict: v.verdict })),
        ...(earliestDue ? { earliestDue } : {}),
      });
      // `text` (Chinese) as before; `texts` in both languages.
      const feedback = { text: texts.zh, texts, issuedAt: now };
      // More rectifications than one transaction holds: written first as drafts (each once, by its
      // deterministic id), committed by the report that lists them, then activated (the sweeper
      // finishes an activation a crash interrupted). Until the report commits, the drafts belong to nothing.
      const rectificationIds = rectifications.map((r) => r.id);
      await store.writeDrafts(rectifications.map((r) => ({ ...r, status: 'draft' as const })));
      const status = nextStatus('issue_report', { problems: rectifications.length });
      const reported = await commit('issue_report', actor.subject, loaded, {
        status,
        loads: closing(loaded.inspection, status),
        fields: {
          report: {
            score,
            grade,
            verdicts,
            issuedAt: now,
            by: actor.subject,
            problems: rectifications.length,
            rectificationIds,
          },
          feedback,
          // Schools named in its rectifications read the inspection and work their own items (lifecycle.ts).
          ...(namedSchools.length > 0 ? { namedSchools } : {}),
        },
        ...(rectifications.length > 0 ? { activation: { rectificationIds } } : {}),
        counters: {
          ...(grade === null ? { not_graded: 1 } : { [`g_${grade}`]: 1, score_sum: score!, scored: 1 }),
          ...verdictCounters(verdicts),
          r_total: rectifications.length,
          ...problemsByIndicator,
          // A re-evaluation compares its grade with the one its target had (see re-evaluation.ts).
          ...(loaded.inspection.basedOn
            ? { rv_compared: 1, rv_differ: loaded.inspection.basedOn.grade === grade ? 0 : 1 }
            : {}),
        },
        // A report without a grade (nothing assessed) is no evaluation of the cycle.
        ...(loaded.template.cycleYears &&
        grade !== null &&
        partyOf(loaded.inspection) === loaded.inspection.targetId &&
        /^\d{10}$/.test(loaded.inspection.targetId)
          ? {
              evaluated: {
                schoolId: loaded.inspection.targetId,
                on: chinaDay(now),
                campaignId: loaded.inspection.campaignId,
                inspectionId: id,
                grade,
              },
            }
          : {}),
        proposals:
          grade === 'excellent'
            ? [
                {
                  campaignId: loaded.inspection.campaignId,
                  type: 'incentive',
                  inspectionId: id,
                  reason: `excellent grade (${score})`,
                  regionCode: loaded.inspection.regionCode,
                  at: now,
                },
              ]
            : [],
        details: {
          score,
          grade,
          problems: rectifications.length,
          verdicts: Object.fromEntries(verdicts.map((v) => [v.indicatorId, v.verdict])),
        },
      });
      if (rectifications.length > 0) {
        try {
          await store.activate(id, rectificationIds);
        } catch {
          // Committed: the sweeper activates what is left (the inspection says so in the meantime).
        }
      }
      return reported;
    },

    /** The school acknowledges the feedback (反馈). No status change, but versioned and audited. */
    async acknowledgeFeedback(actor: Actor, id: string, input: { version: number }) {
      const loaded = await load(actor, id);
      if (performerOf(actor, loaded.inspection) !== 'party')
        throw new ForbiddenError(
          say(
            '只有被督导的学校或政府可以确认反馈。',
            'Only the inspected school or government acknowledges feedback.',
          ),
        );
      if (!loaded.inspection.feedback)
        throw new ConflictError(say('尚无可确认的反馈。', 'There is no feedback to acknowledge yet.'));
      if (loaded.inspection.version !== input.version)
        throw new ConflictError(
          say(
            `该督导当前为第 ${loaded.inspection.version} 版，而非第 ${input.version} 版。`,
            `The inspection is at version ${loaded.inspection.version}, not ${input.version}.`,
          ),
        );
      return commit('acknowledge_feedback', actor.subject, loaded, {
        status: loaded.inspection.status,
        fields: {
          feedback: {
            ...(loaded.inspection.feedback as object),
            acknowledgedAt: ports.now(),
            acknowledgedBy: actor.subject,
          },
        },
        details: { acknowledged: true },
      });
    },

    async updateRectification(
      actor: Actor,
      id: string,
      rid: string,
      input: z.infer<typeof rectificationUpdateSchema>,
    ) {
      const loaded = await begin('submit_rectification', actor, id, input.version);
      const item = loaded.rectifications.find(
        (r) => r.id === rid && (loaded.performer !== 'named' || r.schoolId === actor.scope),
      );
      if (!item) throw new NotFoundError(say(`未找到整改项 ${rid}。`, `Rectification ${rid} not found.`));
      // An item naming a school is that school's to work; the government sees it in its inspection.
      if (item.schoolId && loaded.performer !== 'named')
        throw new ForbiddenError(
          say(
            `整改项 ${rid} 由学校 ${item.schoolId} 负责整改。`,
            `Rectification ${rid} is the work of school ${item.schoolId}.`,
          ),
        );
      if (item.status === 'passed' || item.status === 'submitted')
        throw new ConflictError(
          say(`整改项 ${rid} 的状态为 ${item.status}。`, `Rectification ${rid} is ${item.status}.`),
        );
      if (input.completion)
        await checkEvidence(id, [{ path: 'body.completion.evidenceIds', ids: input.completion.evidenceIds }]);
      const now = ports.now();
      const updated: Rectification = {
        ...item,
        ...(input.plan ? { plan: input.plan, status: 'planned' as const } : {}),
        ...(input.completion
          ? { completion: { ...input.completion, submittedAt: now }, status: 'submitted' as const }
          : {}),
      };
      const after = loaded.rectifications.map((r) => (r.id === rid ? updated : r));
      const unsubmitted = after.filter((r) => r.status === 'open' || r.status === 'planned').length;
      // A plan and a completion statement are each a field the school filled.
      const fields = (input.plan ? 1 : 0) + (input.completion ? 1 : 0);
      return commit('submit_rectification', actor.subject, loaded, {
        status: nextStatus('submit_rectification', { unsubmittedItems: unsubmitted }),
        rectifications: [updated],
        ...(actor.role === 'school' ? { burden: { fields } } : {}),
        details: { rectificationId: rid, itemStatus: updated.status },
      });
    },

    /** Re-inspection 复查 of one item: pass closes it; a fail sends it back, and repeated fails propose a notification. */
    async reviewRectification(actor: Actor, id: string, rid: string, input: z.infer<typeof reviewSchema>) {
      const loaded = await begin('review_rectification', actor, id, input.version);
      const item = loaded.rectifications.find((r) => r.id === rid);
      if (!item) throw new NotFoundError(say(`未找到整改项 ${rid}。`, `Rectification ${rid} not found.`));
      if (item.status !== 'submitted')
        throw new ConflictError(
          say(
            `整改项 ${rid} 的状态为 ${item.status}，并非已提交。`,
            `Rectification ${rid} is ${item.status}, not submitted.`,
          ),
        );
      const now = ports.now();
      const failed = input.result === 'fail';
      const updated: Rectification = {
        ...item,
        status: failed ? 'open' : 'passed',
        reviews: [
          ...item.reviews,
          { result: input.result, comment: input.comment, by: actor.subject, at: now },
        ],
        failedReviews: item.failedReviews + (failed ? 1 : 0),
      };
      const after = loaded.rectifications.map((r) => (r.id === rid ? updated : r));
      const open = after.filter((r) => r.status !== 'passed').length;
      const status = nextStatus('review_rectification', {
        failedReview: failed || after.some((r) => r.status === 'open' || r.status === 'planned'),
        openItems: open,
      });
      const proposals: Proposal[] =
        failed && updated.failedReviews >= loaded.template.escalation.notifyAfterFailedReviews
          ? [
              {
                campaignId: item.campaignId,
                type: 'notification',
                inspectionId: id,
                rectificationId: rid,
                reason: `failed re-inspection ${updated.failedReviews} times`,
                regionCode: loaded.inspection.regionCode,
                at: now,
              },
            ]
          : [];
      return commit('review_rectification', actor.subject, loaded, {
        status,
        fields: status === 'closed' ? { closedAt: now } : {},
        rectifications: [updated],
        counters: failed ? {} : { r_passed: 1 },
        loads: closing(loaded.inspection, status),
        proposals,
        details: { rectificationId: rid, result: input.result },
      });
    },

    /**
     * The lead returns a submitted rectification for correction (退回): not a
     * failed re-inspection (nothing is escalated), but the completion goes back
     * to the school, kept in the item's `returns` with the reason.
     */
    async returnRectification(
      actor: Actor,
      id: string,
      rid: string,
      input: { version: number; reason: string },
    ) {
      const loaded = await begin('return_rectification', actor, id, input.version);
      const item = loaded.rectifications.find((r) => r.id === rid);
      if (!item) throw new NotFoundError(say(`未找到整改项 ${rid}。`, `Rectification ${rid} not found.`));
      if (item.status !== 'submitted' || !item.completion)
        throw new ConflictError(
          say(
            `整改项 ${rid} 的状态为 ${item.status}，并非已提交。`,
            `Rectification ${rid} is ${item.status}, not submitted.`,
          ),
        );
      const returns = item.returns ?? [];
      if (returns.length >= limits.returns)
        throw new ConflictError(
          say(
            `整改项 ${rid} 已被退回 ${limits.returns} 次：请改为复查。`,
            `Rectification ${rid} was returned ${limits.returns} times: review it instead.`,
          ),
        );
      const { completion, ...rest } = item;
      const updated: Rectification = {
        ...rest,
        status: item.plan ? 'planned' : 'open',
        returns: [...returns, { reason: input.reason, by: actor.subject, at: ports.now(), completion }],
      };
      return commit('return_rectification', actor.subject, loaded, {
        status: nextStatus('return_rectification'),
        rectifications: [updated],
        counters: { returns: 1 },
        details: { rectificationId: rid, submission: returns.length + 1, reason: input.reason },
      });
    },

    /**
     * Incentive 激励, interview 约谈, notification 通报, accountability 问责:
     * recorded by the offices over the campaign. Each is its own record, so
     * two offices never overwrite each other's.
     */
    async recordAction(actor: Actor, campaignId: string, input: ActionInput) {
      if (!isAdmin(actor))
        throw new ForbiddenError(
          say('只有督导机构可以记录后续处理。', 'Only supervision offices record follow-up actions.'),
        );
      const campaign = await ports.campaign(campaignId);
      if (!campaign || !overlapsScope(actor, campaign))
        throw new NotFoundError(say(`未找到活动 ${campaignId}。`, `Campaign ${campaignId} not found.`));
      const inspectionId = 'inspectionId' in input ? input.inspectionId : undefined;
      if (input.type === 'accountability' && !inspectionId) {
        throw new ValidationError(say('问责针对单个督导。', 'Accountability concerns one inspection.'), [
          { path: 'body.inspectionId', message: say('必填', 'is required') },
        ]);
      }
      if (input.type === 'interview' && input.leader && !inspectionId)
        throw new ValidationError(
          say(
            '指明负责人的约谈须关联该政府的督导。',
            "An interview naming a leader links to that government's inspection.",
          ),
          [{ path: 'body.inspectionId', message: say('指明负责人时必填', 'is required with leader') }],
        );
      await checkReferences(actor, campaign, input);
      // Where the action belongs: the inspection's county, or the narrower of the office and the campaign.
      let regionCode = actor.scope.length >= campaign.scope.length ? actor.scope : campaign.scope;
      if (inspectionId) {
        const record = await store.get(inspectionId);
        if (
          !record ||
          record.inspection.campaignId !== campaignId ||
          !record.inspection.regionCode.startsWith(actor.scope)
        ) {
          throw new NotFoundError(
            say(
              `本活动中未找到督导 ${inspectionId}。`,
              `Inspection ${inspectionId} not found in this campaign.`,
            ),
          );
        }
        regionCode = record.inspection.regionCode;
        const government = governmentOf(record.inspection);
        if (input.type === 'interview' && government && !input.leader)
          throw new ValidationError(
            say(
              `约谈${government.name}（${government.code}）政府须指明其负责人。`,
              `An interview of the government of ${government.name} (${government.code}) names its leader.`,
            ),
            [
              {
                path: 'body.leader',
                message: say('乡镇或县级督导必填', 'is required for an inspection of a town or county'),
              },
            ],
          );
        if (input.type === 'interview' && input.leader && !government)
          throw new ValidationError(
            say('只有约谈政府时才指明负责人。', 'A leader is named only in the interview of a government.'),
            [
              {
                path: 'body.leader',
                message: say('该督导的对象不是乡镇或县', 'the inspection is not of a town or county'),
              },
            ],
          );
        if (input.type === 'accountability') {
          const proposals = await store.proposals(campaignId);
          const notified = proposals.some(
            (p) => p.type === 'notification' && p.inspectionId === inspectionId && p.status === 'recorded',
          );
          if (!notified)
            throw new ConflictError(
              say(
                '问责须以该督导已记录的通报为前提。',
                'Accountability follows a recorded notification of this inspection.',
              ),
            );
        }
      }
      const id = ports.newId();
      await store.recordAction({ campaignId, id, input, actor: actor.subject, at: ports.now(), regionCode });
      const legalHolds =
        input.type === 'accountability' && inspectionId
          ? await ports.holdEvidence?.(inspectionId)
          : undefined;
      return { id, campaignId, ...input, ...(legalHolds ? { legalHolds } : {}) };
    },

    proposals: async (actor: Actor, campaignId: string) => {
      const campaign = await ports.campaign(campaignId);
      if (!campaign || !readsCampaign(actor, campaign)) {
        throw new NotFoundError(say(`未找到活动 ${campaignId}。`, `Campaign ${campaignId} not found.`));
      }
      return (await store.proposals(campaignId)).filter(
        (p) => p.regionCode.startsWith(actor.scope) || actor.scope.startsWith(p.regionCode),
      );
    },
  };
};
export type InspectionService = ReturnType<typeof createInspectionService>;

/**
 * What the deadline sweeper does with one overdue rectification, by the
 * template's escalation policy: mark it overdue once, propose an interview
 * after N hours overdue, a notification after M hours.
 */
export const escalationsFor = (
  item: Pick<Rectification, 'dueAt' | 'overdueSince' | 'status'>,
  policy: Pick<Template['escalation'], 'interviewAfterOverdueHours' | 'notifyAfterOverdueHours'>,
  now: string,
): { markOverdue: boolean; propose: ActionType[] } => {
  if (item.status === 'passed' || item.status === 'submitted') return { markOverdue: false, propose: [] };
  const overdueHours = (Date.parse(now) - Date.parse(item.dueAt)) / 3_600_000;
  if (overdueHours < 0) return { markOverdue: false, propose: [] };
  const propose: ActionType[] = [];
  if (overdueHours >= policy.interviewAfterOverdueHours) propose.push('interview');
  if (overdueHours >= policy.notifyAfterOverdueHours) propose.push('notification');
  return { markOverdue: item.overdueSince === undefined, propose };
};

export interface DeadlinePorts {
  /** Open rectifications due before `until`, through the due-date index. */
  due(until: string): Promise<Rectification[]>;
  /** Marks an item overdue once (false if it already was). */
  markOverdue(item: Rectification, at: string): Promise<boolean>;
  /** Records a proposal once (false if it existed). */
  propose(proposal: Proposal): Promise<boolean>;
  policyOf(campaignId: string): Promise<Template['escalation'] | undefined>;
}

/**
 * The deadline sweep: every open rectification past its due date is marked
 * overdue once, and the escalation policy's proposals are created once each,
 * however often the sweep runs.
 */
export const sweepDeadlines = async (ports: DeadlinePorts, now: string) => {
  const result = {
    due: 0,
    markedOverdue: 0,
    proposed: { interview: 0, notification: 0 } as Record<string, number>,
  };
  const policies = new Map<string, Template['escalation'] | undefined>();
  for (const item of await ports.due(now)) {
    result.due++;
    if (!policies.has(item.campaignId)) policies.set(item.campaignId, await ports.policyOf(item.campaignId));
    const policy = policies.get(item.campaignId);
    if (!policy) continue;
    const { markOverdue, propose } = escalationsFor(item, policy, now);
    if (markOverdue && (await ports.markOverdue(item, now))) result.markedOverdue++;
    for (const type of propose) {
      const created = await ports.propose({
        campaignId: item.campaignId,
        type,
        inspectionId: item.inspectionId,
        rectificationId: item.id,
        reason: `rectification ${item.id} overdue since ${item.dueAt}`,
        regionCode: item.regionCode,
        at: now,
      });
      if (created) result.proposed[type] = (result.proposed[type] ?? 0) + 1;
    }
  }
  return result;
};
