import { z } from 'zod';
import type { Actor } from '#core/actor';
import type { ReEvaluationReport } from '#core/re-evaluation';
import type { RegistryService } from '#core/registry-service';
import { gradeTexts, type Language, say } from '#core/text';
import { defineOperation, json } from '../http/operation.ts';
import { allPages, labels, tableFile, tableFiles } from './report-files.ts';
import { schoolSchema } from './responses.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const actorOf = (actor: Actor | undefined): Actor => actor!;
const limit = z.coerce.number().int().min(1).max(200).default(50).describe('page size (1–200, default 50)');
const cursor = z.string().max(8000).optional().describe('the `cursor` of the previous page');

/** A re-evaluation file holds at most this many kindergartens (narrow the region for more). */
const maxFileRows = 20_000;

const grade = z.string().nullable().describe('excellent, good, pass or fail; null until graded');
const row = z.object({
  inspectionId: z.string(),
  targetId: z.string(),
  targetName: z.string(),
  countyCode: z.string(),
  countyName: z.string(),
  countyGrade: grade,
  countyInspectionId: z.string().nullable(),
  cityGrade: grade,
  differs: z.boolean().nullable().describe('null until both grades exist'),
});
const deviation = z.object({
  countyCode: z.string(),
  countyName: z.string(),
  sampled: z.number(),
  compared: z.number(),
  differing: z.number(),
  differingShare: z
    .number()
    .nullable()
    .describe('differing / compared in percent; null before any is compared'),
});
const reEvaluation = z.object({
  campaignId: z.string(),
  title: z.string(),
  basedOn: z.array(z.string()),
  region: z.string(),
  items: z.array(row),
  cursor: z.string().optional(),
  counties: z.array(deviation),
  totals: deviation.omit({ countyCode: true, countyName: true }),
});
const dueKindergarten = schoolSchema.extend({
  lastEvaluatedOn: z.string().nullable().describe('null: never evaluated (due)'),
  dueYear: z.number().nullable().describe('last evaluation year + 5; null: never evaluated'),
});

type Report = Awaited<ReturnType<ReEvaluationReport>>;
const gradeCell = (g: string | null, language: Language) => (g ? (gradeTexts[g]?.[language] ?? g) : '');
const rowsOf = (items: Report['items'], counties: Report['counties'], language: Language) => [
  labels(language, [
    say('幼儿园', 'kindergarten'),
    say('标识码', 'id'),
    say('区县', 'county'),
    say('县级等次', 'county grade'),
    say('市级等次', 'city grade'),
    say('是否不同', 'differs'),
  ]),
  ...items.map((i) => [
    i.targetName,
    i.targetId,
    `${i.countyName} ${i.countyCode}`,
    gradeCell(i.countyGrade, language),
    gradeCell(i.cityGrade, language),
    i.differs === null ? '' : (i.differs ? say('是', 'yes') : say('否', 'no'))[language],
  ]),
  [],
  labels(language, [
    say('区县', 'county'),
    say('抽取', 'sampled'),
    say('已复评', 'compared'),
    say('等次不同', 'differing'),
    say('不同比例%', 'differing share %'),
  ]),
  ...counties.map((c) => [
    `${c.countyName} ${c.countyCode}`,
    c.sampled,
    c.compared,
    c.differing,
    c.differingShare ?? '',
  ]),
];

/** The kindergarten cycle: the city's re-evaluation against its counties' grades, and who is due. */
export const kindergartenCycleOperations = (deps: {
  reEvaluation: ReEvaluationReport;
  registry: RegistryService;
}) => ({
  'GET /campaigns/{id}/re-evaluation': defineOperation({
    summary:
      'A re-evaluation (复评) against what it is based on: per sampled target the county’s grade next to the city’s, per county the share that differ (json, csv or xlsx)',
    tags: ['campaigns'],
    path: idPath,
    query: z.object({
      region: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}$/, 'a region code of 2, 4 or 6 digits')
        .optional(),
      format: z.enum(['json', 'csv', 'xlsx']).default('json'),
      cursor,
      limit,
    }),
    responses: {
      200: {
        description: 'A page of sampled targets with the per-county deviation, or the whole list as a file',
        schema: reEvaluation,
        files: tableFiles,
      },
    },
    // 404: no such campaign in your region, or no re-evaluation; 409: not launched (the sample is drawn at launch).
    problems: [400, 401, 403, 404, 409, 413],
    handle: async ({ actor, path, query, language }) => {
      const { format, ...q } = query;
      const region = q.region ? { region: q.region } : {};
      if (format === 'json') return json(200, await deps.reEvaluation(actorOf(actor), path.id, q));
      const { items, region: code } = await allPages(
        (page) => deps.reEvaluation(actorOf(actor), path.id, { ...region, ...page }),
        maxFileRows,
        say(
          `超过 ${maxFileRows} 所幼儿园：请缩小区域。`,
          `More than ${maxFileRows} kindergartens: narrow the region.`,
        ),
      );
      const { counties } = await deps.reEvaluation(actorOf(actor), path.id, { ...region, limit: 1 });
      return tableFile(
        format,
        `re-evaluation-${path.id}-${code}`,
        say('复评', 're-evaluation')[language],
        rowsOf(items, counties, language),
      );
    },
  }),

  'GET /kindergartens/due': defineOperation({
    summary:
      'Kindergartens of a region whose 5-year evaluation cycle falls due in a year: last evaluated five or more years before, or never',
    tags: ['registry'],
    query: z.object({
      region: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}(\d{3})?$/, 'a region code of 2, 4, 6 or 9 digits')
        .optional()
        .describe("default: the caller's scope"),
      year: z.coerce.number().int().min(2000).max(2099),
      cursor,
      limit,
    }),
    responses: {
      200: {
        description: 'A page of kindergartens due',
        schema: z.object({
          year: z.number(),
          cycleYears: z.number(),
          items: z.array(dueKindergarten),
          cursor: z.string().optional(),
        }),
      },
    },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) =>
      json(200, await deps.registry.dueKindergartens(actorOf(actor), query)),
  }),
});
