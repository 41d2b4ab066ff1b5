import { describe, expect, it } from 'vitest';
import { deadlineTracking, examineDeadlines, overdueDeltas, owedPhases } from '#core/deadlines';
import type { Inspection } from '#core/inspection';
import { authorize } from '#core/lifecycle';
import { templateSchema } from '#core/template';
import { builtInTemplates } from '#core/templates/index';

const base = builtInTemplates.find((t) => t.id === 'double-reduction-monthly')!;
const template = templateSchema.parse({
  ...base,
  escalation: { ...base.escalation, phases: { on_site: { interviewAfterOverdueHours: 24 } } },
});
const at = (h: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + h * 3_600_000).toISOString();
const deadlines = { self_assessment: at(10), on_site: at(20), report: at(30), rectification: at(40) };
const inspection = (over: Partial<Inspection> = {}): Inspection => ({
  id: 'C-1',
  campaignId: 'C',
  templateId: template.id,
  targetId: '1',
  targetName: 'x',
  regionCode: '320582',
  status: 'assigned',
  deadlines,
  version: 1,
  createdAt: at(0),
  updatedAt: at(0),
  ...over,
});

describe('every deadline bites', () => {
  it('owes each phase from launch until the command that completes it', () => {
    expect(owedPhases('assigned', true)).toEqual(['self_assessment', 'on_site', 'report']);
    expect(owedPhases('assigned', false)).toEqual(['on_site', 'report']);
    expect(owedPhases('self_assessed', true)).toEqual(['on_site', 'report']);
    expect(owedPhases('inspected', true)).toEqual(['report']);
    expect(owedPhases('rectifying', true)).toEqual([]);
    expect(owedPhases('rectification_submitted', true)).toEqual(['reinspection']);
    expect(owedPhases('closed', true)).toEqual([]);
  });

  it('watches the earliest owed deadline, and nothing once nothing is owed', () => {
    expect(deadlineTracking(inspection(), template)).toEqual({
      dueAt: at(10),
      overdue: undefined,
      nextCheckAt: at(10),
    });
    expect(deadlineTracking(inspection({ status: 'inspected' }), template).nextCheckAt).toBe(at(30));
    expect(deadlineTracking(inspection({ status: 'closed' }), template)).toEqual({
      dueAt: undefined,
      overdue: undefined,
      nextCheckAt: undefined,
    });
  });

  it('marks a passed deadline once, then waits for the next one', () => {
    const first = examineDeadlines(inspection(), template, at(11));
    expect(first).toEqual({
      markLate: ['self_assessment'],
      propose: [],
      overdue: ['self_assessment'],
      nextCheckAt: at(20),
    });
    const marked = inspection({ late: { self_assessment: at(11) } });
    expect(examineDeadlines(marked, template, at(12)).markLate).toEqual([]);
  });

  it('escalates a late phase the policy names, when its hours have passed', () => {
    const late = inspection({ status: 'self_assessed', late: { on_site: at(21) } });
    expect(examineDeadlines(late, template, at(22))).toMatchObject({
      propose: [],
      nextCheckAt: at(30),
    });
    expect(examineDeadlines(late, template, at(45)).propose).toEqual([
      { type: 'interview', phase: 'on_site' },
    ]);
    // Phases the policy does not name are only marked.
    const all = examineDeadlines(inspection(), template, at(100));
    expect(all.markLate).toEqual(['self_assessment', 'on_site', 'report']);
    expect(all.propose).toEqual([{ type: 'interview', phase: 'on_site' }]);
  });

  it('counts what is overdue now and what was ever late', () => {
    const before = inspection({ late: { self_assessment: at(11) } });
    const submitted = { ...before, status: 'self_assessed' as const };
    expect(overdueDeltas(inspection(), before, template)).toEqual({
      overdue_self_assessment: 1,
      late_self_assessment: 1,
    });
    expect(overdueDeltas(before, submitted, template)).toEqual({ overdue_self_assessment: -1 });
  });

  it('lets the team inspect without a self-assessment once its deadline passed', () => {
    const inspector = { subject: 'i', role: 'inspector' as const, scope: 'I1' };
    const assigned = { ...inspection({ assigneeId: 'I1' }), version: 1 };
    expect(() => authorize('record_findings', inspector, assigned, 1, { hasSelfAssessment: true })).toThrow(
      /cannot take/,
    );
    expect(
      authorize('record_findings', inspector, assigned, 1, {
        hasSelfAssessment: true,
        selfAssessmentLate: true,
      }),
    ).toBe('lead');
  });

  it('gives the lead the report and a member only findings', () => {
    const member = { subject: 'm', role: 'inspector' as const, scope: 'I2' };
    const team = {
      lead: 'I1',
      members: [{ inspectorId: 'I2' }],
      source: 'office' as const,
      setAt: at(0),
      setBy: 'c',
    };
    const inspected = inspection({ status: 'inspected', assigneeId: 'I1', team });
    expect(authorize('record_findings', member, inspected, 1, { hasSelfAssessment: true })).toBe('member');
    expect(() => authorize('issue_report', member, inspected, 1, { hasSelfAssessment: true })).toThrow(
      /team lead/,
    );
  });
});
