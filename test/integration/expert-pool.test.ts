import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '#infra/resources';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { testDb } from '#test/support/aws';

/**
 * The expert pool (专家库) through the import path and `GET /inspectors`'
 * filters, in Guiyang (5201), which no other test uses: 南明区 520102 and
 * 云岩区 520103.
 */
const city = '5201';
const nanming = '520102';
const yunyan = '520103';
const town = '520102016';

const header =
  '督学编号,姓名,督学类型,区县代码,手机号,专业领域,所在学校标识码,是否可用,不可用截止日期,回避学校';
const inspectorsFile = (e01Specialties = '学前教育、财务') =>
  `${[
    header,
    `GY-R01,贵阳责任督学,责任督学,${nanming},13700000001,,,,,5201020099`,
    `GY-F01,贵阳专职督学,专职督学,${nanming},13700000002,义务教育、学校管理,,,,`,
    `GY-E01,贵阳专家甲,督导评估专家,${nanming},13700000003,${e01Specialties},5201020001,是,,5201020002`,
    `GY-E02,贵阳专家乙,督导评估专家,${yunyan},13700000004,学前教育|安全,,否,,`,
    `GY-E03,贵阳专家丙,督导评估专家,${yunyan},13700000005,学前教育,,否,2020-01-01,`,
    `GY-E04,贵阳专家丁,督导评估专家,${yunyan},13700000006,财务,,否,2099-01-01,`,
    `GY-E05,贵阳专家戊,督导评估专家,${yunyan},13700000007,书法,,,,`,
  ].join('\r\n')}\r\n`;

let admin: string;
const run = (kind: 'schools' | 'inspectors' | 'zones', body: string) =>
  importFile({ apiUrl: apiUrl(), token: admin, timeoutMs: 60_000 }, kind, `${kind}.csv`, body);

interface Listed {
  id: string;
  kind: string;
  specialties: string[];
  available: boolean;
  unavailableUntil?: string;
  homeSchoolId?: string;
  conflicts?: string[];
  phone?: string;
}
const ids = async (query: string, token = admin) => {
  const page = await call<{ items: Listed[]; cursor?: string }>('GET', `/inspectors?${query}`, { token });
  expect(page.status, query).toBe(200);
  return page.body.items.map((i) => i.id);
};

beforeAll(async () => {
  admin = await tokenFor('city_admin', city, { subject: 'guiyang-office' });
  const inspectors = await run('inspectors', inspectorsFile());
  expect(inspectors).toMatchObject({
    status: 'completed',
    counts: { read: 7, created: 6, updated: 0, unchanged: 0, rejected: 1 },
  });
  await run(
    'schools',
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start\r\n' +
      `5201020001,南明区第一小学,primary,${nanming},${town},public,900,60,王芳,2021-09-01\r\n`,
  );
  await run('zones', `zone_id,region_code,inspector_id,school_id\r\nGY-Z1,${nanming},GY-R01,5201020001\r\n`);
}, 180_000);

