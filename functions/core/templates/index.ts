import { type Template, templateSchema } from '../template.ts';
import doubleReductionMonthly from './double-reduction-monthly.json' with { type: 'json' };
import groupSchooling from './group-schooling.json' with { type: 'json' };
import kindergartenEvaluation from './kindergarten-evaluation.json' with { type: 'json' };
import principalTermEnd from './principal-term-end.json' with { type: 'json' };
import schoolPerformance from './school-performance.json' with { type: 'json' };
import startOfTerm from './start-of-term.json' with { type: 'json' };
import teacherBurden from './teacher-burden.json' with { type: 'json' };
import teacherSalary from './teacher-salary.json' with { type: 'json' };

/** The built-in templates, from the seed documents; validated when loaded. */
export const builtInTemplates: readonly Template[] = [
  startOfTerm,
  teacherBurden,
  doubleReductionMonthly,
  kindergartenEvaluation,
  teacherSalary,
  principalTermEnd,
  groupSchooling,
  schoolPerformance,
].map((t) => templateSchema.parse(t));
