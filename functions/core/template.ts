import { z } from 'zod';
import { limits, uniqueBy, withinBytes } from './limits.ts';
import { teamSchema } from './panels.ts';
import { schoolKinds } from './registry.ts';

/**
 * A supervision template (督导项目模板): indicators with weights, methods and
 * required evidence; phases with default durations; grading thresholds; which
 * schools it targets; an optional sample. Versioned: a campaign pins the
 * version it was created from.
 */
export const inspectionMethods = [
  'campus_patrol', // 校园巡查
  'lesson_observation', // 推门听课
  'document_review', // 查阅资料
  'questionnaire', // 问卷调查
  'interview', // 走访座谈
  'self_assessment', // 自查自评
  'data_review', // 数据核查
] as const;

/** In order: each phase's deadline follows the previous one's (see phaseDeadlines). */
export const phases = ['self_assessment', 'on_site', 'report', 'rectification', 'reinspection'] as const;
export type Phase = (typeof phases)[number];
/** Phases whose deadline concerns the inspection as a whole (rectifications have one per item). */
export const inspectionPhases = ['self_assessment', 'on_site', 'report', 'reinspection'] as const;
export type InspectionPhase = (typeof inspectionPhases)[number];

/** What a template's inspections are of (see templateSchema.target.unit). */
export const targetUnits = ['school', 'town', 'county', 'group'] as const;
export type TargetUnit = (typeof targetUnits)[number];
/** Units whose party is a government (督政). */
export const governmentUnits: readonly TargetUnit[] = ['town', 'county'];

export const grades = ['excellent', 'good', 'pass', 'fail'] as const;

/** Registry facts a template indicator may ask for (see indicatorSchema.registryFact). */
export const registryFacts = ['students', 'teachers', 'principal'] as const;
export type RegistryFact = (typeof registryFacts)[number];
export type Grade = (typeof grades)[number];

const localized = z.object({ zh: z.string().min(1).max(200), en: z.string().min(1).max(200) });
const templateId = z
  .string()
  .max(61)
  .regex(/^[a-z0-9][a-z0-9-]{1,60}$/, 'lower-case letters, digits and -');

/** What an indicator records (see verdicts.ts): a 0–100 score, a figure against a rule, 达标/未达标, or a text. */
export const indicatorKinds = ['score', 'number', 'boolean', 'text'] as const;
export type IndicatorKind = (typeof indicatorKinds)[number];

const indicatorIdSchema = z
  .string()
  .max(41)
  .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and -');

/**
 * A reference figure a ratio rule compares with (e.g. local civil servants'
 * average annual pay): a value per region, entered beside the indicator's
 * figure with its source as evidence (see inspection-input.ts `references`).
 */
export const referenceSchema = z
  .object({ id: indicatorIdSchema, title: localized })
  .strict()
  .describe('the reference figure a ratio rule compares with, entered beside the figure');

/** The rule a number indicator's figure must meet: a bound, or a ratio to a reference figure. */
export const numberRuleSchema = z.union([
  z
    .object({ op: z.enum(['gte', 'lte']), value: z.number().min(-1e12).max(1e12) })
    .strict()
    .describe('gte: figure ≥ value; lte: figure ≤ value'),
  z
    .object({
      op: z.enum(['ratioGte', 'ratioLte']),
      ratio: z.number().positive().max(1000),
      reference: referenceSchema,
    })
    .strict()
    .describe('ratioGte: figure ≥ ratio × reference; ratioLte: figure ≤ ratio × reference'),
]);
export type NumberRule = z.infer<typeof numberRuleSchema>;

export const indicatorSchema = z
  .object({
    id: indicatorIdSchema,
    title: localized,
    /** 0 only for `text` indicators, which are recorded but not graded. */
    weight: z.number().min(0).max(100),
    /** `score` (the default): a 0–100 score; `number`, `boolean`, `text`: a value with a computed verdict. */
    kind: z.enum(indicatorKinds).default('score'),
    /** A number indicator's unit (元, %, 人…). */
    unit: z.string().min(1).max(20).optional(),
    /** A number indicator's rule. */
    rule: numberRuleSchema.optional(),
    methods: z
      .array(z.enum(inspectionMethods))
      .min(1)
      .max(inspectionMethods.length)
      .superRefine(uniqueBy((m: string) => m, 'method')),
    evidence: z
      .array(z.string().min(1).max(200))
      .max(10)
      .default([])
      .describe('what evidence the indicator asks for'),
    /**
     * The indicator asks for a fact the registry holds (减负: never asked again):
     * the pre-filled self-assessment fills it from the school's record, and it
     * does not count as a field the school filled.
     */
    /**
     * A key indicator (关键指标): without its verdict the inspection gets no
     * grade, however the others went (a county cannot pass the salary check
     * on its paperwork while its pay figure is missing).
     */
    required: z
      .boolean()
      .default(false)
      .describe('a key indicator: not assessed means the inspection is not graded'),
    registryFact: z
      .enum(registryFacts)
      .optional()
      .describe(
        'a fact of the school registry this indicator asks for: filled from the registry, never asked',
      ),
  })
  .superRefine((i, ctx) => {
    if (i.kind === 'number' && (!i.unit || !i.rule))
      ctx.addIssue({ code: 'custom', path: ['rule'], message: 'a number indicator has a unit and a rule' });
    if (i.kind !== 'number' && (i.unit !== undefined || i.rule !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['rule'],
        message: 'only number indicators have a unit and a rule',
      });
    if (i.kind === 'text' && i.weight !== 0)
      ctx.addIssue({ code: 'custom', path: ['weight'], message: 'a text indicator is not graded: weight 0' });
    if (i.kind !== 'text' && i.weight <= 0)
      ctx.addIssue({ code: 'custom', path: ['weight'], message: 'must be greater than 0' });
  })
  .describe('kind score (default), number (unit + rule), boolean (达标/未达标) or text (weight 0)');
