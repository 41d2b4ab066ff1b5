import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, newContext, portalUrl, screenshot, signIn } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the portal in two languages', () => {
  it('opens in Chinese, switches to English and back, and remembers the choice', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(portalUrl('/'));
    await page.getByRole('heading', { name: /教育督导/ }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.locator('[data-persona="county"]').waitFor();
    await expectAccessible(page);

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: /Education supervision/ }).waitFor();
    expect(await page.locator('[data-persona="county"]').textContent()).toContain('County office');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    // Remembered across a reload and a sign-in; Ant Design's own texts follow (en_US).
    await signIn(page, 'school');
    await page.getByRole('menuitem', { name: 'My school' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'My school' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'language-english');

    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '本校督导' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await context.close();
  });

  it('the auditor page has no serious accessibility violation', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'auditor');
    await page.getByRole('heading', { name: '档案审计' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'auditor');
    await context.close();
  });
});
