import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';
import { waitFor } from '#test/support/wait';

/**
 * An auditor redraws a sample, and principals' terms are history, in 三明市
 * (3504): 三元区 (350404) and 沙县区 (350405). The city office imports 50
 * kindergartens and three primary schools, launches a kindergarten evaluation
 * (幼儿园办园行为督导评估) that samples 20 % by county; an auditor fetches the
 * sample's seed and method, downloads the population and sample through
 * audited links and redraws it with `npm run redraw-sample` (which also sees
 * a tampered sample for what it is); once closed, the sealed statistics and
 * manifest download through audited links. A second schools import changes
 * one principal: the old term ends and stays, and the end-of-term review
 * (校长任期结束综合督导) targets exactly the schools whose current term ends.
 */
const run = promisify(execFile);
const city = '3504';
const sanyuan = '350404';
const shaxian = '350405';
const town = '350404001';
const year = Number(upcomingWindow().start.slice(0, 4));
const kindergartens = [
  ...Array.from({ length: 30 }, (_, i) => ({ id: `35040410${String(i).padStart(2, '0')}`, county: sanyuan })),
  ...Array.from({ length: 20 }, (_, i) => ({ id: `35040510${String(i).padStart(2, '0')}`, county: shaxian })),
];
/** Primary schools: P1's term ends this year; P2's too until its principal changes; P3's in two years. */
const [p1, p2, p3] = ['3504040001', '3504040002', '3504040003'] as const;
const header =
  'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
const schoolsCsv = (p2Principal: string, p2Start: string) =>
  `${header}\r\n${[
    ...kindergartens.map(
      (k, i) =>
        `${k.id},三明第${i + 1}幼儿园,kindergarten,${k.county},${k.county}001,public,200,20,园长${i},${year - 1}-09-01`,
    ),
    `${p1},三元第一小学,primary,${sanyuan},${town},public,800,50,陈一,${year - 5}-03-01`,
    `${p2},三元第二小学,primary,${sanyuan},${town},public,700,45,${p2Principal},${p2Start}`,
    `${p3},三元第三小学,primary,${sanyuan},${town},public,600,40,李三,${year - 3}-09-01`,
  ].join('\r\n')}\r\n`;

let office: string;
let auditor: string;
let campaignId: string;
let opts: Parameters<typeof importFile>[0];
let preview: Awaited<
  ReturnType<
    typeof call<{
      campaignId: string;
      population: number;
      targets: number;
      sampling: { percent: number; seed: string } | null;
      counties: { code: string; population: number; targets: number }[];
    }>
  >
>;

interface Link {
  key: string;
  url: string;
  expiresInSeconds: number;
}
interface SampleView {
  campaignId: string;
  seed: string;
  percent: number;
  method: { stratifyBy: string; zh: string; en: string };
  populationSize: number;
  sampleSize: number;
  population: Link;
  sample: Link;
  redraw: string;
}
interface Term {
  schoolId: string;
  regionCode: string;
  principalName: string;
  start: string;
  end?: string;
  plannedEnd: string;
}

const redraw = async (...files: string[]) => {
  try {
    const { stdout } = await run('npm', ['run', '--silent', 'redraw-sample', '--', ...files], {
      cwd: process.cwd(),
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
};

beforeAll(async () => {
  office = await tokenFor('city_admin', city, { subject: 'sanming-office' });
  auditor = await tokenFor('auditor', city, { subject: 'auditor-sanming' });
  opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  await importFile(opts, 'schools', 'schools.csv', schoolsCsv('王二', `${year - 5}-06-01`));
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\nISM01,黄督学,responsible,${sanyuan},13900000091\r\n`,
  );
  await importFile(
    opts,
    'zones',
    'z.csv',
    `zone_id,region_code,inspector_id,school_id\r\n${[p1, p2].map((s) => `ZSM01,${sanyuan},ISM01,${s}`).join('\r\n')}\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'kindergarten-evaluation',
    title: '三明市幼儿园办园行为督导评估',
    scope: city,
    window: upcomingWindow(60),
    overrides: { samplingPercent: 20 },
  });
  campaignId = campaign.id;
  preview = await call('GET', `/campaigns/${campaignId}/preview`, { token: office });
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
}, 240_000);

describe('GET /campaigns/{id}/preview', () => {
  it('shows a draft what its launch draws: population and sample per county, the very sample launched', async () => {
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body).toMatchObject({
      campaignId,
      status: 'draft',
      unit: 'school',
      population: 50,
      targets: 10,
      sampling: { percent: 20, method: { stratifyBy: 'county' } },
      counties: [
        { code: sanyuan, population: 30, targets: 6 },
        { code: shaxian, population: 20, targets: 4 },
      ],
    });
    const sample = await call<SampleView>('GET', `/campaigns/${campaignId}/sample`, { token: office });
    expect(sample.body).toMatchObject({
      populationSize: 50,
      sampleSize: 10,
      seed: preview.body.sampling?.seed,
    });
  });
});

