import { describe, expect, it } from 'vitest';
import {
  drawSample,
  plannedEndOf,
  sampleMethod,
  selectTargets,
  type TargetCandidate,
  termDue,
  termReviewCutoff,
} from '#core/campaign';
import { type ImportTarget, type SaveRecord, upsertBatch } from '#core/import-service';
import { type PrincipalTerm, termChanges, termKeyOf } from '#core/principals';
import type { School } from '#core/registry';
import { compareSample, populationFileSchema, redrawSample, sampleFileSchema } from '#core/sample-check';
import { builtInTemplates } from '#core/templates/index';

const termEnd = builtInTemplates.find((t) => t.id === 'principal-term-end')!;
const school = (
  id: string,
  principalName: string,
  principalTermStart: string,
  name = `学校${id}`,
): School => ({
  id,
  name,
  kind: 'primary',
  ownership: 'public',
  regionCode: '350205',
  townCode: '350205001',
  students: 100,
  teachers: 10,
  principalName,
  principalTermStart,
});

describe("principals' terms", () => {
  it('plans a term for five years', () => {
    expect(plannedEndOf('2021-09-01')).toBe('2026-09-01');
    expect(plannedEndOf('2020-02-29')).toBe('2025-02-28');
  });

  it('keeps the current term, and ends the previous one at the new start when the principal changes', () => {
    const before = school('3502050001', '陈一', '2019-09-01');
    const after = school('3502050001', '林二', '2024-03-01');
    expect(termChanges(undefined, before)).toEqual({
      current: {
        schoolId: '3502050001',
        schoolName: '学校3502050001',
        regionCode: '350205',
        principalName: '陈一',
        start: '2019-09-01',
        plannedEnd: '2024-09-01',
      },
    });
    const change = termChanges(before, after);
    expect(change.current).toMatchObject({
      principalName: '林二',
      start: '2024-03-01',
      plannedEnd: '2029-03-01',
    });
    expect(change.current.end).toBeUndefined();
    expect(change.closed).toMatchObject({ principalName: '陈一', start: '2019-09-01', end: '2024-03-01' });
    // The same principal and start (a renamed school, a new head count) ends nothing.
    const renamed: School = { ...before, name: '新名', students: 9 };
    expect(termChanges(before, renamed).closed).toBeUndefined();
  });

  it('targets schools whose current term ends in the campaign year or before the window ends', () => {
    const window = { start: '2026-03-01', end: '2027-02-28' };
    expect(termReviewCutoff({ window })).toBe('2027-02-28');
    expect(termReviewCutoff({ window: { start: '2026-03-01', end: '2026-06-30' } })).toBe('2026-12-31');
    const candidates: TargetCandidate[] = [
      {
        id: 'a',
        kind: 'primary',
        regionCode: '350205',
        townCode: '350205001',
        name: 'a',
        principalTermStart: '2021-09-01',
      },
      {
        id: 'b',
        kind: 'primary',
        regionCode: '350205',
        townCode: '350205001',
        name: 'b',
        principalTermStart: '2022-03-01',
      },
      {
        id: 'c',
        kind: 'primary',
        regionCode: '350205',
        townCode: '350205001',
        name: 'c',
        principalTermStart: '2015-09-01',
      },
      {
        id: 'd',
        kind: 'primary',
        regionCode: '350205',
        townCode: '350205001',
        name: 'd',
        principalTermStart: '2021-09-01',
      },
    ];
    // d's principal changed in 2024: the term records know it, the row's start is stale.
    const terms = new Map([
      ['a', { plannedEnd: '2026-09-01' }],
      ['b', { plannedEnd: '2027-03-01' }],
      ['d', { plannedEnd: '2029-03-01' }],
    ]);
    const campaign = { window: { start: '2026-06-01', end: '2026-06-30' } };
    expect(selectTargets(termEnd, campaign, candidates, terms).map((t) => t.id)).toEqual(['a', 'c']);
    // c has no term record: its row's start says its term ended in 2020, and its principal is still there.
    expect(termDue(campaign, candidates[2]!, terms)).toBe(true);
    // A window reaching into March 2027 takes b too.
    expect(
      selectTargets(termEnd, { window: { start: '2026-06-01', end: '2027-03-01' } }, candidates, terms).map(
        (t) => t.id,
      ),
    ).toEqual(['a', 'b', 'c']);
  });

  it('writes terms through an import once: a second run of the same import writes nothing more', async () => {
    const rows = new Map<string, Record<string, unknown>>();
    const terms = new Map<string, PrincipalTerm>();
    const writes: PrincipalTerm[][] = [];
    const target: ImportTarget = {
      load: async (_kind, entities) =>
        new Map(
          entities.flatMap((e) => {
            const stored = rows.get(String(e.id));
            return stored ? [[String(e.id), stored as { entity: Record<string, unknown> }]] : [];
          }),
        ),
      keyOf: (_kind, e) => String(e.id),
      save: async (_kind, records: readonly SaveRecord[]) => {
        for (const r of records) rows.set(String(r.entity.id), { ...r });
      },
      references: async () => ({ schools: new Map(), inspectors: new Map() }),
      saveZones: async () => {},
      saveGroups: async () => {},
      loadTerms: async (wanted) =>
        new Map(
          wanted.flatMap((t) => (terms.has(termKeyOf(t)) ? [[termKeyOf(t), terms.get(termKeyOf(t))!]] : [])),
        ),
      saveTerms: async (list) => {
        writes.push([...list]);
        for (const t of list) terms.set(termKeyOf(t), t);
      },
    };
    const run = (importId: string, entity: School) =>
      upsertBatch(target, { importId, kind: 'schools', scope: '35', batch: 1, rows: [{ row: 2, entity }] });

    await run('I1', school('3502050001', '陈一', '2019-09-01'));
    await run('I2', school('3502050001', '林二', '2024-03-01'));
    const afterChange = writes.length;
    await run('I2', school('3502050001', '林二', '2024-03-01'));
    expect(writes.slice(afterChange).flat()).toEqual([]);
    expect([...terms.values()].sort((a, b) => a.start.localeCompare(b.start))).toEqual([
      expect.objectContaining({ principalName: '陈一', start: '2019-09-01', end: '2024-03-01' }),
      expect.not.objectContaining({ end: expect.anything() }),
    ]);
    // A school stored before terms were kept gets its current term from an unchanged row.
    terms.clear();
    await run('I3', school('3502050001', '林二', '2024-03-01'));
    expect([...terms.values()]).toEqual([
      expect.objectContaining({ principalName: '林二', start: '2024-03-01' }),
    ]);
  });
});

