import { z } from 'zod';
import type { Actor } from '#core/actor';
import {
  type AuditService,
  auditEventQuerySchema,
  auditEvidenceQuerySchema,
  verifyPageEvents,
  verifyQuerySchema,
} from '#core/audit-service';
import { defineOperation, json } from '../http/operation.ts';
import { auditEventPageSchema, auditEvidencePageSchema, verificationSchema } from './responses.ts';

const actorOf = (actor: Actor | undefined): Actor => actor!;

export const auditOperations = (deps: { audit: AuditService }) => ({
  'GET /audit/evidence': defineOperation({
    summary:
      'The evidence archive by campaign, school or uploader, narrowed by region prefix, indicator, time and status',
    tags: ['audit'],
    query: auditEvidenceQuerySchema,
    responses: { 200: { description: 'A page of evidence records', schema: auditEvidencePageSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.audit.evidence(actorOf(actor), query)),
  }),

  'GET /audit/events': defineOperation({
    summary: 'Audit events by campaign, entity or actor, within a time range',
    tags: ['audit'],
    query: auditEventQuerySchema,
    responses: { 200: { description: 'A page of audit events, oldest first', schema: auditEventPageSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.audit.events(actorOf(actor), query)),
  }),

  'GET /audit/campaigns/{id}/verify': defineOperation({
    summary: `Recomputes the hash chain of a campaign’s audit events, ${verifyPageEvents} at a time, and names the first broken link`,
    tags: ['audit'],
    path: z.object({ id: z.string().min(1).max(80) }),
    query: verifyQuerySchema,
    responses: {
      200: {
        description:
          'Whether the events verified so far are intact (`verified`), whether that reaches the head (`complete`); if not complete, pass `cursor` to go on',
        schema: verificationSchema,
      },
    },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, query }) =>
      json(200, await deps.audit.verify(actorOf(actor), path.id, query.cursor)),
  }),
});