describe('GET /campaigns/{id}/sample and npm run redraw-sample', () => {
  it('gives the seed, the method in words and audited links; the redraw command reproduces the sample', async () => {
    const r = await call<SampleView>('GET', `/campaigns/${campaignId}/sample`, { token: auditor });
    expect(r.status, r.text).toBe(200);
    const campaign = await call<{ samplingSeed: string }>('GET', `/campaigns/${campaignId}`, {
      token: auditor,
    });
    expect(r.body).toMatchObject({
      campaignId,
      seed: campaign.body.samplingSeed,
      percent: 20,
      populationSize: 50,
      // ceil(30 × 20 %) + ceil(20 × 20 %)
      sampleSize: 10,
      method: { stratifyBy: 'county' },
    });
    expect(r.body.method.zh).toContain('按区县分层');
    expect(r.body.method.en).toContain('Stratified by county');

    const dir = await mkdtemp(join(tmpdir(), 'dudao-sample-'));
    const populationFile = join(dir, 'population.json');
    const sampleFile = join(dir, 'sample.json');
    const population = await fetch(r.body.population.url);
    expect(population.status).toBe(200);
    await writeFile(populationFile, Buffer.from(await population.arrayBuffer()));
    const sample = await fetch(r.body.sample.url);
    expect(sample.status).toBe(200);
    await writeFile(sampleFile, Buffer.from(await sample.arrayBuffer()));
    const stored = JSON.parse(await readFile(populationFile, 'utf8')) as {
      seed: string;
      sampling: { seed: string; percent: number };
      targets: unknown[];
    };
    expect(stored.sampling).toMatchObject({ seed: campaign.body.samplingSeed, percent: 20 });
    expect(stored.targets).toHaveLength(50);

    const matching = await redraw(populationFile, sampleFile);
    expect(matching.code, matching.stdout).toBe(0);
    expect(matching.stdout).toContain('MATCH');
    expect(matching.stdout).toContain('一致');

    // One sampled kindergarten swapped for one the draw did not pick.
    const drawn = JSON.parse(await readFile(sampleFile, 'utf8')) as { targets: { id: string }[] };
    const picked = new Set(drawn.targets.map((t) => t.id));
    const outsider = (stored.targets as { id: string }[]).find((t) => !picked.has(t.id))!;
    const tamperedFile = join(dir, 'tampered.json');
    await writeFile(
      tamperedFile,
      JSON.stringify({ ...drawn, targets: [...drawn.targets.slice(1), outsider] }),
    );
    const tampered = await redraw(populationFile, tamperedFile);
    expect(tampered.code, tampered.stdout).toBe(1);
    expect(tampered.stdout).toContain('MISMATCH');
    expect(tampered.stdout).toContain(drawn.targets[0]!.id);
    expect(tampered.stdout).toContain(outsider.id);

    // Every link handed out is in the campaign's audit trail, with who asked.
    const events = await call<{ items: { action: string; actor: string; details?: { key?: string } }[] }>(
      'GET',
      '/audit/events?actor=auditor-sanming&from=2020-01-01&limit=200',
      { token: auditor },
    );
    const downloads = events.body.items.filter((e) => e.action.startsWith('download_'));
    expect(downloads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'download_population',
          actor: 'auditor-sanming',
          details: expect.objectContaining({ key: r.body.population.key }),
        }),
        expect.objectContaining({
          action: 'download_sample',
          actor: 'auditor-sanming',
          details: expect.objectContaining({ key: r.body.sample.key }),
        }),
      ]),
    );
  });

  it('answers 401 without a token, 403 to other roles, 404 outside the region or without a sample', async () => {
    const path = `/campaigns/${campaignId}/sample`;
    expect((await call('GET', path)).status).toBe(401);
    expect((await call('GET', path, { token: await tokenFor('school', kindergartens[0]!.id) })).status).toBe(
      403,
    );
    expect((await call('GET', path, { token: await tokenFor('inspector', 'ISM01') })).status).toBe(403);
    expect((await call('GET', path, { token: await tokenFor('auditor', '3505') })).status).toBe(404);
    expect((await call('GET', path, { token: await tokenFor('county_admin', '350502') })).status).toBe(404);
    expect((await call('GET', path, { token: await tokenFor('county_admin', shaxian) })).status).toBe(200);

    const unsampled = await createCampaign(office, {
      templateId: 'start-of-term',
      title: '开学检查',
      scope: sanyuan,
      window: upcomingWindow(30),
    });
    // A campaign takes its template's recurrence (start-of-term: every half year) unless it says null.
    expect((unsampled as { recurrence?: string }).recurrence).toBe('semiannual');
    const oneOff = await createCampaign(office, {
      templateId: 'start-of-term',
      title: '开学检查（一次）',
      scope: sanyuan,
      window: upcomingWindow(30),
      recurrence: null,
    });
    expect((oneOff as { recurrence?: string }).recurrence).toBeUndefined();
    const draft = await call('GET', `/campaigns/${unsampled.id}/sample`, { token: auditor });
    expect(draft.status, draft.text).toBe(409);
    expect((await launchAndWait(office, unsampled.id)).status).toBe('SUCCEEDED');
    const none = await call('GET', `/campaigns/${unsampled.id}/sample`, { token: auditor });
    expect(none.status, none.text).toBe(404);
  });
});

