import { describe, expect, it } from 'vitest';
import type { Actor } from '#core/actor';
import { ConflictError, ForbiddenError } from '#core/errors';
import { type InspectionStatus, inspectionStatuses } from '#core/inspection';
import { escalationsFor, weightedScore } from '#core/inspection-service';
import { authorize, type Command, commands, nextStatus } from '#core/lifecycle';
import { earlierBuiltInTemplates } from '#core/templates/index';

const inspection = (status: InspectionStatus) => ({
  status,
  version: 3,
  targetId: '3205820001',
  assigneeId: 'I320582001',
  regionCode: '320582',
});
const school: Actor = { subject: 's', role: 'school', scope: '3205820001' };
const inspector: Actor = { subject: 'i', role: 'inspector', scope: 'I320582001' };
const otherInspector: Actor = { subject: 'o', role: 'inspector', scope: 'I320582002' };
const countyOffice: Actor = { subject: 'c', role: 'county_admin', scope: '320582' };
const auditor: Actor = { subject: 'a', role: 'auditor', scope: '32' };

/** Every (command, status) the lifecycle allows, written out independently of the rules table. */
const allowed: Record<Command, InspectionStatus[]> = {
  submit_self_assessment: ['assigned', 'self_assessed'],
  return_self_assessment: ['self_assessed'],
  record_findings: ['self_assessed', 'inspected'], // and 'assigned' when the template has no self-assessment
  issue_report: ['inspected'],
  submit_rectification: ['rectifying', 'rectification_submitted'],
  return_rectification: ['rectification_submitted', 'rectifying'],
  review_rectification: ['rectification_submitted', 'rectifying'],
};
const performer: Record<Command, Actor> = {
  submit_self_assessment: school,
  return_self_assessment: inspector,
  record_findings: inspector,
  issue_report: inspector,
  submit_rectification: school,
  return_rectification: inspector,
  review_rectification: inspector,
};

describe('inspection lifecycle', () => {
  for (const command of commands) {
    for (const status of inspectionStatuses) {
      const ok = allowed[command].includes(status);
      it(`${ok ? 'allows' : 'refuses'} ${command} from ${status}`, () => {
        const attempt = () =>
          authorize(command, performer[command], inspection(status), 3, { hasSelfAssessment: true });
        if (ok) expect(attempt).not.toThrow();
        else expect(attempt).toThrow(ConflictError);
      });
    }
  }

  it('lets an inspector record findings straight from assigned only when the template has no self-assessment', () => {
    expect(() =>
      authorize('record_findings', inspector, inspection('assigned'), 3, { hasSelfAssessment: false }),
    ).not.toThrow();
    expect(() =>
      authorize('record_findings', inspector, inspection('assigned'), 3, { hasSelfAssessment: true }),
    ).toThrow(ConflictError);
    expect(() =>
      authorize('submit_self_assessment', school, inspection('assigned'), 3, { hasSelfAssessment: false }),
    ).toThrow(ConflictError);
  });

  it('refuses the wrong actor (403) before looking at the status', () => {
    expect(() =>
      authorize('record_findings', school, inspection('self_assessed'), 3, { hasSelfAssessment: true }),
    ).toThrow(ForbiddenError);
    expect(() =>
      authorize('record_findings', otherInspector, inspection('self_assessed'), 3, {
        hasSelfAssessment: true,
      }),
    ).toThrow(ForbiddenError);
    expect(() =>
      authorize('submit_self_assessment', inspector, inspection('assigned'), 3, { hasSelfAssessment: true }),
    ).toThrow(ForbiddenError);
    expect(() =>
      authorize('issue_report', auditor, inspection('inspected'), 3, { hasSelfAssessment: true }),
    ).toThrow(ForbiddenError);
    // The county office over the school acts as its inspector.
    expect(() =>
      authorize('issue_report', countyOffice, inspection('inspected'), 3, { hasSelfAssessment: true }),
    ).not.toThrow();
  });

  it('refuses a stale version (409)', () => {
    expect(() =>
      authorize('issue_report', inspector, inspection('inspected'), 2, { hasSelfAssessment: true }),
    ).toThrow(/version 3, not 2/);
  });

  it('moves to the next status by outcome', () => {
    expect(nextStatus('issue_report', { problems: 0 })).toBe('closed');
    expect(nextStatus('issue_report', { problems: 2 })).toBe('rectifying');
    expect(nextStatus('submit_rectification', { unsubmittedItems: 1 })).toBe('rectifying');
    expect(nextStatus('submit_rectification', { unsubmittedItems: 0 })).toBe('rectification_submitted');
    expect(nextStatus('review_rectification', { failedReview: true })).toBe('rectifying');
    expect(nextStatus('review_rectification', { openItems: 1 })).toBe('rectification_submitted');
    expect(nextStatus('review_rectification', { openItems: 0 })).toBe('closed');
  });
});

describe('grading and escalation rules', () => {
  it('weights indicator scores', () => {
    const t = earlierBuiltInTemplates.find((x) => x.id === 'teacher-salary')!; // version 1: scores, weights 60 / 40
    expect(
      weightedScore(
        t,
        new Map([
          ['average-pay', 100],
          ['payment-mechanism', 50],
        ]),
      ),
    ).toBe(80);
  });

  it('escalates an overdue rectification by the policy, once', () => {
    const policy = {
      interviewAfterOverdueHours: 168,
      notifyAfterOverdueHours: 720,
      notifyAfterFailedReviews: 2,
    };
    const item = { dueAt: '2026-01-01T00:00:00.000Z', status: 'open' as const };
    expect(escalationsFor(item, policy, '2025-12-31T00:00:00.000Z')).toEqual({
      markOverdue: false,
      propose: [],
    });
    expect(escalationsFor(item, policy, '2026-01-02T00:00:00.000Z')).toEqual({
      markOverdue: true,
      propose: [],
    });
    expect(escalationsFor(item, policy, '2026-01-09T00:00:00.000Z')).toEqual({
      markOverdue: true,
      propose: ['interview'],
    });
    expect(escalationsFor({ ...item, overdueSince: 'x' }, policy, '2026-02-01T00:00:00.000Z')).toEqual({
      markOverdue: false,
      propose: ['interview', 'notification'],
    });
    expect(
      escalationsFor({ ...item, status: 'submitted' }, policy, '2026-02-01T00:00:00.000Z').propose,
    ).toEqual([]);
  });
});