export type Indicator = z.infer<typeof indicatorSchema>;

export const templateSchema = z
  .object({
    id: templateId,
    version: z.number().int().positive().max(10_000),
    /** The template this one was derived from (an office's variant of a built-in, say). */
    basedOn: z.object({ id: templateId, version: z.number().int().positive().max(10_000) }).optional(),
    title: localized,
    description: z.string().max(2000).default(''),
    indicators: z.array(indicatorSchema).min(1).max(limits.indicators),
    phases: z
      .array(z.object({ phase: z.enum(phases), days: z.number().int().positive().max(365) }))
      .min(1)
      .max(phases.length)
      .refine((list) => new Set(list.map((p) => p.phase)).size === list.length, 'each phase at most once'),
    /** Minimum weighted score (0–100) of each grade; below `pass` is `fail`. */
    grading: z
      .object({
        excellent: z.number().min(0).max(100),
        good: z.number().min(0).max(100),
        pass: z.number().min(0).max(100),
      })
      .refine(
        (g) => g.excellent > g.good && g.good > g.pass,
        'thresholds must fall: excellent > good > pass',
      ),
    target: z.object({
      /**
       * `school`: one inspection per school; `town` / `county`: one per town or
       * county of the region tree under the campaign's scope (督政: the
       * government of that region answers for it); `group`: one per school
       * group (集团/联盟).
       */
      unit: z.enum(targetUnits),
      /**
       * 督政 templates only: whether the supervised government (the party of a
       * town or county inspection) may also read the inspections of the
       * schools in its region in campaigns of this template (read only: it
       * never acts on them). Default false: a government sees only its own.
       */
      partyReadsSchoolInspections: z.boolean().default(false),
      schoolKinds: z.array(z.enum(schoolKinds)).min(1).max(schoolKinds.length),
      /** Only schools whose principal's current 5-year term ends in the campaign's year or before its window ends (see `termDue`). */
      principalTermEndsInCampaignYear: z.boolean().default(false),
      /** Only city-direct schools (市直学校: the city's pseudo-county `<city>00`, see regions.ts). */
      cityDirectOnly: z.boolean().default(false),
    }),
    /**
     * Targets are evaluated in a cycle of this many years (幼儿园办园行为督导评估: 5):
     * each report of the template records the school's last evaluation date.
     */
    cycleYears: z.number().int().min(1).max(10).optional(),
    sampling: z
      .object({ percent: z.number().positive().max(100), stratifyBy: z.literal('county') })
      .optional(),
    recurrence: z.enum(['monthly', 'semiannual']).optional(),
    /** Who inspects (see panels.ts); `zone`, the default, is the zone's responsible inspector. */
    team: teamSchema.default({ mode: 'zone' }),
    /** When an open rectification escalates (the sweeper applies it). */
    escalation: z
      .object({
        interviewAfterOverdueHours: z
          .number()
          .min(0)
          .max(365 * 24)
          .default(7 * 24),
        notifyAfterOverdueHours: z
          .number()
          .min(0)
          .max(365 * 24)
          .default(30 * 24),
        notifyAfterFailedReviews: z.number().int().min(1).max(10).default(2),
        /**
         * The other phases' escalation: after how many hours overdue a late
         * self-assessment, visit, report or re-inspection proposes an interview
         * or a notification. A phase not named here is only marked overdue.
         * (Rectification items escalate by the fields above.)
         */
        phases: z
          .partialRecord(
            z.enum(inspectionPhases),
            z
              .object({
                interviewAfterOverdueHours: z
                  .number()
                  .min(0)
                  .max(365 * 24)
                  .optional(),
                notifyAfterOverdueHours: z
                  .number()
                  .min(0)
                  .max(365 * 24)
                  .optional(),
              })
              .strict(),
          )
          .default({}),
      })
      .default({
        interviewAfterOverdueHours: 7 * 24,
        notifyAfterOverdueHours: 30 * 24,
        notifyAfterFailedReviews: 2,
        phases: {},
      }),
  })
  .refine((t) => Math.abs(t.indicators.reduce((sum, i) => sum + i.weight, 0) - 100) < 1e-9, {
    path: ['indicators'],
    params: { zh: '指标权重之和须为 100' },
    message: 'indicator weights must add up to 100',
  })
  .refine((t) => new Set(t.indicators.map((i) => i.id)).size === t.indicators.length, {
    path: ['indicators'],
    params: { zh: '指标编号不得重复' },
    message: 'indicator ids must be unique',
  })
  .superRefine(withinBytes(limits.templateBytes, 'the template'))
  .describe(`at most ${limits.templateBytes / 1024} KB as JSON; weights add up to 100`);
export type Template = z.infer<typeof templateSchema>;
export type TemplateInput = z.input<typeof templateSchema>;

/** The grade of a weighted score (0–100). */
export const gradeOf = (template: Pick<Template, 'grading'>, score: number): Grade =>
  score >= template.grading.excellent
    ? 'excellent'
    : score >= template.grading.good
      ? 'good'
      : score >= template.grading.pass
        ? 'pass'
        : 'fail';
