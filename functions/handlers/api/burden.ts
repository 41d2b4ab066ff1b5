import { z } from 'zod';
import type { Actor } from '#core/actor';
import { type BurdenViews, reuseRate } from '#core/burden';
import type { SelfAssessmentPrefill } from '#core/self-assessment-prefill';
import { type Language, say } from '#core/text';
import { defineOperation, json } from '../http/operation.ts';
import { allPages, labels, tableFile, tableFiles } from './report-files.ts';
import { campaignBurdenSchema, prefillSchema, schoolBurdenSchema } from './responses.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const schoolPath = z.object({ id: z.string().regex(/^\d{10}$/, 'a 10-digit school code') });
const actorOf = (actor: Actor | undefined): Actor => actor!;

/** A burden file holds at most this many schools (narrow the region for more). */
const maxFileRows = 20_000;

type BurdenRow = Awaited<ReturnType<BurdenViews['campaign']>>['items'][number];
const rowsOf = (items: readonly BurdenRow[], language: Language) => {
  const total = items.reduce(
    (t, i) => ({
      fields: t.fields + i.fields,
      uploaded: t.uploaded + i.uploaded,
      reused: t.reused + i.reused,
    }),
    { fields: 0, uploaded: 0, reused: 0 },
  );
  return [
    labels(language, [
      say('学校', 'school'),
      say('标识码', 'id'),
      say('区县', 'county'),
      say('乡镇', 'town'),
      say('填报项', 'fields filled'),
      say('上传文件', 'files uploaded'),
      say('复用文件', 'files reused'),
      say('复用率%', 'reuse %'),
    ]),
    ...items.map((i) => [
      i.schoolName ?? '',
      i.schoolId,
      i.regionCode,
      i.townCode ?? '',
      i.fields,
      i.uploaded,
      i.reused,
      reuseRate(i) ?? '',
    ]),
    [
      language === 'zh' ? '合计' : 'total',
      '',
      '',
      '',
      total.fields,
      total.uploaded,
      total.reused,
      reuseRate(total) ?? '',
    ],
  ];
};

/** Collect once (减负): the pre-filled self-assessment and what supervision asked of schools. */
export const burdenOperations = (deps: { burden: BurdenViews; prefill: SelfAssessmentPrefill }) => ({
  'GET /inspections/{id}/self-assessment/prefill': defineOperation({
    summary:
      'A draft self-assessment from the school’s last one of the same template, its files to link (not upload again) and the registry facts it is never asked for',
    tags: ['inspections'],
    path: idPath,
    responses: {
      200: {
        description: 'The draft body, the files to announce as links, the registry facts',
        schema: prefillSchema,
      },
    },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.prefill(actorOf(actor), path.id)),
  }),

  'GET /campaigns/{id}/burden': defineOperation({
    summary:
      'What the campaign asked of each school (减负): fields filled, files uploaded, files reused; per school in a region and in total (json, csv or xlsx)',
    tags: ['campaigns'],
    path: idPath,
    query: z.object({
      region: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}$|^\d{9}$/, 'a region code of 2, 4, 6 or 9 digits')
        .optional(),
      format: z.enum(['json', 'csv', 'xlsx']).default('json'),
      cursor: z.string().max(8000).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: {
      200: {
        description: 'A page of schools with the totals, or the whole list as a file',
        schema: campaignBurdenSchema,
        files: tableFiles,
      },
    },
    problems: [400, 401, 403, 404, 413],
    handle: async ({ actor, path, query, language }) => {
      const { format, ...q } = query;
      if (format === 'json') return json(200, await deps.burden.campaign(actorOf(actor), path.id, q));
      const { items, region } = await allPages(
        (page) =>
          deps.burden.campaign(actorOf(actor), path.id, {
            ...(q.region ? { region: q.region } : {}),
            ...page,
          }),
        maxFileRows,
        say(
          `学校超过 ${maxFileRows} 所：请缩小区划。`,
          `More than ${maxFileRows} schools: narrow the region.`,
        ),
      );
      const sheet = language === 'zh' ? '学校负担' : 'burden';
      return tableFile(format, `burden-${path.id}-${region}`, sheet, rowsOf(items, language));
    },
  }),

  'GET /schools/{id}/burden': defineOperation({
    summary:
      'What every campaign asked of one school (减负): fields filled, files uploaded, files reused per campaign and in total',
    tags: ['registry'],
    path: schoolPath,
    responses: { 200: { description: 'The school’s burden across campaigns', schema: schoolBurdenSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.burden.school(actorOf(actor), path.id)),
  }),
});
