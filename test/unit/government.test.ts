import { describe, expect, it } from 'vitest';
import { actorSchema } from '#core/actor';
import { type Campaign, selectTargets } from '#core/campaign';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#core/errors';
import type { Inspection } from '#core/inspection';
import type { Proposal } from '#core/inspection-service';
import { canRead, performerOf } from '#core/lifecycle';
import { createRankingService, lowest, type RankEntry, rank, rankingSchema } from '#core/ranking';
import { templateSchema } from '#core/template';
import { builtInTemplates } from '#core/templates/index';

/** 督政: government targets, the party of an inspection, and rankings. */
const template = (id: string) => builtInTemplates.find((t) => t.id === id)!;
const window = { start: '2026-03-01', end: '2026-12-31' };

describe('government targets', () => {
  it('selects every town of the county from the region tree, schools or not', () => {
    // 南芬区 has three towns (街道) and no school is given: all three are targets, each its own party.
    const targets = selectTargets(template('government-duty'), { window, scope: '210505' }, []);
    expect(targets).toEqual([
      {
        id: '210505001',
        regionCode: '210505',
        townCode: '210505001',
        name: '南芬街道',
        partyId: '210505001',
      },
      {
        id: '210505004',
        regionCode: '210505',
        townCode: '210505004',
        name: '思山岭街道',
        partyId: '210505004',
      },
      {
        id: '210505005',
        regionCode: '210505',
        townCode: '210505005',
        name: '下马塘街道',
        partyId: '210505005',
      },
    ]);
  });

  it('selects the counties of a city for a county template', () => {
    const targets = selectTargets(template('balanced-development'), { window, scope: '2105' }, []);
    expect(targets.map((t) => t.id)).toEqual(['210502', '210503', '210504', '210505', '210521', '210522']);
    expect(targets.every((t) => t.partyId === t.id && t.regionCode === t.id)).toBe(true);
  });

  it('targets no school group where the registry has none (never a school or a region)', () => {
    const groups = templateSchema.parse({
      ...template('start-of-term'),
      target: { unit: 'group', schoolKinds: ['primary'] },
    });
    const school = {
      id: '2105050001',
      name: '南芬小学',
      kind: 'primary',
      regionCode: '210505',
      townCode: '210505001',
    } as Parameters<typeof selectTargets>[2][number];
    expect(selectTargets(groups, { window, scope: '210505' }, [school])).toEqual([]);
  });
});

describe('the government as party', () => {
  const gov = (scope: string) => actorSchema.parse({ subject: `gov-${scope}`, role: 'government', scope });
  const town = { targetId: '210505001', partyId: '210505001', regionCode: '210505', townCode: '210505001' };
  const schoolInspection = { targetId: '2105050001', regionCode: '210505', townCode: '210505004' };

  it('takes a county or town code as scope, nothing else', () => {
    for (const scope of ['210505', '210505001'])
      expect(actorSchema.safeParse({ subject: 's', role: 'government', scope }).success).toBe(true);
    for (const scope of ['21', '2105', '2105050001', 'town'])
      expect(actorSchema.safeParse({ subject: 's', role: 'government', scope }).success).toBe(false);
  });

  it('is the party of its own inspection only', () => {
    expect(performerOf(gov('210505001'), town)).toBe('party');
    expect(performerOf(gov('210505004'), town)).toBeUndefined();
    // The county's government is not its towns' party.
    expect(performerOf(gov('210505'), town)).toBeUndefined();
  });

  it('reads schools’ inspections of its region only when the template says so', () => {
    const closed = { target: { unit: 'school', partyReadsSchoolInspections: false } };
    const open = { target: { unit: 'school', partyReadsSchoolInspections: true } };
    expect(canRead(gov('210505004'), schoolInspection, closed)).toBe(false);
    expect(canRead(gov('210505004'), schoolInspection, open)).toBe(true);
    expect(canRead(gov('210505'), schoolInspection, open)).toBe(true);
    expect(canRead(gov('210505001'), schoolInspection, open)).toBe(false);
    // Reading is not acting.
    expect(performerOf(gov('210505004'), schoolInspection)).toBeUndefined();
  });
});

describe('ranking', () => {
  const entry = (targetId: string, score: number | null): RankEntry => ({
    inspectionId: `c-${targetId}`,
    targetId,
    name: targetId,
    status: score === null ? 'inspected' : 'closed',
    score,
    grade: null,
  });

  it('gives equal scores the same rank and skips the next (1, 1, 3), unscored last', () => {
    const rows = rank([
      entry('t3', 80),
      entry('t1', 90),
      entry('t4', null),
      entry('t2', 90),
      entry('t5', 70),
    ]);
    expect(rows.map((r) => [r.targetId, r.rank])).toEqual([
      ['t1', 1],
      ['t2', 1],
      ['t3', 3],
      ['t5', 4],
      ['t4', null],
    ]);
  });

  it('gives the change from last year: rank up is positive, score as a difference, null when new', () => {
    const previous = new Map([
      ['t1', { campaignId: 'last', rank: 3, score: 78.5 }],
      ['t2', { campaignId: 'last', rank: 1, score: 95 }],
    ]);
    const rows = rank([entry('t1', 90), entry('t2', 85), entry('t3', 60)], previous);
    expect(rows.map((r) => [r.targetId, r.change])).toEqual([
      ['t1', { rank: 2, score: 11.5 }],
      ['t2', { rank: -1, score: -10 }],
      ['t3', { rank: null, score: null }],
    ]);
    expect(rows[0]!.previous).toEqual({ campaignId: 'last', rank: 3, score: 78.5 });
  });

  it('proposes the lowest, all of them when tied, and no one when all tie', () => {
    expect(lowest(rank([entry('a', 90), entry('b', 60), entry('c', 60)])).map((r) => r.targetId)).toEqual([
      'b',
      'c',
    ]);
    expect(lowest(rank([entry('a', 70), entry('b', 70)]))).toEqual([]);
    expect(lowest(rank([entry('a', 70)]))).toEqual([]);
  });
});

