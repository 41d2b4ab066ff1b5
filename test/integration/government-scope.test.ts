import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';

/**
 * Role and scope of `government` (督政), in 新邱区 of Fuxin (210903): a town
 * government sees and works its own inspection only; another town's reads as
 * absent (404); schools' inspections read as absent too unless the
 * campaign's template lets the party read them (target.partyReadsSchoolInspections),
 * and even then it does not act on them; office routes refuse it (403);
 * without a token, 401.
 */
const county = '210903';
const [townA, townB] = ['210903005', '210903006'];
const school = '2109030001';

let office: string;
let townInspection: Record<string, string>;
let countyInspection: string;
let closedSchoolInspection: string;
let openSchoolInspection: string;

const gov = (scope: string) => tokenFor('government', scope, { subject: `gov-${scope}` });
const get = async (id: string, token?: string) =>
  (await call('GET', `/inspections/${id}`, token ? { token } : {})).status;

const launch = async (templateId: string) => {
  const campaign = await createCampaign(office, {
    templateId,
    title: `新邱区 ${templateId}`,
    scope: county,
    window: upcomingWindow(),
  });
  expect((await launchAndWait(office, campaign.id)).status).toBe('SUCCEEDED');
  return campaign.id;
};
const inspectionsOf = async (campaignId: string) =>
  (
    await call<{ items: { id: string; targetId: string }[] }>(
      'GET',
      `/campaigns/${campaignId}/inspections?limit=200`,
      { token: office },
    )
  ).body.items;

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'xinqiu-office' });
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  await importFile(
    { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 },
    'schools',
    's.csv',
    `${header}\r\n${school},街基小学,primary,${county},${townA},public,400,30,钱,2023-09-01\r\n`,
  );
  const duty = await launch('government-duty');
  townInspection = Object.fromEntries((await inspectionsOf(duty)).map((i) => [i.targetId, i.id]));
  const balanced = await launch('balanced-development');
  countyInspection = (await inspectionsOf(balanced))[0]!.id;
  // A school template that keeps schools' inspections from their governments (the default)…
  closedSchoolInspection = (await inspectionsOf(await launch('start-of-term')))[0]!.id;
  // …and an office's variant that lets the town and county governments read them.
  const base = (await call<Record<string, unknown>>('GET', '/templates/start-of-term', { token: office }))
    .body;
  const templateId = `xq-open-${Date.now()}`;
  const variant = {
    id: templateId,
    version: 1,
    title: { zh: '开学检查（政府可阅）', en: 'Start of term, readable by governments' },
    indicators: base.indicators,
    phases: base.phases,
    grading: base.grading,
    target: { unit: 'school', schoolKinds: ['primary'], partyReadsSchoolInspections: true },
  };
  const created = await call('POST', '/templates', { token: office, body: variant });
  expect(created.status, created.text).toBe(201);
  openSchoolInspection = (await inspectionsOf(await launch(templateId)))[0]!.id;
}, 240_000);

describe('government scope', () => {
  it('launches one inspection per town of the county and one for the county', () => {
    expect(Object.keys(townInspection).sort()).toEqual([townA, townB, '210903101']);
    expect(countyInspection).toMatch(/-210903$/);
  });

  it('shows a town its own inspection and not another town’s (404), nor the county’s', async () => {
    const a = await gov(townA);
    expect(await get(townInspection[townA]!, a)).toBe(200);
    expect(await get(townInspection[townB]!, a)).toBe(404);
    expect(await get(countyInspection, a)).toBe(404);
    // Acting on another town's inspection reads as absent too.
    const put = await call('PUT', `/inspections/${townInspection[townB]}/self-assessment`, {
      token: a,
      body: {
        version: 1,
        indicators: [
          { indicatorId: 'education-priority', score: 90, statement: '经费足额', evidenceIds: [] },
        ],
      },
    });
    expect(put.status).toBe(404);
    // Its list is its own; asking for another town's gives nothing.
    const own = await call<{ items: { targetId: string }[] }>('GET', '/inspections', { token: a });
    expect(own.status).toBe(200);
    expect(new Set(own.body.items.map((i) => i.targetId))).toEqual(new Set([townA]));
    const other = await call<{ items: unknown[] }>('GET', `/inspections?targetId=${townB}`, { token: a });
    expect(other.body.items).toEqual([]);
    // The county government sees the county's inspection, not its towns'.
    const c = await gov(county);
    expect(await get(countyInspection, c)).toBe(200);
    expect(await get(townInspection[townA]!, c)).toBe(404);
  });

  it('keeps schools’ inspections from governments unless the template says so, and never lets them act', async () => {
    const a = await gov(townA);
    const b = await gov(townB);
    const c = await gov(county);
    expect(await get(closedSchoolInspection, a)).toBe(404);
    expect(await get(closedSchoolInspection, c)).toBe(404);
    expect(await get(openSchoolInspection, a)).toBe(200);
    expect(await get(openSchoolInspection, c)).toBe(200);
    // The school lies in town A, not B.
    expect(await get(openSchoolInspection, b)).toBe(404);
    const act = await call('PUT', `/inspections/${openSchoolInspection}/self-assessment`, {
      token: a,
      body: {
        version: 1,
        indicators: [{ indicatorId: 'campus-safety', score: 90, statement: '代填', evidenceIds: [] }],
      },
    });
    expect(act.status).toBe(403);
    // Reading an inspection is reading its evidence: the open one's list, not the closed one's.
    const evidence = (id: string, token: string) =>
      call('GET', `/inspections/${id}/evidence`, { token }).then((r) => r.status);
    expect(await evidence(openSchoolInspection, a)).toBe(200);
    expect(await evidence(openSchoolInspection, c)).toBe(200);
    expect(await evidence(openSchoolInspection, b)).toBe(404);
    expect(await evidence(closedSchoolInspection, a)).toBe(404);
  });

  it('answers 401 without a token and 403 on office routes', async () => {
    expect(await get(townInspection[townA]!)).toBe(401);
    const a = await gov(townA);
    const id = townInspection[townA]!;
    const campaignId = id.slice(0, id.lastIndexOf('-'));
    expect(
      (
        await call('PUT', `/inspections/${id}/team`, {
          token: a,
          body: { version: 1, lead: 'NOBODY', members: [] },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', `/campaigns/${campaignId}/actions`, {
          token: a,
          body: { type: 'incentive', text: '自我表彰' },
        })
      ).status,
    ).toBe(403);
    expect((await call('GET', '/campaigns', { token: a })).status).toBe(403);
    expect(
      (
        await call('POST', '/campaigns', {
          token: a,
          body: { templateId: 'government-duty', title: 'x', scope: county, window: upcomingWindow() },
        })
      ).status,
    ).toBe(403);
  });

  it('refuses a government token whose scope is not a county or town code', async () => {
    const r = await call('GET', '/me', { token: await tokenFor('government', '2109') });
    expect(r.status).toBe(403);
    expect(r.text).toContain('government needs a 6-digit county or 9-digit town region code');
    const me = await call<{ role: string; scope: string }>('GET', '/me', { token: await gov(townA) });
    expect(me.body).toMatchObject({ role: 'government', scope: townA });
  });
});
