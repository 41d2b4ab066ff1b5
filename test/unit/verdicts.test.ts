import { describe, expect, it } from 'vitest';
import { weightedScore } from '#core/inspection-service';
import { type Indicator, indicatorSchema, type TemplateInput, templateSchema } from '#core/template';
import { builtInTemplates } from '#core/templates/index';
import { gradeByVerdicts, valueErrors, verdictOf } from '#core/verdicts';

const grading = { excellent: 90, good: 80, pass: 60 };
const number = (rule: unknown, unit = '元'): Indicator =>
  indicatorSchema.parse({
    id: 'figure',
    title: { zh: '数', en: 'Figure' },
    weight: 50,
    kind: 'number',
    unit,
    rule,
    methods: ['data_review'],
  });
const reference = { id: 'civil-servant-pay', title: { zh: '公务员', en: 'Civil servants' } };
const ratioGte = number({ op: 'ratioGte', ratio: 1, reference });

const salary = builtInTemplates.find((t) => t.id === 'teacher-salary')!;

describe('verdicts of number indicators', () => {
  it('holds a figure to a bound: ≥ and ≤, equality meeting the rule', () => {
    const gte = number({ op: 'gte', value: 95 }, '%');
    expect(verdictOf(gte, { indicatorId: 'figure', value: 96 }, grading).verdict).toBe('met');
    expect(verdictOf(gte, { indicatorId: 'figure', value: 95 }, grading).verdict).toBe('met');
    expect(verdictOf(gte, { indicatorId: 'figure', value: 94.9 }, grading).verdict).toBe('not_met');
    const lte = number({ op: 'lte', value: 45 }, '人');
    expect(verdictOf(lte, { indicatorId: 'figure', value: 45 }, grading).verdict).toBe('met');
    expect(verdictOf(lte, { indicatorId: 'figure', value: 46 }, grading)).toMatchObject({
      verdict: 'not_met',
      value: 46,
      threshold: 45,
      unit: '人',
    });
  });

  it('holds a figure to a ratio of the reference entered beside it', () => {
    const entry = (value: number, ref: number) => ({
      indicatorId: 'figure',
      value,
      references: { 'civil-servant-pay': ref },
    });
    expect(verdictOf(ratioGte, entry(112_000, 110_000), grading)).toMatchObject({
      verdict: 'met',
      reference: 110_000,
      threshold: 110_000,
    });
    expect(verdictOf(ratioGte, entry(109_999, 110_000), grading).verdict).toBe('not_met');
    const ratioLte = number({ op: 'ratioLte', ratio: 0.5, reference });
    expect(verdictOf(ratioLte, entry(50, 100), grading).verdict).toBe('met');
    expect(verdictOf(ratioLte, entry(50.01, 100), grading).verdict).toBe('not_met');
  });

  it('meets a ratio exactly at the edge despite float rounding (1.1 × 100000 = 110000.00000000001)', () => {
    const ratio = number({ op: 'ratioGte', ratio: 1.1, reference });
    const atEdge = { indicatorId: 'figure', value: 110_000, references: { 'civil-servant-pay': 100_000 } };
    expect(1.1 * 100_000).toBeGreaterThan(110_000);
    expect(verdictOf(ratio, atEdge, grading).verdict).toBe('met');
    expect(verdictOf(ratio, { ...atEdge, value: 109_999.99 }, grading).verdict).toBe('not_met');
  });

  it('reads a missing figure or a missing reference as not assessed, saying which', () => {
    expect(verdictOf(ratioGte, undefined, grading)).toMatchObject({
      verdict: 'not_assessed',
      missing: 'value',
    });
    expect(verdictOf(ratioGte, { indicatorId: 'figure', value: 120_000 }, grading)).toMatchObject({
      verdict: 'not_assessed',
      missing: 'reference',
      value: 120_000,
    });
    expect(
      verdictOf(ratioGte, { indicatorId: 'figure', references: { 'civil-servant-pay': 1 } }, grading),
    ).toMatchObject({ verdict: 'not_assessed', missing: 'value', reference: 1 });
  });
});

