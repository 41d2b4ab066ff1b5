import { plannedEndOf } from './campaign.ts';
import type { School } from './registry.ts';

/**
 * Principals' terms (校长任期) as history: one record per (school, principal,
 * start), written by the schools import. A school's current term has no `end`;
 * when an import names another principal (or another start), the previous
 * term gets the new term's start as its `end` and stays. A term is planned for
 * five years (`plannedEndOf`; the seeds' 校长任期制: 一个任期一般为 5 年).
 */
export interface PrincipalTerm {
  schoolId: string;
  schoolName: string;
  /** The school's county. */
  regionCode: string;
  principalName: string;
  /** YYYY-MM-DD */
  start: string;
  /** YYYY-MM-DD: the next term's start; absent while the term is current. */
  end?: string;
  /** YYYY-MM-DD: start + 5 years. */
  plannedEnd: string;
}

/** The current term a school row describes. */
export const currentTermOf = (
  school: Pick<School, 'id' | 'name' | 'regionCode' | 'principalName' | 'principalTermStart'>,
): PrincipalTerm => ({
  schoolId: school.id,
  schoolName: school.name,
  regionCode: school.regionCode,
  principalName: school.principalName,
  start: school.principalTermStart,
  plannedEnd: plannedEndOf(school.principalTermStart),
});

/** The identity of a term record: school, start, principal. */
export const termKeyOf = (t: Pick<PrincipalTerm, 'schoolId' | 'principalName' | 'start'>): string =>
  `${t.schoolId}|${t.start}|${t.principalName}`;

/** Whether two terms are the same record: same school, principal and start. */
export const sameTerm = (
  a: Pick<PrincipalTerm, 'schoolId' | 'principalName' | 'start'>,
  b: Pick<PrincipalTerm, 'schoolId' | 'principalName' | 'start'>,
): boolean => a.schoolId === b.schoolId && a.principalName === b.principalName && a.start === b.start;

/**
 * What an import of `next` over the stored row `previous` does to the terms:
 * the current term to write (always, so a moved or renamed school is indexed
 * again), and the previous term closed if the principal or the start changed.
 * Pure and deterministic: the same rows give the same writes, so a retried
 * batch writes the same items.
 */
export const termChanges = (
  previous: Pick<School, 'id' | 'name' | 'regionCode' | 'principalName' | 'principalTermStart'> | undefined,
  next: Pick<School, 'id' | 'name' | 'regionCode' | 'principalName' | 'principalTermStart'>,
): { current: PrincipalTerm; closed?: PrincipalTerm } => {
  const current = currentTermOf(next);
  if (!previous?.principalName || !previous.principalTermStart) return { current };
  const before = currentTermOf(previous);
  if (sameTerm(before, current)) return { current };
  // A start given earlier than the stored one (a correction) ends the old record where it began.
  const end = current.start >= before.start ? current.start : before.start;
  return { current, closed: { ...before, end } };
};
