import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '#infra/resources';
import { call, tokenFor } from '#test/support/api';
import { sweep, testDb } from '#test/support/aws';
import { activeCountyCampaign, createCampaign, injectFault, upcomingWindow } from '#test/support/campaigns';

/**
 * The edges of the API, as issue reports found them: the largest valid
 * report, template ownership, what an action may name, date ranges, reads of
 * what one may not see, and the audit trail of every change. Two counties of
 * Jiujiang (武宁县 360423, 修水县 360424).
 */
const county = '360423';
const other = '360424';
const schools = ['3604230001', '3604230002'];
const otherSchools = ['3604240001'];
let office: string;
let otherOffice: string;
let campaignId: string;

/** A template of ten indicators, so that one report can carry the 200 problems a report may have. */
const tenIndicators = (id: string, version = 1) => ({
  id,
  version,
  title: { zh: '十项指标专项督导', en: 'Ten-indicator inspection' },
  indicators: Array.from({ length: 10 }, (_, i) => ({
    id: `item-${i + 1}`,
    title: { zh: `指标${i + 1}`, en: `Indicator ${i + 1}` },
    weight: 10,
    methods: ['document_review'],
  })),
  phases: [
    { phase: 'on_site', days: 30 },
    { phase: 'rectification', days: 60 },
  ],
  grading: { excellent: 90, good: 80, pass: 60 },
  target: { unit: 'school', schoolKinds: ['primary'] },
});

const inspectionOf = async (token: string, schoolId: string) =>
  (
    await call<{ items: { id: string; version: number }[] }>('GET', `/inspections?schoolId=${schoolId}`, {
      token,
    })
  ).body.items[0]!;

beforeAll(async () => {
  otherOffice = await tokenFor('county_admin', other, { subject: `office-${other}` });
  office = await tokenFor('county_admin', county, { subject: `office-${county}` });
  const published = await call('POST', '/templates', { token: office, body: tenIndicators('wuning-ten') });
  expect(published.status, published.text).toBe(201);
  ({ campaignId } = await activeCountyCampaign({
    county,
    town: '360423100',
    schoolIds: schools,
    inspectorId: 'IWN360423',
    templateId: 'wuning-ten',
  }));
  await activeCountyCampaign({
    county: other,
    town: '360424100',
    schoolIds: otherSchools,
    inspectorId: 'IXS360424',
  });
}, 240_000);

