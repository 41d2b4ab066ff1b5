import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '#test/support/api';
import { upcomingWindow } from '#test/support/campaigns';
import { expectAccessible, launchBrowser, newContext, persona, screenshot, signIn } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('an office in the portal', () => {
  it('creates and launches a campaign, watching its progress, then reads its dashboard', async () => {
    const county = persona('county');
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'county');
    await expect.poll(() => page.locator('h1').textContent()).toBe('督导项目');
    await expectAccessible(page);

    await page.getByRole('menuitem', { name: '新建项目' }).click();
    await page.getByLabel('项目名称').fill('门户启动的开学督查');
    await page.getByRole('button', { name: '创建草稿' }).click();
    await page
      .getByRole('button', { name: '启 动' })
      .or(page.getByRole('button', { name: '启动' }))
      .click();
    // The launch's result, with its link to the dashboard, once the workflow ended.
    await page.getByRole('link', { name: '查看' }).waitFor({ timeout: 90_000 });
    const progress = await page.locator('[aria-live="polite"]').textContent();
    const [created, targets] = (progress?.match(/(\d+) \/ (\d+)/) ?? []).slice(1).map(Number);
    expect(targets).toBeGreaterThan(0);
    expect(created).toBe(targets);

    // What the screen said is what the API holds.
    const office = await tokenFor('county_admin', county.scope);
    const list = await call<{ items: { id: string; title: string; status: string }[] }>('GET', '/campaigns', {
      token: office,
    });
    const campaign = list.body.items.find((c) => c.title === '门户启动的开学督查');
    expect(campaign?.status).toBe('active');

    await page.getByRole('link', { name: '查看' }).click();
    await page.getByRole('heading', { name: '门户启动的开学督查' }).waitFor();
    await page.getByText('学校列表').waitFor();
    await expect.poll(() => page.locator('tbody tr.ant-table-row').count()).toBe(targets);
    await expectAccessible(page);
    await screenshot(page, 'office-campaign-dashboard');
    await context.close();
  });

  it('imports a spreadsheet: uploads it, watches the import and offers the row-level error report', async () => {
    const county = persona('county').scope;
    const office = await tokenFor('county_admin', county);
    const school = await call<{ townCode: string }>('GET', `/schools/${persona('school').scope}`, {
      token: office,
    });
    const header =
      'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
    const csv = [
      header,
      `${county}9901,门户导入第一小学,primary,${county},${school.body.townCode},public,800,50,刘一,2021-09-01`,
      `${county}9902,门户导入第二小学,castle,${county},${school.body.townCode},public,800,50,刘二,2021-09-01`,
    ].join('\r\n');
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'county');
    await page.getByRole('menuitem', { name: '数据导入' }).click();
    await page.locator('input[type="file"]').setInputFiles({
      name: 'schools.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${csv}\r\n`),
    });
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.locator('[aria-live="polite"]', { hasText: 'completed' }).waitFor({ timeout: 90_000 });
    const report = page.getByRole('link', { name: '下载错误报告' });
    await report.waitFor();
    await expectAccessible(page);
    await screenshot(page, 'office-import');

    // The good row is in the registry; the error report names the bad one by its row in the file.
    expect((await call('GET', `/schools/${county}9901`, { token: office })).status).toBe(200);
    const errors = await (await fetch((await report.getAttribute('href'))!)).text();
    // Row 3 of the file (the header is row 1), its column and why.
    expect(errors).toContain('"3","kind"');
    expect(errors).toContain('castle');
    await context.close();
  });

  it('drills down a province dashboard from cities to a county and its schools', async () => {
    const province = await tokenFor('province_admin', '32');
    const county = persona('county').scope;
    const created = await call<{ id: string }>('POST', '/campaigns', {
      token: province,
      body: {
        templateId: 'start-of-term',
        title: '全省开学督查（门户）',
        scope: '32',
        window: upcomingWindow(),
      },
    });
    expect(created.status, created.text).toBe(201);
    const launched = await call('POST', `/campaigns/${created.body.id}/launch`, { token: province });
    expect(launched.status).toBe(202);
    await expect
      .poll(
        async () =>
          (await call<{ status: string }>('GET', `/campaigns/${created.body.id}`, { token: province })).body
            .status,
        { timeout: 90_000, interval: 500 },
      )
      .toBe('active');

    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'province');
    await page.goto(page.url().replace(/\/[^/]*$/, `/campaigns/${created.body.id}`));
    const city = county.slice(0, 4);
    await page
      .getByRole('button', { name: /下钻 .*/ })
      .first()
      .waitFor();
    // Down to the city of the demo county, then the county: its school list.
    for (const code of [city, county]) {
      const row = page.locator('tr', { hasText: `(${code})` });
      await row.getByRole('button').click();
      await page.locator('.ant-breadcrumb').getByText(`(${code})`).waitFor();
    }
    await page.getByText('学校列表').waitFor();
    await page.locator('tbody tr.ant-table-row').first().waitFor();
    await screenshot(page, 'office-drill-down');
    await context.close();
  });
});
