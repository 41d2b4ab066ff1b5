import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { sweep } from '#test/support/aws';
import { activeCountyCampaign, createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';
import { png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * The teacher-salary "not lower than" check (义务教育教师工资收入不低于当地公务员)
 * over HTTP, over the counties of 青岛市 (3702): one inspection per county.
 * The city office sets a team on each county's inspection. No county
 * self-reports (there is no government role on this branch), so once the
 * self-assessment deadline has passed the team enters each county's figures
 * in its findings: teachers' average annual pay beside the local civil
 * servants' average, with the salary slips and the statistics as evidence.
 * 市南区's teachers earn more than its civil servants (达标), 黄岛区's less
 * (未达标); 崂山区 gave no figures: its verdict reads "not assessed", in the
 * inspection, in its report (no grade) and in the campaign report files.
 */
const city = '3702';
const counties = { shinan: '370202', huangdao: '370211', laoshan: '370212' } as const;
const townOf = (county: string) => `${county}001`;
const leadOf = (county: string) => `IWX${county.slice(4)}`;
const selfAssessmentDue = new Date(Date.now() + 3_600_000);

let office: string;
let campaignId: string;
const ids: Record<string, string> = {};

interface Verdict {
  indicatorId: string;
  kind: string;
  verdict: 'met' | 'not_met' | 'not_assessed';
  value?: number | boolean;
  reference?: number;
  threshold?: number;
  missing?: string;
}
interface InspectionView {
  id: string;
  status: string;
  version: number;
  targetId: string;
  verdicts: Verdict[];
  report?: { score: number | null; grade: string | null; verdicts: Verdict[] };
  feedback?: { text: string };
}
interface Problem {
  status: number;
  errors?: { path: string; message: string }[];
}

const view = async (county: string) =>
  (await call<InspectionView>('GET', `/inspections/${ids[county]}`, { token: office })).body;
const lead = (county: string) =>
  tokenFor('inspector', leadOf(county), { subject: `inspector-${leadOf(county)}` });
const verdictOf = (list: Verdict[], indicatorId: string) => list.find((v) => v.indicatorId === indicatorId);

const findings = async (county: string, indicators: unknown[]) => {
  const token = await lead(county);
  return call<InspectionView & Problem>('PUT', `/inspections/${ids[county]}/findings`, {
    token,
    body: {
      version: (await view(county)).version,
      visit: { date: new Date().toISOString().slice(0, 10), durationMinutes: 120 },
      indicators,
    },
  });
};

const evidence = async (county: string, fileName: string) => {
  const token = await lead(county);
  const file = Buffer.concat([png, Buffer.from(`${county}:${fileName}`)]);
  const stored = await uploadEvidence(
    office,
    token,
    ids[county]!,
    {
      fileName,
      contentType: 'image/png',
      size: file.length,
      sha256: sha256(file),
      indicatorId: 'average-pay',
    },
    file,
  );
  expect(stored.status).toBe('stored');
  return stored.id;
};

const report = async (county: string) =>
  call<InspectionView>('POST', `/inspections/${ids[county]}/report`, {
    token: await lead(county),
    body: { version: (await view(county)).version },
  });

beforeAll(async () => {
  office = await tokenFor('city_admin', city, { subject: 'wuxi-office' });
  const opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  const all = Object.values(counties);
  await importFile(
    opts,
    'schools',
    's.csv',
    `${header}\r\n${all.map((c) => `${c}0001,${c}实验小学,primary,${c},${townOf(c)},public,900,60,钱${c.slice(4)},2022-09-01`).join('\r\n')}\r\n`,
  );
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\n${all.map((c, n) => `${leadOf(c)},督学${n + 1},full_time,${c},1390000061${n}`).join('\r\n')}\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'teacher-salary',
    title: '青岛市义务教育教师工资收入“不低于”专项督导',
    scope: city,
    window: upcomingWindow(),
    overrides: { deadlines: { self_assessment: selfAssessmentDue.toISOString() } },
  });
  campaignId = campaign.id;
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
  // One inspection per county of the city that has schools (other tests' counties of 青岛 too, if any).
  for (const county of all) {
    const list = await call<{ items: { id: string; targetId: string; status: string }[] }>(
      'GET',
      `/campaigns/${campaignId}/inspections?region=${county}`,
      { token: office },
    );
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((i) => [i.targetId, i.status])).toEqual([[county, 'unassigned']]);
    ids[county] = list.body.items[0]!.id;
  }
  // The city office sets each county's team: that county's full-time inspector leads.
  for (const county of all) {
    const set = await call<InspectionView>('PUT', `/inspections/${ids[county]}/team`, {
      token: office,
      body: { version: (await view(county)).version, lead: leadOf(county), members: [], reason: '市督导组' },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body.status).toBe('assigned');
  }
  // No county self-reported by the deadline: the sweeper marks it late, and the teams go on.
  await sweep(new Date(selfAssessmentDue.getTime() + 1000));
}, 180_000);

