import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';

/**
 * Inspection teams over HTTP, in 湖里区 of Xiamen (350206): the office
 * replaces a zone's automatic assignment by a team (a full-time inspector as
 * lead, an expert for one indicator, the responsible inspector); every member
 * sees the inspection in their work list; the member records findings for
 * their indicator only and may not report; the lead returns the
 * self-assessment and a rectification for correction (退回), both kept as
 * versions; teams are set in bulk from a GBK spreadsheet, idempotently.
 */
const county = '350206';
const town = '350206001';
const schools = ['3502060001', '3502060002', '3502060003'];
const lead = 'IHL02';
const expert = 'IHL03';
const zoneInspector = 'IHL01';

let office: string;
let campaignId: string;
let inspectionId: string;

interface InspectionView {
  id: string;
  status: string;
  version: number;
  team?: { lead: string; members: { inspectorId: string; indicatorIds?: string[] }[]; source: string };
  findings?: { indicators: { indicatorId: string; by: string }[] };
  rectifications: { id: string; status: string; returns?: { reason: string }[] }[];
  timeline: { action: string; details?: Record<string, unknown> }[];
}
const view = async (token = office) =>
  (await call<InspectionView>('GET', `/inspections/${inspectionId}`, { token })).body;
const as = (role: 'inspector' | 'school', scope: string) =>
  tokenFor(role, scope, { subject: `${role}-${scope}` });

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'huli-office' });
  const opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  await importFile(
    opts,
    'schools',
    's.csv',
    `${header}\r\n${schools.map((id, i) => `${id},湖里第${i + 1}小学,primary,${county},${town},public,700,45,黄${i},2023-09-01`).join('\r\n')}\r\n`,
  );
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    'inspector_id,name,kind,region_code,phone\r\n' +
      `${zoneInspector},许督学,responsible,${county},13900000041\r\n` +
      `${lead},蔡督学,full_time,${county},13900000042\r\n` +
      `${expert},洪专家,expert,${county},13900000043\r\n`,
  );
  await importFile(
    opts,
    'zones',
    'z.csv',
    `zone_id,region_code,inspector_id,school_id\r\n${schools.map((id) => `ZHL1,${county},${zoneInspector},${id}`).join('\r\n')}\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'start-of-term',
    title: '湖里区开学专项督导',
    scope: county,
    window: upcomingWindow(),
  });
  campaignId = campaign.id;
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
  const list = await call<{ items: { id: string }[] }>(
    'GET',
    `/inspections?schoolId=${schools[0]}&campaignId=${campaignId}`,
    { token: office },
  );
  inspectionId = list.body.items[0]!.id;
}, 180_000);

describe('inspection teams', () => {
  it('starts with the zone’s responsible inspector, then takes the office’s team', async () => {
    const before = await view();
    expect(before.team).toMatchObject({ lead: zoneInspector, members: [], source: 'zone' });
    const put = (token: string | undefined, body: Record<string, unknown>) =>
      call<InspectionView>('PUT', `/inspections/${inspectionId}/team`, token ? { token, body } : { body });
    const team = {
      version: before.version,
      lead,
      members: [{ inspectorId: expert, indicatorIds: ['campus-safety'] }, { inspectorId: zoneInspector }],
      reason: '专项督导组',
    };
    expect((await put(undefined, team)).status).toBe(401);
    // The zone's inspector reads the inspection but may not change its team; one who cannot read it gets 404.
    expect((await put(await as('inspector', zoneInspector), team)).status).toBe(403);
    expect((await put(await as('inspector', lead), team)).status).toBe(404);
    expect((await put(await tokenFor('county_admin', '350205'), team)).status).toBe(404);
    const unknown = await put(office, { ...team, members: [{ inspectorId: 'NOBODY' }] });
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).toContain('body.members.0.inspectorId');
    const badIndicator = await put(office, {
      ...team,
      members: [{ inspectorId: expert, indicatorIds: ['no-such-indicator'] }],
    });
    expect(badIndicator.status).toBe(400);
    expect((await put(office, { ...team, version: before.version + 5 })).status).toBe(409);

    const set = await put(office, team);
    expect(set.status).toBe(200);
    expect(set.body.team).toMatchObject({ lead, source: 'office' });
    // Setting the same team again changes nothing.
    expect((await put(office, { ...team, version: set.body.version })).body.version).toBe(set.body.version);

    for (const member of [lead, expert, zoneInspector]) {
      const work = await call<{ items: { id: string }[] }>(
        'GET',
        `/inspections?assignee=me&campaignId=${campaignId}`,
        { token: await as('inspector', member) },
      );
      expect(work.body.items.map((i) => i.id)).toContain(inspectionId);
    }
  });

  it('returns a self-assessment for correction, keeping both versions', async () => {
    const school = await as('school', schools[0]!);
    const submit = async (statement: string) => {
      const v = await view();
      const response = await call<InspectionView>('PUT', `/inspections/${inspectionId}/self-assessment`, {
        token: school,
        body: {
          version: v.version,
          indicators: [{ indicatorId: 'campus-safety', score: 80, statement, evidenceIds: [] }],
        },
      });
      expect(response.status).toBe(200);
    };
    await submit('初稿');
    const expertToken = await as('inspector', expert);
    let v = await view();
    const back = { version: v.version, reason: '缺少消防检查记录' };
    expect(
      (
        await call('POST', `/inspections/${inspectionId}/self-assessment/return`, {
          token: expertToken,
          body: back,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', `/inspections/${inspectionId}/self-assessment/return`, {
          token: school,
          body: back,
        })
      ).status,
    ).toBe(403);
    const returned = await call<InspectionView>(
      'POST',
      `/inspections/${inspectionId}/self-assessment/return`,
      {
        token: await as('inspector', lead),
        body: back,
      },
    );
    expect(returned.status).toBe(200);
    expect(returned.body.status).toBe('assigned');
    await submit('补充了消防检查记录');
    const versions = await call<{
      items: { n: number; value: { returned?: { reason: string }; indicators: { statement: string }[] } }[];
    }>('GET', `/inspections/${inspectionId}/submissions`, { token: school });
    expect(
      versions.body.items.map((s) => [
        s.n,
        s.value.returned?.reason ?? null,
        s.value.indicators[0]!.statement,
      ]),
    ).toEqual([
      [1, '缺少消防检查记录', '初稿'],
      [2, null, '补充了消防检查记录'],
    ]);
    v = await view();
    expect(v.timeline.map((e) => e.action)).toEqual(
      expect.arrayContaining(['set_team', 'submit_self_assessment', 'return_self_assessment']),
    );
  });

  it('lets a member record only the indicators given to them, and only the lead report', async () => {
    const expertToken = await as('inspector', expert);
    const leadToken = await as('inspector', lead);
    const template = (
      await call<{ indicators: { id: string }[] }>('GET', '/templates/start-of-term', { token: office })
    ).body;
    const entry = (indicatorId: string, problems: unknown[] = []) => ({
      indicatorId,
      method: 'campus_patrol',
      score: 85,
      comment: '',
      problems,
    });
    const findings = async (token: string, indicators: unknown[]) =>
      call<InspectionView>('PUT', `/inspections/${inspectionId}/findings`, {
        token,
        body: {
          version: (await view()).version,
          visit: { date: '2026-12-02', durationMinutes: 60 },
          indicators,
        },
      });
    const other = template.indicators.find((i) => i.id !== 'campus-safety')!.id;
    expect((await findings(expertToken, [entry(other)])).status).toBe(403);
    expect(
      (
        await findings(expertToken, [
          entry('campus-safety', [{ description: '消防通道堵塞', severity: 'major' }]),
        ])
      ).status,
    ).toBe(200);
    const rest = template.indicators.filter((i) => i.id !== 'campus-safety').map((i) => entry(i.id));
    const both = await findings(leadToken, rest);
    expect(both.status).toBe(200);
    const recorded = (await view()).findings!.indicators;
    expect(recorded.find((i) => i.indicatorId === 'campus-safety')!.by).toBe(`inspector-${expert}`);
    expect(recorded).toHaveLength(template.indicators.length);

    const report = async (token: string) =>
      call<InspectionView>('POST', `/inspections/${inspectionId}/report`, {
        token,
        body: { version: (await view()).version },
      });
    expect((await report(expertToken)).status).toBe(403);
    const reported = await report(leadToken);
    expect(reported.status).toBe(200);
    expect(reported.body.status).toBe('rectifying');
  });

  it('returns a rectification for correction without counting it as a failed review', async () => {
    const school = await as('school', schools[0]!);
    const leadToken = await as('inspector', lead);
    const rid = (await view()).rectifications[0]!.id;
    const complete = async (statement: string) =>
      call<InspectionView>('PUT', `/inspections/${inspectionId}/rectifications/${rid}`, {
        token: school,
        body: { version: (await view()).version, completion: { statement, evidenceIds: [] } },
      });
    expect((await complete('已清理')).body.status).toBe('rectification_submitted');
    const returned = await call<InspectionView>(
      'POST',
      `/inspections/${inspectionId}/rectifications/${rid}/return`,
      {
        token: leadToken,
        body: { version: (await view()).version, reason: '请附清理后照片' },
      },
    );
    expect(returned.status).toBe(200);
    expect(returned.body.status).toBe('rectifying');
    const item = (await view()).rectifications.find((r) => r.id === rid)!;
    expect(item.status).toBe('open');
    expect(item.returns?.map((r) => r.reason)).toEqual(['请附清理后照片']);
    expect((await complete('已清理，附照片')).body.status).toBe('rectification_submitted');
    const review = await call<InspectionView>(
      'POST',
      `/inspections/${inspectionId}/rectifications/${rid}/review`,
      {
        token: leadToken,
        body: { version: (await view()).version, result: 'pass' },
      },
    );
    expect(review.body.status).toBe('closed');
  });

  it('sets teams in bulk from a GBK spreadsheet, once however often it is sent', async () => {
    const rows = [
      '学校标识码,督学编号,角色,负责指标',
      `${schools[1]},${lead},组长,`,
      `${schools[1]},${expert},成员,campus-safety`,
      `${schools[2]},${expert},组长,`,
    ];
    const file = {
      name: '督导组.csv',
      contentBase64: iconv.encode(`${rows.join('\r\n')}\r\n`, 'gbk').toString('base64'),
    };
    const post = (body: unknown, token = office) =>
      call<Record<string, unknown>>('POST', `/campaigns/${campaignId}/teams`, { token, body });
    expect((await post({ file })).body).toMatchObject({ applied: 2, unchanged: 0 });
    expect((await post({ file })).body).toMatchObject({ applied: 0, unchanged: 2 });
    const bad = iconv.encode(`${rows[0]}\r\n${schools[1]},${lead},校长,\r\n`, 'gbk').toString('base64');
    const refused = await post({ file: { name: 'x.csv', contentBase64: bad } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('row 2, 角色');
    expect((await post({ file }, await as('inspector', lead))).status).toBe(403);
    expect((await post({ file }, await tokenFor('county_admin', '350205'))).status).toBe(404);

    const list = await call<{ items: { targetId: string; lead: string; members: string[] }[] }>(
      'GET',
      `/campaigns/${campaignId}/inspections?assignee=${expert}`,
      { token: office },
    );
    expect(list.body.items.map((i) => i.targetId).sort()).toEqual(schools);
    expect(list.body.items.find((i) => i.targetId === schools[2])).toMatchObject({ lead: expert });
  });

  it('counts each member’s load and what they closed', async () => {
    const workload = await call<{
      campaigns: { campaignId: string; assigned: number; closed: number; visits: number }[];
    }>('GET', `/inspectors/${lead}/workload`, { token: office });
    expect(workload.body.campaigns.find((c) => c.campaignId === campaignId)).toMatchObject({
      assigned: 2,
      closed: 1,
    });
    const zoned = await call<{ campaigns: { campaignId: string; assigned: number }[] }>(
      'GET',
      `/inspectors/${zoneInspector}/workload`,
      { token: office },
    );
    // Still on the first school's team as a member; the other two schools went to the bulk teams.
    expect(zoned.body.campaigns.find((c) => c.campaignId === campaignId)).toMatchObject({ assigned: 1 });
  });
});
