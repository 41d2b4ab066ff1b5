import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { sweep } from '#test/support/aws';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';
import { waitFor } from '#test/support/wait';

/**
 * The follow-up chain over HTTP, in 东湖区 of Nanchang (360102): self-assessment →
 * findings with two problems → report and grade → rectification, one item
 * passing and one failing then passing → closed; another school's item going
 * overdue → an interview proposal from the sweeper, once.
 */
const county = '360102';
const town = '360102002';
const schools = ['3601020001', '3601020002', '3601020003'];
const templateId = `nc-safety-${Date.now()}`;

let office: string;
let inspector: string;
let campaignId: string;

interface InspectionView {
  id: string;
  status: string;
  version: number;
  report?: { score: number; grade: string };
  feedback?: { text: string; acknowledgedAt?: string };
  rectifications: { id: string; status: string; dueAt: string }[];
  timeline: { action: string }[];
}

const inspectionOf = async (schoolId: string) => {
  const list = await call<{ items: { id: string }[] }>(
    'GET',
    `/inspections?schoolId=${schoolId}&campaignId=${campaignId}`,
    { token: office },
  );
  const id = list.body.items[0]!.id;
  return (await call<InspectionView>('GET', `/inspections/${id}`, { token: office })).body;
};

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'donghu-office' });
  inspector = await tokenFor('inspector', 'INC001', { subject: 'inspector-nc-1' });
  const opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  await importFile(
    opts,
    'schools',
    's.csv',
    `${header}\r\n${schools.map((id, i) => `${id},东湖第${i + 1}小学,primary,${county},${town},public,800,50,刘一,2021-09-01`).join('\r\n')}\r\n`,
  );
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\nINC001,陈督学,responsible,${county},13900000001\r\nINC002,吴督学,responsible,${county},13900000002\r\n`,
  );
  await importFile(
    opts,
    'zones',
    'z.csv',
    `zone_id,region_code,inspector_id,school_id\r\n${schools.map((id) => `ZNC1,${county},INC001,${id}`).join('\r\n')}\r\n`,
  );
  const template = {
    id: templateId,
    version: 1,
    title: { zh: '校园安全专项督导', en: 'Campus safety' },
    indicators: [
      { id: 'fire', title: { zh: '消防安全', en: 'Fire safety' }, weight: 60, methods: ['campus_patrol'] },
      { id: 'food', title: { zh: '食品安全', en: 'Food safety' }, weight: 40, methods: ['document_review'] },
    ],
    phases: [
      { phase: 'self_assessment', days: 5 },
      { phase: 'on_site', days: 10 },
      { phase: 'rectification', days: 30 },
    ],
    grading: { excellent: 90, good: 80, pass: 60 },
    target: { unit: 'school', schoolKinds: ['primary'] },
    // Any overdue rectification proposes an interview at once (deadlines are data: tests set them seconds ahead).
    escalation: { interviewAfterOverdueHours: 0, notifyAfterOverdueHours: 720, notifyAfterFailedReviews: 2 },
  };
  expect((await call('POST', '/templates', { token: office, body: template })).status).toBe(201);
  const campaign = await createCampaign(office, {
    templateId,
    title: '东湖区校园安全专项督导',
    scope: county,
    window: upcomingWindow(),
  });
  campaignId = campaign.id;
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
}, 180_000);

describe('the follow-up chain', () => {
  it('drives one inspection from self-assessment to closed', async () => {
    const schoolToken = await tokenFor('school', schools[0]!);
    let inspection = await inspectionOf(schools[0]!);
    expect(inspection).toMatchObject({ status: 'assigned', version: 1 });

    const work = await call<{ items: { id: string }[] }>(
      'GET',
      `/inspections?assignee=me&campaignId=${campaignId}`,
      { token: inspector },
    );
    expect(work.body.items.map((i) => i.id)).toContain(inspection.id);

    const self = await call<InspectionView>('PUT', `/inspections/${inspection.id}/self-assessment`, {
      token: schoolToken,
      body: {
        version: 1,
        indicators: [
          { indicatorId: 'fire', score: 95, statement: '消防设施齐全', evidenceIds: [] },
          { indicatorId: 'food', score: 90, statement: '食堂持证', evidenceIds: [] },
        ],
      },
    });
    expect(self.body).toMatchObject({ status: 'self_assessed', version: 2 });

    const findings = await call<InspectionView>('PUT', `/inspections/${inspection.id}/findings`, {
      token: inspector,
      body: {
        version: 2,
        visit: { date: '2026-10-12', durationMinutes: 120 },
        indicators: [
          {
            indicatorId: 'fire',
            method: 'campus_patrol',
            score: 90,
            comment: '',
            problems: [{ description: '灭火器过期', severity: 'major' }],
          },
          {
            indicatorId: 'food',
            method: 'document_review',
            score: 70,
            comment: '',
            problems: [{ description: '留样记录不全', severity: 'minor' }],
          },
        ],
      },
    });
    expect(findings.body).toMatchObject({ status: 'inspected', version: 3 });

    const report = await call<InspectionView>('POST', `/inspections/${inspection.id}/report`, {
      token: inspector,
      body: { version: 3 },
    });
    // 90 × 0.6 + 70 × 0.4 = 82 → good (良好).
    expect(report.body).toMatchObject({
      status: 'rectifying',
      version: 4,
      report: { score: 82, grade: 'good' },
    });
    // The letter names indicators by title, with the grade in words; each problem is its own rectification.
    expect(report.body.feedback?.text).toMatch(/等次：良好.*消防安全（1 项）/);

    const ack = await call<InspectionView>('POST', `/inspections/${inspection.id}/feedback/acknowledge`, {
      token: schoolToken,
      body: { version: 4 },
    });
    expect(ack.body.feedback?.acknowledgedAt).toEqual(expect.any(String));

    inspection = await inspectionOf(schools[0]!);
    expect(inspection.rectifications.map((r) => r.id).sort()).toEqual(['fire-1', 'food-1']);
    let version = inspection.version;
    const act = async (
      method: string,
      path: string,
      token: string,
      body: Record<string, unknown>,
      status = 200,
    ) => {
      const r = await call<InspectionView>(method, `/inspections/${inspection.id}${path}`, {
        token,
        body: { version, ...body },
      });
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(status);
      version = r.body.version;
      return r.body;
    };
    await act('PUT', '/rectifications/fire-1', schoolToken, { plan: '更换全部灭火器' });
    expect(
      (
        await act('PUT', '/rectifications/fire-1', schoolToken, {
          completion: { statement: '已更换', evidenceIds: [] },
        })
      ).status,
    ).toBe('rectifying');
    expect(
      (
        await act('PUT', '/rectifications/food-1', schoolToken, {
          completion: { statement: '已补齐', evidenceIds: [] },
        })
      ).status,
    ).toBe('rectification_submitted');
    expect(
      (await act('POST', '/rectifications/fire-1/review', inspector, { result: 'pass', comment: '合格' }))
        .status,
    ).toBe('rectification_submitted');
    expect(
      (await act('POST', '/rectifications/food-1/review', inspector, { result: 'fail', comment: '仍缺三天' }))
        .status,
    ).toBe('rectifying');
    expect(
      (
        await act('PUT', '/rectifications/food-1', schoolToken, {
          completion: { statement: '全部补齐', evidenceIds: [] },
        })
      ).status,
    ).toBe('rectification_submitted');
    expect(
      (await act('POST', '/rectifications/food-1/review', inspector, { result: 'pass', comment: '合格' }))
        .status,
    ).toBe('closed');

    const closed = await inspectionOf(schools[0]!);
    expect(closed.timeline.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'submit_self_assessment',
        'record_findings',
        'issue_report',
        'acknowledge_feedback',
        'submit_rectification',
        'review_rectification',
      ]),
    );
    const history = await call<{
      inspections: { grade: string; status: string; openRectifications: unknown[] }[];
    }>('GET', `/schools/${schools[0]}/history`, {
      token: schoolToken,
    });
    expect(history.body.inspections).toEqual([
      expect.objectContaining({ grade: 'good', status: 'closed', openRectifications: [] }),
    ]);
  });

  it('takes an overdue rectification to an interview proposal, once however often the sweeper runs', async () => {
    const inspection = await inspectionOf(schools[1]!);
    const schoolToken = await tokenFor('school', schools[1]!);
    await call('PUT', `/inspections/${inspection.id}/self-assessment`, {
      token: schoolToken,
      body: {
        version: 1,
        indicators: [{ indicatorId: 'fire', score: 80, statement: '自查', evidenceIds: [] }],
      },
    });
    const dueAt = new Date(Date.now() + 2_000).toISOString();
    await call('PUT', `/inspections/${inspection.id}/findings`, {
      token: inspector,
      body: {
        version: 2,
        visit: { date: '2026-10-13', durationMinutes: 60 },
        indicators: [
          {
            indicatorId: 'fire',
            method: 'campus_patrol',
            score: 50,
            problems: [{ description: '疏散通道堵塞', severity: 'critical', dueAt }],
          },
          { indicatorId: 'food', method: 'document_review', score: 60 },
        ],
      },
    });
    const reported = await call<InspectionView>('POST', `/inspections/${inspection.id}/report`, {
      token: inspector,
      body: { version: 3 },
    });
    expect(reported.body.report).toMatchObject({ grade: 'fail' });

    // Other test files sweep too: wait for this inspection's proposal, whichever sweep made it.
    const actionsOf = () =>
      call<{ items: { type: string; inspectionId: string; status: string }[] }>(
        'GET',
        `/campaigns/${campaignId}/actions`,
        { token: office },
      );
    await waitFor(
      async () => {
        await sweep();
        const items = (await actionsOf()).body.items;
        return items.some((a) => a.type === 'interview' && a.inspectionId === inspection.id)
          ? items
          : undefined;
      },
      {
        timeoutMs: 15_000,
        intervalMs: 500,
        what: 'the overdue rectification to be proposed for an interview',
      },
    );
    await sweep();
    await sweep();

    const actions = await actionsOf();
    expect(
      actions.body.items.filter((a) => a.type === 'interview' && a.inspectionId === inspection.id),
    ).toEqual([expect.objectContaining({ status: 'proposed' })]);
    const progress = await call<{ totals: { overdue: number; escalations: Record<string, number> } }>(
      'GET',
      `/campaigns/${campaignId}/progress`,
      { token: office },
    );
    expect(progress.body.totals.overdue).toBe(1);
    expect(progress.body.totals.escalations.interview).toBe(1);

    // The office records the interview; accountability needs a recorded notification first.
    const interview = await call('POST', `/inspections/${inspection.id}/actions`, {
      token: office,
      body: {
        type: 'interview',
        date: '2026-11-01',
        leaderSummoned: '校长刘一',
        attendees: ['陈督学'],
        minutes: '约谈纪要',
      },
    });
    expect(interview.status).toBe(201);
    const early = await call('POST', `/inspections/${inspection.id}/actions`, {
      token: office,
      body: { type: 'accountability', decisionReference: '东教督〔2026〕1号' },
    });
    expect(early.status).toBe(409);
    await call('POST', `/inspections/${inspection.id}/actions`, {
      token: office,
      body: { type: 'notification', visibility: 'internal', schoolIds: [schools[1]], text: '通报' },
    });
    expect(
      (
        await call('POST', `/inspections/${inspection.id}/actions`, {
          token: office,
          body: { type: 'accountability', decisionReference: '东教督〔2026〕1号' },
        })
      ).status,
    ).toBe(201);
  });

  it('lets exactly one of two concurrent updates win; the other gets 409 and nothing half-written shows', async () => {
    const inspection = await inspectionOf(schools[2]!);
    const schoolToken = await tokenFor('school', schools[2]!);
    const body = (score: number) => ({
      version: 1,
      indicators: [{ indicatorId: 'fire', score, statement: `自查 ${score}`, evidenceIds: [] }],
    });
    const results = await Promise.all([
      call('PUT', `/inspections/${inspection.id}/self-assessment`, { token: schoolToken, body: body(70) }),
      call('PUT', `/inspections/${inspection.id}/self-assessment`, { token: schoolToken, body: body(80) }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const after = await inspectionOf(schools[2]!);
    expect(after.version).toBe(2);
    expect(after.timeline.filter((e) => e.action === 'submit_self_assessment')).toHaveLength(1);
  });

  it('keeps each party to its part', async () => {
    const inspection = await inspectionOf(schools[2]!);
    const findings = {
      version: inspection.version,
      visit: { date: '2026-10-14', durationMinutes: 30 },
      indicators: [{ indicatorId: 'fire', method: 'campus_patrol', score: 80 }],
    };
    expect((await call('PUT', `/inspections/${inspection.id}/findings`, { body: findings })).status).toBe(
      401,
    );
    expect(
      (
        await call('PUT', `/inspections/${inspection.id}/findings`, {
          token: await tokenFor('school', schools[2]!),
          body: findings,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('PUT', `/inspections/${inspection.id}/findings`, {
          token: await tokenFor('inspector', 'INC002'),
          body: findings,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call('PUT', `/inspections/${inspection.id}/findings`, {
          token: await tokenFor('auditor', '36'),
          body: findings,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', `/campaigns/${campaignId}/actions`, {
          token: await tokenFor('auditor', '36'),
          body: { type: 'incentive', text: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call('GET', `/inspections/${inspection.id}`, { token: await tokenFor('school', schools[0]!) }))
        .status,
    ).toBe(404);
    expect(
      (await call('GET', `/inspections/${inspection.id}`, { token: await tokenFor('auditor', '36') })).status,
    ).toBe(200);
  });

  it('reports the campaign as JSON, CSV and XLSX', async () => {
    const report = await call<{
      totals: {
        reported: number;
        grades: Record<string, number>;
        problems: { indicatorId: string }[];
        rectifications: { total: number; passed: number };
      };
    }>('GET', `/campaigns/${campaignId}/report`, { token: office });
    expect(report.status).toBe(200);
    expect(report.body.totals).toMatchObject({
      reported: 2,
      grades: { good: 1, fail: 1, excellent: 0, pass: 0 },
      rectifications: { total: 3, passed: 2 },
    });
    expect(report.body.totals.problems[0]).toMatchObject({ indicatorId: 'fire' });
    const csv = await call('GET', `/campaigns/${campaignId}/report?format=csv&region=${county}`, {
      token: office,
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const xlsx = await fetch(`${apiUrl()}/campaigns/${campaignId}/report?format=xlsx`, {
      headers: { authorization: `Bearer ${office}` },
    });
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });
});