describe('GET /campaigns/{id}/sealed', () => {
  it('links the sealed statistics and manifest through audited links once closed', async () => {
    const path = `/campaigns/${campaignId}/sealed`;
    expect((await call('GET', path, { token: auditor })).status).toBe(409);
    expect((await call('POST', `/campaigns/${campaignId}/close`, { token: office })).status).toBe(202);
    await waitFor(
      async () => {
        const c = await call<{ status: string }>('GET', `/campaigns/${campaignId}`, { token: office });
        return c.body.status === 'closed' ? c.body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 300, what: 'the campaign to be sealed' },
    );
    const r = await call<{
      statistics: Link;
      manifest: Link & { sha256: string; sha256File: Link };
    }>('GET', path, { token: auditor });
    expect(r.status, r.text).toBe(200);
    const statistics = await fetch(r.body.statistics.url);
    expect(statistics.status).toBe(200);
    expect(await statistics.json()).toBeTypeOf('object');
    const manifest = Buffer.from(await (await fetch(r.body.manifest.url)).arrayBuffer());
    expect(createHash('sha256').update(manifest).digest('hex')).toBe(r.body.manifest.sha256);
    expect(await (await fetch(r.body.manifest.sha256File.url)).text()).toContain(r.body.manifest.sha256);

    const events = await call<{ items: { action: string; actor: string }[] }>(
      'GET',
      '/audit/events?actor=auditor-sanming&from=2020-01-01&limit=200',
      { token: auditor },
    );
    const actions = events.body.items.filter((e) => e.actor === 'auditor-sanming').map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'download_sealed_statistics',
        'download_evidence_manifest',
        'download_evidence_manifest_sha256',
      ]),
    );

    expect((await call('GET', path)).status).toBe(401);
    expect((await call('GET', path, { token: await tokenFor('school', p1) })).status).toBe(403);
    expect((await call('GET', path, { token: await tokenFor('auditor', '3505') })).status).toBe(404);
  }, 180_000);
});

