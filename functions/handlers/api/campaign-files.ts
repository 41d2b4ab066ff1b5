import { z } from 'zod';
import type { Actor } from '#core/actor';
import { campaignStatuses } from '#core/campaign';
import type { CampaignFiles } from '#core/campaign-files';
import type { LaunchPreview } from '#core/launch/preview';
import { defineOperation, json } from '../http/operation.ts';

const idPath = z.object({ id: z.string().min(1).max(80) });
const fileLink = z.object({
  key: z.string().describe('the object key in the evidence bucket'),
  url: z.string().describe('presigned GET URL; each link handed out is an audit event'),
  expiresInSeconds: z.number(),
});

export const campaignFileOperations = (deps: { files: CampaignFiles; preview: LaunchPreview }) => ({
  'GET /campaigns/{id}/preview': defineOperation({
    summary:
      'Before a launch, what it would create: the targets by the template’s rule (population), and where the campaign samples the sample drawn with its own seed, per county (reads only; the registry may change before the launch)',
    tags: ['campaigns'],
    path: idPath,
    responses: {
      200: {
        description: 'The preview',
        schema: z.object({
          campaignId: z.string(),
          status: z.enum(campaignStatuses),
          unit: z.string().describe('what the inspections are of: school, group, town, county'),
          population: z.number().int().describe('targets by the template’s rule, before sampling'),
          targets: z.number().int().describe('inspections the launch would create (the sample, if any)'),
          sampling: z
            .object({
              percent: z.number(),
              seed: z.string(),
              method: z.object({
                stratifyBy: z.literal('county'),
                zh: z.string(),
                en: z.string(),
                rank: z.string(),
              }),
            })
            .nullable(),
          counties: z.array(
            z.object({
              code: z.string(),
              name: z.string(),
              population: z.number().int(),
              targets: z.number().int(),
            }),
          ),
        }),
      },
    },
    problems: [400, 401, 403, 404],
    handle: async ({ actor, path }) => json(200, await deps.preview.preview(actor as Actor, path.id)),
  }),

  'GET /campaigns/{id}/sample': defineOperation({
    summary:
      'The launch’s sample: seed, method in words (zh/en), population and sample sizes, and audited links to the population and sample files (redraw offline with `npm run redraw-sample`)',
    tags: ['campaigns', 'audit'],
    path: idPath,
    responses: {
      200: {
        description: 'The sample',
        schema: z.object({
          campaignId: z.string(),
          seed: z.string(),
          percent: z.number(),
          method: z.object({
            stratifyBy: z.literal('county'),
            zh: z.string(),
            en: z.string(),
            rank: z.string(),
          }),
          populationSize: z.number(),
          sampleSize: z.number(),
          population: fileLink,
          sample: fileLink,
          redraw: z.string().describe('the command that redraws the sample from the downloaded files'),
        }),
      },
    },
    problems: [400, 401, 403, 404, 409],
    handle: async ({ actor, path, requestId }) =>
      json(200, await deps.files.sample(actor as Actor, path.id, requestId)),
  }),

  'GET /campaigns/{id}/sealed': defineOperation({
    summary:
      'The sealed record of a closed campaign: audited links to its final statistics, its evidence manifest and the manifest’s SHA-256 file (409 until closed)',
    tags: ['campaigns', 'audit'],
    path: idPath,
    responses: {
      200: {
        description: 'The sealed files',
        schema: z.object({
          campaignId: z.string(),
          closedAt: z.string().nullable(),
          chain: z.object({ linked: z.number(), head: z.string() }).nullable(),
          statistics: fileLink,
          manifest: fileLink.extend({
            sha256: z.string(),
            files: z.number(),
            bytes: z.number(),
            sha256File: fileLink,
          }),
        }),
      },
    },
    problems: [400, 401, 403, 404, 409],
    handle: async ({ actor, path, requestId }) =>
      json(200, await deps.files.sealed(actor as Actor, path.id, requestId)),
  }),
});
