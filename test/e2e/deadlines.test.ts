import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { sweep } from '#test/support/aws';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';

/**
 * Every deadline bites, over HTTP, in 思明区 of Xiamen (350203): a monthly
 * double-reduction campaign (双减) over three schools of one responsible
 * inspector, with the self-assessment due in an hour and the visit in two.
 * School A does everything in time; B's self-assessment is late (the visit
 * happens anyway); C's visit is missed. The sweeper, run as the schedule
 * would run it after each deadline (as often as it likes), marks B's
 * self-assessment and C's visit late once each, and the office's list shows
 * exactly those schools.
 */
const county = '350203';
const town = '350203001';
const [a, b, c] = ['3502030001', '3502030002', '3502030003'];
const inspectorId = 'ISM001';
const t0 = Date.now();
const selfAssessmentDue = new Date(t0 + 3_600_000);
const visitDue = new Date(t0 + 7_200_000);
const justAfter = (d: Date) => new Date(d.getTime() + 1000);

let office: string;
let inspector: string;
let campaignId: string;
const ids: Record<string, string> = {};

interface InspectionView {
  id: string;
  status: string;
  version: number;
  late?: Record<string, string>;
  overdue?: string[];
  timeline: { action: string; details?: { late?: string[] } }[];
}
const inspection = async (schoolId: string) =>
  (await call<InspectionView>('GET', `/inspections/${ids[schoolId]}`, { token: office })).body;

const selfAssess = async (schoolId: string) => {
  const view = await inspection(schoolId);
  const response = await call<InspectionView>('PUT', `/inspections/${view.id}/self-assessment`, {
    token: await tokenFor('school', schoolId),
    body: {
      version: view.version,
      indicators: [{ indicatorId: 'homework', score: 90, statement: '作业公示上墙', evidenceIds: [] }],
    },
  });
  expect(response.status).toBe(200);
};

const visit = async (schoolId: string) => {
  const view = await inspection(schoolId);
  const response = await call<InspectionView>('PUT', `/inspections/${view.id}/findings`, {
    token: inspector,
    body: {
      version: view.version,
      visit: { date: new Date().toISOString().slice(0, 10), durationMinutes: 90 },
      indicators: [
        { indicatorId: 'homework', method: 'document_review', score: 88, comment: '', problems: [] },
      ],
    },
  });
  return response;
};

const listed = async (query: string) =>
  (
    await call<{ items: { targetId: string }[] }>('GET', `/campaigns/${campaignId}/inspections?${query}`, {
      token: office,
    })
  ).body.items
    .map((i) => i.targetId)
    .sort();

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'siming-office' });
  inspector = await tokenFor('inspector', inspectorId, { subject: 'inspector-siming' });
  const opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  await importFile(
    opts,
    'schools',
    's.csv',
    `${header}\r\n${[a, b, c].map((id, i) => `${id},思明第${i + 1}小学,primary,${county},${town},public,900,60,林${i},2022-09-01`).join('\r\n')}\r\n`,
  );
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\n${inspectorId},郑督学,responsible,${county},13900000031\r\n`,
  );
  await importFile(
    opts,
    'zones',
    'z.csv',
    `zone_id,region_code,inspector_id,school_id\r\n${[a, b, c].map((id) => `ZSM1,${county},${inspectorId},${id}`).join('\r\n')}\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'double-reduction-monthly',
    title: '思明区“双减”月度督导',
    scope: county,
    window: upcomingWindow(30),
    recurrence: 'monthly',
    overrides: {
      deadlines: { self_assessment: selfAssessmentDue.toISOString(), on_site: visitDue.toISOString() },
    },
  });
  campaignId = campaign.id;
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
  for (const school of [a, b, c]) {
    const list = await call<{ items: { id: string }[] }>(
      'GET',
      `/inspections?schoolId=${school}&campaignId=${campaignId}`,
      { token: office },
    );
    ids[school] = list.body.items[0]!.id;
  }
}, 180_000);

