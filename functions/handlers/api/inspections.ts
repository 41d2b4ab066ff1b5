import { z } from 'zod';
import type { Actor } from '#core/actor';
import type { CampaignService } from '#core/campaign-service';
import { inspectionStatuses } from '#core/inspection';
import {
  actionSchema,
  findingsSchema,
  rectificationUpdateSchema,
  reviewSchema,
  selfAssessmentSchema,
} from '#core/inspection-input';
import type { InspectionService } from '#core/inspection-service';
import { returnSchema } from '#core/team-input';
import { defineOperation, json } from '../http/operation.ts';
import { reportCsv, reportXlsx, tableFiles } from './report-files.ts';
import {
  actionRecordSchema,
  historySchema,
  inspectionAfterSchema,
  inspectionPageSchema,
  inspectionSchema,
  proposalsSchema,
  reportSchema,
  submissionsSchema,
} from './responses.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const itemPath = z.object({ id: z.string().min(1).max(80), rid: z.string().min(1).max(80) });
const versionBody = z.object({ version: z.number().int().positive() }).strict();
const actorOf = (actor: Actor | undefined): Actor => actor!;

export const inspectionOperations = (deps: {
  inspections: InspectionService;
  campaigns: CampaignService;
}) => ({
  'GET /inspections': defineOperation({
    summary:
      'An inspector’s work list (assignee=me), a school’s inspections (schoolId=), or those of a target (targetId=: a school id, or a town or county code); a school or government alone: its own',
    tags: ['inspections'],
    query: z.object({
      assignee: z.literal('me').optional(),
      schoolId: z.string().min(1).max(20).optional(),
      targetId: z
        .string()
        .regex(/^\d{6,10}$/, 'a school id or a town or county code')
        .optional(),
      campaignId: z.string().min(1).max(80).optional(),
      status: z.enum(inspectionStatuses).optional(),
      cursor: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'A page of inspections', schema: inspectionPageSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.inspections.list(actorOf(actor), query)),
  }),

  'GET /inspections/{id}': defineOperation({
    summary: 'One inspection: its record, rectifications and timeline of events',
    tags: ['inspections'],
    path: idPath,
    responses: { 200: { description: 'The inspection', schema: inspectionSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.inspections.get(actorOf(actor), path.id)),
  }),

  'PUT /inspections/{id}/self-assessment': defineOperation({
    summary: 'The school’s self-assessment (自查自评), per indicator',
    tags: ['inspections'],
    path: idPath,
    body: selfAssessmentSchema,
    responses: { 200: { description: 'The inspection, self_assessed', schema: inspectionAfterSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.submitSelfAssessment(actorOf(actor), path.id, body)),
  }),

  'PUT /inspections/{id}/findings': defineOperation({
    summary: 'The inspector’s findings per indicator, with problems and the visit record',
    tags: ['inspections'],
    path: idPath,
    body: findingsSchema,
    responses: { 200: { description: 'The inspection, inspected', schema: inspectionAfterSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.recordFindings(actorOf(actor), path.id, body)),
  }),

  'POST /inspections/{id}/report': defineOperation({
    summary:
      'Issue the report (报告) and feedback (反馈): weighted score, grade, one rectification per problem',
    tags: ['inspections'],
    path: idPath,
    body: versionBody,
    responses: {
      200: { description: 'The inspection, rectifying or closed', schema: inspectionAfterSchema },
    },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.issueReport(actorOf(actor), path.id, body)),
  }),

  'POST /inspections/{id}/feedback/acknowledge': defineOperation({
    summary: 'The school acknowledges the feedback',
    tags: ['inspections'],
    path: idPath,
    body: versionBody,
    responses: { 200: { description: 'The inspection', schema: inspectionAfterSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.acknowledgeFeedback(actorOf(actor), path.id, body)),
  }),

  'POST /inspections/{id}/self-assessment/return': defineOperation({
    summary: 'Return the self-assessment for correction (退回) with a reason; the school submits again',
    tags: ['inspections'],
    path: idPath,
    body: returnSchema,
    responses: { 200: { description: 'The inspection, assigned again', schema: inspectionAfterSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.returnSelfAssessment(actorOf(actor), path.id, body)),
  }),

  'GET /inspections/{id}/submissions': defineOperation({
    summary: 'Every submitted version of the self-assessment, returned ones included, oldest first',
    tags: ['inspections'],
    path: idPath,
    responses: { 200: { description: 'The versions', schema: submissionsSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.inspections.submissions(actorOf(actor), path.id)),
  }),

  'POST /inspections/{id}/rectifications/{rid}/return': defineOperation({
    summary:
      'Return a submitted rectification for correction (退回) with a reason; not a failed re-inspection',
    tags: ['inspections'],
    path: itemPath,
    body: returnSchema,
    responses: { 200: { description: 'The inspection, rectifying', schema: inspectionAfterSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.returnRectification(actorOf(actor), path.id, path.rid, body)),
  }),

  'PUT /inspections/{id}/rectifications/{rid}': defineOperation({
    summary: 'The school’s rectification (整改): a plan, then a completion statement with evidence',
    tags: ['inspections'],
    path: itemPath,
    body: rectificationUpdateSchema,
    responses: { 200: { description: 'The inspection', schema: inspectionAfterSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.updateRectification(actorOf(actor), path.id, path.rid, body)),
  }),

  'POST /inspections/{id}/rectifications/{rid}/review': defineOperation({
    summary: 'Re-inspection (复查) of one rectification: pass or fail',
    tags: ['inspections'],
    path: itemPath,
    body: reviewSchema,
    responses: { 200: { description: 'The inspection', schema: inspectionAfterSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.inspections.reviewRectification(actorOf(actor), path.id, path.rid, body)),
  }),

  'POST /inspections/{id}/actions': defineOperation({
    summary: 'Record an interview, notification or accountability decision about one inspection',
    tags: ['follow-up'],
    path: idPath,
    body: actionSchema,
    responses: { 201: { description: 'The recorded action', schema: actionRecordSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) => {
      const inspection = await deps.inspections.get(actorOf(actor), path.id);
      const action = await deps.inspections.recordAction(actorOf(actor), inspection.campaignId, {
        ...body,
        ...(body.type === 'incentive' ? { inspectionIds: [path.id] } : { inspectionId: path.id }),
      } as typeof body);
      return json(201, action);
    },
  }),

  'POST /campaigns/{id}/actions': defineOperation({
    summary:
      'Record a follow-up action of the campaign: incentive 激励, interview 约谈, notification 通报, accountability 问责',
    tags: ['follow-up'],
    path: idPath,
    body: actionSchema,
    responses: { 201: { description: 'The recorded action', schema: actionRecordSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(201, await deps.inspections.recordAction(actorOf(actor), path.id, body)),
  }),

  'GET /campaigns/{id}/actions': defineOperation({
    summary: 'Proposed and recorded follow-up actions (incentive lists from excellent grades, escalations)',
    tags: ['follow-up'],
    path: idPath,
    responses: { 200: { description: 'Proposals and actions', schema: proposalsSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) =>
      json(200, { items: await deps.inspections.proposals(actorOf(actor), path.id) }),
  }),

  'GET /schools/{id}/history': defineOperation({
    summary: 'Every inspection of a school: campaign, status, grade and open rectifications',
    tags: ['inspections'],
    path: idPath,
    responses: { 200: { description: 'The history', schema: historySchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.inspections.history(actorOf(actor), path.id)),
  }),

  'GET /schools/{id}/rectifications': defineOperation({
    summary:
      'Rectification items naming a school in 督政 inspections (a county evaluation’s problem found at it), each with its inspection: the school works them there',
    tags: ['inspections'],
    path: idPath,
    responses: {
      200: {
        description: 'The school’s named rectifications',
        schema: z.object({
          schoolId: z.string(),
          items: z.array(
            z.object({
              inspectionId: z.string(),
              campaignId: z.string(),
              templateId: z.string(),
              targetId: z.string().describe('the town or county inspected'),
              targetName: z.string(),
              inspectionStatus: z.enum(inspectionStatuses),
              version: z.number().int().describe('the inspection’s version, for PUT …/rectifications/{rid}'),
              rectification: z
                .object({
                  id: z.string(),
                  indicatorId: z.string(),
                  schoolId: z.string().optional(),
                  problem: z.string(),
                  severity: z.string(),
                  dueAt: z.string(),
                  status: z.string(),
                })
                .passthrough(),
            }),
          ),
        }),
      },
    },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) =>
      json(200, await deps.inspections.namedRectifications(actorOf(actor), path.id)),
  }),

  'GET /campaigns/{id}/report': defineOperation({
    summary:
      'Campaign report of a region: grades, common problems, rectification completion, ranking (json, csv or xlsx)',
    tags: ['campaigns'],
    path: idPath,
    query: z.object({
      region: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}$/, 'a region code of 2, 4 or 6 digits')
        .optional(),
      format: z.enum(['json', 'csv', 'xlsx']).default('json'),
    }),
    responses: { 200: { description: 'The report', schema: reportSchema, files: tableFiles } },
    problems: [400, 401, 403, 404, 413],
    handle: async ({ actor, path, query, language }) => {
      const report = await deps.campaigns.report(actorOf(actor), path.id, query.region);
      const file = `campaign-${path.id}-${report.region.code}`;
      if (query.format === 'csv') {
        return {
          status: 200,
          body: reportCsv(report, language),
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${file}.csv"`,
          },
        };
      }
      if (query.format === 'xlsx') {
        return {
          status: 200,
          body: await reportXlsx(report, language),
          headers: {
            'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            'content-disposition': `attachment; filename="${file}.xlsx"`,
          },
        };
      }
      return json(200, report);
    },
  }),
});
