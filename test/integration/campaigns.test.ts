import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '#test/support/api';
import { sweep } from '#test/support/aws';
import { createCampaign, launchAndWait } from '#test/support/campaigns';
import { waitFor } from '#test/support/wait';

/**
 * Templates and campaigns over HTTP: validation, optimistic concurrency,
 * who may do what, and recurring campaigns. Fujian (35) holds no schools, so
 * launches here are fast and touch no other test's data.
 */
const province = '35';
const window = { start: '2026-03-01', end: '2026-03-15' };
const admin = () => tokenFor('province_admin', province, { subject: 'fujian-office' });

describe('templates', () => {
  it('lists the six built-in templates with indicators whose weights add up to 100', async () => {
    const r = await call<{ items: { id: string; indicators: { weight: number }[] }[] }>('GET', '/templates', {
      token: await admin(),
    });
    expect(r.status).toBe(200);
    const ids = r.body.items.map((t) => t.id);
    for (const id of [
      'start-of-term',
      'teacher-burden',
      'double-reduction-monthly',
      'kindergarten-evaluation',
      'teacher-salary',
      'principal-term-end',
    ]) {
      expect(ids).toContain(id);
    }
    for (const t of r.body.items) expect(t.indicators.reduce((sum, i) => sum + i.weight, 0)).toBeCloseTo(100);
    const kg = await call<{ sampling: { percent: number } }>('GET', '/templates/kindergarten-evaluation', {
      token: await admin(),
    });
    expect(kg.body.sampling.percent).toBe(10);
  });

  it('lets an office add a template, validating it, and refuses schools', async () => {
    const template = {
      id: `fj-safety-${Date.now()}`,
      version: 1,
      title: { zh: '校园安全专项督导', en: 'Campus safety' },
      indicators: [
        { id: 'fire', title: { zh: '消防', en: 'Fire' }, weight: 60, methods: ['campus_patrol'] },
        { id: 'food', title: { zh: '食品', en: 'Food' }, weight: 40, methods: ['document_review'] },
      ],
      phases: [{ phase: 'on_site', days: 10 }],
      grading: { excellent: 90, good: 80, pass: 60 },
      target: { unit: 'school', schoolKinds: ['primary'] },
    };
    const token = await admin();
    expect((await call('POST', '/templates', { token, body: template })).status).toBe(201);
    expect((await call('POST', '/templates', { token, body: template })).status).toBe(409);
    const bad = await call<{ errors: { path: string }[] }>('POST', '/templates', {
      token,
      body: { ...template, id: 'x-bad', indicators: [{ ...template.indicators[0], weight: 50 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path)).toContain('body.indicators');
    expect(
      (await call('POST', '/templates', { token: await tokenFor('school', '3501000001'), body: template }))
        .status,
    ).toBe(403);
  });
});

describe('campaigns', () => {
  it('creates a draft, changes it with the right version and refuses a stale one (409)', async () => {
    const token = await admin();
    const draft = await createCampaign(token, {
      templateId: 'start-of-term',
      title: '春季开学',
      scope: province,
      window,
    });
    expect(draft).toMatchObject({
      status: 'draft',
      version: 1,
      samplingSeed: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const changed = await call<{ version: number; title: string }>('PATCH', `/campaigns/${draft.id}`, {
      token,
      body: { version: 1, changes: { title: '2026年春季开学督查' } },
    });
    expect(changed.body).toMatchObject({ version: 2, title: '2026年春季开学督查' });
    const stale = await call('PATCH', `/campaigns/${draft.id}`, {
      token,
      body: { version: 1, changes: { title: 'x' } },
    });
    expect(stale.status).toBe(409);

    const list = await call<{ items: { id: string }[] }>('GET', `/campaigns?scope=${province}&status=draft`, {
      token,
    });
    expect(list.body.items.map((c) => c.id)).toContain(draft.id);
  });

  it('validates campaign requests', async () => {
    const token = await admin();
    const bad = await call<{ errors: { path: string }[] }>('POST', '/campaigns', {
      token,
      body: {
        templateId: 'start-of-term',
        title: '',
        scope: '3',
        window: { start: '2026-03-10', end: '2026-03-01' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual(['body.scope', 'body.title', 'body.window']);
    const unknown = await call('POST', '/campaigns', {
      token,
      body: { templateId: 'nope', title: 't', scope: province, window },
    });
    expect(unknown.status).toBe(400);
    const outside = await call('POST', '/campaigns', {
      token,
      body: { templateId: 'start-of-term', title: 't', scope: '32', window },
    });
    expect(outside.status).toBe(403);
  });

  it('lets only the offices over the campaign launch it', async () => {
    const token = await admin();
    const draft = await createCampaign(token, {
      templateId: 'start-of-term',
      title: '权限',
      scope: '3501',
      window,
    });
    expect((await call('POST', `/campaigns/${draft.id}/launch`)).status).toBe(401);
    for (const [role, scope] of [
      ['inspector', 'I350102001'],
      ['school', '3501020001'],
      ['auditor', '35'],
    ] as const) {
      expect(
        (await call('POST', `/campaigns/${draft.id}/launch`, { token: await tokenFor(role, scope) })).status,
        role,
      ).toBe(403);
    }
    // A county office below the campaign may read it but not launch it; an office elsewhere does not see it.
    expect(
      (
        await call('POST', `/campaigns/${draft.id}/launch`, {
          token: await tokenFor('county_admin', '350102'),
        })
      ).status,
    ).toBe(403);
    expect(
      (await call('POST', `/campaigns/${draft.id}/launch`, { token: await tokenFor('city_admin', '3502') }))
        .status,
    ).toBe(404);
    expect(
      (await call('GET', `/campaigns/${draft.id}`, { token: await tokenFor('province_admin', '32') })).status,
    ).toBe(404);
    expect(
      (await call('POST', `/campaigns/${draft.id}/launch`, { token: await tokenFor('city_admin', '3501') }))
        .status,
    ).toBe(202);
  });
});

describe('recurring campaigns', () => {
  it('creates and launches the next occurrence when due, exactly once however often the scheduler runs', async () => {
    const token = await admin();
    const first = await createCampaign(token, {
      templateId: 'double-reduction-monthly',
      title: '双减月度督导',
      scope: province,
      window: { start: '2026-01-05', end: '2026-01-25' },
      recurrence: 'monthly',
    });
    expect((await launchAndWait(token, first.id)).status).toBe('SUCCEEDED');
    const active = await call<{ status: string; nextStart: string }>('GET', `/campaigns/${first.id}`, {
      token,
    });
    expect(active.body).toMatchObject({ status: 'active', nextStart: '2026-02-05' });

    // Other test files sweep too, so which run creates the occurrence is not this test's to say:
    // that it is created and launched once, however many runs there are, is.
    await sweep();
    await sweep();
    const nextId = `${first.id}-r2`;
    const next = await waitFor(
      async () => {
        const r = await call<{
          status: string;
          window: { start: string };
          seriesId: string;
          occurrence: number;
        }>('GET', `/campaigns/${nextId}`, { token });
        return r.body.status === 'active' ? r.body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the next occurrence to be launched' },
    );
    expect(next).toMatchObject({ window: { start: '2026-02-05' }, seriesId: first.id, occurrence: 2 });
    // Created and launched once (its audit trail says so), whichever run saw it due.
    const trail = await call<{ items: { action: string; actor: string }[] }>(
      'GET',
      `/audit/events?entityId=${nextId}`,
      { token },
    );
    expect(trail.body.items.filter((e) => e.action === 'create_campaign')).toEqual([
      expect.objectContaining({ actor: 'system:scheduler' }),
    ]);
    expect(trail.body.items.filter((e) => e.action === 'launch_campaign')).toEqual([
      expect.objectContaining({ actor: 'system:scheduler' }),
    ]);
  });
});