describe('ranking service', () => {
  const campaign = (id: string, start: string, status = 'active'): Campaign =>
    ({
      id,
      templateId: 'government-duty',
      templateVersion: 1,
      title: id,
      scope: '210505',
      window: { start, end: start.replace(/-03-/, '-12-') },
      status,
      version: 1,
      createdBy: 'office',
      createdAt: `${start}T00:00:00Z`,
      updatedAt: `${start}T00:00:00Z`,
      samplingSeed: 's',
    }) as Campaign;
  const inspection = (campaignId: string, town: string, score?: number) =>
    ({
      id: `${campaignId}-${town}`,
      campaignId,
      templateId: 'government-duty',
      targetId: town,
      targetName: town,
      partyId: town,
      regionCode: '210505',
      townCode: town,
      status: score === undefined ? 'inspected' : 'closed',
      deadlines: {},
      version: 3,
      createdAt: '',
      updatedAt: '',
      ...(score === undefined ? {} : { report: { score, grade: score >= 90 ? 'excellent' : 'pass' } }),
    }) as unknown as Inspection;
  const world = (inspections: Inspection[], campaigns: Campaign[]) => {
    const proposed: Proposal[] = [];
    const seen = new Set<string>();
    const service = createRankingService({
      campaign: async (id) => campaigns.find((c) => c.id === id),
      template: async (id) => template(id),
      campaigns: async () => ({ items: campaigns }),
      campaignInspections: async (id) => ({ items: inspections.filter((i) => i.campaignId === id) }),
      propose: async (p) => {
        const key = `${p.type}#${p.inspectionId}`;
        if (seen.has(key)) return false;
        seen.add(key);
        proposed.push(p);
        return true;
      },
      proposals: async () => proposed,
      now: () => '2026-12-01T00:00:00Z',
    });
    return { service, proposed };
  };
  const office = actorSchema.parse({ subject: 'o', role: 'county_admin', scope: '210505' });
  const [a, b, c] = ['210505001', '210505004', '210505005'];

  it('compares with last year’s campaign of the same template and proposes the lowest once', async () => {
    const { service, proposed } = world(
      [
        inspection('y2026', a, 80),
        inspection('y2026', b, 92),
        inspection('y2026', c, 61),
        inspection('y2025', a, 90),
        inspection('y2025', b, 70),
      ],
      [
        campaign('y2026', '2026-03-01'),
        campaign('y2025', '2025-03-01', 'closed'),
        campaign('y2024', '2024-03-01'),
      ],
    );
    const r = await service.ranking(office, 'y2026', {});
    // The response is exactly what the operation declares (parsing drops undeclared keys).
    expect(rankingSchema.parse(r)).toEqual(r);
    expect(r.previousCampaignId).toBe('y2025');
    expect(r.items.map((i) => [i.targetId, i.rank, i.change])).toEqual([
      [b, 1, { rank: 1, score: 22 }],
      [a, 2, { rank: -1, score: -10 }],
      [c, 3, { rank: null, score: null }],
    ]);
    expect(r.incentives.map((i) => i.targetId)).toEqual([b]);
    expect(r.proposals.map((p) => p.targetId)).toEqual([c]);
    // Reading proposes nothing; the office's publication records the proposal, once.
    expect(r.published).toBe(false);
    expect(proposed).toEqual([]);
    expect((await service.publish(office, 'y2026', {})).published).toBe(true);
    await service.publish(office, 'y2026', {});
    expect(proposed.map((p) => [p.type, p.inspectionId])).toEqual([['interview', `y2026-${c}`]]);
    expect((await service.ranking(office, 'y2026', {})).published).toBe(true);
  });

  it('is published by an office over the region, once final', async () => {
    const { service } = world(
      [inspection('y2026', a, 80), inspection('y2026', b)],
      [campaign('y2026', '2026-03-01')],
    );
    await expect(service.publish(office, 'y2026', {})).rejects.toThrow(ConflictError);
    const auditor = actorSchema.parse({ subject: 'x', role: 'auditor', scope: '21' });
    await expect(service.publish(auditor, 'y2026', {})).rejects.toThrow(ForbiddenError);
  });

  it('proposes nothing before every town has a report', async () => {
    const { service, proposed } = world(
      [inspection('y2026', a, 80), inspection('y2026', b)],
      [campaign('y2026', '2026-03-01')],
    );
    const r = await service.ranking(office, 'y2026', {});
    expect(r).toMatchObject({ final: false, previousCampaignId: null, proposals: [] });
    expect(r.items.map((i) => i.rank)).toEqual([1, null]);
    expect(proposed).toEqual([]);
  });

  it('ranks towns within a county only, for offices and auditors', async () => {
    const { service } = world([], [campaign('y2026', '2026-03-01')]);
    await expect(service.ranking(office, 'y2026', { region: '2105' })).rejects.toThrow(ValidationError);
    const school = actorSchema.parse({ subject: 's', role: 'school', scope: '2105050001' });
    await expect(service.ranking(school, 'y2026', {})).rejects.toThrow(NotFoundError);
  });
});
