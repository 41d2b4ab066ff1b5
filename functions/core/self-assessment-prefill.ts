import type { Actor } from './actor.ts';
import { ForbiddenError, NotFoundError, say } from './errors.ts';
import { partyOf } from './inspection.ts';
import { inspectionTransitions } from './inspection-commit.ts';
import type { InspectionPorts } from './inspection-service.ts';
import { performerOf } from './lifecycle.ts';
import type { School } from './registry.ts';
import type { RegistryFact } from './template.ts';

/** Earlier inspections of the same template looked at, newest first. */
const candidatesRead = 20;

/** What the registry says, in the words a self-assessment would use. */
const factOf = (fact: RegistryFact, school: School) => {
  switch (fact) {
    case 'students':
      return { value: school.students, statement: `在校学生 ${school.students} 人（学校名册）` };
    case 'teachers':
      return { value: school.teachers, statement: `教职工 ${school.teachers} 人（学校名册）` };
    case 'principal':
      return {
        value: { name: school.principalName, termStart: school.principalTermStart },
        statement: `校长 ${school.principalName}，任期自 ${school.principalTermStart}（学校名册）`,
      };
  }
};

/**
 * A new self-assessment starts from the school's last one of the same
 * template (collect once, 减负). Primary course: the inspected school asks;
 * its other inspections of the template are read through its history index,
 * the latest submitted self-assessment is taken; its entries for indicators
 * the template still has become a draft body the school can PUT. Evidence is
 * not carried over by id (an id belongs to its inspection): each stored file
 * is listed with its SHA-256, size and type, the original's id beside it, so
 * that announcing it on this inspection links it without a second upload.
 * Indicators that declare a `registryFact` are filled from the school's
 * registry record, shown and never asked.
 */
export const createSelfAssessmentPrefill = (ports: InspectionPorts) => {
  const { load } = inspectionTransitions(ports);

  return async (actor: Actor, id: string) => {
    const { inspection, template } = await load(actor, id);
    if (performerOf(actor, inspection) !== 'party')
      throw new ForbiddenError(
        say(
          '预填的自评仅供被督导的学校或政府使用。',
          'The pre-filled self-assessment is for the inspected school or government.',
        ),
      );
    const earlier = (await ports.store.byTarget(partyOf(inspection)))
      .filter((i) => i.id !== id && i.templateId === template.id)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, candidatesRead);
    const records = await Promise.all(earlier.map((i) => ports.store.get(i.id)));
    const previous = records
      .flatMap((r) =>
        r?.parts.selfAssessment ? [{ inspection: r.inspection, part: r.parts.selfAssessment }] : [],
      )
      .sort((a, b) => b.part.submittedAt.localeCompare(a.part.submittedAt))[0];
    if (!previous)
      throw new NotFoundError(
        say(
          `该校没有模板 ${template.id} 的既往自评可作为起点：请直接填写本次自评。`,
          `The school has no earlier self-assessment of template ${template.id} to start from: fill this one in.`,
        ),
      );

    const school = await ports.schoolFacts?.(inspection.targetId);
    const byIndicator = new Map(previous.part.indicators.map((i) => [i.indicatorId, i]));
    const registry = template.indicators.flatMap((t) =>
      t.registryFact && school
        ? [{ indicatorId: t.id, fact: t.registryFact, ...factOf(t.registryFact, school) }]
        : [],
    );
    const facts = new Map(registry.map((r) => [r.indicatorId, r]));
    const indicators = template.indicators.flatMap((t) => {
      const before = byIndicator.get(t.id);
      if (!before) return [];
      const fact = facts.get(t.id);
      return [
        {
          indicatorId: t.id,
          score: before.score,
          statement: fact ? fact.statement : before.statement,
          evidenceIds: [] as string[],
        },
      ];
    });

    const named = indicators.flatMap((i) =>
      (byIndicator.get(i.indicatorId)?.evidenceIds ?? []).map((e) => ({ indicatorId: i.indicatorId, id: e })),
    );
    const files = new Map((await ports.evidenceByIds(named.map((n) => n.id))).map((e) => [e.id, e]));
    const evidence = named.flatMap(({ indicatorId, id: evidenceId }) => {
      const e = files.get(evidenceId);
      if (e?.status !== 'stored') return [];
      return [
        {
          indicatorId,
          previousEvidenceId: e.id,
          originalId: e.linkOf?.evidenceId ?? e.id,
          fileName: e.fileName,
          contentType: e.contentType,
          size: e.detected?.size ?? e.size,
          sha256: e.detected?.sha256 ?? e.sha256,
        },
      ];
    });

    return {
      inspectionId: id,
      templateId: template.id,
      from: {
        inspectionId: previous.inspection.id,
        campaignId: previous.inspection.campaignId,
        submittedAt: previous.part.submittedAt,
        submission: previous.part.n ?? 1,
      },
      /** PUT /inspections/{id}/self-assessment with this body (after adding the evidence ids of the links). */
      draft: { version: inspection.version, indicators },
      /** Announce each on this inspection (POST /inspections/{id}/evidence): it is linked, not uploaded. */
      evidence,
      registry: {
        source: 'school registry (学校名册)',
        ...(school
          ? {
              students: school.students,
              teachers: school.teachers,
              principal: { name: school.principalName, termStart: school.principalTermStart },
            }
          : {}),
        indicators: registry,
      },
    };
  };
};
export type SelfAssessmentPrefill = ReturnType<typeof createSelfAssessmentPrefill>;
