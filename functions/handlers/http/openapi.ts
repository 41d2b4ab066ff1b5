import { z } from 'zod';
import { type RouteDeclaration, routes } from '#infra/resources';
import type { AnyOperation, OperationTable, ResponseSpec } from './operation.ts';
import { problemContentType } from './problem.ts';

type JsonSchema = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const parameters = (schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] => {
  if (!schema) return [];
  const json = schemaOf(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
};

/** Titles of the problem statuses, for their descriptions in the document. */
const problemTitles: Record<number, string> = {
  400: 'Bad request: the input is not valid',
  401: 'No bearer token, or an invalid or expired one',
  403: 'Not allowed for the caller’s role or scope (or a token without a usable role and scope)',
  404: 'Not found, or outside the caller’s scope',
  405: 'Method not allowed on this path',
  409: 'Conflict: a stale version, or a state that does not allow this',
  413: 'Too large: the request body, or the list asked for as a file',
  415: 'The body is not application/json',
};

const operationObject = (route: RouteDeclaration, operation: AnyOperation): JsonSchema => {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, spec] of Object.entries(operation.responses) as [string, ResponseSpec][]) {
    const content: Record<string, JsonSchema> = {};
    if (spec.schema) content['application/json'] = { schema: schemaOf(spec.schema, 'output') };
    for (const type of spec.files ?? []) content[type] = { schema: { type: 'string', format: 'binary' } };
    responses[status] = {
      description: spec.description,
      ...(Object.keys(content).length > 0 ? { content } : {}),
    };
  }
  for (const status of operation.problems) {
    responses[String(status)] = {
      description: problemTitles[status] ?? 'A problem',
      content: { [problemContentType]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  // Only for the unexpected: a 5xx says nothing but the request id to quote.
  responses.default = {
    description: 'An unexpected server error (5xx): problem+json with the request id to quote',
    content: { [problemContentType]: { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    summary: operation.summary,
    tags: operation.tags,
    parameters: [...parameters(operation.path, 'path'), ...parameters(operation.query, 'query')],
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
    security: route.auth === 'jwt' ? [{ bearer: [] }] : [],
  };
};

/** OpenAPI 3.1 generated from the declared routes and the zod schemas that validate them. */
export const buildOpenApi = (operations: OperationTable, info: { version: string }): JsonSchema => {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes as readonly RouteDeclaration[]) {
    const operation = operations[`${route.method} ${route.path}` as keyof OperationTable];
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationObject(route, operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'dudao API',
      version: info.version,
      description: 'Education supervision campaigns (教育督导). Errors are RFC 9457 problem+json.',
    },
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
};
