import { beforeAll, describe, expect, it } from 'vitest';
import { drawPanels, type Panel } from '#core/panels';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';

/**
 * Expert panels over HTTP, in 海沧区 of Xiamen (350205): a principal
 * end-of-term review (校长任期结束综合督导) of the schools whose principal's
 * term ends this year. The county office draws a panel of five for each
 * school from its expert pool (专家库); an auditor downloads the draw's record
 * and redraws it from the seed, getting the same panels; no panel seats an
 * expert who works at the school, declared a conflict with it, or is away.
 * The panel works: the lead returns the self-assessment once, members record
 * findings, the lead reports. A member who declines is replaced, with the reason.
 */
const county = '350205';
const town = '350205001';
const year = Number(upcomingWindow().start.slice(0, 4));
const schools = ['3502050001', '3502050002', '3502050003'];
const notDue = '3502050004';
const lead = 'IHC01';
const experts = ['IHC02', 'IHC03', 'IHC04', 'IHC05', 'IHC06', 'IHC07', 'IHC08', 'IHC09', 'IHC10'];
const conflicted = { expert: 'IHC02', school: schools[0]! };
const homeOf = { expert: 'IHC03', school: schools[1]! };
const away = 'IHC04';

let office: string;
let campaignId: string;

interface Team {
  lead: string;
  members: { inspectorId: string }[];
  source: string;
  drawId?: string;
  replacements?: { out: string; in: string; reason: { code: string } }[];
}
interface InspectionView {
  id: string;
  targetId: string;
  status: string;
  version: number;
  team?: Team;
  timeline: { action: string; details?: Record<string, unknown> }[];
}
const inspectionOf = async (schoolId: string) => {
  const list = await call<{ items: { id: string }[] }>(
    'GET',
    `/inspections?schoolId=${schoolId}&campaignId=${campaignId}`,
    { token: office },
  );
  const id = list.body.items[0]?.id;
  return id ? (await call<InspectionView>('GET', `/inspections/${id}`, { token: office })).body : undefined;
};
const membersOf = (team: Team) => [team.lead, ...team.members.map((m) => m.inspectorId)];

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'haicang-office' });
  const opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  const rows = [
    ...schools.map(
      (id, i) => `${id},海沧第${i + 1}小学,primary,${county},${town},public,600,40,陈${i},${year - 5}-09-01`,
    ),
    `${notDue},海沧第四小学,primary,${county},${town},public,600,40,李四,${year - 2}-09-01`,
  ];
  await importFile(opts, 'schools', 's.csv', `${header}\r\n${rows.join('\r\n')}\r\n`);
  const pool = [
    `${lead},王督学,专职督学,${county},13900000051,学校管理,,是,,`,
    ...experts.map((id, i) => {
      const home = id === homeOf.expert ? homeOf.school : '';
      const available = id === away ? '否' : '是';
      const conflicts = id === conflicted.expert ? conflicted.school : '';
      return `${id},专家${i + 1},督导评估专家,${county},1390000006${i},义务教育、学校管理、财务,${home},${available},,${conflicts}`;
    }),
  ];
  await importFile(
    opts,
    'inspectors',
    'experts.csv',
    `督学编号,姓名,督学类型,区县代码,手机号,专业领域,所在学校标识码,是否可用,不可用截止日期,回避学校\r\n${pool.join('\r\n')}\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'principal-term-end',
    title: `海沧区${year}年校长任期结束综合督导`,
    scope: county,
    window: upcomingWindow(),
  });
  campaignId = campaign.id;
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
}, 180_000);

describe('expert panels', () => {
  it('targets the schools whose principal’s term ends this year, and leaves them without a team until the draw', async () => {
    for (const school of schools) expect((await inspectionOf(school))?.status).toBe('unassigned');
    expect(await inspectionOf(notDue)).toBeUndefined();
    const waiting = await call<{ items: { targetId: string }[] }>(
      'GET',
      `/campaigns/${campaignId}/inspections?status=unassigned`,
      { token: office },
    );
    expect(waiting.body.items.map((i) => i.targetId).sort()).toEqual(schools);
  });

  it('draws a panel for each, with no conflicted, home-school or absent expert, reproducibly from the seed', async () => {
    const path = `/campaigns/${campaignId}/panels`;
    expect((await call('POST', path, { body: {} })).status).toBe(401);
    expect((await call('POST', path, { token: await tokenFor('inspector', lead), body: {} })).status).toBe(
      403,
    );
    expect(
      (await call('POST', path, { token: await tokenFor('county_admin', '350206'), body: {} })).status,
    ).toBe(404);

    const drawn = await call<{
      id: string;
      seed: string;
      drawn: number;
      applied: number;
      unfilled: unknown[];
    }>('POST', path, { token: office, body: {} });
    expect(drawn.status).toBe(201);
    expect(drawn.body).toMatchObject({ drawn: 3, applied: 3, unfilled: [] });
    // Drawing again finds nothing left without a team.
    expect((await call<{ drawn: number }>('POST', path, { token: office, body: {} })).body.drawn).toBe(0);

    for (const school of schools) {
      const inspection = (await inspectionOf(school))!;
      expect(inspection.status).toBe('assigned');
      const team = inspection.team!;
      expect(team).toMatchObject({ source: 'panel', drawId: drawn.body.id, lead });
      const seated = membersOf(team);
      expect(seated).toHaveLength(5);
      expect(seated).not.toContain(away);
      if (school === conflicted.school) expect(seated).not.toContain(conflicted.expert);
      if (school === homeOf.school) expect(seated).not.toContain(homeOf.expert);
    }

    // An auditor downloads the draw's record (audited) and redraws it from its seed.
    const auditor = await tokenFor('auditor', county, { subject: 'auditor-haicang' });
    const draws = await call<{
      items: { id: string; seed: string; sha256: string; record: { url: string } }[];
    }>('GET', path, { token: auditor });
    const draw = draws.body.items.find((d) => d.id === drawn.body.id)!;
    const record = (await (await fetch(draw.record.url)).json()) as {
      seed: string;
      rule: Parameters<typeof drawPanels>[0]['rule'];
      inspections: Parameters<typeof drawPanels>[0]['inspections'];
      experts: Parameters<typeof drawPanels>[0]['experts'];
      loads: Record<string, number>;
      panels: Panel[];
    };
    expect(record.seed).toBe(draw.seed);
    const redrawn = drawPanels({
      seed: record.seed,
      rule: record.rule,
      inspections: record.inspections,
      experts: record.experts,
      loads: new Map(Object.entries(record.loads)),
    });
    expect(redrawn.panels).toEqual(record.panels);
    const teams = await Promise.all(schools.map(async (s) => (await inspectionOf(s))!));
    for (const panel of redrawn.panels as Panel[]) {
      const team = teams.find((t) => t.id === panel.inspectionId)!.team!;
      expect(membersOf(team).sort()).toEqual(panel.members.map((m) => m.inspectorId).sort());
    }
    const events = await call<{ items: { action: string; details?: { seed?: string } }[] }>(
      'GET',
      `/audit/events?campaignId=${campaignId}`,
      { token: auditor },
    );
    const actions = events.body.items.map((e) => e.action);
    expect(actions).toContain('draw_panels');
    expect(actions).toContain('download_panel_draw');
    expect(events.body.items.find((e) => e.action === 'draw_panels')!.details?.seed).toBe(record.seed);
  });

  it('works as a team: a return for correction, members’ findings, the lead’s report', async () => {
    const inspection = (await inspectionOf(schools[0]!))!;
    const school = await tokenFor('school', schools[0]!);
    const submit = async (statement: string) => {
      const v = (await inspectionOf(schools[0]!))!;
      return call<InspectionView>('PUT', `/inspections/${v.id}/self-assessment`, {
        token: school,
        body: {
          version: v.version,
          indicators: ['development-plan', 'teaching-quality', 'staff-development', 'governance'].map(
            (id) => ({
              indicatorId: id,
              score: 85,
              statement,
              evidenceIds: [],
            }),
          ),
        },
      });
    };
    expect((await submit('任期工作总结')).status).toBe(200);
    const leadToken = await tokenFor('inspector', lead, { subject: 'lead-haicang' });
    let v = (await inspectionOf(schools[0]!))!;
    expect(
      (
        await call('POST', `/inspections/${v.id}/self-assessment/return`, {
          token: leadToken,
          body: { version: v.version, reason: '请补充任期目标完成情况' },
        })
      ).status,
    ).toBe(200);
    expect((await submit('任期工作总结（补充任期目标完成情况）')).status).toBe(200);

    const member = inspection.team!.members[0]!.inspectorId;
    const memberToken = await tokenFor('inspector', member, { subject: `member-${member}` });
    const entry = (indicatorId: string) => ({
      indicatorId,
      method: 'document_review',
      score: 92,
      comment: '',
      problems: [],
    });
    v = (await inspectionOf(schools[0]!))!;
    const byMember = await call('PUT', `/inspections/${v.id}/findings`, {
      token: memberToken,
      body: {
        version: v.version,
        visit: { date: '2026-12-02', durationMinutes: 240 },
        indicators: [entry('governance')],
      },
    });
    expect(byMember.status).toBe(200);
    v = (await inspectionOf(schools[0]!))!;
    const byLead = await call('PUT', `/inspections/${v.id}/findings`, {
      token: leadToken,
      body: {
        version: v.version,
        visit: { date: '2026-12-02', durationMinutes: 240 },
        indicators: ['development-plan', 'teaching-quality', 'staff-development'].map(entry),
      },
    });
    expect(byLead.status).toBe(200);
    v = (await inspectionOf(schools[0]!))!;
    expect(
      (
        await call('POST', `/inspections/${v.id}/report`, {
          token: memberToken,
          body: { version: v.version },
        })
      ).status,
    ).toBe(403);
    const report = await call<{ status: string }>('POST', `/inspections/${v.id}/report`, {
      token: leadToken,
      body: { version: v.version },
    });
    expect(report.body.status).toBe('closed');
    const actions = (await inspectionOf(schools[0]!))!.timeline.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'set_team',
        'submit_self_assessment',
        'return_self_assessment',
        'record_findings',
        'issue_report',
      ]),
    );
  });

  it('replaces a member who declines by the rules of the draw, keeping the reason', async () => {
    const before = (await inspectionOf(schools[1]!))!;
    const leaving = before.team!.members[0]!.inspectorId;
    const path = `/inspections/${before.id}/team/replacements`;
    const body = {
      version: before.version,
      memberId: leaving,
      reason: { code: 'declined', note: '外出培训' },
    };
    expect((await call('POST', path, { token: await tokenFor('inspector', lead), body })).status).toBe(403);
    expect((await call('POST', path, { token: office, body: { ...body, memberId: 'NOBODY' } })).status).toBe(
      404,
    );
    const replaced = await call<{ inspection: InspectionView; replacement: { out: string; in: string } }>(
      'POST',
      path,
      {
        token: office,
        body,
      },
    );
    expect(replaced.status).toBe(200);
    const after = (await inspectionOf(schools[1]!))!;
    const seated = membersOf(after.team!);
    expect(seated).toHaveLength(5);
    expect(seated).not.toContain(leaving);
    expect(seated).not.toContain(homeOf.expert);
    expect(seated).not.toContain(away);
    expect(after.team!.replacements).toEqual([
      expect.objectContaining({
        out: leaving,
        in: replaced.body.replacement.in,
        reason: { code: 'declined', note: '外出培训' },
      }),
    ]);
    const event = after.timeline.filter((e) => e.action === 'set_team').at(-1)!;
    expect(event.details).toMatchObject({ source: 'panel', reason: 'declined: 外出培训' });
  });
});
