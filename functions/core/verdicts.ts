import type { Grade, Indicator, IndicatorKind, Template } from './template.ts';
import { gradeOf } from './template.ts';

/**
 * Verdicts of indicators (达标 / 未达标 / 未评估) and the grade they give.
 * Pure: the inspection service applies them to the findings when it reports,
 * and to whatever is recorded when an inspection is read.
 *
 * - `score`: met when the score reaches the template's `pass` threshold; it
 *   contributes score × weight (partial credit, as before).
 * - `number`: the figure against its rule (`gte`/`lte` a bound, or
 *   `ratioGte`/`ratioLte` ratio × the reference figure entered beside it);
 *   equality meets the rule. Met contributes the full weight, not met 0.
 * - `boolean`: true is met (达标), false not met (未达标).
 * - `text`: recorded, never graded (weight 0, no verdict).
 * - A missing value, or a ratio rule's missing reference, is `not_assessed`:
 *   left out of the weighted score's denominator. With nothing assessed the
 *   inspection has no score and no grade ("not assessed").
 */
export const verdicts = ['met', 'not_met', 'not_assessed'] as const;
export type Verdict = (typeof verdicts)[number];

export const verdictLabels: Record<Verdict, { zh: string; en: string }> = {
  met: { zh: '达标', en: 'met' },
  not_met: { zh: '未达标', en: 'not met' },
  not_assessed: { zh: '未评估', en: 'not assessed' },
};

/** What one entry of a self-assessment or of the findings gives for an indicator. */
export interface IndicatorEntry {
  indicatorId: string;
  score?: number | undefined;
  value?: number | boolean | string | undefined;
  /** Reference figures entered beside a number, by reference id. */
  references?: Record<string, number> | undefined;
}

export interface IndicatorVerdict {
  indicatorId: string;
  kind: IndicatorKind;
  verdict: Verdict;
  /** The score or figure given (absent: none). */
  value?: number | boolean;
  unit?: string;
  /** A ratio rule's reference figure, as entered. */
  reference?: number;
  /** The bound the figure was held to (the rule's value, or ratio × reference). */
  threshold?: number;
  /** Why it is not assessed. */
  missing?: 'value' | 'reference';
}

/** Kinds whose verdict is computed from a value (not a score): the quantitative ones. */
export const quantitativeKinds: readonly IndicatorKind[] = ['number', 'boolean'];
export const isGraded = (indicator: Pick<Indicator, 'kind'>) => indicator.kind !== 'text';

/** Equality meets a rule: a figure equal to ratio × reference (up to float rounding) is met. */
const tolerance = (x: number) => 1e-9 * Math.max(1, Math.abs(x));

export const verdictOf = (
  indicator: Indicator,
  entry: IndicatorEntry | undefined,
  grading: Template['grading'],
): IndicatorVerdict => {
  const base = { indicatorId: indicator.id, kind: indicator.kind };
  const notAssessed = (missing: 'value' | 'reference', extra: Partial<IndicatorVerdict> = {}) => ({
    ...base,
    verdict: 'not_assessed' as const,
    missing,
    ...extra,
  });
  switch (indicator.kind) {
    case 'score': {
      if (typeof entry?.score !== 'number') return notAssessed('value');
      return { ...base, verdict: entry.score >= grading.pass ? 'met' : 'not_met', value: entry.score };
    }
    case 'boolean': {
      if (typeof entry?.value !== 'boolean') return notAssessed('value');
      return { ...base, verdict: entry.value ? 'met' : 'not_met', value: entry.value };
    }
    case 'number': {
      const rule = indicator.rule!;
      const unit = indicator.unit ? { unit: indicator.unit } : {};
      const value = typeof entry?.value === 'number' ? entry.value : undefined;
      let threshold: number;
      let reference: number | undefined;
      if (!('reference' in rule)) threshold = rule.value;
      else {
        reference = entry?.references?.[rule.reference.id];
        if (reference === undefined)
          return notAssessed(value === undefined ? 'value' : 'reference', {
            ...unit,
            ...(value !== undefined ? { value } : {}),
          });
        threshold = rule.ratio * reference;
      }
      const known = { ...unit, threshold, ...(reference !== undefined ? { reference } : {}) };
      if (value === undefined) return notAssessed('value', known);
      const atLeast = rule.op === 'gte' || rule.op === 'ratioGte';
      const met = atLeast
        ? value >= threshold - tolerance(threshold)
        : value <= threshold + tolerance(threshold);
      return { ...base, verdict: met ? 'met' : 'not_met', value, ...known };
    }
    case 'text':
      throw new Error(`text indicator ${indicator.id} has no verdict`);
  }
};