describe('verdicts of boolean and score indicators', () => {
  const boolean = indicatorSchema.parse({
    id: 'mechanism',
    title: { zh: '机制', en: 'Mechanism' },
    weight: 50,
    kind: 'boolean',
    methods: ['document_review'],
  });
  it('reads true as 达标, false as 未达标, nothing as not assessed', () => {
    expect(verdictOf(boolean, { indicatorId: 'mechanism', value: true }, grading).verdict).toBe('met');
    expect(verdictOf(boolean, { indicatorId: 'mechanism', value: false }, grading).verdict).toBe('not_met');
    expect(verdictOf(boolean, { indicatorId: 'mechanism' }, grading).verdict).toBe('not_assessed');
  });
  it('meets a score indicator at the pass threshold', () => {
    const score = indicatorSchema.parse({
      id: 's',
      title: { zh: '分', en: 'S' },
      weight: 50,
      methods: ['campus_patrol'],
    });
    expect(score.kind).toBe('score');
    expect(verdictOf(score, { indicatorId: 's', score: 60 }, grading).verdict).toBe('met');
    expect(verdictOf(score, { indicatorId: 's', score: 59.5 }, grading).verdict).toBe('not_met');
  });
});

describe('grading by verdicts', () => {
  const figures = (pay?: number, civil?: number, mechanism?: boolean) => [
    {
      indicatorId: 'average-pay',
      ...(pay !== undefined ? { value: pay } : {}),
      ...(civil !== undefined ? { references: { 'civil-servant-pay': civil } } : {}),
    },
    { indicatorId: 'payment-mechanism', ...(mechanism !== undefined ? { value: mechanism } : {}) },
    { indicatorId: 'pay-items', value: '基本工资、津贴补贴、绩效工资' },
  ];

  it('gives a met indicator its full weight and a not-met one nothing', () => {
    expect(gradeByVerdicts(salary, figures(120_000, 110_000, true))).toMatchObject({
      score: 100,
      grade: 'excellent',
    });
    expect(gradeByVerdicts(salary, figures(120_000, 110_000, false))).toMatchObject({
      score: 70,
      grade: 'pass',
    });
    expect(gradeByVerdicts(salary, figures(100_000, 110_000, true))).toMatchObject({
      score: 30,
      grade: 'fail',
    });
  });

  it('gives no grade while a key indicator is not assessed, however the others went', () => {
    expect(salary.indicators.find((i) => i.id === 'average-pay')?.required).toBe(true);
    const { score, grade, verdicts } = gradeByVerdicts(salary, figures(undefined, undefined, true));
    expect({ score, grade }).toEqual({ score: null, grade: null });
    expect(verdicts.find((v) => v.indicatorId === 'payment-mechanism')?.verdict).toBe('met');
    expect(gradeByVerdicts(salary, figures(120_000, undefined, true))).toMatchObject({ grade: null });
  });

  it('leaves not-assessed indicators out of the denominator, and the text one out of grading', () => {
    // The same template without its key indicator: what is missing is left out.
    const open = {
      ...salary,
      indicators: salary.indicators.map((i) => ({ ...i, required: false })),
    };
    const { score, grade, verdicts } = gradeByVerdicts(open, figures(undefined, undefined, false));
    expect(verdicts.map((v) => [v.indicatorId, v.verdict])).toEqual([
      ['average-pay', 'not_assessed'],
      ['payment-mechanism', 'not_met'],
    ]);
    expect({ score, grade }).toEqual({ score: 0, grade: 'fail' });
    expect(gradeByVerdicts(open, figures(120_000, undefined, true))).toMatchObject({
      score: 100,
      grade: 'excellent',
    });
  });

  it('gives no score and no grade when nothing is assessed', () => {
    expect(gradeByVerdicts(salary, figures())).toMatchObject({ score: null, grade: null });
    expect(gradeByVerdicts(salary, [])).toMatchObject({ score: null, grade: null });
  });

  it('grades score-only templates exactly as the weighted total did', () => {
    for (const template of builtInTemplates.filter((t) => t.indicators.every((i) => i.kind === 'score'))) {
      const scores = template.indicators.map((i, n) => ({ indicatorId: i.id, score: (37 + n * 13.7) % 100 }));
      const total = weightedScore(template, new Map(scores.map((s) => [s.indicatorId, s.score])));
      expect(gradeByVerdicts(template, scores).score).toBe(total);
    }
  });
});

