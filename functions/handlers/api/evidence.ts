import { z } from 'zod';
import type { Actor } from '#core/actor';
import { evidenceRequestSchema } from '#core/evidence';
import type { EvidenceService } from '#core/evidence-service';
import { defineOperation, json } from '../http/operation.ts';
import { announcedSchema, evidenceDownloadSchema, evidenceListSchema } from './responses.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const actorOf = (actor: Actor | undefined): Actor => actor!;

export const evidenceOperations = (deps: { evidence: EvidenceService }) => ({
  'POST /inspections/{id}/evidence': defineOperation({
    summary:
      'Announce an evidence file (佐证材料): its id and a presigned PUT bound to its type, size and SHA-256; or, for a file the school already stored (same SHA-256 and size), a link to it and no upload (collect once, 减负)',
    tags: ['evidence'],
    path: idPath,
    body: evidenceRequestSchema,
    responses: {
      201: {
        description: 'Where to upload (`upload`), or the new link (`linked: true`, `upload: null`)',
        schema: announcedSchema,
      },
      200: {
        description: 'The link this file already has on this inspection (`linked: true`, `upload: null`)',
        schema: announcedSchema,
      },
    },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) => {
      const { created, ...answer } = await deps.evidence.requestUpload(actorOf(actor), path.id, body);
      return json(created ? 201 : 200, answer, { location: `/evidence/${answer.id}` });
    },
  }),

  'GET /inspections/{id}/evidence': defineOperation({
    summary: 'The evidence of an inspection, with each file’s verification status',
    tags: ['evidence'],
    path: idPath,
    responses: { 200: { description: 'Evidence records', schema: evidenceListSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.evidence.list(actorOf(actor), path.id)),
  }),

  'GET /evidence/{id}': defineOperation({
    summary: 'One evidence record and a short-lived download link (every call is audited)',
    tags: ['evidence'],
    path: idPath,
    responses: { 200: { description: 'The record and its link', schema: evidenceDownloadSchema } },
    problems: [400, 401, 403, 404, 409],
    handle: async ({ actor, path, requestId }) =>
      json(200, await deps.evidence.download(actorOf(actor), path.id, requestId)),
  }),
});