/** The verdict of every graded indicator of the template, in its order, from the entries given. */
export const verdictsOf = (
  template: Pick<Template, 'indicators' | 'grading'>,
  entries: readonly IndicatorEntry[],
): IndicatorVerdict[] => {
  const byId = new Map(entries.map((e) => [e.indicatorId, e]));
  return template.indicators.filter(isGraded).map((i) => verdictOf(i, byId.get(i.id), template.grading));
};

/**
 * The weighted score (0–100) and grade from the verdicts: a score indicator
 * counts score × weight, a met one 100 × weight, a not-met one 0, over the
 * weights of the indicators assessed; none assessed: no score, no grade.
 */
export const gradeByVerdicts = (
  template: Pick<Template, 'indicators' | 'grading'>,
  entries: readonly IndicatorEntry[],
): { score: number | null; grade: Grade | null; verdicts: IndicatorVerdict[] } => {
  const list = verdictsOf(template, entries);
  const weights = new Map(template.indicators.map((i) => [i.id, i.weight]));
  const required = new Set(template.indicators.filter((i) => i.required).map((i) => i.id));
  if (list.some((v) => v.verdict === 'not_assessed' && required.has(v.indicatorId)))
    return { score: null, grade: null, verdicts: list };
  let assessed = 0;
  let points = 0;
  for (const v of list) {
    if (v.verdict === 'not_assessed') continue;
    const weight = weights.get(v.indicatorId)!;
    assessed += weight;
    points += weight * (v.kind === 'score' ? (v.value as number) : v.verdict === 'met' ? 100 : 0);
  }
  if (assessed === 0) return { score: null, grade: null, verdicts: list };
  // All weights assessed (they add up to 100): exactly the former weighted total.
  const scale = Math.abs(assessed - 100) < 1e-9 ? 1 : 100 / assessed;
  const score = Math.round(points * scale) / 100;
  return { score, grade: gradeOf(template, score), verdicts: list };
};

/**
 * Values by kind: a score for a score indicator, a number for a number
 * indicator, true/false for a boolean, a text for a text; references only
 * those the indicator's ratio rule names. A missing value of a quantitative
 * or text indicator is allowed (not assessed); a score indicator needs its score.
 */
export const valueErrors = (
  template: Pick<Template, 'indicators'>,
  entries: readonly IndicatorEntry[],
): { path: string; message: string }[] => {
  const byId = new Map(template.indicators.map((i) => [i.id, i]));
  return entries.flatMap((entry, n) => {
    const indicator = byId.get(entry.indicatorId);
    if (!indicator) return [];
    const at = (field: string, message: string) => ({ path: `body.indicators.${n}.${field}`, message });
    const errors: { path: string; message: string }[] = [];
    if (indicator.kind === 'score') {
      if (entry.score === undefined)
        errors.push(at('score', `${indicator.id} is scored: give a score 0–100`));
      if (entry.value !== undefined)
        errors.push(at('value', `${indicator.id} is scored: give a score, not a value`));
    } else {
      if (entry.score !== undefined)
        errors.push(
          at('score', `${indicator.id} is a ${indicator.kind} indicator: give a value, not a score`),
        );
      const expected = { number: 'number', boolean: 'boolean', text: 'string' }[indicator.kind];
      if (entry.value !== undefined && typeof entry.value !== expected)
        errors.push(
          at(
            'value',
            indicator.kind === 'number'
              ? `${indicator.id} takes a number${indicator.unit ? ` (${indicator.unit})` : ''}`
              : indicator.kind === 'boolean'
                ? `${indicator.id} takes true (达标) or false (未达标)`
                : `${indicator.id} takes a text`,
          ),
        );
    }
    const allowed =
      indicator.kind === 'number' && indicator.rule && 'reference' in indicator.rule
        ? indicator.rule.reference.id
        : undefined;
    for (const key of Object.keys(entry.references ?? {}))
      if (key !== allowed)
        errors.push(
          at(
            `references.${key}`,
            allowed
              ? `${indicator.id} compares with the reference ${allowed} only`
              : `${indicator.id} takes no reference figure`,
          ),
        );
    return errors;
  });
};