describe('redrawing a sample offline', () => {
  const population = Array.from({ length: 60 }, (_, i) => ({
    id: String(3502050000 + i),
    regionCode: i < 40 ? '350205' : '350206',
    townCode: i < 40 ? '350205001' : '350206001',
    name: `幼儿园${i}`,
  }));
  const seed = 'c0ffee';
  const file = populationFileSchema.parse({
    campaignId: 'C1',
    seed,
    sampling: { percent: 10, seed, method: sampleMethod(10) },
    targets: population,
  });

  it('describes the draw in Chinese and English', () => {
    expect(sampleMethod(10).zh).toContain('按区县分层');
    expect(sampleMethod(10).zh).toContain('10%');
    expect(sampleMethod(10).en).toContain('ceil(count × 10%)');
  });

  it('redraws the stored sample exactly and names each difference of a tampered one', () => {
    const sample = drawSample(population, 10, seed);
    expect(sample).toHaveLength(4 + 2);
    const redrawn = redrawSample(file);
    expect(redrawn.sample).toEqual(sample);
    const good = sampleFileSchema.parse({ sampling: { percent: 10, seed }, targets: sample });
    expect(compareSample(redrawn, good)).toEqual({
      match: true,
      missing: [],
      unexpected: [],
      samplingDiffers: false,
    });

    const outsider = population.find((t) => !sample.some((s) => s.id === t.id))!;
    const tampered = sampleFileSchema.parse({
      sampling: { percent: 10, seed },
      targets: [...sample.slice(1), outsider],
    });
    expect(compareSample(redrawn, tampered)).toEqual({
      match: false,
      missing: [sample[0]!.id],
      unexpected: [outsider.id],
      samplingDiffers: false,
    });
    expect(compareSample(redrawn, { ...good, sampling: { percent: 10, seed: 'other' } }).match).toBe(false);
  });

  it('refuses a population file without its seed and percent', () => {
    expect(() => redrawSample(populationFileSchema.parse({ targets: population, sampling: null }))).toThrow(
      /no sampling seed/,
    );
  });
});
