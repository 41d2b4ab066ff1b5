import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient as db } from '#adapters/aws-clients';
import { progressKey } from '#adapters/campaign-store';
import { queryAll } from '#adapters/dynamo-query';
import { drawSample, selectTargets, type TargetCandidate } from '#core/campaign';
import { countiesUnder } from '#core/regions';
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
  templates,
} from './launch-context.ts';
import { stepHandler } from './step-handler.ts';

/** Targets per batch (one Lambda invocation); LAUNCH_BATCH_SIZE tunes it. */
const launchBatchSize = Number(process.env.LAUNCH_BATCH_SIZE ?? 500);

/** Every school of a county, with what target rules look at (one partition of gsi1). */
const schoolsOfCounty = async (county: string): Promise<TargetCandidate[]> =>
  (await queryAll({
    TableName: mainTable,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': `SCHOOLS#${county}` },
    ProjectionExpression: 'id, #kind, regionCode, townCode, #name, principalTermStart',
    ExpressionAttributeNames: { '#kind': 'kind', '#name': 'name' },
  })) as unknown as TargetCandidate[];

/**
 * Step 1 of launch-campaign: resolve the targets under the scope, draw the
 * sample from the campaign's stored seed, write the population snapshot, the
 * sample and the batch files, and set each county's target count.
 * Passes batch descriptors on, never targets.
 */
export const plan = async (input: LaunchInput) => {
  const campaign = await currentLaunch(input);
  const template = await templates.get(campaign.templateId, campaign.templateVersion);
  if (!template) throw new Error(`template ${campaign.templateId}@${campaign.templateVersion} is gone`);

  const counties = countiesUnder(campaign.scope).map((c) => c.code);
  const schools = (await mapLimited(counties, 8, schoolsOfCounty)).flat();
  const population = selectTargets(template, campaign, schools);
  const percent = campaign.overrides?.samplingPercent ?? template.sampling?.percent;
  const targets = percent ? drawSample(population, percent, campaign.samplingSeed) : population;

  const snapshot = {
    campaignId: campaign.id,
    templateId: template.id,
    templateVersion: template.version,
    scope: campaign.scope,
  };
  await objects.writeJson(campaignFileKey(campaign.id, 'population.json'), {
    ...snapshot,
    targets: population,
  });
  if (percent) {
    await objects.writeJson(campaignFileKey(campaign.id, 'sample.json'), {
      ...snapshot,
      sampling: {
        percent,
        stratifyBy: 'county',
        seed: campaign.samplingSeed,
        method: 'sha256(seed:id) order, ceil(percent) per county',
      },
      targets,
    });
  }

  const batches: LaunchBatch[] = [];
  for (let i = 0; i * launchBatchSize < targets.length; i++) {
    const batch = i + 1;
    await objects.writeJson(
      launchKey(campaign.id, input.execution, `batch-${batch}.json`),
      targets.slice(i * launchBatchSize, (i + 1) * launchBatchSize),
    );
    batches.push({ ...input, batch });
  }

  const perCounty = new Map<string, number>();
  for (const t of targets) perCounty.set(t.regionCode, (perCounty.get(t.regionCode) ?? 0) + 1);
  await mapLimited([...perCounty], 8, ([county, n]) =>
    db.send(
      new UpdateCommand({
        TableName: mainTable,
        Key: progressKey(campaign.id, county),
        UpdateExpression: 'SET targets = :n',
        ExpressionAttributeValues: { ':n': n },
      }),
    ),
  );
  await campaigns.updateLaunch(campaign.id, input.execution, { targets: targets.length });
  logger.info('launch planned', {
    campaignId: campaign.id,
    population: population.length,
    targets: targets.length,
    batches: batches.length,
  });
  return { ...input, targets: targets.length, batches };
};

export const handler = stepHandler(plan);
