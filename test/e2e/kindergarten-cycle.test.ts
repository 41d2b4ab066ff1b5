import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';

/**
 * The kindergarten cycle (幼儿园办园行为督导评估) in 温州市 (3303): 鹿城区
 * (330302) evaluates its 12 kindergartens and 龙湾区 (330303) its 8, each in a
 * county campaign of `kindergarten-evaluation` over every kindergarten; the
 * city then re-evaluates a 10 % sample stratified by county of what they
 * graded (a campaign `basedOn` the two), reproducibly from its seed; the
 * city grades the sample, one kindergarten differently from its county; the
 * re-evaluation report shows county vs city grades and each county's share
 * that differ; the evaluation reports set each kindergarten's last
 * evaluation date, and the due list of the 5-year cycle follows from it.
 */
const city = '3303';
const lucheng = '330302';
const longwan = '330303';
const towns: Record<string, string> = { [lucheng]: '330302006', [longwan]: '330303001' };
const kindergartens = [
  ...Array.from({ length: 12 }, (_, i) => ({ id: `33030220${String(i).padStart(2, '0')}`, county: lucheng })),
  ...Array.from({ length: 8 }, (_, i) => ({ id: `33030320${String(i).padStart(2, '0')}`, county: longwan })),
];
/** Not evaluated in either county campaign: due. */
const neverEvaluated = '3303022099';
const year = Number(upcomingWindow().start.slice(0, 4));
const today = upcomingWindow().start;

interface Inspection {
  id: string;
  status: string;
  version: number;
  targetId: string;
  regionCode: string;
  basedOn?: { campaignId: string; inspectionId: string; grade: string };
}
interface Template {
  indicators: { id: string; methods: string[] }[];
}

let cityOffice: string;
let template: Template;
const offices: Record<string, string> = {};
const countyCampaigns: Record<string, string> = {};
let reEvaluationId: string;
let sampled: Inspection[] = [];

const inspectionsOf = async (token: string, campaignId: string) =>
  (
    await call<{ items: { id: string; targetId: string }[] }>(
      'GET',
      `/campaigns/${campaignId}/inspections?limit=200`,
      { token },
    )
  ).body.items;

/** Team, self-assessment by the kindergarten, findings and report by the office: the inspection is graded. */
const evaluate = async (office: string, inspectionId: string, lead: string, score: number) => {
  const get = async () =>
    (await call<Inspection>('GET', `/inspections/${inspectionId}`, { token: office })).body;
  const team = await call('PUT', `/inspections/${inspectionId}/team`, {
    token: office,
    body: { version: (await get()).version, lead, members: [] },
  });
  expect(team.status, team.text).toBe(200);
  const inspection = await get();
  const school = await tokenFor('school', inspection.targetId, { subject: `kg-${inspection.targetId}` });
  const self = await call('PUT', `/inspections/${inspectionId}/self-assessment`, {
    token: school,
    body: {
      version: inspection.version,
      indicators: template.indicators.map((i) => ({
        indicatorId: i.id,
        score: 90,
        statement: '按要求自评',
        evidenceIds: [],
      })),
    },
  });
  expect(self.status, self.text).toBe(200);
  const findings = await call('PUT', `/inspections/${inspectionId}/findings`, {
    token: office,
    body: {
      version: (await get()).version,
      visit: { date: today, durationMinutes: 120 },
      indicators: template.indicators.map((i) => ({
        indicatorId: i.id,
        method: i.methods[0],
        score,
        comment: '',
        problems: [],
      })),
    },
  });
  expect(findings.status, findings.text).toBe(200);
  const report = await call<Inspection>('POST', `/inspections/${inspectionId}/report`, {
    token: office,
    body: { version: (await get()).version },
  });
  expect(report.status, report.text).toBe(200);
  expect(report.body.status).toBe('closed');
};