describe('teacher-salary over the counties of a city', () => {
  it('reads every county as not assessed before any figure is entered', async () => {
    for (const county of Object.values(counties)) {
      const v = await view(county);
      expect(v.verdicts.map((x) => [x.indicatorId, x.verdict])).toEqual([
        ['average-pay', 'not_assessed'],
        ['payment-mechanism', 'not_assessed'],
      ]);
    }
  });

  it('refuses a text where a number is needed, a score on a figure, and a reference the rule does not name', async () => {
    const words = await findings(counties.shinan, [
      { indicatorId: 'average-pay', method: 'data_review', value: '十二万元' },
    ]);
    expect(words.status).toBe(400);
    expect(words.headers.get('content-type')).toContain('application/problem+json');
    expect(words.body.errors).toContainEqual({
      path: 'body.indicators.0.value',
      message: 'average-pay takes a number (元)',
    });
    const scored = await findings(counties.shinan, [
      { indicatorId: 'average-pay', method: 'data_review', score: 90 },
    ]);
    expect(scored.status).toBe(400);
    expect(scored.body.errors?.map((e) => e.path)).toEqual(['body.indicators.0.score']);
    const foreign = await findings(counties.shinan, [
      { indicatorId: 'payment-mechanism', method: 'document_review', value: 'yes', references: { x: 1 } },
    ]);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors?.map((e) => e.path)).toEqual([
      'body.indicators.0.value',
      'body.indicators.0.references.x',
    ]);
    // Nothing was recorded.
    expect((await view(counties.shinan)).status).toBe('assigned');
  });

  it('computes each county’s verdict from its entered figures, with their sources as evidence', async () => {
    const entries = async (county: string, pay: number, civil: number, mechanism: boolean) => [
      {
        indicatorId: 'average-pay',
        method: 'data_review',
        value: pay,
        references: { 'civil-servant-pay': civil },
        comment: '教师年平均工资收入与当地公务员年平均工资收入（财政、人社部门统计）',
        evidenceIds: [
          await evidence(county, '教师工资发放明细.png'),
          await evidence(county, '公务员工资统计.png'),
        ],
      },
      { indicatorId: 'payment-mechanism', method: 'document_review', value: mechanism },
      {
        indicatorId: 'pay-items',
        method: 'document_review',
        value: '基本工资、津贴补贴、绩效工资、年终一次性奖励',
      },
    ];
    const shinan = await findings(counties.shinan, await entries(counties.shinan, 128_600, 126_300, true));
    expect(shinan.status, shinan.text).toBe(200);
    const huangdao = await findings(counties.huangdao, [
      ...(await entries(counties.huangdao, 118_200, 121_500, true)),
    ]);
    expect(huangdao.status, huangdao.text).toBe(200);

    expect(verdictOf((await view(counties.shinan)).verdicts, 'average-pay')).toMatchObject({
      verdict: 'met',
      value: 128_600,
      reference: 126_300,
      threshold: 126_300,
    });
    expect(verdictOf((await view(counties.huangdao)).verdicts, 'average-pay')).toMatchObject({
      verdict: 'not_met',
      value: 118_200,
      reference: 121_500,
    });

    const met = await report(counties.shinan);
    expect(met.status, met.text).toBe(200);
    expect(met.body.report).toMatchObject({ score: 100, grade: 'excellent' });
    expect(met.body.feedback!.text).toContain('义务教育教师年平均工资收入不低于当地公务员：达标');
    const notMet = await report(counties.huangdao);
    expect(notMet.status, notMet.text).toBe(200);
    expect(notMet.body.report).toMatchObject({ score: 30, grade: 'fail' });
    expect(verdictOf(notMet.body.report!.verdicts, 'average-pay')!.verdict).toBe('not_met');
  });

  it('reads a county without figures as not assessed, in its inspection and in its report', async () => {
    const none = await findings(counties.laoshan, [
      { indicatorId: 'average-pay', method: 'data_review', comment: '未提供工资数据' },
      { indicatorId: 'payment-mechanism', method: 'document_review', comment: '未提供机制文件' },
    ]);
    expect(none.status, none.text).toBe(200);
    expect((await view(counties.laoshan)).verdicts.map((v) => [v.indicatorId, v.verdict, v.missing])).toEqual(
      [
        ['average-pay', 'not_assessed', 'value'],
        ['payment-mechanism', 'not_assessed', 'value'],
      ],
    );
    const reported = await report(counties.laoshan);
    expect(reported.status, reported.text).toBe(200);
    expect(reported.body.report).toMatchObject({ score: null, grade: null });
    expect(reported.body.feedback!.text).toContain('未评估');
  });

  it('shows each county’s verdict in the campaign report and its CSV and XLSX files', async () => {
    const r = await call<{
      totals: { notGraded: number; verdicts: { indicatorId: string; met: number; notMet: number }[] };
      ranking: {
        code: string;
        notGraded: number;
        verdicts: { indicatorId: string; met: number; notMet: number; notAssessed: number }[];
      }[];
    }>('GET', `/campaigns/${campaignId}/report?region=${city}`, { token: office });
    expect(r.status, r.text).toBe(200);
    const pay = (code: string) =>
      r.body.ranking.find((c) => c.code === code)!.verdicts.find((v) => v.indicatorId === 'average-pay');
    expect(pay(counties.shinan)).toMatchObject({ met: 1, notMet: 0, notAssessed: 0 });
    expect(pay(counties.huangdao)).toMatchObject({ met: 0, notMet: 1, notAssessed: 0 });
    expect(pay(counties.laoshan)).toMatchObject({ met: 0, notMet: 0, notAssessed: 1 });
    expect(r.body.ranking.find((c) => c.code === counties.laoshan)!.notGraded).toBe(1);

    const csv = await call('GET', `/campaigns/${campaignId}/report?region=${city}&format=csv`, {
      token: office,
    });
    expect(csv.status).toBe(200);
    const rows = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const header = rows[0]!;
    const column = (name: string) => header.findIndex((h) => h.includes(name));
    const cells = (code: string) => {
      const row = rows.find((x) => x[1] === code)!;
      return [
        row[column(' 达标 [average-pay]')],
        row[column('未达标 [average-pay]')],
        row[column('未评估 [average-pay]')],
      ];
    };
    expect(column('未评估 [average-pay]')).toBeGreaterThan(0);
    expect(cells(counties.shinan)).toEqual(['1', '0', '0']);
    expect(cells(counties.huangdao)).toEqual(['0', '1', '0']);
    expect(cells(counties.laoshan)).toEqual(['0', '0', '1']);

    const xlsx = await fetch(
      `${apiUrl()}/campaigns/${campaignId}/report?region=${counties.laoshan}&format=xlsx`,
      {
        headers: { authorization: `Bearer ${office}` },
      },
    );
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('达标情况')!;
    const values = sheet.getSheetValues().filter(Boolean) as unknown[][];
    expect(values.find((row) => row[1] === 'average-pay')!.slice(3, 6)).toEqual([0, 0, 1]);
  });

  it('lists each county’s verdicts in the office’s list of inspections', async () => {
    const list = await call<{ items: { targetId: string; verdicts: Record<string, string> }[] }>(
      'GET',
      `/campaigns/${campaignId}/inspections?region=${city}&limit=200`,
      { token: office },
    );
    const of = (county: string) => list.body.items.find((i) => i.targetId === county)!.verdicts;
    expect(of(counties.shinan)).toEqual({ 'average-pay': 'met', 'payment-mechanism': 'met' });
    expect(of(counties.huangdao)).toEqual({ 'average-pay': 'not_met', 'payment-mechanism': 'met' });
    expect(of(counties.laoshan)).toEqual({
      'average-pay': 'not_assessed',
      'payment-mechanism': 'not_assessed',
    });
  });
});