describe('the expert pool in the registry', () => {
  it('stores and returns specialties, home school, availability and declared conflicts', async () => {
    const e01 = await call<Listed>('GET', '/inspectors/GY-E01', { token: admin });
    expect(e01.body).toMatchObject({
      specialties: ['preschool', 'finance'],
      homeSchoolId: '5201020001',
      available: true,
      conflicts: ['5201020002'],
      phone: '13700000003',
    });
    const e03 = await call<Listed>('GET', '/inspectors/GY-E03', { token: admin });
    expect(e03.body).toMatchObject({ available: false, unavailableUntil: '2020-01-01', conflicts: [] });
  });

  it('filters by specialty, kind and availability through indexes, across the counties of a city', async () => {
    expect(await ids(`region=${city}&specialty=preschool`)).toEqual(['GY-E01', 'GY-E02', 'GY-E03']);
    // E02 is withdrawn; E03 was away until 2020, so is available now; E04 is away until 2099.
    expect(await ids(`region=${city}&specialty=preschool&available=true`)).toEqual(['GY-E01', 'GY-E03']);
    expect(await ids(`region=${city}&specialty=preschool&available=false`)).toEqual(['GY-E02']);
    expect(await ids(`region=${city}&specialty=finance&kind=expert`)).toEqual(['GY-E01', 'GY-E04']);
    expect(await ids(`region=${city}&specialty=finance&kind=full_time`)).toEqual([]);
    expect(await ids(`region=${city}&kind=full_time`)).toEqual(['GY-F01']);
    expect(await ids(`region=${city}&kind=expert&available=false`)).toEqual(['GY-E02', 'GY-E04']);
    expect(await ids(`region=${yunyan}&specialty=preschool`)).toEqual(['GY-E02', 'GY-E03']);
    expect(await ids(`region=${city}`)).toEqual(['GY-E01', 'GY-F01', 'GY-R01', 'GY-E02', 'GY-E03', 'GY-E04']);
  });

  it('pages through a filtered list with cursors sealed to the filter', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: Listed[]; cursor?: string }>(
        'GET',
        `/inspectors?region=${city}&specialty=preschool&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((i) => i.id));
      if (cursor === undefined && page.body.cursor) {
        const other = await call(
          'GET',
          `/inspectors?region=${city}&specialty=finance&cursor=${page.body.cursor}`,
          {
            token: admin,
          },
        );
        expect(other.status).toBe(400);
      }
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toEqual(['GY-E01', 'GY-E02', 'GY-E03']);
  });

  it('counts a re-import as unchanged and moves an expert between specialties when they change', async () => {
    const again = await run('inspectors', inspectorsFile());
    expect(again.counts).toEqual({ read: 7, created: 0, updated: 0, unchanged: 6, rejected: 1 });
    const changed = await run('inspectors', inspectorsFile('安全'));
    expect(changed.counts).toEqual({ read: 7, created: 0, updated: 1, unchanged: 5, rejected: 1 });
    expect(await ids(`region=${city}&specialty=preschool`)).toEqual(['GY-E02', 'GY-E03']);
    expect(await ids(`region=${city}&specialty=finance`)).toEqual(['GY-E04']);
    expect(await ids(`region=${city}&specialty=safety`)).toEqual(['GY-E01', 'GY-E02']);
    const listed = await call<{ items: Listed[] }>('GET', `/inspectors?region=${city}&specialty=safety`, {
      token: admin,
    });
    expect(listed.body.items[0]).toMatchObject({ id: 'GY-E01', specialties: ['safety'] });
    await run('inspectors', inspectorsFile());
    expect(await ids(`region=${city}&specialty=safety`)).toEqual(['GY-E02']);
  });

  it('reads an inspector stored before the pool existed with the defaults', async () => {
    await testDb.send(
      new PutCommand({
        TableName: process.env[tables.main.envVar],
        Item: {
          pk: 'INSPECTOR#GY-OLD',
          sk: 'INSPECTOR',
          type: 'inspector',
          id: 'GY-OLD',
          name: '老督学',
          kind: 'responsible',
          regionCode: '520111',
          phone: '13700000009',
          gsi1pk: 'INSPECTORS#520111',
          gsi1sk: 'GY-OLD',
        },
      }),
    );
    const old = await call<Listed>('GET', '/inspectors/GY-OLD', { token: admin });
    expect(old.body).toMatchObject({ specialties: [], available: true, conflicts: [] });
    expect(await ids('region=520111&available=true')).toEqual(['GY-OLD']);
  });
});

describe('who reads the pool', () => {
  it('answers 401 without a token and 400 to an unknown specialty or availability', async () => {
    expect((await call('GET', `/inspectors?region=${city}&specialty=preschool`)).status).toBe(401);
    for (const query of ['specialty=calligraphy', 'available=maybe', 'kind=teacher']) {
      const bad = await call<{ errors: { path: string }[] }>('GET', `/inspectors?region=${city}&${query}`, {
        token: admin,
      });
      expect(bad.status, query).toBe(400);
      expect(bad.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('reads another county as 404, and its experts as not found', async () => {
    const neighbour = await tokenFor('county_admin', yunyan);
    expect(
      (await call('GET', `/inspectors?region=${nanming}&specialty=finance`, { token: neighbour })).status,
    ).toBe(404);
    expect((await call('GET', '/inspectors/GY-E01', { token: neighbour })).status).toBe(404);
    expect(await ids('specialty=preschool', neighbour)).toEqual(['GY-E02', 'GY-E03']);
  });

  it('shows a school its inspector without phone or declared conflicts, and an inspector only themself', async () => {
    const school = await tokenFor('school', '5201020001');
    const seen = await call<Listed>('GET', '/inspectors/GY-R01', { token: school });
    expect(seen.status).toBe(200);
    expect(seen.body).not.toHaveProperty('phone');
    expect(seen.body).not.toHaveProperty('conflicts');
    const listed = await call<{ items: Listed[] }>('GET', '/inspectors?kind=responsible', { token: school });
    expect(listed.body.items.map((i) => i.id)).toEqual(['GY-R01']);
    expect(listed.body.items[0]).not.toHaveProperty('conflicts');
    expect(await ids('kind=expert', school)).toEqual([]);

    const expert = await tokenFor('inspector', 'GY-E02');
    expect(await ids('specialty=safety', expert)).toEqual(['GY-E02']);
    expect(await ids('specialty=safety&available=true', expert)).toEqual([]);
    expect((await call('GET', '/inspectors/GY-E01', { token: expert })).status).toBe(404);
  });
});
