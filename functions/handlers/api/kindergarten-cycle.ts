import { z } from 'zod';
import type { Actor } from '#core/actor';
import type { ReEvaluationReport } from '#core/re-evaluation';
import { ownerships, schoolKinds } from '#core/registry';
import type { RegistryService } from '#core/registry-service';
import { defineOperation, json } from '../http/operation.ts';
import { allPages, tableFile } from './report-files.ts';

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
const dueKindergarten = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(schoolKinds),
  ownership: z.enum(ownerships),
  regionCode: z.string(),
  townCode: z.string(),
  lastEvaluatedOn: z.string().nullable().describe('null: never evaluated (due)'),
  dueYear: z.number().nullable().describe('last evaluation year + 5; null: never evaluated'),
});

type Report = Awaited<ReturnType<ReEvaluationReport>>;
const labels: Record<string, string> = { excellent: '优秀', good: '良好', pass: '合格', fail: '不合格' };
const gradeCell = (g: string | null) => (g ? `${labels[g] ?? g} ${g}` : '');
const rowsOf = (items: Report['items'], counties: Report['counties']) => [
  [
    '幼儿园 kindergarten',
    '标识码 id',
    '区县 county',
    '县级等次 county grade',
    '市级等次 city grade',
    '是否不同 differs',
  ],
  ...items.map((i) => [
    i.targetName,
    i.targetId,
    `${i.countyName} ${i.countyCode}`,
    gradeCell(i.countyGrade),
    gradeCell(i.cityGrade),
    i.differs === null ? '' : i.differs ? '是 yes' : '否 no',
  ]),
  [],
  ['区县 county', '抽取 sampled', '已复评 compared', '等次不同 differing', '不同比例% share'],
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
      },
      404: { description: 'No such campaign in your region, or it is not a re-evaluation' },
      409: { description: 'Not launched yet: the sample is drawn at launch' },
    },
    handle: async ({ actor, path, query }) => {
      const { format, ...q } = query;
      const region = q.region ? { region: q.region } : {};
      if (format === 'json') return json(200, await deps.reEvaluation(actorOf(actor), path.id, q));
      const { items, region: code } = await allPages(
        (page) => deps.reEvaluation(actorOf(actor), path.id, { ...region, ...page }),
        maxFileRows,
        `More than ${maxFileRows} kindergartens: narrow the region.`,
      );
      const { counties } = await deps.reEvaluation(actorOf(actor), path.id, { ...region, limit: 1 });
      return tableFile(
        format,
        `re-evaluation-${path.id}-${code}`,
        '复评 re-evaluation',
        rowsOf(items, counties),
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
    handle: async ({ actor, query }) =>
      json(200, await deps.registry.dueKindergartens(actorOf(actor), query)),
  }),
});
