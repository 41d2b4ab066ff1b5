import { z } from 'zod';
import type { Actor } from '#core/actor';
import { inspectionStatuses, statusLabels } from '#core/inspection';
import type { InspectionRow, OfficeViews } from '#core/office-views';
import type { PanelService } from '#core/panel-service';
import { replacementReasonSchema } from '#core/panels';
import { bulkTeamsSchema, teamInputSchema } from '#core/team-input';
import type { TeamService } from '#core/team-service';
import { grades, inspectionPhases } from '#core/template';
import { gradeTexts, type Language, say, type Text } from '#core/text';
import { verdictLabels } from '#core/verdicts';
import { defineOperation, json } from '../http/operation.ts';
import { allPages, labels, tableFile, tableFiles } from './report-files.ts';
import {
  drawSchema,
  drawsSchema,
  officeInspectionsSchema,
  replacedSchema,
  teamSetSchema,
  teamsSetSchema,
  workloadSchema,
} from './responses.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const actorOf = (actor: Actor | undefined): Actor => actor!;
const regionQuery = z
  .string()
  .regex(/^\d{2}(\d{2}){0,2}$|^\d{9}$/, 'a region code of 2, 4, 6 or 9 digits')
  .optional();

/** A spreadsheet holds at most this many rows of the list (narrow the region for more). */
const maxFileRows = 20_000;

const phaseLabels: Record<(typeof inspectionPhases)[number], Text> = {
  self_assessment: say('自查', 'self-assessment'),
  on_site: say('实地督导', 'on-site inspection'),
  report: say('报告', 'report'),
  reinspection: say('复查', 'reinspection'),
};

const rowsOf = (items: InspectionRow[], language: Language) => [
  labels(language, [
    say('学校/对象', 'target'),
    say('标识码', 'id'),
    say('区县', 'county'),
    say('乡镇', 'town'),
    say('状态', 'status'),
    say('组长', 'lead'),
    say('成员', 'members'),
    say('截止', 'due'),
    say('逾期', 'overdue'),
    say('曾逾期', 'late'),
    say('等次', 'grade'),
    say('得分', 'score'),
    say('达标情况', 'verdicts'),
  ]),
  ...items.map((i) => {
    const list = language === 'zh' ? '、' : ', ';
    return [
      i.targetName,
      i.targetId,
      i.regionCode,
      i.townCode ?? '',
      statusLabels[i.status][language],
      i.lead ?? '',
      i.members.filter((m) => m !== i.lead).join(list),
      i.dueAt ?? '',
      i.overdue.map((p) => phaseLabels[p][language]).join(list),
      Object.keys(i.late)
        .map((p) => phaseLabels[p as keyof typeof phaseLabels]?.[language] ?? p)
        .join(list),
      i.grade ? (gradeTexts[i.grade]?.[language] ?? i.grade) : '',
      i.score ?? '',
      Object.entries(i.verdicts)
        .map(([indicator, v]) => `${indicator} ${verdictLabels[v][language]}`)
        .join(language === 'zh' ? '；' : '; '),
    ];
  }),
];