/**
 * A school fills quantitative indicators in its self-assessment too: an
 * office's template (in 历下区 of 济南, 370102) with a class-size figure
 * (≤ 45 人) and a boolean safety plan.
 */
describe('quantitative indicators in a school’s self-assessment', () => {
  const county = '370102';
  const school = '3701020001';
  const inspectorId = 'ITN001';
  const templateId = `class-size-${Date.now()}`;
  let inspectionId: string;
  let countyOffice: string;

  beforeAll(async () => {
    const province = await tokenFor('province_admin', '37', { subject: 'shandong-office' });
    const published = await call('POST', '/templates', {
      token: province,
      body: {
        id: templateId,
        version: 1,
        title: { zh: '班额与安全预案专项督导', en: 'Class size and safety plan' },
        indicators: [
          {
            id: 'class-size',
            title: { zh: '最大班额', en: 'Largest class' },
            weight: 60,
            kind: 'number',
            unit: '人',
            rule: { op: 'lte', value: 45 },
            methods: ['data_review'],
          },
          {
            id: 'safety-plan',
            title: { zh: '安全应急预案', en: 'Safety plan' },
            weight: 40,
            kind: 'boolean',
            methods: ['document_review'],
          },
        ],
        phases: [
          { phase: 'self_assessment', days: 10 },
          { phase: 'on_site', days: 10 },
        ],
        grading: { excellent: 90, good: 80, pass: 60 },
        target: { unit: 'school', schoolKinds: ['primary'] },
      },
    });
    expect(published.status, published.text).toBe(201);
    const active = await activeCountyCampaign({
      county,
      town: `${county}001`,
      schoolIds: [school],
      inspectorId,
      templateId,
    });
    countyOffice = active.office;
    const list = await call<{ items: { id: string }[] }>(
      'GET',
      `/inspections?schoolId=${school}&campaignId=${active.campaignId}`,
      { token: countyOffice },
    );
    inspectionId = list.body.items[0]!.id;
  }, 180_000);

  const current = async () =>
    (
      await call<InspectionView & { selfAssessmentVerdicts?: Verdict[] }>(
        'GET',
        `/inspections/${inspectionId}`,
        {
          token: countyOffice,
        },
      )
    ).body;

  it('refuses a text where the figure is needed, then takes the figure and shows its verdict', async () => {
    const token = await tokenFor('school', school);
    const submit = async (classSize: unknown) =>
      call<Problem>('PUT', `/inspections/${inspectionId}/self-assessment`, {
        token,
        body: {
          version: (await current()).version,
          indicators: [
            {
              indicatorId: 'class-size',
              value: classSize,
              statement: '最大班额（学籍系统）',
              evidenceIds: [],
            },
            { indicatorId: 'safety-plan', value: true, statement: '预案已印发', evidenceIds: [] },
          ],
        },
      });
    const words = await submit('四十八人');
    expect(words.status).toBe(400);
    expect(words.headers.get('content-type')).toContain('application/problem+json');
    expect(words.body.errors).toContainEqual({
      path: 'body.indicators.0.value',
      message: 'class-size takes a number (人)',
    });
    expect((await current()).status).toBe('assigned');
    expect((await submit(48)).status).toBe(200);
    const after = await current();
    expect(after.status).toBe('self_assessed');
    expect(after.selfAssessmentVerdicts!.map((v) => [v.indicatorId, v.verdict])).toEqual([
      ['class-size', 'not_met'],
      ['safety-plan', 'met'],
    ]);
  });

  it('grades the team’s figures: a met one counts its full weight, a not-met one nothing', async () => {
    const inspector = await tokenFor('inspector', inspectorId, { subject: `inspector-${inspectorId}` });
    const recorded = await call('PUT', `/inspections/${inspectionId}/findings`, {
      token: inspector,
      body: {
        version: (await current()).version,
        visit: { date: new Date().toISOString().slice(0, 10), durationMinutes: 60 },
        indicators: [
          { indicatorId: 'class-size', method: 'data_review', value: 45 },
          { indicatorId: 'safety-plan', method: 'document_review', value: false },
        ],
      },
    });
    expect(recorded.status, recorded.text).toBe(200);
    const reported = await call<InspectionView>('POST', `/inspections/${inspectionId}/report`, {
      token: inspector,
      body: { version: (await current()).version },
    });
    expect(reported.status, reported.text).toBe(200);
    expect(reported.body.report).toMatchObject({ score: 60, grade: 'pass' });
    expect(reported.body.report!.verdicts.map((v) => [v.indicatorId, v.verdict])).toEqual([
      ['class-size', 'met'],
      ['safety-plan', 'not_met'],
    ]);
  });
});
