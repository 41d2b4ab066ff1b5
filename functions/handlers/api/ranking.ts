import { z } from 'zod';
import type { Actor } from '#core/actor';
import { type RankingService, rankingSchema } from '#core/ranking';
import { defineOperation, json } from '../http/operation.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const actorOf = (actor: Actor | undefined): Actor => actor!;
const region = z
  .string()
  .regex(/^\d{4}(\d{2})?$/, 'a city (4 digits) or county (6 digits) code')
  .optional()
  .describe('the county whose towns, or the city whose counties, are ranked; default the campaign scope');

export const rankingOperations = (deps: { ranking: RankingService }) => ({
  'GET /campaigns/{id}/ranking': defineOperation({
    summary:
      'Ranking of a 督政 campaign: towns within a county, or counties within a city, by score (ties share a rank), with the change from last year; the excellent ones (表彰) and interview proposals for the lowest',
    tags: ['campaigns'],
    path: idPath,
    query: z.object({ region }),
    responses: { 200: { description: 'The ranking', schema: rankingSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, query }) =>
      json(200, await deps.ranking.ranking(actorOf(actor), path.id, query)),
  }),

  'POST /campaigns/{id}/ranking/publish': defineOperation({
    summary:
      'Publish the final ranking (排名通报): records the interview (约谈) proposals of the lowest, once each; an office over the region',
    tags: ['follow-up'],
    path: idPath,
    body: z.object({ region }).strict(),
    responses: { 200: { description: 'The published ranking', schema: rankingSchema } },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, path, body }) =>
      json(200, await deps.ranking.publish(actorOf(actor), path.id, body)),
  }),
});
