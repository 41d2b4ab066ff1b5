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

export const indicatorSchema = z.object({
  id: z
    .string()
    .max(41)
    .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and -'),
  title: localized,
  weight: z.number().positive().max(100),
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
  registryFact: z
    .enum(registryFacts)
    .optional()
    .describe('a fact of the school registry this indicator asks for: filled from the registry, never asked'),
});

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
       * `school`: one inspection per school; `county`: one per county (督政, quantitative);
       * `group`: one per school group (集团/联盟), answered by its lead school.
       */
      unit: z.enum(['school', 'county', 'group']),
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
    message: 'indicator weights must add up to 100',
  })
  .refine((t) => new Set(t.indicators.map((i) => i.id)).size === t.indicators.length, {
    path: ['indicators'],
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