export const teamOperations = (deps: { teams: TeamService; views: OfficeViews; panels: PanelService }) => ({
  'POST /campaigns/{id}/panels': defineOperation({
    summary:
      'Draw expert panels (评估专家组) for the inspections without a team, reproducibly from the campaign’s seed; each draw recorded and audited',
    tags: ['teams'],
    path: idPath,
    body: z
      .object({
        region: z
          .string()
          .regex(/^\d{2}(\d{2}){0,2}$/)
          .optional()
          .describe('only inspections of this region (default: the campaign under you)'),
        cursor: z.string().max(8000).optional().describe('where the previous draw stopped (500 a call)'),
      })
      .strict(),
    responses: {
      201: {
        description: 'The draw: seed, method, panels set, inspections left unfilled and why',
        schema: drawSchema,
      },
    },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) => json(201, await deps.panels.draw(actorOf(actor), path.id, body)),
  }),

  'GET /campaigns/{id}/panels': defineOperation({
    summary: 'The campaign’s panel draws, each with its seed, method and an audited link to its full record',
    tags: ['teams'],
    path: idPath,
    responses: { 200: { description: 'The draws', schema: drawsSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, requestId }) =>
      json(200, await deps.panels.draws(actorOf(actor), path.id, requestId)),
  }),

  'POST /inspections/{id}/team/replacements': defineOperation({
    summary:
      'Replace one member of a drawn panel (declined, sick…) by the rules of the draw, with the reason',
    tags: ['teams'],
    path: idPath,
    body: z
      .object({
        version: z.number().int().positive().max(1_000_000),
        memberId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
        reason: replacementReasonSchema,
      })
      .strict(),
    responses: {
      200: { description: 'The inspection with its new team, and who replaced whom', schema: replacedSchema },
    },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.panels.replace(actorOf(actor), path.id, body)),
  }),

  'PUT /inspections/{id}/team': defineOperation({
    summary:
      'Set the inspection team (督导组): a lead (组长) and members, each with the indicators given to them',
    tags: ['teams'],
    path: idPath,
    body: teamInputSchema,
    responses: { 200: { description: 'The inspection, with its team', schema: teamSetSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.teams.setTeam(actorOf(actor), path.id, body)),
  }),

  'POST /campaigns/{id}/teams': defineOperation({
    summary:
      'Set many teams at once: a list of assignments, an uploaded CSV/XLSX (one row per member), or a rule (zone, county)',
    tags: ['teams'],
    path: idPath,
    body: bulkTeamsSchema,
    responses: {
      200: {
        description: 'How many teams were set, left as they were, or could not be filled',
        schema: teamsSetSchema,
      },
    },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.teams.setTeams(actorOf(actor), path.id, body)),
  }),

  'GET /campaigns/{id}/inspections': defineOperation({
    summary:
      'The office’s list: the campaign’s inspections in a region (any level) by earliest owed deadline, with status, team, overdue and grade (json, csv or xlsx)',
    tags: ['campaigns'],
    path: idPath,
    query: z.object({
      region: regionQuery,
      status: z.enum(inspectionStatuses).optional(),
      overdue: z
        .enum(['now', 'any', ...inspectionPhases])
        .optional()
        .describe('now: overdue now; any: ever late; a phase: late in that phase'),
      assignee: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/)
        .optional()
        .describe('an inspector id: their inspections'),
      grade: z.enum(grades).optional(),
      format: z.enum(['json', 'csv', 'xlsx']).default('json'),
      cursor: z.string().max(8000).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: {
      200: {
        description: 'A page of inspections, or the whole list as a file',
        schema: officeInspectionsSchema,
        files: tableFiles,
      },
    },
    problems: [400, 401, 403, 404, 413],
    handle: async ({ actor, path, query, language }) => {
      const { format, ...q } = query;
      if (format === 'json')
        return json(200, await deps.views.campaignInspections(actorOf(actor), path.id, q));
      const { items, region } = await allPages(
        (page) => deps.views.campaignInspections(actorOf(actor), path.id, { ...q, ...page }),
        maxFileRows,
        say(
          `督导对象超过 ${maxFileRows} 个：请缩小区划或筛选条件。`,
          `More than ${maxFileRows} inspections: narrow the region or the filters.`,
        ),
      );
      const sheet = language === 'zh' ? '督导对象' : 'inspections';
      return tableFile(format, `inspections-${path.id}-${region}`, sheet, rowsOf(items, language));
    },
  }),

  'GET /inspectors/{id}/workload': defineOperation({
    summary:
      'An inspector’s workload: per campaign assigned, visits, open and late; per month visits done against schools assigned (履职)',
    tags: ['teams'],
    path: idPath,
    query: z.object({
      cursor: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'The workload', schema: workloadSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, query }) =>
      json(200, await deps.views.workload(actorOf(actor), path.id, query)),
  }),
});
