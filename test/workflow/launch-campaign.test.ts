import { GetObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawSample, type Target } from '#core/campaign';
import { buckets, tables } from '#infra/resources';
import { generateDemoProvince } from '#local/demo/province';
import { seedDemo } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { testDb as documentClient, testS3 as s3 } from '#test/support/aws';
import {
  createCampaign,
  injectFault,
  launchAndWait,
  statesEntered,
  upcomingWindow,
  waitForExecution,
} from '#test/support/campaigns';
import { waitFor } from '#test/support/wait';

/**
 * statemachines/launch-campaign.asl.json through the local Step Functions
 * endpoint with the real step handlers, over a small demo of Anhui (34).
 * The test cloud cuts launches into batches of 100.
 */
const province = '34';
const schools = 600;
const demo = generateDemoProvince({ province, schools });
let token: string;

const readJson = async <T>(key: string): Promise<T> => {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: process.env[buckets.evidence.envVar], Key: key }),
  );
  return JSON.parse(await object.Body!.transformToString()) as T;
};

/** Every inspection of a campaign, read through the county shards (as the progress recount does). */
const inspectionsOf = async (campaignId: string, counties: string[]) => {
  const items: Record<string, unknown>[] = [];
  for (const county of counties) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(
        new QueryCommand({
          TableName: process.env[tables.main.envVar],
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `CINSP#${campaignId}#${county}` },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return items;
};
const counties = [
  ...new Set(
    demo.schools
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[3]!),
  ),
];
const window = upcomingWindow();

beforeAll(async () => {
  token = await tokenFor('province_admin', province, { subject: 'anhui-office' });
  await seedDemo({ apiUrl: apiUrl(), token, schools, province });
}, 300_000);

describe('launch-campaign workflow', () => {
  it('happy path: plan → create batches → finalize; one inspection per target, assigned from zones', async () => {
    const campaign = await createCampaign(token, {
      templateId: 'start-of-term',
      title: '2026 秋季开学督查',
      scope: province,
      window,
    });
    const done = await launchAndWait(token, campaign.id);
    expect(done.status).toBe('SUCCEEDED');
    const states = await statesEntered(done.executionArn!);
    expect(states[0]).toBe('Plan');
    expect(states.filter((s) => s === 'Create batch')).toHaveLength(Math.ceil(schools / 100));
    expect(states.at(-1)).toBe('Finalize');
    expect(JSON.parse(done.output!)).toMatchObject({
      targets: schools,
      inspections: schools,
      createdNow: schools,
      unassignable: 0,
    });

    const inspections = await inspectionsOf(campaign.id, counties);
    expect(inspections).toHaveLength(schools);
    expect(new Set(inspections.map((i) => i.id)).size).toBe(schools);
    expect(inspections.every((i) => i.status === 'assigned' && typeof i.assigneeId === 'string')).toBe(true);
    expect((await call<{ status: string }>('GET', `/campaigns/${campaign.id}`, { token })).body.status).toBe(
      'active',
    );
  });

  it('draws the sample from the stored seed, so an auditor can redraw it', async () => {
    const campaign = await createCampaign(token, {
      templateId: 'kindergarten-evaluation',
      title: '幼儿园复评',
      scope: province,
      window,
    });
    const done = await launchAndWait(token, campaign.id);
    expect(done.status).toBe('SUCCEEDED');
    const population = await readJson<{ targets: Target[] }>(`campaigns/${campaign.id}/population.json`);
    const sample = await readJson<{ sampling: { percent: number; seed: string }; targets: Target[] }>(
      `campaigns/${campaign.id}/sample.json`,
    );
    expect(sample.sampling).toMatchObject({ percent: 10, seed: campaign.samplingSeed });
    expect(population.targets.length).toBe(demo.counts.byKind.kindergarten);
    expect(drawSample(population.targets, sample.sampling.percent, sample.sampling.seed)).toEqual(
      sample.targets,
    );
    // Stratified by county: ceil(10 %) of each county's kindergartens, and exactly those are inspected.
    const perCounty = new Map<string, number>();
    for (const t of population.targets) perCounty.set(t.regionCode, (perCounty.get(t.regionCode) ?? 0) + 1);
    const expectedSize = [...perCounty.values()].reduce((sum, n) => sum + Math.ceil(n / 10), 0);
    expect(sample.targets).toHaveLength(expectedSize);
    const sampled = await inspectionsOf(campaign.id, counties);
    expect(sampled.map((i) => i.targetId).sort()).toEqual(sample.targets.map((t) => t.id).sort());
  });

  it('retries a batch that fails once, and still creates each inspection once', async () => {
    const campaign = await createCampaign(token, {
      templateId: 'start-of-term',
      title: '重试',
      scope: '3401',
      window,
    });
    const remaining = await injectFault('launchBatch', { where: { campaignId: campaign.id, batch: 1 } }, 1);
    const done = await launchAndWait(token, campaign.id);
    expect(done.status).toBe('SUCCEEDED');
    // The fault fired (its budget is spent) and the retried batch created each inspection once.
    expect(await remaining()).toBe(0);
    const output = JSON.parse(done.output!);
    expect(output.targets).toBeGreaterThan(0);
    expect(output).toMatchObject({ inspections: output.targets, createdNow: output.targets });
  });

  it('relaunched after a failure, creates only the missing inspections; launched again, creates nothing', async () => {
    const campaign = await createCampaign(token, {
      templateId: 'start-of-term',
      title: '失败后重新发起',
      scope: province,
      window,
    });
    const batch3 = { where: { campaignId: campaign.id, batch: 3 } };
    await injectFault('launchBatch', batch3, 10); // more than the step's retries
    const failed = await launchAndWait(token, campaign.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('LaunchFailed');
    const status = await call<{ campaignStatus: string; error: string }>(
      'GET',
      `/campaigns/${campaign.id}/launch`,
      { token },
    );
    expect(status.body).toMatchObject({
      campaignStatus: 'launch_failed',
      error: expect.stringContaining('TransientError'),
    });
    // Batches already running when the Map failed still finish (in AWS too): wait until the count settles.
    let seen = -1;
    const before = await waitFor(
      async () => {
        const now = await inspectionsOf(campaign.id, counties);
        const settled = now.length === seen;
        seen = now.length;
        return settled ? now : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300, what: 'the failed launch’s last batches to finish' },
    );
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(schools);

    await injectFault('launchBatch', batch3, 0);
    const relaunched = await launchAndWait(token, campaign.id);
    expect(relaunched.status).toBe('SUCCEEDED');
    expect(JSON.parse(relaunched.output!)).toMatchObject({
      inspections: schools,
      createdNow: schools - before.length,
    });
    const after = await inspectionsOf(campaign.id, counties);
    const createdAt = new Map(after.map((i) => [i.id, i.createdAt]));
    for (const earlier of before) expect(createdAt.get(earlier.id)).toBe(earlier.createdAt);

    const again = await launchAndWait(token, campaign.id);
    expect(JSON.parse(again.output!)).toMatchObject({ inspections: schools, createdNow: 0 });
    expect(await inspectionsOf(campaign.id, counties)).toHaveLength(schools);
  });

  it('refuses a second launch while one runs (409)', async () => {
    const campaign = await createCampaign(token, {
      templateId: 'start-of-term',
      title: '并发发起',
      scope: province,
      window,
    });
    const first = await call<{ executionArn: string }>('POST', `/campaigns/${campaign.id}/launch`, { token });
    expect(first.status).toBe(202);
    const second = await call('POST', `/campaigns/${campaign.id}/launch`, { token });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe('application/problem+json');
    expect((await waitForExecution(first.body.executionArn)).status).toBe('SUCCEEDED');
  });
});