describe('every deadline bites', () => {
  it('marks a late self-assessment and a missed visit once each, however often the sweeper runs', async () => {
    await selfAssess(a);
    expect((await visit(a)).status).toBe(200);
    await selfAssess(c);
    // B has not self-assessed: the visit must wait for it until its deadline has passed.
    expect((await visit(b)).status).toBe(409);

    for (let i = 0; i < 3; i++) await sweep(justAfter(selfAssessmentDue));
    expect((await inspection(b)).late).toEqual({ self_assessment: expect.any(String) });
    expect((await inspection(b)).overdue).toEqual(['self_assessment']);
    expect((await inspection(a)).late).toBeUndefined();
    expect((await inspection(c)).late).toBeUndefined();

    // Late, the self-assessment no longer holds the visit back.
    expect((await visit(b)).status).toBe(200);
    expect((await inspection(b)).overdue).toBeUndefined();

    for (let i = 0; i < 3; i++) await sweep(justAfter(visitDue));
    expect((await inspection(c)).late).toEqual({ on_site: expect.any(String) });
    expect((await inspection(b)).late).toEqual({ self_assessment: expect.any(String) });
    expect((await inspection(a)).late).toBeUndefined();
    const marks = (await inspection(c)).timeline.filter((e) => e.action === 'phase_late');
    expect(marks).toHaveLength(1);
    expect(marks[0]!.details?.late).toEqual(['on_site']);
  });

  it('shows the office exactly those schools, by phase and by what is overdue now', async () => {
    expect(await listed('overdue=any')).toEqual([b, c]);
    expect(await listed('overdue=self_assessment')).toEqual([b]);
    expect(await listed('overdue=on_site')).toEqual([c]);
    expect(await listed('overdue=now')).toEqual([c]);
    expect(await listed('status=inspected')).toEqual([a, b]);
    expect(await listed(`region=${town}`)).toEqual([a, b, c]);

    const progress = await call<{
      totals: { overdueByPhase: Record<string, number>; lateByPhase: Record<string, number> };
    }>('GET', `/campaigns/${campaignId}/progress`, { token: office });
    expect(progress.body.totals.overdueByPhase).toMatchObject({ self_assessment: 0, on_site: 1 });
    expect(progress.body.totals.lateByPhase).toMatchObject({ self_assessment: 1, on_site: 1 });
  });

  it('records the missed month against the responsible inspector (责任督学履职)', async () => {
    const workload = await call<{
      campaigns: { campaignId: string; assigned: number; visits: number; late: Record<string, number> }[];
      months: { campaignId: string; schools: number; visited: number; missed: number; coverage: number }[];
    }>('GET', `/inspectors/${inspectorId}/workload`, { token: office });
    expect(workload.status).toBe(200);
    expect(workload.body.campaigns.find((e) => e.campaignId === campaignId)).toMatchObject({
      assigned: 3,
      visits: 2,
      late: { self_assessment: 1, on_site: 1 },
    });
    expect(workload.body.months.find((m) => m.campaignId === campaignId)).toMatchObject({
      schools: 3,
      visited: 2,
      missed: 1,
    });
    // The inspector reads their own; another county's office and a school do not.
    expect((await call('GET', `/inspectors/${inspectorId}/workload`, { token: inspector })).status).toBe(200);
    const elsewhere = await tokenFor('county_admin', '350205');
    expect((await call('GET', `/inspectors/${inspectorId}/workload`, { token: elsewhere })).status).toBe(404);
    const school = await tokenFor('school', a);
    expect((await call('GET', `/inspectors/${inspectorId}/workload`, { token: school })).status).toBe(404);
    expect((await call('GET', `/inspectors/${inspectorId}/workload`)).status).toBe(401);
  });

  it('guards the office’s list: no token, wrong role, region outside', async () => {
    const path = `/campaigns/${campaignId}/inspections`;
    expect((await call('GET', path)).status).toBe(401);
    expect((await call('GET', path, { token: inspector })).status).toBe(404);
    expect((await call('GET', path, { token: await tokenFor('county_admin', '350205') })).status).toBe(404);
    const city = await tokenFor('city_admin', '3502');
    expect((await call('GET', `${path}?region=350205`, { token: office })).status).toBe(403);
    expect((await listedAs(city, path)).sort()).toEqual([a, b, c]);
    const csv = await fetch(`${apiUrl()}${path}?format=csv&overdue=any`, {
      headers: { authorization: `Bearer ${office}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain('学校/对象,标识码');
    expect(text.split('\r\n').filter((l) => l.includes('思明第')).length).toBe(2);
  });
});

const listedAs = async (token: string, path: string) =>
  (await call<{ items: { targetId: string }[] }>('GET', path, { token })).body.items.map((i) => i.targetId);
