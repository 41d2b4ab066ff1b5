import { z } from 'zod';
import type { Actor } from '#core/actor';
import { type RankingService, rankingSchema } from '#core/ranking';
import { defineOperation, json } from '../http/operation.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const actorOf = (actor: Actor | undefined): Actor => actor!;

export const rankingOperations = (deps: { ranking: RankingService }) => ({
  'GET /campaigns/{id}/ranking': defineOperation({
    summary:
      'Ranking of a 督政 campaign: towns within a county, or counties within a city, by score (ties share a rank), with the change from last year; the excellent ones (表彰) and interview proposals for the lowest',
    tags: ['campaigns'],
    path: idPath,
    query: z.object({
      region: z
        .string()
        .regex(/^\d{4}(\d{2})?$/, 'a city (4 digits) or county (6 digits) code')
        .optional()
        .describe(
          'the county whose towns, or the city whose counties, are ranked; default the campaign scope',
        ),
    }),
    responses: { 200: { description: 'The ranking', schema: rankingSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, query }) =>
      json(200, await deps.ranking.ranking(actorOf(actor), path.id, query)),
  }),
});
