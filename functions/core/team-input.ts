import { z } from 'zod';
import { limits, uniqueBy } from './limits.ts';

/**
 * What the team commands take: one inspection's team (PUT /inspections/{id}/team)
 * and a campaign's teams in bulk (POST /campaigns/{id}/teams). Whether the
 * inspectors exist and lie in the office's region, and whether the indicators
 * belong to the template, is checked by the use case.
 */
export const inspectorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, '1–32 letters, digits, - or _');
const indicatorIds = z
  .array(z.string().min(1).max(41))
  .min(1)
  .max(limits.indicators)
  .superRefine(uniqueBy((id: string) => id, 'indicator'))
  .describe('the indicators this member records findings for (absent: any)');

export const memberSchema = z.object({
  inspectorId: inspectorIdSchema,
  indicatorIds: indicatorIds.optional(),
});

const teamShape = {
  lead: inspectorIdSchema.describe('the team lead (组长): reports, reviews, returns submissions'),
  members: z
    .array(memberSchema)
    .max(limits.teamMembers - 1)
    .default([])
    .superRefine(uniqueBy((m: { inspectorId: string }) => m.inspectorId, 'member'))
    .describe('the other members (成员); the lead is a member without being listed'),
};

export const teamInputSchema = z
  .object({
    version: z.number().int().positive().max(1_000_000).describe('the version you read (409 if it moved on)'),
    ...teamShape,
    reason: z.string().trim().max(limits.shortText).optional().describe('why the team changes (audited)'),
  })
  .strict()
  .refine((t) => !t.members.some((m) => m.inspectorId === t.lead), {
    path: ['members'],
    params: { zh: '组长不再重复列为成员' },
    message: 'the lead is not listed again among the members',
  });
export type TeamInput = z.infer<typeof teamInputSchema>;

export const assignmentSchema = z
  .object({
    schoolId: z
      .string()
      .regex(/^\d{10}$|^\d{6}(\d{3})?$/, 'a 10-digit school, 6-digit county or 9-digit town code')
      .describe('the target: a school, or the county or town of a 督政 inspection'),
    ...teamShape,
  })
  .strict();
export type Assignment = z.infer<typeof assignmentSchema>;

/** How a rule picks teams for the inspections that have none. */
export const teamRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('zone') })
    .strict()
    .describe("the school's zone's responsible inspector leads alone"),
  z
    .object({
      kind: z.literal('county'),
      size: z.number().int().min(1).max(limits.teamMembers).default(1),
      inspectorKinds: z
        .array(z.enum(['responsible', 'full_time', 'expert']))
        .min(1)
        .max(3)
        .default(['responsible', 'full_time']),
    })
    .strict()
    .describe("the least loaded inspectors of the school's county, lead first"),
]);
export type TeamRule = z.infer<typeof teamRuleSchema>;

export const bulkTeamsSchema = z.union([
  z
    .object({
      rule: teamRuleSchema,
      region: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}$/)
        .optional()
        .describe('only inspections of this region (default: all of the campaign under you)'),
      cursor: z.string().max(2000).optional().describe('where the previous call stopped'),
    })
    .strict(),
  z
    .object({
      assignments: z
        .array(assignmentSchema)
        .min(1)
        .max(limits.assignmentsPerRequest)
        .superRefine(uniqueBy((a: { schoolId: string }) => a.schoolId, 'school')),
    })
    .strict(),
  z
    .object({
      file: z
        .object({
          name: z
            .string()
            .min(1)
            .max(200)
            .regex(/\.([cC][sS][vV]|[xX][lL][sS][xX])$/, 'a .csv or .xlsx file'), // no /i: JSON Schema patterns have no flags
          contentBase64: z
            .string()
            .max(900_000)
            .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
            .describe('the file, base64 (at most about 640 KB)'),
        })
        .strict(),
    })
    .strict(),
]);
export type BulkTeams = z.infer<typeof bulkTeamsSchema>;

export const returnSchema = z
  .object({
    version: z.number().int().positive().max(1_000_000),
    reason: z.string().trim().min(1).max(limits.statement).describe('what to correct (退回理由)'),
  })
  .strict();