describe("principals' terms", () => {
  it('keeps the history when a principal changes, however often the same import runs', async () => {
    const second = schoolsCsv('赵四', `${year - 1}-09-01`);
    await importFile(opts, 'schools', 'schools-2.csv', second);
    await importFile(opts, 'schools', 'schools-2.csv', second);

    const history = await call<{ items: Term[] }>('GET', `/principals?school=${p2}`, { token: auditor });
    expect(history.status, history.text).toBe(200);
    expect(history.body.items).toEqual([
      {
        schoolId: p2,
        schoolName: '三元第二小学',
        regionCode: sanyuan,
        principalName: '赵四',
        start: `${year - 1}-09-01`,
        plannedEnd: `${year + 4}-09-01`,
      },
      {
        schoolId: p2,
        schoolName: '三元第二小学',
        regionCode: sanyuan,
        principalName: '王二',
        start: `${year - 5}-06-01`,
        end: `${year - 1}-09-01`,
        plannedEnd: `${year}-06-01`,
      },
    ]);

    // Current terms ending before next year, at the county and the city: P1 only, by planned end.
    for (const region of [sanyuan, city]) {
      const ending = await call<{ items: Term[] }>(
        'GET',
        `/principals?region=${region}&termEndsBefore=${year + 1}-01-01`,
        { token: office },
      );
      expect(ending.status, ending.text).toBe(200);
      expect(ending.body.items.map((t) => [t.schoolId, t.principalName])).toEqual([[p1, '陈一']]);
    }
    // Every current term of 三元区, a page at a time, in planned-end order.
    const seen: Term[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: Term[]; cursor?: string }>(
        'GET',
        `/principals?region=${sanyuan}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: auditor },
      );
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toHaveLength(30 + 3);
    expect(seen.map((t) => t.plannedEnd)).toEqual(seen.map((t) => t.plannedEnd).sort());
    expect(seen.filter((t) => t.schoolId === p2).map((t) => t.principalName)).toEqual(['赵四']);
    expect(seen[0]!.schoolId).toBe(p1);
  });

  it('targets the end-of-term review at exactly the schools whose current term ends', async () => {
    const review = await createCampaign(office, {
      templateId: 'principal-term-end',
      title: '三明市校长任期结束综合督导',
      scope: city,
      window: upcomingWindow(30),
    });
    expect((await launchAndWait(office, review.id)).status).toBe('SUCCEEDED');
    const list = await call<{ items: { targetId: string }[] }>(
      'GET',
      `/campaigns/${review.id}/inspections?region=${city}&limit=200`,
      { token: office },
    );
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((i) => i.targetId)).toEqual([p1]);
  }, 120_000);

  it('counts a town’s inspectors: those whose zones hold its schools', async () => {
    const r = await call<{ counts: { inspectors: number; schools: { total: number } } }>(
      'GET',
      `/regions/${town}`,
      { token: office },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.body.counts).toMatchObject({ inspectors: 1, schools: { total: 30 + 3 } });
  });

  it('answers 401 without a token, 403 to other roles, 404 outside the region', async () => {
    expect((await call('GET', '/principals')).status).toBe(401);
    expect((await call('GET', '/principals', { token: await tokenFor('school', p1) })).status).toBe(403);
    expect((await call('GET', '/principals', { token: await tokenFor('inspector', 'ISM01') })).status).toBe(
      403,
    );
    const county = await tokenFor('county_admin', shaxian);
    expect((await call('GET', `/principals?region=${sanyuan}`, { token: county })).status).toBe(404);
    expect((await call('GET', `/principals?school=${p1}`, { token: county })).status).toBe(404);
    expect((await call('GET', '/principals?region=35', { token: office })).status).toBe(404);
    const own = await call<{ items: Term[] }>('GET', '/principals', { token: county });
    expect(own.status).toBe(200);
    expect(own.body.items.every((t) => t.regionCode === shaxian)).toBe(true);
  });
});
