import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';

/**
 * School groups (集团/联盟) and city-direct schools (市直) in 成都市 (5101):
 * the city office imports schools of 锦江区 (510104) and 青羊区 (510105) and
 * one school directly under the city (region given as the city's code), then
 * a GBK groups file with Chinese headers and one bad row; groups read under
 * their lead school's county; a `group-schooling` campaign creates one
 * inspection per group, which the lead school self-assesses (a member may
 * not); a `school-performance` campaign targets exactly the city-direct
 * school, counted under the city as 市直.
 */
const city = '5101';
const jinjiang = '510104';
const qingyang = '510105';
const [s1, s2, s3, s4] = ['5101040001', '5101040002', '5101040003', '5101040004'] as const;
const [q1, q2] = ['5101050001', '5101050002'] as const;
const cityDirect = '5101000001';

let office: string;
let opts: Parameters<typeof importFile>[0];
const as = (role: 'school' | 'county_admin', scope: string) =>
  tokenFor(role, scope, { subject: `${role}-${scope}` });

beforeAll(async () => {
  office = await tokenFor('city_admin', city, { subject: 'chengdu-office' });
  opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  const rows = [
    ...[s1, s2, s3, s4].map(
      (id, i) => `${id},锦江第${i + 1}小学,primary,${jinjiang},510104017,public,900,60,李${i},2022-09-01`,
    ),
    ...[q1, q2].map(
      (id, i) => `${id},青羊第${i + 1}小学,primary,${qingyang},510105002,public,800,50,王${i},2022-09-01`,
    ),
    // Directly under the city: the region is the city's code.
    `${cityDirect},成都市第一中学,senior,${city},510104017,public,2400,200,周校长,2020-09-01`,
  ];
  const schools = await importFile(opts, 'schools', 'schools.csv', `${header}\r\n${rows.join('\r\n')}\r\n`);
  expect(schools.counts).toMatchObject({ created: 7, rejected: 0 });
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\nICD01,何督学,full_time,${jinjiang},13900000401\r\n`,
  );
}, 240_000);

describe('school groups (集团/联盟)', () => {
  it('imports a GBK groups file, refusing its bad rows with row-level errors', async () => {
    const csv =
      '集团编号,集团名称,集团类型,区县代码,牵头学校标识码,成员学校标识码\r\n' +
      `JJ01,锦江教育集团,集团,${jinjiang},${s1},${s1}\r\n` +
      `JJ01,锦江教育集团,集团,${jinjiang},${s1},${s2}\r\n` +
      `JJ01,锦江教育集团,集团,${jinjiang},${s1},${s3}\r\n` +
      `QY01,青羊联盟,联盟,${qingyang},${q1},${q1}\r\n` +
      `QY01,青羊联盟,联盟,${qingyang},${q1},${q2}\r\n` +
      // s2 is in JJ01 already: one group per school.
      `QY01,青羊联盟,联盟,${qingyang},${q1},${s2}\r\n` +
      // Not in the registry.
      `QY01,青羊联盟,联盟,${qingyang},${q1},5101059999\r\n`;
    const outcome = await importFile(opts, 'groups', 'groups.csv', iconv.encode(csv, 'gbk'));
    expect(outcome.status).toBe('completed');
    expect(outcome.counts).toEqual({ read: 7, created: 5, updated: 0, unchanged: 0, rejected: 2 });
    const record = await call<{ errorReportUrl: string }>('GET', `/imports/${outcome.id}`, { token: office });
    const report = await (await fetch(record.body.errorReportUrl)).text();
    // Chinese, and the column as the file named it (成员学校标识码, not school_id).
    expect(report).toContain(`"7","成员学校标识码","学校 ${s2} 已列入某一集团（联盟）：首次出现在第 3 行"`);
    expect(report).toContain('"8","成员学校标识码","学校 5101059999 不在名录中（请先导入学校）"');

    // The same file again writes nothing new.
    const again = await importFile(opts, 'groups', 'groups.csv', iconv.encode(csv, 'gbk'));
    expect(again.counts).toEqual({ read: 7, created: 0, updated: 0, unchanged: 5, rejected: 2 });
  });

  it('reads groups under their lead school’s region; a member school sees its own group', async () => {
    const list = await call<{
      items: { groupId: string; leadSchoolId: string; memberSchoolIds: string[] }[];
    }>('GET', `/groups?region=${city}`, { token: office });
    expect(list.status, list.text).toBe(200);
    expect(list.body.items).toEqual([
      {
        groupId: 'JJ01',
        name: '锦江教育集团',
        kind: 'group',
        regionCode: jinjiang,
        leadSchoolId: s1,
        memberSchoolIds: [s1, s2, s3],
      },
      {
        groupId: 'QY01',
        name: '青羊联盟',
        kind: 'alliance',
        regionCode: qingyang,
        leadSchoolId: q1,
        memberSchoolIds: [q1, q2],
      },
    ]);
    const qingyangOffice = await as('county_admin', qingyang);
    const own = await call<{ items: { groupId: string }[] }>('GET', '/groups', { token: qingyangOffice });
    expect(own.body.items.map((g) => g.groupId)).toEqual(['QY01']);
    expect((await call('GET', '/groups/JJ01', { token: qingyangOffice })).status).toBe(404);
    expect((await call('GET', `/groups?region=${jinjiang}`, { token: qingyangOffice })).status).toBe(404);

    const member = await call<{ groupId: string }>('GET', '/groups/JJ01', { token: await as('school', s3) });
    expect(member.status).toBe(200);
    expect((await call('GET', '/groups/JJ01', { token: await as('school', s4) })).status).toBe(404);
    const mine = await call<{ items: { groupId: string }[] }>('GET', '/groups', {
      token: await as('school', s2),
    });
    expect(mine.body.items.map((g) => g.groupId)).toEqual(['JJ01']);
  });

  it('runs group-schooling as one inspection per group, answered by the lead school', async () => {
    const campaign = await createCampaign(office, {
      templateId: 'group-schooling',
      title: '成都市集团(联盟)化办学督导评估',
      scope: city,
      window: upcomingWindow(),
    });
    expect((await launchAndWait(office, campaign.id)).status).toBe('SUCCEEDED');
    const inspections = await call<{ items: { id: string; targetId: string; regionCode: string }[] }>(
      'GET',
      `/campaigns/${campaign.id}/inspections?limit=200`,
      { token: office },
    );
    expect(inspections.body.items.map((i) => [i.targetId, i.regionCode]).sort()).toEqual([
      ['JJ01', jinjiang],
      ['QY01', qingyang],
    ]);
    const id = inspections.body.items.find((i) => i.targetId === 'JJ01')!.id;
    const get = async (token = office) =>
      call<{ version: number; status: string; partyId: string }>('GET', `/inspections/${id}`, { token });
    expect((await get()).body.partyId).toBe(s1);
    const team = await call('PUT', `/inspections/${id}/team`, {
      token: office,
      body: { version: (await get()).body.version, lead: 'ICD01', members: [] },
    });
    expect(team.status, team.text).toBe(200);

    const template = (
      await call<{ title: { zh: string }; indicators: { id: string }[] }>(
        'GET',
        '/templates/group-schooling',
        {
          token: office,
        },
      )
    ).body;
    expect(template.title.zh).toBe('集团(联盟)化办学督导评估');
    const body = async () => ({
      version: (await get()).body.version,
      indicators: template.indicators.map((i) => ({
        indicatorId: i.id,
        score: 88,
        statement: '集团自评',
        evidenceIds: [],
      })),
    });
    // A member school is not the party: the inspection does not exist for it.
    const memberToken = await as('school', s2);
    expect((await get(memberToken)).status).toBe(404);
    expect(
      (await call('PUT', `/inspections/${id}/self-assessment`, { token: memberToken, body: await body() }))
        .status,
    ).toBe(404);
    const leadToken = await as('school', s1);
    const self = await call<{ status: string }>('PUT', `/inspections/${id}/self-assessment`, {
      token: leadToken,
      body: await body(),
    });
    expect(self.status, self.text).toBe(200);
    expect(self.body.status).toBe('self_assessed');
    // The lead school finds it among its own inspections and in its history; a member does not.
    const own = await call<{ items: { id: string }[] }>('GET', '/inspections', { token: leadToken });
    expect(own.body.items.map((i) => i.id)).toContain(id);
    const history = await call('GET', `/schools/${s1}/history`, { token: leadToken });
    expect(history.text).toContain(id);
    const members = await call<{ items: { id: string }[] }>('GET', '/inspections', { token: memberToken });
    expect(members.body.items.map((i) => i.id)).not.toContain(id);
  });
});

describe('city-direct schools (市直)', () => {
  it('are imported under the city’s pseudo-county and counted there as 市直', async () => {
    const school = await call<{ regionCode: string }>('GET', `/schools/${cityDirect}`, { token: office });
    expect(school.body.regionCode).toBe('510100');
    const region = await call<{
      children: { code: string; name: string; counts: { schools: { total: number } } }[];
    }>('GET', `/regions/${city}`, { token: office });
    expect(region.body.children).toEqual(
      expect.arrayContaining([
        {
          code: '510100',
          name: '市直',
          level: 'county',
          parentCode: city,
          counts: expect.objectContaining({ schools: expect.objectContaining({ total: 1 }) }),
        },
      ]),
    );
    // A county office does not see them.
    expect(
      (await call('GET', `/schools/${cityDirect}`, { token: await as('county_admin', jinjiang) })).status,
    ).toBe(404);
  });

  it('are the targets of school-performance, in the city’s progress under 市直', async () => {
    const campaign = await createCampaign(office, {
      templateId: 'school-performance',
      title: '成都市市直学校办学绩效考评',
      scope: city,
      window: upcomingWindow(),
    });
    expect((await launchAndWait(office, campaign.id)).status).toBe('SUCCEEDED');
    const inspections = await call<{ items: { targetId: string; regionCode: string }[] }>(
      'GET',
      `/campaigns/${campaign.id}/inspections?limit=200`,
      { token: office },
    );
    expect(inspections.body.items.map((i) => [i.targetId, i.regionCode])).toEqual([[cityDirect, '510100']]);
    const progress = await call<{
      totals: { targets: number };
      children: { code: string; name: string; targets: number }[];
    }>('GET', `/campaigns/${campaign.id}/progress`, { token: office });
    expect(progress.body.totals.targets).toBe(1);
    expect(progress.body.children.map((c) => [c.code, c.name, c.targets])).toEqual([['510100', '市直', 1]]);
    const report = await call<{ ranking: { code: string; name: string }[] }>(
      'GET',
      `/campaigns/${campaign.id}/report`,
      {
        token: office,
      },
    );
    expect(report.body.ranking.map((r) => [r.code, r.name])).toEqual([['510100', '市直']]);
  });
});
