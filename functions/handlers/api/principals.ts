import { z } from 'zod';
import type { Actor } from '#core/actor';
import type { RegistryService } from '#core/registry-service';
import { defineOperation, json } from '../http/operation.ts';

const term = z.object({
  schoolId: z.string(),
  schoolName: z.string(),
  regionCode: z.string().describe('the school’s county'),
  principalName: z.string(),
  start: z.string().describe('YYYY-MM-DD'),
  end: z.string().optional().describe('YYYY-MM-DD, the next term’s start; absent while current'),
  plannedEnd: z.string().describe('YYYY-MM-DD, start + 5 years'),
});

export const principalOperations = (deps: { registry: RegistryService }) => ({
  'GET /principals': defineOperation({
    summary:
      'Principals’ terms (校长任期): the current terms of a region by planned end (optionally those ending before a day), or one school’s history of terms',
    tags: ['registry'],
    query: z.object({
      region: z
        .string()
        .regex(/^\d{2}(\d{2}){0,2}$/, 'must be a region code of 2, 4 or 6 digits')
        .optional()
        .describe("province, city or county; default: the caller's scope"),
      termEndsBefore: z.iso
        .date('must be a date (YYYY-MM-DD)')
        .optional()
        .describe('only terms planned to end before this day'),
      school: z
        .string()
        .regex(/^\d{10}$/, 'must be the 10-digit national school code')
        .optional()
        .describe('every term of this school, ended ones included, latest first'),
      cursor: z.string().max(2000).optional().describe('the `cursor` of the previous page'),
      limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size (1–200, default 50)'),
    }),
    responses: {
      200: {
        description: 'A page of terms',
        schema: z.object({ items: z.array(term), cursor: z.string().optional() }),
      },
    },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.registry.principals(actor as Actor, query)),
  }),
});
