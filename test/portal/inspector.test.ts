import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '#test/support/api';
import { upcomingWindow } from '#test/support/campaigns';
import { png, sha256 } from '#test/support/evidence';
import { waitFor } from '#test/support/wait';
import {
  expectAccessible,
  launchBrowser,
  newContext,
  persona,
  portalUrl,
  screenshot,
  signIn,
} from './browser.ts';

interface Inspection {
  id: string;
  targetId: string;
  targetName: string;
  status: string;
  version: number;
  template: { indicators: { id: string }[] };
  findings?: { indicators: { indicatorId: string; comment?: string; evidenceIds?: string[] }[] };
}

let browser: Browser;
let office: string;
const mine: Inspection[] = [];

/** The school's self-assessment through the API: the visit comes after it. */
const selfAssess = async (inspection: Inspection) => {
  const token = await tokenFor('school', inspection.targetId);
  const got = await call<Inspection>('GET', `/inspections/${inspection.id}`, { token });
  const r = await call('PUT', `/inspections/${inspection.id}/self-assessment`, {
    token,
    body: {
      version: got.body.version,
      indicators: got.body.template.indicators.map((i) => ({
        indicatorId: i.id,
        score: 85,
        statement: '已自查',
      })),
    },
  });
  expect(r.status, r.text).toBe(200);
};

const read = async (id: string) =>
  (await call<Inspection>('GET', `/inspections/${id}`, { token: office })).body;
/** Entries in the portal's IndexedDB outbox (evaluated in the page; `indexedDB` is the browser's). */
const outboxSize = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        // biome-ignore lint/suspicious/noExplicitAny: the browser's global, not in the Node type library
        const open = (globalThis as any).indexedDB.open('dudao', 1);
        open.onsuccess = () => {
          const count = open.result.transaction('outbox').objectStore('outbox').count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );

beforeAll(async () => {
  browser = await launchBrowser();
  const county = persona('county').scope;
  office = await tokenFor('county_admin', county);
  const inspector = await tokenFor('inspector', persona('inspector').scope);
  // The demo school persona's inspection first: the school rectifies what the inspector found there.
  const school = persona('school').scope;
  // Two campaigns over the county: the first for the visit and its report, the second for the offline visit.
  for (const title of ['责任督学走访（门户）', '责任督学离线走访（门户）']) {
    const created = await call<{ id: string }>('POST', '/campaigns', {
      token: office,
      body: { templateId: 'start-of-term', title, scope: county, window: upcomingWindow() },
    });
    expect(created.status, created.text).toBe(201);
    expect((await call('POST', `/campaigns/${created.body.id}/launch`, { token: office })).status).toBe(202);
    await waitFor(
      async () =>
        (await call<{ status: string }>('GET', `/campaigns/${created.body.id}`, { token: office })).body
          .status === 'active' || undefined,
      { timeoutMs: 90_000, intervalMs: 500, what: 'the campaign to be active' },
    );
    const list = await call<{ items: Inspection[] }>(
      'GET',
      `/inspections?assignee=me&campaignId=${created.body.id}&limit=50`,
      { token: inspector },
    );
    const ours = list.body.items.find((i) => i.targetId === school);
    expect(ours, `the responsible inspector inspects ${school} in ${title}`).toBeDefined();
    mine.push(ours!);
  }
  for (const inspection of mine) await selfAssess(inspection);
});
afterAll(async () => {
  await browser?.close();
});