beforeAll(async () => {
  cityOffice = await tokenFor('city_admin', city, { subject: 'wenzhou-office' });
  const opts = { apiUrl: apiUrl(), token: cityOffice, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  await importFile(
    opts,
    'schools',
    'kindergartens.csv',
    `${header}\r\n${[
      ...kindergartens.map(
        (k, i) =>
          `${k.id},温州第${i + 1}幼儿园,kindergarten,${k.county},${towns[k.county]},public,200,20,园长${i},2021-09-01`,
      ),
      `${neverEvaluated},新建幼儿园,kindergarten,${lucheng},${towns[lucheng]},public,90,9,园长新,2025-09-01`,
    ].join('\r\n')}\r\n`,
  );
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\nIWZ01,林督学,full_time,${lucheng},13900000301\r\nIWZ02,陈督学,full_time,${longwan},13900000302\r\n`,
  );
  template = (await call<Template>('GET', '/templates/kindergarten-evaluation', { token: cityOffice })).body;

  // Each county evaluates every one of its kindergartens but one in 鹿城 (the new one comes later).
  for (const [county, lead] of [
    [lucheng, 'IWZ01'],
    [longwan, 'IWZ02'],
  ] as const) {
    offices[county] = await tokenFor('county_admin', county, { subject: `office-${county}` });
    const campaign = await createCampaign(offices[county]!, {
      templateId: 'kindergarten-evaluation',
      title: `${county} 幼儿园办园行为督导评估`,
      scope: county,
      window: upcomingWindow(),
      overrides: { samplingPercent: 100 },
    });
    countyCampaigns[county] = campaign.id;
    expect((await launchAndWait(offices[county]!, campaign.id)).status).toBe('SUCCEEDED');
    const inspections = (await inspectionsOf(offices[county]!, campaign.id)).filter(
      (i) => i.targetId !== neverEvaluated,
    );
    expect(inspections).toHaveLength(county === lucheng ? 12 : 8);
    // The counties grade good (85), the first kindergarten of each excellent (95).
    for (const [n, i] of inspections.entries())
      await evaluate(offices[county]!, i.id, lead, n === 0 ? 95 : 85);
  }
}, 600_000);

describe('the city re-evaluation (市级复评)', () => {
  it('refuses a basis that is not a launched county campaign of the same template under the city', async () => {
    const draft = await createCampaign(offices[lucheng]!, {
      templateId: 'kindergarten-evaluation',
      title: '未启动',
      scope: lucheng,
      window: upcomingWindow(),
    });
    const other = await createCampaign(cityOffice, {
      templateId: 'start-of-term',
      title: '开学督查',
      scope: city,
      window: upcomingWindow(),
    });
    const r = await call<{ errors: { path: string; message: string }[] }>('POST', '/campaigns', {
      token: cityOffice,
      body: {
        templateId: 'kindergarten-evaluation',
        title: '市级复评',
        scope: city,
        window: upcomingWindow(),
        basedOn: [countyCampaigns[lucheng], draft.id, other.id, 'no-such-campaign'],
      },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.errors.map((e) => e.path)).toEqual(['body.basedOn.1', 'body.basedOn.2', 'body.basedOn.3']);
    expect(r.body.errors[0]!.message).toContain('draft');
  });

  it('draws 10 % per county of what the counties graded, reproducibly from its seed', async () => {
    const campaign = await createCampaign(cityOffice, {
      templateId: 'kindergarten-evaluation',
      title: '温州市幼儿园办园行为市级复评',
      scope: city,
      window: upcomingWindow(),
      basedOn: [countyCampaigns[lucheng], countyCampaigns[longwan]],
    });
    reEvaluationId = campaign.id;
    expect((await launchAndWait(cityOffice, campaign.id)).status).toBe('SUCCEEDED');

    const sample = await call<{
      seed: string;
      populationSize: number;
      sampleSize: number;
      sample: { url: string };
    }>('GET', `/campaigns/${campaign.id}/sample`, { token: cityOffice });
    expect(sample.status, sample.text).toBe(200);
    // The never-evaluated kindergarten is no part of the population: ceil(12 × 10 %) + ceil(8 × 10 %).
    expect(sample.body).toMatchObject({ seed: campaign.samplingSeed, populationSize: 20, sampleSize: 3 });
    const drawn = (await (await fetch(sample.body.sample.url)).json()) as { targets: { id: string }[] };

    const listed = await inspectionsOf(cityOffice, campaign.id);
    sampled = await Promise.all(
      listed.map(
        async (i) => (await call<Inspection>('GET', `/inspections/${i.id}`, { token: cityOffice })).body,
      ),
    );
    expect(sampled.map((i) => i.targetId).sort()).toEqual(drawn.targets.map((t) => t.id).sort());
    expect(sampled.filter((i) => i.regionCode === lucheng)).toHaveLength(2);
    expect(sampled.filter((i) => i.regionCode === longwan)).toHaveLength(1);
    for (const i of sampled) {
      expect(i.basedOn).toMatchObject({
        campaignId: countyCampaigns[i.regionCode],
        inspectionId: `${countyCampaigns[i.regionCode]}-${i.targetId}`,
      });
    }

    // Same seed, same population → same sample: a second launch of the active campaign changes nothing.
    expect((await launchAndWait(cityOffice, campaign.id)).status).toBe('SUCCEEDED');
    const again = await call<{ seed: string; sample: { url: string } }>(
      'GET',
      `/campaigns/${campaign.id}/sample`,
      {
        token: cityOffice,
      },
    );
    const redrawn = (await (await fetch(again.body.sample.url)).json()) as { targets: { id: string }[] };
    expect(redrawn.targets.map((t) => t.id)).toEqual(drawn.targets.map((t) => t.id));
    expect(await inspectionsOf(cityOffice, campaign.id)).toHaveLength(3);
  });

  it('shows the county’s grade next to the city’s and each county’s share that differ', async () => {
    const before = await call<{ counties: { countyCode: string; compared: number }[] }>(
      'GET',
      `/campaigns/${reEvaluationId}/re-evaluation`,
      { token: cityOffice },
    );
    expect(before.status, before.text).toBe(200);
    expect(before.body.counties.map((c) => [c.countyCode, c.compared])).toEqual([
      [lucheng, 0],
      [longwan, 0],
    ]);

    // The city grades each sampled kindergarten as its county did, except one of 鹿城 (pass, 70).
    const luchengSample = sampled.filter((i) => i.regionCode === lucheng);
    const changed = luchengSample[0]!;
    for (const i of sampled) {
      const countyScore = i.basedOn!.grade === 'excellent' ? 95 : 85;
      await evaluate(
        cityOffice,
        i.id,
        i.regionCode === lucheng ? 'IWZ02' : 'IWZ01',
        i === changed ? 70 : countyScore,
      );
    }

    const r = await call<{
      items: {
        targetId: string;
        countyCode: string;
        countyGrade: string;
        cityGrade: string;
        differs: boolean;
      }[];
      counties: {
        countyCode: string;
        countyName: string;
        sampled: number;
        compared: number;
        differing: number;
        differingShare: number;
      }[];
      totals: { sampled: number; compared: number; differing: number; differingShare: number };
    }>('GET', `/campaigns/${reEvaluationId}/re-evaluation`, { token: cityOffice });
    expect(r.status, r.text).toBe(200);
    const byTarget = new Map(r.body.items.map((i) => [i.targetId, i]));
    expect(byTarget.size).toBe(3);
    expect(byTarget.get(changed.targetId)).toMatchObject({
      countyGrade: changed.basedOn!.grade,
      cityGrade: 'pass',
      differs: true,
    });
    for (const i of sampled.filter((s) => s !== changed))
      expect(byTarget.get(i.targetId)).toMatchObject({
        countyGrade: i.basedOn!.grade,
        cityGrade: i.basedOn!.grade,
        differs: false,
      });
    expect(r.body.counties).toEqual([
      {
        countyCode: lucheng,
        countyName: '鹿城区',
        sampled: 2,
        compared: 2,
        differing: 1,
        differingShare: 50,
      },
      { countyCode: longwan, countyName: '龙湾区', sampled: 1, compared: 1, differing: 0, differingShare: 0 },
    ]);
    expect(r.body.totals).toEqual({ sampled: 3, compared: 3, differing: 1, differingShare: 33.33 });

    // A county office reads its own part only.
    const own = await call<{ items: { countyCode: string }[]; counties: { countyCode: string }[] }>(
      'GET',
      `/campaigns/${reEvaluationId}/re-evaluation`,
      { token: offices[longwan]! },
    );
    expect(own.status, own.text).toBe(200);
    expect(own.body.items.map((i) => i.countyCode)).toEqual([longwan]);
    expect(own.body.counties.map((c) => c.countyCode)).toEqual([longwan]);

    // The same as a spreadsheet.
    const xlsx = await fetch(`${apiUrl()}/campaigns/${reEvaluationId}/re-evaluation?format=xlsx`, {
      headers: { authorization: `Bearer ${cityOffice}` },
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const cells = book.worksheets[0]!.getSheetValues().flatMap((row) => (Array.isArray(row) ? row : []));
    expect(cells).toEqual(expect.arrayContaining([changed.targetId, '合格', '鹿城区 330302', 50]));
    const csv = await call('GET', `/campaigns/${reEvaluationId}/re-evaluation?format=csv`, {
      token: cityOffice,
    });
    expect(csv.text).toContain('不同比例%');
    expect(csv.text).toContain(`${changed.targetId}`);
  });

  it('answers 404 for a campaign that is no re-evaluation, and to other roles and regions', async () => {
    expect(
      (
        await call('GET', `/campaigns/${countyCampaigns[lucheng]}/re-evaluation`, {
          token: offices[lucheng]!,
        })
      ).status,
    ).toBe(404);
    const elsewhere = await tokenFor('city_admin', '3304', { subject: 'jiaxing-office' });
    expect(
      (await call('GET', `/campaigns/${reEvaluationId}/re-evaluation`, { token: elsewhere })).status,
    ).toBe(404);
    const school = await tokenFor('school', kindergartens[0]!.id, { subject: 'kg-0' });
    expect((await call('GET', `/campaigns/${reEvaluationId}/re-evaluation`, { token: school })).status).toBe(
      404,
    );
  });
});

describe('the 5-year cycle (GET /kindergartens/due)', () => {
  it('keeps each kindergarten’s last evaluation date and lists those due in a year', async () => {
    const school = await call<{ lastEvaluatedOn: string; lastEvaluation: { grade: string } }>(
      'GET',
      `/schools/${kindergartens[0]!.id}`,
      { token: cityOffice },
    );
    expect(school.body.lastEvaluatedOn).toBe(today);

    // This year: only the kindergarten never evaluated is due.
    const now = await call<{
      items: { id: string; lastEvaluatedOn: string | null; dueYear: number | null }[];
    }>('GET', `/kindergartens/due?region=${city}&year=${year}`, { token: cityOffice });
    expect(now.status, now.text).toBe(200);
    expect(now.body.items).toEqual([
      expect.objectContaining({ id: neverEvaluated, lastEvaluatedOn: null, dueYear: null }),
    ]);

    // Five years on, every one of them, page by page.
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: { id: string; dueYear: number | null }[]; cursor?: string }>(
        'GET',
        `/kindergartens/due?region=${city}&year=${year + 5}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: cityOffice },
      );
      expect(page.status, page.text).toBe(200);
      ids.push(...page.body.items.map((i) => i.id));
      for (const i of page.body.items) if (i.id !== neverEvaluated) expect(i.dueYear).toBe(year + 5);
      cursor = page.body.cursor;
    } while (cursor);
    expect(ids.sort()).toEqual([...kindergartens.map((k) => k.id), neverEvaluated].sort());

    // A county sees its own; a school may not ask; another region is out of scope.
    const county = await call<{ items: { id: string }[] }>(
      'GET',
      `/kindergartens/due?year=${year + 5}&limit=200`,
      { token: offices[longwan]! },
    );
    expect(county.body.items.map((i) => i.id).sort()).toEqual(
      kindergartens.filter((k) => k.county === longwan).map((k) => k.id),
    );
    const kg = await tokenFor('school', kindergartens[0]!.id, { subject: 'kg-0' });
    expect((await call('GET', `/kindergartens/due?year=${year}`, { token: kg })).status).toBe(403);
    expect(
      (await call('GET', `/kindergartens/due?region=3304&year=${year}`, { token: cityOffice })).status,
    ).toBe(404);
  });
});
