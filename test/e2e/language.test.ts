import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';

/**
 * Chinese first (issue 12, item 10): what the API writes for people is
 * Chinese by default and English with `Accept-Language: en`; codes stay codes.
 * In 金水区 of Zhengzhou (410105).
 */
const county = '410105';
const town = '410105001';
const schools = ['4101050001', '4101050002'];
const templateId = `zz-safety-${Date.now()}`;

let office: string;
let inspector: string;
let campaignId: string;

interface Feedback {
  text: string;
  texts: { zh: string; en: string };
}

const schoolHeader =
  'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'jinshui-office' });
  inspector = await tokenFor('inspector', 'IZZ001', { subject: 'inspector-zz-1' });
  const opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  await importFile(
    opts,
    'schools',
    's.csv',
    `${schoolHeader}\r\n${schools.map((id, i) => `${id},金水第${i + 1}小学,primary,${county},${town},public,800,50,王一,2021-09-01`).join('\r\n')}\r\n`,
  );
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\nIZZ001,李督学,responsible,${county},13900000041\r\n`,
  );
  await importFile(
    opts,
    'zones',
    'z.csv',
    `zone_id,region_code,inspector_id,school_id\r\n${schools.map((id) => `ZZZ1,${county},IZZ001,${id}`).join('\r\n')}\r\n`,
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
      { phase: 'on_site', days: 10 },
      { phase: 'rectification', days: 30 },
    ],
    grading: { excellent: 90, good: 80, pass: 60 },
    target: { unit: 'school', schoolKinds: ['primary'] },
  };
  const published = await call('POST', '/templates', { token: office, body: template });
  expect(published.status, published.text).toBe(201);
  const campaign = await createCampaign(office, {
    templateId,
    title: '金水区校园安全专项督导',
    scope: county,
    window: upcomingWindow(),
  });
  campaignId = campaign.id;
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
}, 180_000);

describe('problem details', () => {
  it('are Chinese by default, English with Accept-Language: en; the type stays a code', async () => {
    const zh = await call<Record<string, unknown>>('GET', '/campaigns/no-such-campaign', { token: office });
    expect(zh.status).toBe(404);
    expect(zh.headers.get('content-language')).toBe('zh');
    expect(zh.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(zh.body).toMatchObject({
      type: 'https://dudao.dev/problems/not-found',
      title: '未找到',
      detail: '未找到活动 no-such-campaign。',
    });

    const en = await call('GET', '/campaigns/no-such-campaign', { token: office, lang: 'en-US,en;q=0.9' });
    expect(en.headers.get('content-language')).toBe('en');
    expect(en.body).toMatchObject({
      type: 'https://dudao.dev/problems/not-found',
      title: 'Not found',
      detail: 'Campaign no-such-campaign not found.',
    });

    // q-values decide; a language dudao does not speak falls back to Chinese.
    const preferred = async (lang: string) =>
      (await call('GET', '/campaigns/no-such-campaign', { token: office, lang })).headers.get(
        'content-language',
      );
    expect(await preferred('en;q=0.4, zh-Hans;q=0.8')).toBe('zh');
    expect(await preferred('fr, en-GB;q=0.5')).toBe('en');
    expect(await preferred('fr')).toBe('zh');
  });

  it('says in Chinese what zod found wrong with a body, and in English on request', async () => {
    const body = { templateId, title: 42, scope: county, window: upcomingWindow() };
    const zh = await call<{ detail: string; errors: { path: string; message: string }[] }>(
      'POST',
      '/campaigns',
      { token: office, body },
    );
    expect(zh.status).toBe(400);
    expect(zh.body.detail).toBe('请求的请求体未通过校验。');
    const title = zh.body.errors.find((e) => e.path === 'body.title');
    expect(title?.message).toMatch(/无效输入|期望/);

    const en = await call<{ errors: { path: string; message: string }[] }>('POST', '/campaigns', {
      token: office,
      body,
      lang: 'en',
    });
    expect(en.body.errors.find((e) => e.path === 'body.title')?.message).toMatch(/expected string/i);

    // A message the schema writes itself is translated too.
    const region = await call<{ errors: { path: string; message: string }[] }>(
      'GET',
      `/campaigns/${campaignId}/report?region=12345`,
      { token: office },
    );
    expect(region.status).toBe(400);
    expect(region.body.errors).toEqual([{ path: 'query.region', message: '须为 2、4 或 6 位区划代码' }]);
  });

  it('states a lifecycle refusal in Chinese with the status and the command in words', async () => {
    const list = await call<{ items: { id: string; version: number }[] }>(
      'GET',
      `/inspections?schoolId=${schools[1]}&campaignId=${campaignId}`,
      { token: office },
    );
    const target = list.body.items[0]!;
    const refused = await call<{ detail: string }>('POST', `/inspections/${target.id}/report`, {
      token: inspector,
      body: { version: target.version },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('处于“已分配”状态的督导不能出具督导报告。');
  });
});

describe('the feedback letter and the report file', () => {
  it('writes the letter in both languages with indicator titles and the grade label', async () => {
    const list = await call<{ items: { id: string }[] }>(
      'GET',
      `/inspections?schoolId=${schools[0]}&campaignId=${campaignId}`,
      { token: office },
    );
    const id = list.body.items[0]!.id;
    const findings = await call<{ version: number }>('PUT', `/inspections/${id}/findings`, {
      token: inspector,
      body: {
        version: 1,
        visit: { date: '2026-10-12', durationMinutes: 90 },
        indicators: [
          {
            indicatorId: 'fire',
            method: 'campus_patrol',
            score: 90,
            comment: '',
            problems: [{ description: '灭火器过期', severity: 'major' }],
          },
          { indicatorId: 'food', method: 'document_review', score: 70, comment: '', problems: [] },
        ],
      },
    });
    expect(findings.status, findings.text).toBe(200);
    const report = await call<{ report: { grade: string }; feedback: Feedback }>(
      'POST',
      `/inspections/${id}/report`,
      { token: inspector, body: { version: findings.body.version } },
    );
    expect(report.status, report.text).toBe(200);
    // 90 × 0.6 + 70 × 0.4 = 82 → good (良好); the grade field stays a code.
    expect(report.body.report.grade).toBe('good');
    const { feedback } = report.body;
    expect(feedback.texts.zh).toMatch(/^督导得分 82，等次：良好。发现 1 个问题：消防安全（1 项）。/);
    expect(feedback.texts.en).toMatch(
      /^Inspection score 82, grade: good\. 1 problem was found: Fire safety \(1 item\)\./,
    );
    expect(feedback.text).toBe(feedback.texts.zh);
  });

  it('heads the report CSV in Chinese by default and in English on request', async () => {
    const zh = await call('GET', `/campaigns/${campaignId}/report?format=csv`, { token: office });
    expect(zh.status).toBe(200);
    expect(zh.headers.get('content-language')).toBe('zh');
    // (fetch's text() drops the BOM the file starts with.)
    expect(zh.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      '名次,区划代码,名称,覆盖率%,已报告,平均分,优秀,良好,合格,不合格,整改完成率%',
    );
    const en = await call('GET', `/campaigns/${campaignId}/report?format=csv`, { token: office, lang: 'en' });
    expect(en.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      'rank,region code,name,coverage %,reported,average score,excellent,good,pass,fail,rectified %',
    );
  });

  it('names indicators by title in the report workbook', async () => {
    const response = await fetch(`${apiUrl()}/campaigns/${campaignId}/report?format=xlsx`, {
      headers: { authorization: `Bearer ${office}` },
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const problems = workbook.getWorksheet('问题');
    expect(problems?.getRow(1).values).toEqual([undefined, '指标', '问题数', '指标编号']);
    expect(problems?.getRow(2).values).toEqual([undefined, '消防安全', 1, 'fire']);
  });

  it('labels statuses in the office list file in the request language', async () => {
    const zh = await call('GET', `/campaigns/${campaignId}/inspections?format=csv`, { token: office });
    const [header, ...rows] = zh.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(header?.split(',').slice(0, 5)).toEqual(['学校/对象', '标识码', '区县', '乡镇', '状态']);
    const reported = rows.find((r) => r.startsWith('金水第1小学'));
    // The last column is the quantitative verdicts: none in this template.
    expect(reported).toMatch(/,整改中,.*,良好,82,$/);
    const en = await call('GET', `/campaigns/${campaignId}/inspections?format=csv`, {
      token: office,
      lang: 'en',
    });
    expect(en.text.split('\r\n').find((r) => r.startsWith('金水第1小学'))).toMatch(
      /,rectifying,.*,good,82,$/,
    );
  });
});

describe('import error reports', () => {
  it('name the column as the file did and speak Chinese, or English on request', async () => {
    const header =
      '学校标识码,学校名称,学校类型,区县代码,乡镇代码,办学性质,在校生数,教职工数,校长姓名,校长任职时间';
    const outcome = await importFile(
      { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 },
      'schools',
      '学校名单.csv',
      `${header}\r\n4101050003,金水第3小学,小学,${county},${town},公办,许多,40,赵二,2021-09-01\r\n`,
    );
    expect(outcome.counts).toMatchObject({ read: 1, rejected: 1 });
    const report = async (lang?: string) => {
      const record = await call<{ errorReportUrl: string }>('GET', `/imports/${outcome.id}`, {
        token: office,
        ...(lang ? { lang } : {}),
      });
      return (await (await fetch(record.body.errorReportUrl)).text()).replace(/^\uFEFF/, '').split('\r\n');
    };
    expect((await report()).slice(0, 2)).toEqual(['"行","列","问题"', '"2","在校生数","“许多”不是整数"']);
    expect((await report('en')).slice(0, 2)).toEqual([
      '"row","column","message"',
      '"2","在校生数","""许多"" is not a whole number"',
    ]);
  });
});
