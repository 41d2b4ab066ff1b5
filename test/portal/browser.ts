import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

/** Debian's chromium, driven by playwright-core (Playwright's own browser download does not work here). */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });

export const portalUrl = (path = '/') => inject('portal').url + path;

export const persona = (id: string) => {
  const found = inject('portal').personas.find((p) => p.id === id);
  if (!found) throw new Error(`no persona ${id}: ${JSON.stringify(inject('portal').personas)}`);
  return found;
};

/** A fresh context (own storage) at a size; phones get a phone's viewport and touch. */
export const newContext = (
  browser: Browser,
  size: 'phone' | 'desktop' = 'desktop',
): Promise<BrowserContext> =>
  browser.newContext(
    size === 'phone'
      ? {
          viewport: { width: 390, height: 844 },
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true,
          locale: 'zh-CN',
        }
      : { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' },
  );

/** Signs in through the sign-in page, as a person does: a persona's button. */
export const signIn = async (page: Page, personaId: string) => {
  await page.goto(portalUrl('/'));
  await page.locator(`[data-persona="${personaId}"]`).click();
  await page.locator('header').waitFor();
};

/** The journey's last screen, into the folder the run prints. */
export const screenshot = async (page: Page, name: string) => {
  const path = join(inject('portal').screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
};

/** No serious or critical axe violation on the page as it is now. */
export const expectAccessible = async (page: Page) => {
  // On a settled page: a modal fading in reads as low contrast, a closing picker as an unnamed listbox.
  await page.waitForFunction("document.getAnimations().every((a) => a.playState !== 'running')");
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`),
  ).toEqual([]);
};