describe('values by kind', () => {
  it('refuses a text where a number is needed, a score on a number, and foreign references', () => {
    expect(valueErrors(salary, [{ indicatorId: 'average-pay', value: '十万元' }])).toEqual([
      { path: 'body.indicators.0.value', message: 'average-pay takes a number (元)' },
    ]);
    expect(valueErrors(salary, [{ indicatorId: 'average-pay', score: 90 }]).map((e) => e.path)).toEqual([
      'body.indicators.0.score',
    ]);
    expect(
      valueErrors(salary, [
        { indicatorId: 'payment-mechanism', value: 1, references: { 'civil-servant-pay': 1 } },
      ]).map((e) => e.path),
    ).toEqual(['body.indicators.0.value', 'body.indicators.0.references.civil-servant-pay']);
    expect(valueErrors(salary, [{ indicatorId: 'pay-items', value: 3 }]).map((e) => e.path)).toEqual([
      'body.indicators.0.value',
    ]);
  });

  it('accepts figures of the right kinds, and no figure (not assessed)', () => {
    expect(
      valueErrors(salary, [
        { indicatorId: 'average-pay', value: 1, references: { 'civil-servant-pay': 1 } },
        { indicatorId: 'payment-mechanism', value: false },
        { indicatorId: 'pay-items' },
      ]),
    ).toEqual([]);
  });

  it('wants a score for a score indicator', () => {
    const template = builtInTemplates.find((t) => t.id === 'start-of-term')!;
    const id = template.indicators[0]!.id;
    expect(valueErrors(template, [{ indicatorId: id }]).map((e) => e.path)).toEqual([
      'body.indicators.0.score',
    ]);
    expect(valueErrors(template, [{ indicatorId: id, score: 80, value: 80 }]).map((e) => e.path)).toEqual([
      'body.indicators.0.value',
    ]);
  });
});

describe('indicator kinds in templates', () => {
  const base = builtInTemplates.find((t) => t.id === 'teacher-salary')! as TemplateInput;
  const withIndicator = (change: Record<string, unknown>) => ({
    ...base,
    indicators: base.indicators.map((i) => (i.id === 'average-pay' ? { ...i, ...change } : i)),
  });

  it('ships teacher-salary as a ratio check against civil servants’ pay, per county', () => {
    expect(salary.target.unit).toBe('county');
    expect(salary.indicators.find((i) => i.id === 'average-pay')).toMatchObject({
      kind: 'number',
      unit: '元',
      rule: { op: 'ratioGte', ratio: 1, reference: { id: 'civil-servant-pay' } },
    });
    expect(salary.indicators.find((i) => i.id === 'payment-mechanism')!.kind).toBe('boolean');
  });

  it('refuses a number without a rule, a rule on a boolean, a weighted text and an unweighted score', () => {
    expect(templateSchema.safeParse(withIndicator({ rule: undefined })).success).toBe(false);
    expect(templateSchema.safeParse(withIndicator({ kind: 'boolean' })).success).toBe(false);
    expect(
      templateSchema.safeParse(withIndicator({ kind: 'text', unit: undefined, rule: undefined })).success,
    ).toBe(false);
    expect(
      templateSchema.safeParse({
        ...base,
        indicators: base.indicators.map((i) => (i.id === 'pay-items' ? { ...i, kind: 'score' } : i)),
      }).success,
    ).toBe(false);
    expect(templateSchema.safeParse(base).success).toBe(true);
  });
});
