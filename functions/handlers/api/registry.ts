import { z } from 'zod';
import type { Actor } from '#core/actor';
import { acceptedImportTypes, type createImportRequests } from '#core/import-requests';
import { importKinds } from '#core/imports';
import { inspectorKinds, schoolKinds, specialties } from '#core/registry';
import type { RegistryService } from '#core/registry-service';
import { defineOperation, json } from '../http/operation.ts';
import {
  groupSchema,
  importCreatedSchema,
  importSchema,
  inspectorDetailSchema,
  inspectorSchema,
  regionSchema,
  schoolSchema,
  specialtyCodes,
  zoneSchema,
} from './responses.ts';

const limit = z.coerce.number().int().min(1).max(200).default(50).describe('page size (1–200, default 50)');
const cursor = z.string().max(2000).optional().describe('the `cursor` of the previous page');
const regionCode = z
  .string()
  .regex(/^\d{2}(\d{2}){0,2}(\d{3})?$/, 'must be a region code of 2, 4, 6 or 9 digits');

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const idPath = z.object({ id: z.string().min(1).max(64) });

const actorOf = (actor: Actor | undefined): Actor => actor!;

export const registryOperations = (deps: {
  registry: RegistryService;
  imports: ReturnType<typeof createImportRequests>;
}) => ({
  'GET /regions/{code}': defineOperation({
    summary: 'A region with its parents, children and counts of schools (by kind) and inspectors under it',
    tags: ['registry'],
    path: z.object({ code: regionCode }),
    responses: { 200: { description: 'The region', schema: regionSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.registry.region(actorOf(actor), path.code)),
  }),

  'GET /schools': defineOperation({
    summary: 'Schools under a region (any level), optionally of one kind or matching a name',
    tags: ['registry'],
    query: z.object({
      region: regionCode.optional().describe("region code; default: the caller's scope"),
      kind: z.enum(schoolKinds).optional(),
      q: z.string().min(1).max(50).optional().describe('part of the school name'),
      cursor,
      limit,
    }),
    responses: { 200: { description: 'A page of schools', schema: page(schoolSchema) } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.registry.schools(actorOf(actor), query)),
  }),

  'GET /schools/{id}': defineOperation({
    summary: 'One school',
    tags: ['registry'],
    path: idPath,
    responses: { 200: { description: 'The school', schema: schoolSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.registry.school(actorOf(actor), path.id)),
  }),

  'GET /inspectors': defineOperation({
    summary: 'Inspectors under a region, optionally of one kind, specialty (the expert pool) or availability',
    tags: ['registry'],
    query: z.object({
      region: regionCode.optional(),
      kind: z.enum(inspectorKinds).optional(),
      specialty: z.enum(specialties).optional().describe(specialtyCodes),
      available: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional()
        .describe('only those available today (true) or not (false)'),
      cursor,
      limit,
    }),
    responses: { 200: { description: 'A page of inspectors', schema: page(inspectorSchema) } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.registry.inspectors(actorOf(actor), query)),
  }),

  'GET /inspectors/{id}': defineOperation({
    summary: 'One inspector with their zones and zone schools',
    tags: ['registry'],
    path: idPath,
    responses: { 200: { description: 'The inspector', schema: inspectorDetailSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.registry.inspector(actorOf(actor), path.id)),
  }),

  'GET /zones/{id}': defineOperation({
    summary: 'One responsibility zone (责任区) with its inspector and schools',
    tags: ['registry'],
    path: idPath,
    responses: { 200: { description: 'The zone', schema: zoneSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.registry.zone(actorOf(actor), path.id)),
  }),

  'GET /groups': defineOperation({
    summary: 'School groups (集团/联盟) whose lead school lies in a region; a school sees its own group',
    tags: ['registry'],
    query: z.object({
      region: regionCode.optional().describe("region code; default: the caller's scope"),
      cursor,
      limit,
    }),
    responses: { 200: { description: 'A page of groups with their members', schema: page(groupSchema) } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, query }) => json(200, await deps.registry.groups(actorOf(actor), query)),
  }),

  'GET /groups/{id}': defineOperation({
    summary: 'One school group (集团/联盟) with its lead and member schools',
    tags: ['registry'],
    path: idPath,
    responses: { 200: { description: 'The group', schema: groupSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.registry.group(actorOf(actor), path.id)),
  }),

  'POST /imports': defineOperation({
    summary: 'Start a registry import: returns a presigned URL to PUT the CSV or XLSX file to',
    tags: ['imports'],
    body: z.object({
      kind: z.enum(importKinds),
      fileName: z.string().min(1).max(255),
      contentType: z.enum(acceptedImportTypes),
      size: z.number().int().positive().describe('bytes: the upload must have exactly this size'),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the file')
        .describe('the upload must have exactly this SHA-256 (S3 checks it)'),
    }),
    responses: {
      201: { description: 'The import and where to upload its file', schema: importCreatedSchema },
    },
    problems: [400, 401, 403, 404, 409, 413, 415],
    handle: async ({ actor, body }) => {
      const created = await deps.imports.create(actorOf(actor), body);
      return json(201, created, { location: `/imports/${created.id}` });
    },
  }),

  'GET /imports/{id}': defineOperation({
    summary: 'Status and counts of an import, with a link to its row-level error report',
    tags: ['imports'],
    path: idPath,
    responses: { 200: { description: 'The import', schema: importSchema } },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path, language }) =>
      json(200, await deps.imports.get(actorOf(actor), path.id, language)),
  }),
});