describe('a responsible inspector on a phone (390 × 844)', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await newContext(browser, 'phone');
  });
  afterAll(async () => {
    await context?.close();
  });

  it('records findings with a problem and a photo, and reports', async () => {
    const target = mine[0]!;
    const page = await context.newPage();
    await signIn(page, 'inspector');
    await page.getByRole('heading', { name: '我的任务' }).waitFor();
    await page.getByRole('link', { name: target.targetName }).first().waitFor();
    await expectAccessible(page);

    await page.goto(portalUrl(`/inspections/${target.id}`));
    await page.locator('[data-status="self_assessed"]').waitFor();
    const first = page.locator('[data-indicator]').first();
    await first.getByRole('button', { name: '添加问题' }).click();
    await first.getByLabel('问题 1').fill('消防通道堆放杂物');
    await first
      .locator('input[type="file"]')
      .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
    await first.getByRole('status').filter({ hasText: '照片已上传' }).waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: '保存督导记录' }).click();
    await page.locator('[data-status="inspected"]').waitFor();
    await page.getByRole('button', { name: '提交报告' }).click();
    await page.getByRole('status').filter({ hasText: '报告已提交' }).waitFor();
    await screenshot(page, 'inspector-reported');

    const stored = await read(target.id);
    expect(stored.status).toBe('rectifying');
    const entry = stored.findings?.indicators.find((f) => f.evidenceIds?.length);
    expect(entry?.evidenceIds).toHaveLength(1);
    const evidence = await call<{ items: { id: string; sha256: string }[] }>(
      'GET',
      `/inspections/${target.id}/evidence`,
      { token: office },
    );
    expect(evidence.body.items.map((e) => e.sha256)).toContain(sha256(png));
    await page.close();
  });

  it('then the school acknowledges the feedback and rectifies the problem', async () => {
    const target = mine[0]!;
    const schoolContext = await newContext(browser);
    const page = await schoolContext.newPage();
    await signIn(page, 'school');
    await page.getByRole('heading', { name: '本校督导' }).waitFor();
    await page.getByRole('link', { name: target.targetName }).first().waitFor();
    await page.goto(portalUrl(`/inspections/${target.id}`));
    await page.locator('[data-status="rectifying"]').waitFor();
    await page.getByRole('button', { name: '确认反馈' }).click();
    await page.getByRole('status').filter({ hasText: '反馈已确认' }).waitFor();
    const plan = page.getByLabel('整改计划 消防通道堆放杂物');
    await plan.fill('本周内清理消防通道，专人每日巡查');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.locator('[data-rectification="planned"]').waitFor();
    await plan.fill('消防通道已清理完毕，巡查记录见附件');
    await page.getByRole('button', { name: '完成整改' }).click();
    await page.locator('[data-status="rectification_submitted"]').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'school-rectified');

    const stored = (
      await call<Inspection & { rectifications: { plan?: string; status: string }[] }>(
        'GET',
        `/inspections/${target.id}`,
        { token: office },
      )
    ).body;
    expect(stored.status).toBe('rectification_submitted');
    expect(stored.rectifications.map((r) => [r.status, r.plan])).toEqual([
      ['submitted', '本周内清理消防通道，专人每日巡查'],
    ]);
    await schoolContext.close();
  });

  it('keeps a visit recorded offline on the device and sends it once when the network returns', async () => {
    const target = mine[1]!;
    const page = await context.newPage();
    await page.goto(portalUrl(`/inspections/${target.id}`));
    await page.locator('[data-status="self_assessed"]').waitFor();
    const before = await read(target.id);

    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: '离线' }).waitFor();
    await page
      .locator('[data-indicator]')
      .first()
      .getByRole('textbox')
      .first()
      .fill('离线记录：课后服务安排合理');
    await page.getByRole('button', { name: '保存督导记录' }).click();
    await page.getByText('已离线保存，联网后自动发送').first().waitFor();
    expect(await outboxSize(page)).toBe(1);
    expect((await read(target.id)).version, 'nothing reached the API while offline').toBe(before.version);

    await context.setOffline(false);
    await page.locator('[data-status="inspected"]').waitFor();
    await expect.poll(() => outboxSize(page)).toBe(0);
    const after = await read(target.id);
    expect(after.version, 'sent exactly once').toBe(before.version + 1);
    expect(after.findings?.indicators.map((f) => f.comment)).toContain('离线记录：课后服务安排合理');
    await screenshot(page, 'inspector-offline-synced');
    await page.close();
  });

  it('shows a version conflict of an offline visit instead of losing it, and sends it again on request', async () => {
    const target = mine[1]!;
    const page = await context.newPage();
    await page.goto(portalUrl(`/inspections/${target.id}`));
    await page.locator('[data-status="inspected"]').waitFor();
    const before = await read(target.id);

    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: '离线' }).waitFor();
    await page.locator('[data-indicator]').first().getByRole('textbox').first().fill('离线修改：与他人冲突');
    await page.getByRole('button', { name: '保存督导记录' }).click();
    await page.getByText('已离线保存，联网后自动发送').first().waitFor();
    // Meanwhile the office, acting as the lead, records the same indicator: the inspection moves on.
    const other = await call('PUT', `/inspections/${target.id}/findings`, {
      token: office,
      body: {
        version: before.version,
        visit: { date: new Date().toISOString().slice(0, 10), durationMinutes: 30 },
        indicators: [
          { indicatorId: before.template.indicators[0]!.id, method: 'document_review', score: 70 },
        ],
      },
    });
    expect(other.status, other.text).toBe(200);

    await context.setOffline(false);
    await page.getByRole('alert').filter({ hasText: '版本冲突' }).waitFor();
    expect(await outboxSize(page), 'the conflicting record stays on the device').toBe(1);
    await screenshot(page, 'inspector-conflict');

    await page.getByRole('button', { name: '刷新后重试' }).click();
    await expect.poll(() => outboxSize(page)).toBe(0);
    const after = await read(target.id);
    expect(after.findings?.indicators.map((f) => f.comment)).toContain('离线修改：与他人冲突');
    await page.close();
  });
});
