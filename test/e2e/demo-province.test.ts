import { beforeAll, describe, expect, it } from 'vitest';
import { countiesUnder } from '#core/regions';
import { generateDemoProvince } from '#local/demo/province';
import { seedDemo } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { upcomingWindow } from '#test/support/campaigns';
import { waitFor } from '#test/support/wait';

/**
 * The demo province (Jiangsu, 32), loaded through the import path, and the
 * counts and listings an office reads from it.
 */
const schools = 3000;
const expected = generateDemoProvince({ province: '32', schools });
const schoolRows = expected.schools
  .trim()
  .split('\r\n')
  .slice(1)
  .map((l) => l.split(','));

interface RegionView {
  code: string;
  level: string;
  parents: { code: string }[];
  children: { code: string; counts?: { schools: { total: number } } }[];
  counts: { schools: { total: number; byKind: Record<string, number> }; inspectors: number };
}

beforeAll(async () => {
  const token = await tokenFor('province_admin', '32', { subject: 'demo-seed' });
  await seedDemo({ apiUrl: apiUrl(), token, schools, province: '32' });
}, 300_000);

describe('demo province', () => {
  it('counts schools by kind and inspectors at province and city level', async () => {
    const token = await tokenFor('province_admin', '32');
    const province = await call<RegionView>('GET', '/regions/32', { token });
    expect(province.status).toBe(200);
    expect(province.body.counts.schools.total).toBe(schools);
    expect(province.body.counts.schools.byKind).toEqual(
      Object.fromEntries(Object.entries(expected.counts.byKind).filter(([, n]) => n > 0)),
    );
    expect(province.body.counts.inspectors).toBe(expected.counts.inspectors);
    expect(province.body.children).toHaveLength(13);
    expect(province.body.children.reduce((sum, c) => sum + (c.counts?.schools.total ?? 0), 0)).toBe(schools);
    // Kindergartens are about half.
    expect(province.body.counts.schools.byKind.kindergarten! / schools).toBeGreaterThan(0.45);

    const city = await call<RegionView>('GET', '/regions/3205', {
      token: await tokenFor('city_admin', '3205'),
    });
    expect(city.body.parents.map((p) => p.code)).toEqual(['32']);
    expect(city.body.counts.schools.total).toBe(schoolRows.filter((r) => r[3]!.startsWith('3205')).length);
  });

  it('lists every school of a city page by page, and filters by kind and name', async () => {
    const token = await tokenFor('city_admin', '3205');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: { id: string; regionCode: string }[]; cursor?: string }>(
        'GET',
        `/schools?region=3205&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((s) => s.id));
      cursor = page.body.cursor;
    } while (cursor);
    const inCity = schoolRows.filter((r) => r[3]!.startsWith('3205')).map((r) => r[0]);
    expect(seen.sort()).toEqual(inCity.sort());

    const kindergartens = await call<{ items: { kind: string }[] }>(
      'GET',
      '/schools?region=3205&kind=kindergarten&limit=50',
      { token },
    );
    expect(kindergartens.body.items.length).toBeGreaterThan(0);
    expect(kindergartens.body.items.every((s) => s.kind === 'kindergarten')).toBe(true);

    const town = schoolRows.find((r) => r[3]!.startsWith('3205'))!;
    const byTown = await call<{ items: { townCode: string }[] }>('GET', `/schools?region=${town[4]}`, {
      token,
    });
    expect(byTown.body.items.length).toBe(schoolRows.filter((r) => r[4] === town[4]).length);
  });

  it('has a responsible inspector for every school, in zones of at most 20', async () => {
    const county = countiesUnder('3205')[0]!.code;
    const token = await tokenFor('county_admin', county);
    const inspectors = await call<{ items: { id: string; kind: string }[] }>(
      'GET',
      `/inspectors?region=${county}&limit=200`,
      { token },
    );
    const responsible = inspectors.body.items.filter((i) => i.kind === 'responsible');
    expect(responsible.length).toBeGreaterThan(0);
    let zoned = 0;
    for (const inspector of responsible) {
      const detail = await call<{ schools: unknown[] }>('GET', `/inspectors/${inspector.id}`, { token });
      expect(detail.body.schools.length).toBeLessThanOrEqual(20);
      zoned += detail.body.schools.length;
    }
    expect(zoned).toBe(schoolRows.filter((r) => r[3] === county).length);
  });
});

describe('the demo expert pool', () => {
  it('has experts of every stage in every county, found by specialty and availability', async () => {
    const token = await tokenFor('city_admin', '3205');
    const poolRows = expected.inspectors
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((r) => r[3]!.startsWith('3205') && r[2] === 'expert');
    for (const county of new Set(poolRows.map((r) => r[3]))) {
      const labels = poolRows.filter((r) => r[3] === county).flatMap((r) => r[5]!.split('、'));
      for (const stage of ['学前教育', '义务教育', '普通高中', '职业教育', '特殊教育'])
        expect(labels, `${county} ${stage}`).toContain(stage);
    }
    // Available today (China's day): not withdrawn, or away only until a day that has come.
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    for (const [specialty, label] of [
      ['preschool', '学前教育'],
      ['finance', '财务'],
    ] as const) {
      const page = await call<{ items: { id: string; specialties: string[] }[] }>(
        'GET',
        `/inspectors?region=3205&kind=expert&specialty=${specialty}&available=true&limit=200`,
        { token },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.every((i) => i.specialties.includes(specialty))).toBe(true);
      const availableIds = poolRows
        .filter(
          (r) => r[5]!.split('、').includes(label) && (r[7] === '是' || (r[8] !== '' && r[8]! <= today)),
        )
        .map((r) => r[0]);
      expect(page.body.items.map((i) => i.id).sort()).toEqual(availableIds.sort());
    }
  });
});

describe('start-of-term over the demo province', () => {
  interface Progress {
    totals: { targets: number; inspections: number; byStatus: Record<string, number>; coverage: number };
    children: { code: string; targets: number; inspections: number; byStatus: Record<string, number> }[];
  }
  const sumChildren = (p: Progress) =>
    p.children.reduce(
      (acc, c) => ({ targets: acc.targets + c.targets, inspections: acc.inspections + c.inspections }),
      {
        targets: 0,
        inspections: 0,
      },
    );

  it('launches at province scope: one inspection per school of the target kinds, progress adds up at every level', async () => {
    const token = await tokenFor('province_admin', '32', { subject: 'jiangsu-office' });
    const created = await call<{ id: string }>('POST', '/campaigns', {
      token,
      body: {
        templateId: 'start-of-term',
        title: '2026年秋季开学督查',
        scope: '32',
        window: upcomingWindow(),
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call('POST', `/campaigns/${id}/launch`, { token })).status).toBe(202);
    const launch = await waitFor(
      async () => {
        const r = await call<{ campaignStatus: string; targets: number; created: number }>(
          'GET',
          `/campaigns/${id}/launch`,
          { token },
        );
        return r.body.campaignStatus === 'launching' ? undefined : r.body;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'the launch to finish' },
    );
    // start-of-term targets every kind of school.
    expect(launch).toMatchObject({ campaignStatus: 'active', targets: schools, created: schools });

    const province = await call<Progress>('GET', `/campaigns/${id}/progress`, { token });
    expect(province.body.totals).toMatchObject({ targets: schools, inspections: schools, coverage: 0 });
    expect(sumChildren(province.body)).toEqual({ targets: schools, inspections: schools });
    for (const city of province.body.children) {
      const cityProgress = await call<Progress>('GET', `/campaigns/${id}/progress?region=${city.code}`, {
        token,
      });
      expect(cityProgress.body.totals).toMatchObject({
        targets: city.targets,
        inspections: city.inspections,
      });
      expect(sumChildren(cityProgress.body)).toEqual({
        targets: city.targets,
        inspections: city.inspections,
      });
    }

    // A city office sees the province campaign's progress for its city only.
    const suzhou = await tokenFor('city_admin', '3205');
    expect(
      (await call<Progress>('GET', `/campaigns/${id}/progress?region=3205`, { token: suzhou })).status,
    ).toBe(200);
    expect((await call('GET', `/campaigns/${id}/progress?region=3206`, { token: suzhou })).status).toBe(404);
    expect((await call('GET', `/campaigns/${id}/progress`, { token: suzhou })).status).toBe(200);
  });
});
