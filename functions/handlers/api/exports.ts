import { z } from 'zod';
import type { Actor } from '#core/actor';
import { type ExportService, exportRequestSchema } from '#core/export-service';
import { defineOperation, json } from '../http/operation.ts';
import { exportSchema, exportStartedSchema } from './responses.ts';

const actorOf = (actor: Actor | undefined): Actor => actor!;

export const exportOperations = (deps: { exports: ExportService }) => ({
  'POST /audit/exports': defineOperation({
    summary: 'Export a campaign’s evidence (optionally one region or school) as a verifiable ZIP',
    tags: ['audit'],
    body: exportRequestSchema,
    responses: {
      202: {
        description: 'The export started; follow it at GET /audit/exports/{id}',
        schema: exportStartedSchema,
      },
    },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, body }) => {
      const started = await deps.exports.request(actorOf(actor), body);
      return json(202, started, { location: `/audit/exports/${started.id}` });
    },
  }),

  'GET /audit/exports/{id}': defineOperation({
    summary: 'An export’s status and, when ready, a short-lived download link (audited)',
    tags: ['audit'],
    path: z.object({ id: z.string().min(1).max(80) }),
    responses: { 200: { description: 'The export', schema: exportSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, requestId }) =>
      json(200, await deps.exports.get(actorOf(actor), path.id, requestId)),
  }),
});
