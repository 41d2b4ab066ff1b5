import { z } from 'zod';
import { actorSchema, isAdmin, roles } from '#core/actor';
import { checkHealth, type HealthProbe } from '#core/health';
import { defineOperation, json } from '../http/operation.ts';
import { healthSchema, openApiSchema } from './responses.ts';

export const systemOperations = (deps: { health: HealthProbe; openapi: () => unknown }) => ({
  'GET /health': defineOperation({
    summary:
      'Liveness: `status` for anyone; with an office’s bearer token, also the status and endpoint of each backing service',
    tags: ['system'],
    responses: {
      200: {
        description: 'Every service answers',
        schema: healthSchema,
      },
      503: { description: 'At least one service is down (same body)', schema: healthSchema },
    },
    problems: [],
    handle: async ({ actor }) => {
      const health = await checkHealth(deps.health);
      const body = actor && isAdmin(actor) ? health : { status: health.status };
      return json(health.status === 'ok' ? 200 : 503, body, { 'cache-control': 'no-store' });
    },
  }),

  'GET /openapi.json': defineOperation({
    summary: 'This API described as OpenAPI 3.1',
    tags: ['system'],
    responses: { 200: { description: 'The OpenAPI document', schema: openApiSchema } },
    problems: [],
    handle: async () => json(200, deps.openapi()),
  }),

  'GET /me': defineOperation({
    summary: "The caller's identity, role and scope as the API understands them",
    tags: ['system'],
    responses: {
      200: {
        description: 'The caller',
        schema: z.object({
          subject: z.string(),
          name: z.string().optional(),
          role: z.enum(roles),
          scope: z.string(),
        }),
      },
    },
    problems: [401, 403],
    handle: async ({ actor }) => json(200, actorSchema.parse(actor)),
  }),
});