describe('the largest report a request may make', () => {
  it('creates 200 rectifications, each once, also when the client retries after losing the answer', async () => {
    const inspector = await tokenFor('inspector', 'IWN360423');
    const inspection = await inspectionOf(office, schools[0]!);
    const findings = await call('PUT', `/inspections/${inspection.id}/findings`, {
      token: inspector,
      body: {
        version: inspection.version,
        visit: { date: '2026-10-20', durationMinutes: 240 },
        indicators: Array.from({ length: 10 }, (_, i) => ({
          indicatorId: `item-${i + 1}`,
          method: 'document_review',
          score: 50,
          comment: '评议'.repeat(500),
          problems: Array.from({ length: 20 }, (_, n) => ({
            description: `问题${i + 1}-${n + 1}：${'整改要求'.repeat(60)}`,
            severity: 'major',
          })),
        })),
      },
    });
    expect(findings.status, findings.text).toBe(200);
    // The answer to the report is lost after it committed; the client sends it again.
    await injectFault('api', { contains: `/inspections/${inspection.id}/report` }, 1, 'after');
    const lost = await call('POST', `/inspections/${inspection.id}/report`, {
      token: inspector,
      body: { version: inspection.version + 1 },
    });
    expect(lost.status).toBe(500);
    const again = await call('POST', `/inspections/${inspection.id}/report`, {
      token: inspector,
      body: { version: inspection.version + 1 },
    });
    expect(again.status).toBe(409);

    const record = await call<{ status: string; rectifications: { id: string; status: string }[] }>(
      'GET',
      `/inspections/${inspection.id}`,
      { token: office },
    );
    expect(record.body.status).toBe('rectifying');
    const ids = record.body.rectifications.map((r) => r.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    expect(record.body.rectifications.every((r) => r.status === 'open')).toBe(true);
    const progress = await call<{ totals: { byStatus: Record<string, number> } }>(
      'GET',
      `/campaigns/${campaignId}/progress`,
      { token: office },
    );
    expect(progress.body.totals.byStatus.rectifying).toBe(1);
  });

  it('finishes an activation that a crash interrupted, at the next sweep, once', async () => {
    const inspection = await inspectionOf(office, schools[0]!);
    // As a crash between the report's commit and its activation leaves it: a draft, and the marker.
    const key = { pk: `INSPECTION#${inspection.id}`, sk: 'RECT#item-1-1' };
    const item = (await testDb.send(new GetCommand({ TableName: process.env[tables.main.envVar], Key: key })))
      .Item!;
    const { gsi2pk: _a, gsi2sk: _b, ...draft } = item;
    await testDb.send(
      new PutCommand({ TableName: process.env[tables.main.envVar], Item: { ...draft, status: 'draft' } }),
    );
    const stored = (
      await testDb.send(
        new GetCommand({
          TableName: process.env[tables.main.envVar],
          Key: { pk: `INSPECTION#${inspection.id}`, sk: 'INSPECTION' },
        }),
      )
    ).Item!;
    await testDb.send(
      new PutCommand({
        TableName: process.env[tables.main.envVar],
        Item: {
          ...stored,
          activation: { rectificationIds: ['item-1-1'] },
          gsi4pk: 'ACTIVATE',
          gsi4sk: `2026-01-01T00:00:00.000Z#${inspection.id}`,
        },
      }),
    );
    // Read as open meanwhile: it belongs to the committed report.
    const meanwhile = await call<{ rectifications: { id: string; status: string }[] }>(
      'GET',
      `/inspections/${inspection.id}`,
      { token: office },
    );
    expect(meanwhile.body.rectifications.find((r) => r.id === 'item-1-1')?.status).toBe('open');

    const swept = await sweep();
    expect((swept as unknown as { reportsActivated: number }).reportsActivated).toBeGreaterThanOrEqual(1);
    const after = (
      await testDb.send(new GetCommand({ TableName: process.env[tables.main.envVar], Key: key }))
    ).Item!;
    expect(after).toMatchObject({ status: 'open', gsi2pk: expect.stringMatching(/^DUE#/) });
    const waiting = await testDb.send(
      new QueryCommand({
        TableName: process.env[tables.main.envVar],
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :a',
        FilterExpression: 'id = :id',
        ExpressionAttributeValues: { ':a': 'ACTIVATE', ':id': inspection.id },
      }),
    );
    expect(waiting.Items ?? []).toEqual([]);
  });
});

describe('template ownership', () => {
  it('lets only the owner office, or one above it, publish the next version; built-ins are read-only', async () => {
    const next = tenIndicators('wuning-ten', 2);
    expect((await call('POST', '/templates', { token: otherOffice, body: next })).status).toBe(403);
    const province = await tokenFor('province_admin', '36');
    expect((await call('POST', '/templates', { token: province, body: next })).status).toBe(201);
    // Versions go up one at a time.
    expect(
      (await call('POST', '/templates', { token: office, body: tenIndicators('wuning-ten', 5) })).status,
    ).toBe(409);

    const builtIn = (
      await call<Record<string, unknown>>('GET', '/templates/start-of-term', { token: office })
    ).body;
    const overwrite = await call('POST', '/templates', {
      token: province,
      body: { ...builtIn, version: (builtIn.version as number) + 1 },
    });
    expect(overwrite.status).toBe(403);
    expect((overwrite.body as { detail: string }).detail).toMatch(/basedOn/);
    const variant = await call('POST', '/templates', {
      token: office,
      body: {
        ...builtIn,
        id: 'wuning-start-of-term',
        version: 1,
        basedOn: { id: 'start-of-term', version: 1 },
      },
    });
    expect(variant.status, variant.text).toBe(201);
    const unknownBase = await call('POST', '/templates', {
      token: office,
      body: { ...tenIndicators('wuning-other'), basedOn: { id: 'no-such-template', version: 1 } },
    });
    expect(unknownBase.status).toBe(400);
  });

  it('keeps an office’s template to it and the offices above it', async () => {
    const neighbour = await call('POST', '/campaigns', {
      token: otherOffice,
      body: {
        templateId: 'wuning-ten',
        title: '借用模板',
        scope: other,
        window: upcomingWindow(),
      },
    });
    expect(neighbour.status).toBe(400);
    const seen = async (token: string) =>
      (await call<{ items: { id: string }[] }>('GET', '/templates', { token })).body.items.map((t) => t.id);
    expect(await seen(office)).toContain('wuning-ten');
    expect(await seen(await tokenFor('city_admin', '3604'))).toContain('wuning-ten');
    expect(await seen(otherOffice)).not.toContain('wuning-ten');
    expect(await seen(otherOffice)).toContain('start-of-term');
  });
});

describe('what an action may name', () => {
  it('refuses schools, inspections and regions outside the caller’s or the campaign’s region, naming each', async () => {
    const notify = (body: Record<string, unknown>) =>
      call<{ errors?: { path: string }[] }>('POST', `/campaigns/${campaignId}/actions`, {
        token: office,
        body: { type: 'notification', visibility: 'public', text: '通报', ...body },
      });
    const foreignSchool = await notify({ schoolIds: [schools[1], otherSchools[0]] });
    expect(foreignSchool.status).toBe(404);
    expect(foreignSchool.body.errors).toEqual([expect.objectContaining({ path: 'body.schoolIds.1' })]);
    const unknownSchool = await notify({ schoolIds: ['3604239999'] });
    expect(unknownSchool.status).toBe(404);
    const foreignRegion = await notify({ regionCodes: [county, other] });
    expect(foreignRegion.status).toBe(403);
    expect(foreignRegion.body.errors).toEqual([expect.objectContaining({ path: 'body.regionCodes.1' })]);
    // Wider than the campaign, though the province office may see it: still refused.
    const province = await tokenFor('province_admin', '36');
    const wider = await call('POST', `/campaigns/${campaignId}/actions`, {
      token: province,
      body: { type: 'notification', visibility: 'public', text: '通报', regionCodes: ['3604'] },
    });
    expect(wider.status).toBe(403);

    const otherInspection = await inspectionOf(otherOffice, otherSchools[0]!);
    const incentive = await call<{ errors?: { path: string }[] }>(
      'POST',
      `/campaigns/${campaignId}/actions`,
      {
        token: office,
        body: { type: 'incentive', inspectionIds: [otherInspection.id], text: '表彰' },
      },
    );
    expect(incentive.status).toBe(404);
    expect(incentive.body.errors).toEqual([expect.objectContaining({ path: 'body.inspectionIds.0' })]);
  });

  it('keeps every office’s recorded action: none overwrites another’s', async () => {
    const city = await tokenFor('city_admin', '3604');
    for (const token of [office, city]) {
      const r = await call('POST', `/campaigns/${campaignId}/actions`, {
        token,
        body: { type: 'notification', visibility: 'internal', text: '内部通报', regionCodes: [county] },
      });
      expect(r.status, r.text).toBe(201);
    }
    const listed = await call<{ items: { type: string; status: string; actionId?: string }[] }>(
      'GET',
      `/campaigns/${campaignId}/actions`,
      { token: city },
    );
    const notifications = listed.body.items.filter(
      (a) => a.type === 'notification' && a.status === 'recorded',
    );
    expect(new Set(notifications.map((a) => a.actionId)).size).toBeGreaterThanOrEqual(2);
  });
});

describe('dates, ranges and what one may not see', () => {
  it('refuses impossible dates and a `from` after `to`, naming the field', async () => {
    const auditor = await tokenFor('auditor', county);
    for (const query of [
      `campaignId=${campaignId}&from=2026-11-24&to=2026-11-01`,
      `campaignId=${campaignId}&from=2026-02-30`,
      `campaignId=${campaignId}&to=9999-99-99`,
    ]) {
      for (const route of ['/audit/events', '/audit/evidence']) {
        const r = await call<{ errors: { path: string }[] }>('GET', `${route}?${query}`, { token: auditor });
        expect(r.status, `${route}?${query}`).toBe(400);
        expect(r.body.errors.map((e) => e.path).join(), `${route}?${query}`).toMatch(/query\.(from|to)/);
      }
    }
    const campaign = await call('POST', '/campaigns', {
      token: office,
      body: {
        templateId: 'start-of-term',
        title: '日期',
        scope: county,
        window: { start: '2026-02-30', end: '2026-03-01' },
      },
    });
    expect(campaign.status).toBe(400);
  });

  it('reads the history of an unknown or unseen school as absent, and counts a launch for the caller’s part', async () => {
    expect((await call('GET', '/schools/3604239999/history', { token: office })).status).toBe(404);
    expect((await call('GET', `/schools/${otherSchools[0]}/history`, { token: office })).status).toBe(404);
    expect((await call('GET', `/schools/${schools[0]}/history`, { token: office })).status).toBe(200);

    const province = await tokenFor('province_admin', '36');
    const wide = await createCampaign(province, {
      templateId: 'start-of-term',
      title: '全省开学督查',
      scope: '3604',
      window: upcomingWindow(),
    });
    const launched = await call<{ executionArn: string }>('POST', `/campaigns/${wide.id}/launch`, {
      token: province,
    });
    expect(launched.status).toBe(202);
    const { waitForExecution } = await import('#test/support/campaigns');
    await waitForExecution(launched.body.executionArn);
    const whole = (
      await call<{ created: number }>('GET', `/campaigns/${wide.id}/launch`, { token: province })
    ).body;
    const part = (
      await call<{ created: number; region: string }>('GET', `/campaigns/${wide.id}/launch`, {
        token: office,
      })
    ).body;
    expect(part.region).toBe(county);
    expect(part.created).toBe(schools.length);
    expect(whole.created).toBeGreaterThanOrEqual(schools.length + otherSchools.length);
  });
});

describe('the audit trail of every change', () => {
  it('answers “who changed this campaign, and when”', async () => {
    const draft = await createCampaign(office, {
      templateId: 'start-of-term',
      title: '审计',
      scope: county,
      window: upcomingWindow(),
    });
    const patched = await call('PATCH', `/campaigns/${draft.id}`, {
      token: office,
      body: { version: draft.version, changes: { title: '审计（修订）' } },
    });
    expect(patched.status).toBe(200);
    const trail = await call<{ items: { action: string; actor: string; at: string }[] }>(
      'GET',
      `/audit/events?entityId=${draft.id}`,
      { token: await tokenFor('auditor', county) },
    );
    expect(trail.body.items.map((e) => [e.action, e.actor])).toEqual([
      ['create_campaign', `office-${county}`],
      ['update_campaign', `office-${county}`],
    ]);
    const launchedTrail = await call<{ items: { action: string }[] }>(
      'GET',
      `/audit/events?entityId=${campaignId}`,
      {
        token: office,
      },
    );
    expect(launchedTrail.body.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['create_campaign', 'launch_campaign', 'launch_finished']),
    );
  });

  it('keeps an office’s template publications and imports in its own verifiable chain', async () => {
    const chain = 'office-36';
    const events = await call<{ items: { action: string; entityId: string }[] }>(
      'GET',
      `/audit/events?campaignId=${chain}&limit=500`,
      { token: office },
    );
    const actions = events.body.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['publish_template', 'create_import', 'complete_import']));
    await sweep();
    const verified = await call<{ intact: boolean; linked: number }>(
      'GET',
      `/audit/campaigns/${chain}/verify`,
      {
        token: await tokenFor('auditor', '36'),
      },
    );
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ intact: true });
    expect(verified.body.linked).toBeGreaterThan(0);
    expect((await call('GET', `/audit/campaigns/office-35/verify`, { token: office })).status).toBe(404);
  });
});
