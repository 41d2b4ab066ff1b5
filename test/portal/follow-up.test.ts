import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '#test/support/api';
import { sweep } from '#test/support/aws';
import { waitFor } from '#test/support/wait';
import { expectAccessible, launchBrowser, newContext, persona, screenshot, signIn } from './browser.ts';

/**
 * A province office's campaign work in the portal (desktop): the wizard shows the
 * launch preview (targets and the 50 % sample) before the launch; a team is
 * assigned to one inspection from the teams page; the report downloads as CSV
 * and XLSX; an overdue rectification's interview proposal is decided on the
 * follow-up page. The template is this journey's own (an interview proposed
 * at once when a rectification is overdue), so nothing here counts what other journeys create.
 */
const stamp = Date.now();
const templateId = `portal-follow-up-${stamp}`;
const templateTitle = `门户跟进专项督导 ${stamp}`;
const campaignTitle = `门户跟进督导 ${stamp}`;

let browser: Browser;
let office: string;
let province: string;

interface Row {
  id: string;
  targetId: string;
  targetName: string;
  regionCode: string;
  lead: string | null;
  version: number;
}

const downloaded = async (page: Page, name: string) => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name }).first().click(),
  ]);
  return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
};

beforeAll(async () => {
  browser = await launchBrowser();
  province = persona('province').scope;
  office = await tokenFor('province_admin', province);
  const template = {
    id: templateId,
    version: 1,
    title: { zh: templateTitle, en: `Portal follow-up ${stamp}` },
    indicators: [
      {
        id: 'safety',
        title: { zh: '校园安全', en: 'Campus safety' },
        weight: 100,
        methods: ['campus_patrol'],
      },
    ],
    phases: [
      { phase: 'self_assessment', days: 5 },
      { phase: 'on_site', days: 10 },
      { phase: 'rectification', days: 30 },
    ],
    grading: { excellent: 90, good: 80, pass: 60 },
    target: {
      unit: 'school',
      schoolKinds: [
        'kindergarten',
        'primary',
        'junior',
        'senior',
        'nine_year',
        'twelve_year',
        'vocational',
        'special',
      ],
    },
    sampling: { percent: 50, stratifyBy: 'county' },
    escalation: { interviewAfterOverdueHours: 0, notifyAfterOverdueHours: 720, notifyAfterFailedReviews: 2 },
  };
  const r = await call('POST', '/templates', { token: office, body: template });
  expect(r.status, r.text).toBe(201);
});
afterAll(async () => {
  await browser?.close();
});

