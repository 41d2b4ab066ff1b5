import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient as db } from '#adapters/aws-clients';
import { progressKey } from '#adapters/campaign-store';
import { queryAll } from '#adapters/dynamo-query';
import { nextWindow } from '#core/campaign';
import { inspectionStatuses } from '#core/inspection';
import { mapLimited } from '#lib/concurrency';
import { logger } from '#lib/logger';
import {
  campaignFileKey,
  campaigns,
  currentLaunch,
  type LaunchBatch,
  type LaunchInput,
  launchKey,
  mainTable,
  objects,
} from './launch-context.ts';
import { stepHandler } from './step-handler.ts';

/** Counts one county's inspections of the campaign by status, from the county shard of gsi1. */
const recount = async (campaignId: string, county: string) => {
  const counts = Object.fromEntries(inspectionStatuses.map((s) => [s, 0])) as Record<string, number>;
  const items = await queryAll({
    TableName: mainTable,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': `CINSP#${campaignId}#${county}` },
    ProjectionExpression: '#status',
    ExpressionAttributeNames: { '#status': 'status' },
  });
  for (const item of items) counts[String(item.status)] = (counts[String(item.status)] ?? 0) + 1;
  await db.send(
    new UpdateCommand({
      TableName: mainTable,
      Key: progressKey(campaignId, county),
      UpdateExpression: `SET ${inspectionStatuses.map((s) => `n_${s} = :${s}`).join(', ')}`,
      ExpressionAttributeValues: Object.fromEntries(inspectionStatuses.map((s) => [`:${s}`, counts[s]])),
    }),
  );
  return Object.values(counts).reduce((a, b) => a + b, 0);
};

/**
 * Step 3 of launch-campaign: recount every county's inspections exactly,
 * record the unassignable schools, and make the campaign active (and, for a
 * recurring campaign, due for its next occurrence).
 */
export const finalize = async (input: LaunchInput & { targets: number; batches: LaunchBatch[] }) => {
  const campaign = await currentLaunch(input);
  const results = await mapLimited(input.batches, 8, (b) =>
    objects.readJson<{ created: number; unassignable: string[] }>(
      launchKey(campaign.id, input.execution, `result-${b.batch}.json`),
    ),
  );
  const unassignable = results.flatMap((r) => r.unassignable).sort();
  await objects.writeJson(campaignFileKey(campaign.id, 'unassignable.json'), {
    campaignId: campaign.id,
    targets: unassignable,
  });

  const counties = (await campaigns.progress(campaign.id, '')).map((p) => p.countyCode);
  const created = (await mapLimited(counties, 8, (county) => recount(campaign.id, county))).reduce(
    (a, b) => a + b,
    0,
  );
  const activated = await campaigns.updateLaunch(
    campaign.id,
    input.execution,
    {
      finishedAt: new Date().toISOString(),
      targets: input.targets,
      created,
      unassignable: unassignable.length,
    },
    {
      status: 'active',
      ...(campaign.recurrence ? { nextStart: nextWindow(campaign.window, campaign.recurrence).start } : {}),
    },
  );
  logger.info('launch finished', {
    campaignId: campaign.id,
    targets: input.targets,
    created,
    unassignable: unassignable.length,
    activated,
  });
  const createdNow = results.reduce((sum, r) => sum + r.created, 0);
  return {
    campaignId: campaign.id,
    targets: input.targets,
    inspections: created,
    createdNow,
    unassignable: unassignable.length,
  };
};

export const handler = stepHandler(finalize);
