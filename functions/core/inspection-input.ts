import { z } from 'zod';
import { limits, regionCodeSchema, ulidSchema, uniqueBy, withinBytes } from './limits.ts';
import { inspectionMethods } from './template.ts';

/**
 * What the inspection commands take. Every string and list is bounded (see
 * limits.ts); indicator ids are unique within a submission (whether they
 * exist in the template, and whether named evidence exists on the
 * inspection, is checked by the use case).
 */
export const severities = ['minor', 'major', 'critical'] as const;
export const actionTypes = ['incentive', 'interview', 'notification', 'accountability'] as const;
export type ActionType = (typeof actionTypes)[number];

const version = z
  .number()
  .int()
  .positive()
  .max(1_000_000)
  .describe('the version you read (409 if it moved on)');
const indicatorId = z.string().min(1).max(41);
const evidenceIds = z
  .array(ulidSchema)
  .max(limits.evidencePerEntry)
  .default([])
  .superRefine(uniqueBy((id: string) => id, 'evidence'))
  .describe('evidence files of this inspection (POST /inspections/{id}/evidence)');
const text = (max: number) => z.string().trim().max(max);
const inspectionRef = z.string().min(1).max(120);

/** A score indicator's 0–100 score (required for those; see verdicts.ts valueErrors). */
const score = z.number().min(0).max(100).optional().describe('a score indicator: 0–100');
/** A number, boolean or text indicator's value; absent: not assessed. Its kind is checked against the template. */
const value = z
  .union([z.number().min(-1e12).max(1e12), z.boolean(), text(limits.statement)])
  .optional()
  .describe(
    'a number (in the indicator’s unit), true/false (达标/未达标) or a text, by the indicator’s kind',
  );
/** Reference figures beside a number, by the reference id its ratio rule names (e.g. civil servants’ pay). */
const references = z
  .record(
    z
      .string()
      .max(41)
      .regex(/^[a-z0-9][a-z0-9-]{0,40}$/),
    z.number().positive().max(1e12),
  )
  .optional()
  .refine((r) => r === undefined || Object.keys(r).length <= 5, 'at most 5 references')
  .describe('the reference figure(s) a ratio rule compares with, with their sources among the evidence');

export const selfAssessmentSchema = z
  .object({
    version,
    indicators: z
      .array(
        z.object({
          indicatorId,
          score,
          value,
          references,
          statement: text(limits.statement).min(1),
          evidenceIds,
        }),
      )
      .min(1)
      .max(limits.indicators)
      .superRefine(uniqueBy((i: { indicatorId: string }) => i.indicatorId, 'indicator')),
  })
  .strict()
  .superRefine(withinBytes(limits.submissionBytes, 'the self-assessment'))
  .describe(
    `at most ${limits.submissionBytes / 1024} KB as JSON; each indicator of the template at most once`,
  );

const problem = z.object({
  description: text(limits.problem).min(1),
  severity: z.enum(severities),
  /** Rectification deadline; default: the end of the template's rectification phase. */
  dueAt: z.iso.datetime().optional(),
  /**
   * 督政 only: the school of the inspected town or county where the problem
   * was found. That school gets the rectification item and works it (plan,
   * completion with evidence); the team reviews it in this inspection.
   */
  schoolId: z
    .string()
    .regex(/^\d{10}$/, 'a 10-digit school code')
    .optional()
    .describe('a school of the inspected county (督政 inspections only): it rectifies this problem'),
});

export const findingsSchema = z
  .object({
    version,
    visit: z.object({
      date: z.iso.date(),
      durationMinutes: z
        .number()
        .int()
        .positive()
        .max(24 * 60),
    }),
    indicators: z
      .array(
        z.object({
          indicatorId,
          method: z.enum(inspectionMethods),
          score,
          value,
          references,
          comment: text(limits.statement).default(''),
          problems: z.array(problem).max(limits.problemsPerIndicator).default([]),
          evidenceIds,
        }),
      )
      .min(1)
      .max(limits.indicators)
      .superRefine(uniqueBy((i: { indicatorId: string }) => i.indicatorId, 'indicator'))
      .refine(
        (list) => list.reduce((n, i) => n + i.problems.length, 0) <= limits.problemsPerReport,
        `at most ${limits.problemsPerReport} problems in all (each becomes a rectification)`,
      ),
  })
  .strict()
  .superRefine(withinBytes(limits.submissionBytes, 'the findings'))
  .describe(
    `at most ${limits.submissionBytes / 1024} KB as JSON; each indicator at most once; at most ${limits.problemsPerReport} problems in all`,
  );

export const rectificationUpdateSchema = z
  .object({
    version,
    plan: text(limits.statement).min(1).optional(),
    completion: z.object({ statement: text(limits.statement).min(1), evidenceIds }).optional(),
  })
  .strict()
  .refine((b) => b.plan !== undefined || b.completion !== undefined, 'give a plan, a completion, or both');

export const reviewSchema = z
  .object({
    version,
    result: z.enum(['pass', 'fail']),
    comment: text(limits.statement).default(''),
  })
  .strict();

const schoolId = z.string().regex(/^\d{10}$/, 'a 10-digit school code');

export const actionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('incentive'),
      inspectionIds: z
        .array(inspectionRef)
        .max(limits.actionTargets)
        .default([])
        .superRefine(uniqueBy((id: string) => id, 'inspection')),
      text: text(limits.longText),
    })
    .strict(),
  z
    .object({
      type: z.literal('interview'),
      inspectionId: inspectionRef.optional(),
      date: z.iso.date(),
      leaderSummoned: text(limits.shortText).min(1),
      /**
       * 约谈 of a government: the leader interviewed (name and title, e.g.
       * 分管副镇长). Required when the inspection named is a town's or a
       * county's; given only with the inspection it concerns.
       */
      leader: z
        .object({
          name: text(limits.shortText).min(1),
          title: text(limits.shortText).min(1),
        })
        .strict()
        .optional()
        .describe(
          "the government leader interviewed (约谈), with inspectionId: that government's inspection",
        ),
      attendees: z.array(text(limits.shortText).min(1)).min(1).max(50),
      minutes: text(limits.longText).min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('notification'),
      inspectionId: inspectionRef.optional(),
      visibility: z.enum(['internal', 'public']),
      schoolIds: z
        .array(schoolId)
        .max(limits.actionTargets)
        .default([])
        .superRefine(uniqueBy((id: string) => id, 'school')),
      regionCodes: z
        .array(regionCodeSchema({ towns: true }))
        .max(100)
        .default([])
        .superRefine(uniqueBy((code: string) => code, 'region')),
      text: text(limits.longText).min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('accountability'),
      /** Required: given in the body, or by the path of POST /inspections/{id}/actions. */
      inspectionId: inspectionRef.optional(),
      decisionReference: text(limits.shortText).min(1),
      text: text(limits.longText).default(''),
    })
    .strict(),
]);
export type ActionInput = z.infer<typeof actionSchema>;