describe('an office follows a campaign up in the portal', () => {
  it('previews and launches, assigns a team, downloads the report and records a decision', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'province');

    // The wizard: the template, a title, then the draft's launch preview before the launch.
    await page.getByRole('menuitem', { name: '新建项目' }).click();
    await page.getByLabel('督导模板').fill(templateTitle);
    await page.locator('.ant-select-item-option', { hasText: templateTitle }).click();
    await page.getByLabel('项目名称').fill(campaignTitle);
    await page.getByRole('button', { name: '创建草稿' }).click();
    const preview = page.getByTestId('launch-preview');
    await preview.waitFor({ timeout: 60_000 });
    const previewText = (await preview.textContent()) ?? '';
    const [, targets, population] = previewText.match(/抽取 50%：(\d+) \/ (\d+)/)?.map(Number) ?? [];
    expect(population).toBeGreaterThanOrEqual(1);
    // Rounded up per county: at least one of each county with targets.
    expect(targets).toBeGreaterThanOrEqual(Math.ceil(population! / 2));
    expect(targets).toBeLessThanOrEqual(population!);
    await expectAccessible(page);
    await page
      .getByRole('button', { name: '启 动' })
      .or(page.getByRole('button', { name: '启动' }))
      .click();
    await page.getByRole('link', { name: '查看' }).waitFor({ timeout: 90_000 });
    const progress = (await page.locator('[aria-live="polite"]').textContent()) ?? '';
    expect(progress).toContain(`${targets} / ${targets}`);

    // The dashboard's teams page: every inspection listed, one given a team from the screen.
    await page.getByRole('link', { name: '查看' }).click();
    await page.getByRole('heading', { name: campaignTitle }).waitFor();
    const campaignId = page.url().split('/campaigns/')[1]!;
    // The preview was the launch's own draw.
    const sample = await call<{ populationSize: number; sampleSize: number }>(
      'GET',
      `/campaigns/${campaignId}/sample`,
      { token: office },
    );
    expect(sample.body).toMatchObject({ populationSize: population, sampleSize: targets });
    await page.getByText('督导组', { exact: true }).click();
    await page.getByRole('heading', { name: `督导组分配 · ${campaignTitle}` }).waitFor();
    await expect
      .poll(() => page.locator('tbody tr.ant-table-row').count(), { timeout: 30_000 })
      .toBe(targets);
    const rows = await call<{ items: Row[] }>('GET', `/campaigns/${campaignId}/inspections?limit=200`, {
      token: office,
    });
    const inspection = rows.body.items[0]!;
    const inspectors = await call<{ items: { id: string; name: string }[] }>(
      'GET',
      `/inspectors?region=${inspection.regionCode}&limit=50`,
      { token: office },
    );
    const lead = inspectors.body.items.find((i) => i.id !== inspection.lead) ?? inspectors.body.items[0]!;
    await page.getByRole('button', { name: `分配督导组 ${inspection.targetName}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('组长').click();
    await dialog.getByLabel('组长').fill(lead.id);
    await page
      .locator('.ant-select-item-option', { hasText: `(${lead.id})` })
      .first()
      .click();
    await dialog.getByLabel('调整原因').fill('门户测试调整');
    await expectAccessible(page);
    await dialog
      .getByRole('button', { name: '保 存' })
      .or(dialog.getByRole('button', { name: '保存' }))
      .click();
    await page.getByText('督导组已保存').waitFor();
    await page.locator('tr', { hasText: inspection.targetName }).getByText(lead.name).waitFor();
    const after = await call<{ lead: string | null }[]>('GET', `/inspections/${inspection.id}`, {
      token: office,
    });
    expect(JSON.stringify(after.body)).toContain(lead.id);
    // A second inspection's team from the bulk file (one row per member), as offices keep them in spreadsheets.
    const other = rows.body.items[1]!;
    const otherLead = (
      await call<{ items: { id: string; name: string }[] }>(
        'GET',
        `/inspectors?region=${other.regionCode}&limit=50`,
        { token: office },
      )
    ).body.items.find((i) => i.id !== other.lead)!;
    await page.getByLabel('选择督导组文件').setInputFiles({
      name: '督导组.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`学校标识码,督学编号,角色,负责指标\r\n${other.targetId},${otherLead.id},组长,\r\n`),
    });
    await page.getByRole('button', { name: '批量导入督导组' }).click();
    await page.getByText('已设置 1 个督导组，0 个未变').waitFor();
    await page.locator('tr', { hasText: other.targetName }).getByText(otherLead.name).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'teams');

    // The lead visits; a problem due in two seconds goes overdue and the sweeper proposes an interview.
    const school = await tokenFor('school', inspection.targetId);
    const leadToken = await tokenFor('inspector', lead.id);
    const version = async () =>
      (await call<{ version: number }>('GET', `/inspections/${inspection.id}`, { token: office })).body
        .version;
    const self = await call('PUT', `/inspections/${inspection.id}/self-assessment`, {
      token: school,
      body: {
        version: await version(),
        indicators: [{ indicatorId: 'safety', score: 80, statement: '已自查', evidenceIds: [] }],
      },
    });
    expect(self.status, self.text).toBe(200);
    const findings = await call('PUT', `/inspections/${inspection.id}/findings`, {
      token: leadToken,
      body: {
        version: await version(),
        visit: { date: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10), durationMinutes: 60 },
        indicators: [
          {
            indicatorId: 'safety',
            method: 'campus_patrol',
            score: 50,
            problems: [
              {
                description: '疏散通道堵塞',
                severity: 'critical',
                dueAt: new Date(Date.now() + 2_000).toISOString(),
              },
            ],
          },
        ],
      },
    });
    expect(findings.status, findings.text).toBe(200);
    const reported = await call('POST', `/inspections/${inspection.id}/report`, {
      token: leadToken,
      body: { version: await version() },
    });
    expect(reported.status, reported.text).toBe(200);
    await waitFor(
      async () => {
        await sweep();
        const items = (
          await call<{ items: { type: string; inspectionId: string }[] }>(
            'GET',
            `/campaigns/${campaignId}/actions`,
            { token: office },
          )
        ).body.items;
        return items.some((a) => a.type === 'interview' && a.inspectionId === inspection.id) || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: 'the interview proposal' },
    );

    // The follow-up page: the proposal waits; the report downloads as CSV and XLSX.
    await page.getByText('后续处理', { exact: true }).click();
    await page.getByRole('heading', { name: `后续处理 · ${campaignTitle}` }).waitFor();
    const decide = page.getByRole('button', { name: `记录决定 约谈 ${inspection.id}` });
    await decide.waitFor();
    await expectAccessible(page);

    const csv = await downloaded(page, '下载 CSV');
    expect(csv.name).toMatch(/\.csv$/);
    const csvLines = csv.bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(csvLines[0]).toContain('名次');
    expect(csvLines[0]).toContain('名称');
    // The province's report ranks its cities: one row each under the header.
    expect(csvLines.length).toBeGreaterThan(1);
    const xlsx = await downloaded(page, '下载 XLSX');
    expect(xlsx.name).toMatch(/\.xlsx$/);
    expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const names = workbook.worksheets.map((s) => s.name);
    expect(names).toContain('排名');
    expect(workbook.getWorksheet('总体')?.getCell('B1').value).toBe(campaignTitle);

    // The decision, recorded from the screen with the interview's required fields.
    await decide.click();
    const form = page.getByRole('dialog');
    await form.getByLabel('被约谈人').fill('校长');
    await form.getByLabel('参加人员（每行一人）').fill(`${lead.name}\n县督导室`);
    await form.getByLabel('约谈纪要').fill('门户记录的约谈纪要：限期整改疏散通道。');
    await expectAccessible(page);
    await form.getByRole('button', { name: '保存决定' }).click();
    await page.getByText('决定已记录', { exact: true }).waitFor();
    await expect.poll(() => decide.count(), { timeout: 15_000 }).toBe(0);
    const recorded = page.locator('.ant-card', { hasText: '已记录的处理' });
    await recorded.getByRole('link', { name: inspection.id }).first().waitFor();

    const actions = await call<{ items: { type: string; inspectionId: string; status: string }[] }>(
      'GET',
      `/campaigns/${campaignId}/actions`,
      { token: office },
    );
    expect(
      actions.body.items.filter((a) => a.type === 'interview' && a.inspectionId === inspection.id),
    ).toEqual([expect.objectContaining({ status: 'recorded' })]);
    await expectAccessible(page);
    await screenshot(page, 'follow-up');
    await context.close();
  });
});
