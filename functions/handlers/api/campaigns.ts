import { z } from 'zod';
import type { Actor } from '#core/actor';
import { campaignInputSchema, campaignPatchSchema, campaignStatuses } from '#core/campaign';
import type { CampaignService } from '#core/campaign-service';
import { templateSchema } from '#core/template';
import { defineOperation, json } from '../http/operation.ts';
import {
  campaignClosingSchema,
  campaignPageSchema,
  campaignSchema,
  campaignStartedSchema,
  launchStatusSchema,
  progressSchema,
  storedTemplateSchema,
  templateBodySchema,
  templateListSchema,
} from './responses.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const actorOf = (actor: Actor | undefined): Actor => actor!;

export const campaignOperations = (deps: { campaigns: CampaignService }) => ({
  'GET /templates': defineOperation({
    summary:
      'Supervision templates: the built-in ones, and those offices published at, above or below the caller’s region (latest versions)',
    tags: ['templates'],
    responses: { 200: { description: 'The templates the caller may see', schema: templateListSchema } },
    problems: [401, 403],
    handle: async ({ actor }) => json(200, { items: await deps.campaigns.listTemplates(actorOf(actor)) }),
  }),

  'GET /templates/{id}': defineOperation({
    summary: 'One template, latest version',
    tags: ['templates'],
    path: idPath,
    responses: { 200: { description: 'The template', schema: templateBodySchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.campaigns.template(actor!, path.id)),
  }),

  'POST /templates': defineOperation({
    summary:
      'Publish a template, or the next version of one: only its owner office or one above it; built-ins are read-only (publish your own with basedOn)',
    tags: ['templates'],
    body: templateSchema,
    responses: { 201: { description: 'The stored template', schema: storedTemplateSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, body }) => {
      const template = await deps.campaigns.addTemplate(actorOf(actor), body);
      return json(201, template, { location: `/templates/${template.id}` });
    },
  }),

  'POST /campaigns': defineOperation({
    summary: 'Create a draft campaign from a template over a region',
    tags: ['campaigns'],
    body: campaignInputSchema,
    responses: { 201: { description: 'The draft campaign', schema: campaignSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, body }) => {
      const campaign = await deps.campaigns.create(actorOf(actor), body);
      return json(201, campaign, { location: `/campaigns/${campaign.id}` });
    },
  }),

  'GET /campaigns': defineOperation({
    summary: 'Campaigns over a region (default: the caller’s), newest first',
    tags: ['campaigns'],
    query: z.object({
      scope: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}$/, 'a region code of 2, 4 or 6 digits')
        .optional(),
      status: z.enum(campaignStatuses).optional(),
      cursor: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'A page of campaigns', schema: campaignPageSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.campaigns.list(actorOf(actor), query)),
  }),

  'GET /campaigns/{id}': defineOperation({
    summary: 'One campaign',
    tags: ['campaigns'],
    path: idPath,
    responses: { 200: { description: 'The campaign', schema: campaignSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.campaigns.get(actorOf(actor), path.id)),
  }),

  'PATCH /campaigns/{id}': defineOperation({
    summary: 'Change a draft campaign; `version` must be the version you read (409 otherwise)',
    tags: ['campaigns'],
    path: idPath,
    body: z.object({ version: z.number().int().positive(), changes: campaignPatchSchema }).strict(),
    responses: { 200: { description: 'The changed campaign', schema: campaignSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.campaigns.update(actorOf(actor), path.id, body.version, body.changes)),
  }),

  'POST /campaigns/{id}/launch': defineOperation({
    summary: 'Launch: create one inspection per target (409 while a launch runs)',
    tags: ['campaigns'],
    path: idPath,
    responses: {
      202: {
        description: 'Launch started; follow it at GET /campaigns/{id}/launch',
        schema: campaignStartedSchema,
      },
    },
    problems: [400, 401, 403, 404, 409],
    handle: async ({ actor, path }) => {
      const launched = await deps.campaigns.launch(actorOf(actor), path.id);
      return json(202, launched, { location: `/campaigns/${path.id}/launch` });
    },
  }),

  'POST /campaigns/{id}/close': defineOperation({
    summary:
      'Close and seal: final statistics, the evidence manifest with its SHA-256, the audit chain head (409 unless active)',
    tags: ['campaigns'],
    path: idPath,
    responses: {
      202: {
        description: 'Sealing started; the campaign shows `closing`, then `closed` with `close`',
        schema: campaignClosingSchema,
      },
    },
    problems: [400, 401, 403, 404, 409],
    handle: async ({ actor, path }) => {
      const closing = await deps.campaigns.close(actorOf(actor), path.id);
      return json(202, closing, { location: `/campaigns/${path.id}` });
    },
  }),

  'GET /campaigns/{id}/launch': defineOperation({
    summary: 'The current launch: execution status, targets, inspections created so far',
    tags: ['campaigns'],
    path: idPath,
    responses: { 200: { description: 'Launch status', schema: launchStatusSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.campaigns.launchStatus(actorOf(actor), path.id)),
  }),

  'GET /campaigns/{id}/progress': defineOperation({
    summary: 'Inspections per status for each child region of a region, with totals and coverage',
    tags: ['campaigns'],
    path: idPath,
    query: z.object({
      region: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}$/, 'a region code of 2, 4 or 6 digits')
        .optional(),
    }),
    responses: { 200: { description: 'Progress', schema: progressSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, query }) =>
      json(200, await deps.campaigns.progress(actorOf(actor), path.id, query.region)),
  }),
});
