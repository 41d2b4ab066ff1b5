import { describe, expect, it } from 'vitest';
import {
  addMonths,
  type Campaign,
  campaignInputSchema,
  drawSample,
  inspectionId,
  nextOccurrence,
  nextWindow,
  phaseDeadlines,
  selectTargets,
  type TargetCandidate,
} from '#core/campaign';
import { gradeOf, templateSchema } from '#core/template';
import { builtInTemplates } from '#core/templates/index';

const template = (id: string) => builtInTemplates.find((t) => t.id === id)!;
const school = (id: string, kind: string, county = '320582', termStart = '2020-09-01'): TargetCandidate => ({
  id,
  kind,
  regionCode: county,
  townCode: `${county}001`,
  name: id,
  principalTermStart: termStart,
});

describe('templates', () => {
  it('ships the valid built-in templates', () => {
    expect(builtInTemplates.map((t) => t.id).sort()).toEqual([
      'balanced-development',
      'double-reduction-monthly',
      'government-duty',
      'group-schooling',
      'kindergarten-evaluation',
      'preschool-universal',
      'principal-term-end',
      'school-performance',
      'start-of-term',
      'teacher-burden',
      'teacher-salary',
    ]);
  });

  it('refuses weights that do not add up to 100 and thresholds that do not fall', () => {
    const base = template('start-of-term');
    expect(templateSchema.safeParse({ ...base, indicators: base.indicators.slice(1) }).success).toBe(false);
    expect(
      templateSchema.safeParse({ ...base, grading: { excellent: 60, good: 80, pass: 90 } }).success,
    ).toBe(false);
  });

  it('grades a weighted score by the thresholds', () => {
    const t = template('start-of-term');
    expect([95, 90, 85, 60, 59.9].map((s) => gradeOf(t, s))).toEqual([
      'excellent',
      'excellent',
      'good',
      'pass',
      'fail',
    ]);
  });
});

describe('targets and samples', () => {
  const schools = [
    school('1', 'kindergarten'),
    school('2', 'primary'),
    school('3', 'senior', '320583'),
    school('4', 'kindergarten', '320583'),
  ];

  it('selects schools of the template’s kinds', () => {
    expect(
      selectTargets(
        template('kindergarten-evaluation'),
        { window: { start: '2026-09-01', end: '2026-09-30' } },
        schools,
      ).map((t) => t.id),
    ).toEqual(['1', '4']);
    expect(
      selectTargets(
        template('start-of-term'),
        { window: { start: '2026-09-01', end: '2026-09-30' } },
        schools,
      ),
    ).toHaveLength(4);
  });

  it('selects one target per county for county-level templates', () => {
    const targets = selectTargets(
      template('teacher-salary'),
      { window: { start: '2026-09-01', end: '2026-09-30' } },
      schools,
    );
    expect(targets.map((t) => t.id)).toEqual(['320582']);
  });

  it('selects principals whose five-year term ends in the campaign year', () => {
    const terms = [
      school('a', 'primary', '320582', '2021-09-01'),
      school('b', 'primary', '320582', '2022-03-01'),
    ];
    const targets = selectTargets(
      template('principal-term-end'),
      { window: { start: '2026-06-01', end: '2026-06-30' } },
      terms,
    );
    expect(targets.map((t) => t.id)).toEqual(['a']);
  });

  it('draws the same stratified sample from the same seed, and another from another', () => {
    const population = Array.from({ length: 200 }, (_, i) => ({
      id: String(1000 + i),
      regionCode: i < 150 ? '320582' : '320583',
      name: '',
    }));
    const a = drawSample(population, 10, 'seed-1');
    expect(drawSample([...population].reverse(), 10, 'seed-1')).toEqual(a);
    expect(a.filter((t) => t.regionCode === '320582')).toHaveLength(15);
    expect(a.filter((t) => t.regionCode === '320583')).toHaveLength(5);
    expect(drawSample(population, 10, 'seed-2')).not.toEqual(a);
  });
});

describe('dates and ids', () => {
  it('adds months, clamping to the end of shorter months', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-09-01', 6)).toBe('2027-03-01');
    expect(nextWindow({ start: '2026-02-01', end: '2026-02-28' }, 'monthly')).toEqual({
      start: '2026-03-01',
      end: '2026-03-28',
    });
  });

  it('sets each phase’s deadline after the previous one, with overrides', () => {
    const campaign = {
      window: { start: '2026-09-01', end: '2026-09-30' },
      overrides: { phases: [{ phase: 'on_site' as const, days: 3 }] },
    };
    // Each at the end of its last day in China (23:59:59.999 +08:00).
    expect(phaseDeadlines(template('start-of-term'), campaign)).toEqual({
      self_assessment: '2026-09-06T15:59:59.999Z',
      on_site: '2026-09-09T15:59:59.999Z',
      rectification: '2026-10-09T15:59:59.999Z',
      reinspection: '2026-10-19T15:59:59.999Z',
    });
  });

  it('takes a campaign’s explicit deadlines phase by phase, and refuses them out of order', () => {
    const campaign = {
      window: { start: '2026-09-01', end: '2026-09-30' },
      overrides: { deadlines: { self_assessment: '2026-09-02T10:00:00+08:00' } },
    };
    expect(phaseDeadlines(template('start-of-term'), campaign)).toMatchObject({
      self_assessment: '2026-09-02T02:00:00.000Z',
      on_site: '2026-09-16T15:59:59.999Z',
    });
    const input = {
      templateId: 'start-of-term',
      title: 't',
      scope: '32',
      window: { start: '2026-09-01', end: '2026-09-30' },
    };
    expect(
      campaignInputSchema.safeParse({
        ...input,
        overrides: {
          deadlines: { self_assessment: '2026-09-03T00:00:00Z', on_site: '2026-09-02T00:00:00Z' },
        },
      }).success,
    ).toBe(false);
    expect(
      campaignInputSchema.safeParse({
        ...input,
        overrides: {
          deadlines: { self_assessment: '2026-09-02T00:00:00Z', on_site: '2026-09-03T00:00:00Z' },
        },
      }).success,
    ).toBe(true);
  });

  it('derives inspection and occurrence ids deterministically', () => {
    expect(inspectionId('C1', '3205820001')).toBe('C1-3205820001');
    const parent = {
      id: 'C1',
      recurrence: 'monthly',
      window: { start: '2026-01-05', end: '2026-01-25' },
    } as Campaign;
    const next = nextOccurrence(parent, '2026-02-01T00:00:00Z', 's');
    expect(next).toMatchObject({
      id: 'C1-r2',
      seriesId: 'C1',
      occurrence: 2,
      status: 'draft',
      window: { start: '2026-02-05' },
    });
    expect(nextOccurrence(next, 'x', 's').id).toBe('C1-r3');
  });
});
