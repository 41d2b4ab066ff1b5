import { type Template, templateSchema } from '../template.ts';
import balancedDevelopment from './balanced-development.json' with { type: 'json' };
import doubleReductionMonthly from './double-reduction-monthly.json' with { type: 'json' };
import governmentDuty from './government-duty.json' with { type: 'json' };
import groupSchooling from './group-schooling.json' with { type: 'json' };
import kindergartenEvaluation from './kindergarten-evaluation.json' with { type: 'json' };
import preschoolUniversal from './preschool-universal.json' with { type: 'json' };
import principalTermEnd from './principal-term-end.json' with { type: 'json' };
import schoolPerformance from './school-performance.json' with { type: 'json' };
import startOfTerm from './start-of-term.json' with { type: 'json' };
import teacherBurden from './teacher-burden.json' with { type: 'json' };
import teacherSalary from './teacher-salary.json' with { type: 'json' };
import teacherSalaryV1 from './teacher-salary-v1.json' with { type: 'json' };

/** The built-in templates, from the seed documents; validated when loaded. */
export const builtInTemplates: readonly Template[] = [
  startOfTerm,
  teacherBurden,
  doubleReductionMonthly,
  kindergartenEvaluation,
  teacherSalary,
  principalTermEnd,
  governmentDuty,
  balancedDevelopment,
  preschoolUniversal,
  groupSchooling,
  schoolPerformance,
].map((t) => templateSchema.parse(t));

/**
 * Earlier versions of built-in templates, kept so that campaigns pinned to
 * them still read their template (teacher-salary 1: scores only, before its
 * quantitative check).
 */
export const earlierBuiltInTemplates: readonly Template[] = [teacherSalaryV1].map((t) =>
  templateSchema.parse(t),
);
