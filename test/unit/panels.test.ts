import { describe, expect, it } from 'vitest';
import {
  type DrawResult,
  drawPanels,
  type Panel,
  type PanelInspection,
  type PanelRule,
  type PoolExpert,
  panelDrawMethod,
  panelReplacementMethod,
  panelRuleSchema,
  replaceMember,
  requiredSpecialties,
  teamSchema,
} from '#core/panels';
import { inspectorKinds, type SchoolKind, type Specialty, schoolKinds, specialties } from '#core/registry';
import { templateSchema } from '#core/template';
import { builtInTemplates } from '#core/templates/index';

/**
 * Property checks of the panel draw over seeded random scenarios (our own
 * generator: fast-check is not a dependency). Each failure names its
 * scenario number, so it can be rerun alone.
 */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

interface Scenario {
  seed: string;
  rule: PanelRule;
  inspections: PanelInspection[];
  experts: PoolExpert[];
  loads: Map<string, number>;
}

const counties = ['320581', '320582', '320583', '320585', '320586'];

const scenario = (
  n: number,
  opts: { uniform?: boolean; noSpecialties?: boolean; noCap?: boolean; noLoads?: boolean } = {},
): Scenario => {
  const rand = random(n * 7919 + 17);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const some = <T>(items: readonly T[], max: number): T[] => {
    const out = new Set<T>();
    for (let i = int(0, max); i > 0; i--) out.add(pick(items));
    return [...out];
  };
  const usedCounties = counties.slice(0, int(1, counties.length));
  const inspections: PanelInspection[] = Array.from({ length: int(1, 40) }, (_, i) => {
    const county = pick(usedCounties);
    const schoolId = `${county}${String(i + 1).padStart(4, '0')}`;
    return { id: `C1-${schoolId}`, schoolId, schoolKind: pick(schoolKinds), regionCode: county };
  });
  const schoolIds = inspections.map((i) => i.schoolId);
  const size = int(2, 5);
  const fixed = some(specialties, Math.min(3, size));
  const byKind: Partial<Record<SchoolKind, Specialty[]>> = {};
  for (const kind of schoolKinds) if (rand() < 0.6) byKind[kind] = some(specialties, Math.min(3, size));
  const rule = panelRuleSchema.parse({
    size,
    lead: opts.uniform ? 'any' : pick([...inspectorKinds, 'any', 'any']),
    specialties: opts.noSpecialties ? [] : rand() < 0.5 ? fixed : byKind,
    excludeSameCounty: !opts.uniform && rand() < 0.5,
    ...(opts.noCap || opts.uniform || rand() < 0.6 ? {} : { maxPerExpert: int(1, 6) }),
  });
  const experts: PoolExpert[] = Array.from({ length: int(0, 60) }, (_, i) => ({
    id: `E${String(i).padStart(3, '0')}`,
    kind: pick(inspectorKinds),
    regionCode: pick(usedCounties),
    ...(!opts.uniform && rand() < 0.3 ? { homeSchoolId: pick(schoolIds) } : {}),
    specialties: opts.uniform ? [...specialties] : some(specialties, 3).sort(),
    available: opts.uniform || rand() < 0.85,
    conflicts: opts.uniform ? [] : some(schoolIds, 3),
  }));
  const loads = new Map<string, number>();
  if (!opts.noLoads && !opts.uniform) for (const e of experts) if (rand() < 0.2) loads.set(e.id, int(0, 4));
  return { seed: `seed-${n}`, rule, inspections, experts, loads };
};

const shuffle = <T>(items: readonly T[], seed: number): T[] => {
  const rand = random(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
};

const draw = (s: Scenario): DrawResult =>
  drawPanels({ seed: s.seed, rule: s.rule, inspections: s.inspections, experts: s.experts, loads: s.loads });
const comparable = (r: DrawResult) => ({ ...r, loads: [...r.loads].sort(([a], [b]) => (a < b ? -1 : 1)) });

/** Whether the expert may sit on the inspection's panel, the load cap aside (the rules, restated). */
const eligible = (rule: PanelRule, inspection: PanelInspection, e: PoolExpert) =>
  e.available &&
  e.homeSchoolId !== inspection.schoolId &&
  !e.conflicts.includes(inspection.schoolId) &&
  !(rule.excludeSameCounty && e.regionCode === inspection.regionCode);
const underCap = (rule: PanelRule, load: number) =>
  rule.maxPerExpert === undefined || load < rule.maxPerExpert;

const scenarios = 200;
/** Property checks run hundreds of draws: room for a busy machine. */
const property = 60_000;
const each = (fn: (s: Scenario, n: number) => void, opts?: Parameters<typeof scenario>[1]) => {
  for (let n = 0; n < scenarios; n++) {
    try {
      fn(scenario(n, opts), n);
    } catch (error) {
      throw new Error(`scenario ${n}: ${(error as Error).message}`, { cause: error });
    }
  }
};

describe('drawPanels', () => {
  it(
    'is reproducible: the same input gives the same panels',
    () => {
      each((s) => expect(comparable(draw(s))).toEqual(comparable(draw(s))));
    },
    property,
  );

  it(
    'does not depend on the order of inspections, experts or loads',
    () => {
      each((s, n) => {
        const shuffled = {
          ...s,
          inspections: shuffle(s.inspections, n),
          experts: shuffle(s.experts, n + 1),
          loads: new Map(shuffle([...s.loads], n + 2)),
        };
        expect(comparable(draw(shuffled))).toEqual(comparable(draw(s)));
      });
    },
    property,
  );

  it('depends on the seed', () => {
    const s = scenario(1, { uniform: true });
    const experts = Array.from({ length: 30 }, (_, i) => ({
      id: `X${i}`,
      kind: 'expert' as const,
      regionCode: '320581',
      specialties: [...specialties],
      available: true,
      conflicts: [],
    }));
    const panels = (seed: string) =>
      draw({ ...s, experts, seed }).panels.map((p) => p.members.map((m) => m.inspectorId));
    expect(panels('a')).not.toEqual(panels('b'));
  });

  it(
    'never seats an unavailable, same-school, conflicted or (when asked) same-county expert, and covers every required specialty',
    () => {
      each((s) => {
        const result = draw(s);
        const byId = new Map(s.experts.map((e) => [e.id, e]));
        const inspections = new Map(s.inspections.map((i) => [i.id, i]));
        for (const panel of result.panels) {
          const inspection = inspections.get(panel.inspectionId)!;
          const ids = panel.members.map((m) => m.inspectorId);
          expect(new Set(ids).size).toBe(s.rule.size);
          expect(ids[0]).toBe(panel.lead);
          for (const id of ids) expect(eligible(s.rule, inspection, byId.get(id)!), id).toBe(true);
          const had = new Set(ids.flatMap((id) => byId.get(id)!.specialties));
          for (const required of requiredSpecialties(s.rule, inspection.schoolKind))
            expect(had.has(required), required).toBe(true);
          for (const m of panel.members) {
            expect(m.specialties).toEqual([...byId.get(m.inspectorId)!.specialties].sort(bySpecialty));
            expect(m.covers).toEqual(
              requiredSpecialties(s.rule, inspection.schoolKind).filter((r) => m.specialties.includes(r)),
            );
          }
          // The lead is of the preferred kind whenever a member is.
          if (s.rule.lead !== 'any' && panel.members.some((m) => m.kind === s.rule.lead))
            expect(byId.get(panel.lead)!.kind).toBe(s.rule.lead);
        }
      });
    },
    property,
  );

  it(
    'accounts for every inspection once, and leaves one unfilled only when no panel was possible',
    () => {
      each((s) => {
        const result = draw(s);
        const listed = [
          ...result.panels.map((p) => p.inspectionId),
          ...result.unfilled.map((u) => u.inspectionId),
        ];
        expect(listed.sort()).toEqual(s.inspections.map((i) => i.id).sort());
        for (const u of result.unfilled) {
          const inspection = s.inspections.find((i) => i.id === u.inspectionId)!;
          // Loads only grow: whoever is under the cap after the draw was under it then.
          const could = s.experts.filter(
            (e) => eligible(s.rule, inspection, e) && underCap(s.rule, result.loads.get(e.id) ?? 0),
          );
          if (u.reason === 'too_few_experts') {
            expect(u.missingSpecialties).toEqual([]);
            expect(could.length).toBeLessThan(s.rule.size);
          } else {
            expect(u.missingSpecialties.length).toBeGreaterThan(0);
            for (const missing of u.missingSpecialties)
              expect(
                could.some((e) => e.specialties.includes(missing)),
                missing,
              ).toBe(false);
          }
        }
      });
    },
    property,
  );

  it(
    'counts loads: the given ones plus one per panel seat, never past the cap',
    () => {
      each((s) => {
        const result = draw(s);
        for (const e of s.experts) {
          const before = s.loads.get(e.id) ?? 0;
          const seats = result.panels.filter((p) => p.members.some((m) => m.inspectorId === e.id)).length;
          expect(result.loads.get(e.id) ?? 0).toBe(before + seats);
          if (s.rule.maxPerExpert !== undefined && seats > 0)
            expect(before + seats).toBeLessThanOrEqual(s.rule.maxPerExpert);
        }
      });
    },
    property,
  );

  it(
    'seats the least loaded: no eligible expert left out had a lower load than a member (where every expert covers every specialty)',
    () => {
      const check = (s: Scenario) => {
        const result = draw(s);
        const loads = new Map(s.loads);
        const inspections = new Map(s.inspections.map((i) => [i.id, i]));
        const passedOver: string[] = [];
        for (const panel of result.panels) {
          const inspection = inspections.get(panel.inspectionId)!;
          const members = new Set(panel.members.map((m) => m.inspectorId));
          const highest = Math.max(...[...members].map((id) => loads.get(id) ?? 0));
          for (const e of s.experts)
            if (!members.has(e.id) && eligible(s.rule, inspection, e) && (loads.get(e.id) ?? 0) < highest)
              passedOver.push(`${e.id} for ${panel.inspectionId}`);
          for (const id of members) loads.set(id, (loads.get(id) ?? 0) + 1);
        }
        expect(passedOver).toEqual([]);
      };
      each((s) => check({ ...s, rule: { ...s.rule, lead: 'any', specialties: [] } }), { noCap: true });
      each(check, { uniform: true });
    },
    property,
  );

  it(
    'balances loads across the campaign: max − min ≤ 1 when every expert is eligible everywhere',
    () => {
      each(
        (s) => {
          const result = draw(s);
          if (s.experts.length < s.rule.size) return;
          expect(result.unfilled).toEqual([]);
          const loads = s.experts.map((e) => result.loads.get(e.id) ?? 0);
          expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
        },
        { uniform: true },
      );
    },
    property,
  );

  it(
    'continues a campaign: drawing in two parts with the first part’s loads balances like one draw',
    () => {
      each(
        (s) => {
          if (s.experts.length < s.rule.size) return;
          const half = Math.floor(s.inspections.length / 2);
          const first = drawPanels({ ...s, inspections: s.inspections.slice(0, half) });
          const second = drawPanels({ ...s, inspections: s.inspections.slice(half), loads: first.loads });
          const loads = s.experts.map((e) => second.loads.get(e.id) ?? 0);
          expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
        },
        { uniform: true },
      );
    },
    property,
  );

  it('refuses an expert or an inspection listed twice', () => {
    const s = scenario(3, { uniform: true });
    expect(() => drawPanels({ ...s, experts: [...s.experts, s.experts[0]!] })).toThrow(/twice/);
    expect(() => drawPanels({ ...s, inspections: [...s.inspections, s.inspections[0]!] })).toThrow(/twice/);
  });
});

const bySpecialty = (a: Specialty, b: Specialty) => specialties.indexOf(a) - specialties.indexOf(b);

describe('replaceMember', () => {
  it(
    'replaces by the same rules, never re-picks anyone who left, and says why when it cannot',
    () => {
      each((s, n) => {
        const result = draw(s);
        const rand = random(n);
        const byId = new Map(s.experts.map((e) => [e.id, e]));
        for (const drawn of result.panels.slice(0, 5)) {
          const inspection = s.inspections.find((i) => i.id === drawn.inspectionId)!;
          let panel: Panel = drawn;
          const left = new Set<string>();
          for (let round = 0; round < 3; round++) {
            const memberId = panel.members[Math.floor(rand() * panel.members.length)]!.inspectorId;
            const input = {
              seed: s.seed,
              rule: s.rule,
              panel,
              inspection,
              memberId,
              reason: { code: 'declined' as const },
              experts: s.experts,
              loads: result.loads,
            };
            const replaced = replaceMember(input);
            expect(replaceMember({ ...input, experts: shuffle(s.experts, round) })).toEqual(replaced);
            const everOn = new Set([...panel.members.map((m) => m.inspectorId), ...left]);
            const could = s.experts.filter(
              (e) =>
                !everOn.has(e.id) &&
                eligible(s.rule, inspection, e) &&
                underCap(s.rule, result.loads.get(e.id) ?? 0),
            );
            left.add(memberId);
            const remaining = panel.members.filter((m) => m.inspectorId !== memberId);
            const uncovered = requiredSpecialties(s.rule, inspection.schoolKind).filter(
              (r) => !remaining.some((m) => m.specialties.includes(r)),
            );
            const fitting = could.filter((e) => uncovered.every((r) => e.specialties.includes(r)));
            if (!replaced.ok) {
              expect(fitting).toEqual([]);
              expect(replaced.reason).toBe(could.length === 0 ? 'too_few_experts' : 'specialty_unavailable');
              break;
            }
            // The least loaded of those who fit, unless a lead of the preferred kind had to be found.
            const loadOf = (id: string) => result.loads.get(id) ?? 0;
            const needsLeadKind =
              panel.lead === memberId &&
              s.rule.lead !== 'any' &&
              !remaining.some((m) => m.kind === s.rule.lead);
            if (!needsLeadKind)
              expect(loadOf(replaced.replacement.in)).toBe(Math.min(...fitting.map((e) => loadOf(e.id))));
            const next = replaced.panel;
            const ids = next.members.map((m) => m.inspectorId);
            expect(replaced.replacement).toEqual({
              out: memberId,
              in: replaced.replacement.in,
              reason: { code: 'declined' },
            });
            expect(next.replacements).toEqual([...panel.replacements, replaced.replacement]);
            for (const gone of left) expect(ids).not.toContain(gone);
            expect(could.map((e) => e.id)).toContain(replaced.replacement.in);
            expect(ids.sort()).toEqual(
              [
                ...panel.members.map((m) => m.inspectorId).filter((id) => id !== memberId),
                replaced.replacement.in,
              ].sort(),
            );
            expect(next.members[0]!.inspectorId).toBe(next.lead);
            if (panel.lead !== memberId) expect(next.lead).toBe(panel.lead);
            const had = new Set(next.members.flatMap((m) => byId.get(m.inspectorId)!.specialties));
            for (const r of requiredSpecialties(s.rule, inspection.schoolKind))
              expect(had.has(r), r).toBe(true);
            panel = next;
          }
        }
      });
    },
    property,
  );

  it('takes the least loaded fitting expert, and says when the member is not on the panel', () => {
    const rule = panelRuleSchema.parse({ size: 2, specialties: ['finance'] });
    const inspection: PanelInspection = {
      id: 'C-3205820001',
      schoolId: '3205820001',
      schoolKind: 'primary',
      regionCode: '320582',
    };
    const expert = (id: string, specs: Specialty[], extra: Partial<PoolExpert> = {}): PoolExpert => ({
      id,
      kind: 'expert',
      regionCode: '320583',
      specialties: specs,
      available: true,
      conflicts: [],
      ...extra,
    });
    const experts = [
      expert('A', ['finance']),
      expert('B', ['safety']),
      expert('C', ['finance'], { homeSchoolId: '3205820001' }),
      expert('D', ['finance', 'safety']),
      expert('E', ['finance']),
      expert('F', ['finance'], { conflicts: ['3205820001'] }),
      expert('G', ['curriculum']),
    ];
    const loads = new Map([
      ['A', 1],
      ['B', 1],
      ['D', 3],
      ['E', 2],
      ['G', 5],
    ]);
    const { panels } = drawPanels({ seed: 's', rule, inspections: [inspection], experts, loads });
    // A holds finance with the lowest load among those eligible (C works there, F declared a conflict).
    expect(panels[0]!.members.map((m) => m.inspectorId).sort()).toEqual(['A', 'B']);
    const input = {
      seed: 's',
      rule,
      panel: panels[0]!,
      inspection,
      experts,
      loads: new Map([...loads, ['A', 2], ['B', 2]]),
    };
    const sick = replaceMember({ ...input, memberId: 'A', reason: { code: 'sick', note: '住院' } });
    expect(sick.ok && sick.replacement).toEqual({
      out: 'A',
      in: 'E',
      reason: { code: 'sick', note: '住院' },
    });
    expect(replaceMember({ ...input, memberId: 'Z', reason: { code: 'other' } })).toEqual({
      ok: false,
      reason: 'not_a_member',
      missingSpecialties: [],
    });
    // With E gone too, D is the last who has finance; then nobody.
    const second = sick.ok
      ? replaceMember({ ...input, panel: sick.panel, memberId: 'E', reason: { code: 'declined' } })
      : undefined;
    expect(second?.ok && second.replacement.in).toBe('D');
    const third = second?.ok
      ? replaceMember({ ...input, panel: second.panel, memberId: 'D', reason: { code: 'declined' } })
      : undefined;
    expect(third).toEqual({ ok: false, reason: 'specialty_unavailable', missingSpecialties: ['finance'] });
  });
});

describe('the team rule on templates', () => {
  it('defaults to the zone, and sets panels and the office on the seeds’ expert evaluations', () => {
    const team = (id: string) => builtInTemplates.find((t) => t.id === id)!.team;
    expect(team('start-of-term')).toEqual({ mode: 'zone' });
    expect(team('teacher-burden')).toEqual({ mode: 'office' });
    expect(team('principal-term-end')).toMatchObject({
      mode: 'panel',
      panel: { size: 5, lead: 'full_time' },
    });
    expect(requiredSpecialties(team('principal-term-end').panel!, 'kindergarten')).toEqual([
      'preschool',
      'finance',
      'management',
    ]);
    expect(team('kindergarten-evaluation')).toMatchObject({
      mode: 'panel',
      panel: { size: 3, specialties: ['preschool', 'safety'], excludeSameCounty: true },
    });
    const { team: _omitted, ...old } = builtInTemplates.find((t) => t.id === 'start-of-term')!;
    expect(templateSchema.parse(old).team).toEqual({ mode: 'zone' });
  });

  it('refuses a panel without its rule, a rule without a panel, and more specialties than seats', () => {
    expect(teamSchema.safeParse({ mode: 'panel' }).success).toBe(false);
    expect(teamSchema.safeParse({ mode: 'zone', panel: { size: 3 } }).success).toBe(false);
    expect(panelRuleSchema.safeParse({ size: 1 }).success).toBe(false);
    expect(panelRuleSchema.safeParse({ size: 10 }).success).toBe(false);
    expect(
      panelRuleSchema.safeParse({ size: 2, specialties: ['finance', 'safety', 'preschool'] }).success,
    ).toBe(false);
    const byKind = panelRuleSchema.safeParse({
      size: 2,
      specialties: { primary: ['finance', 'safety', 'special'] },
    });
    expect(byKind.success).toBe(false);
    expect(byKind.error?.issues[0]?.path).toEqual(['specialties', 'primary']);
    expect(panelRuleSchema.safeParse({ size: 2, specialties: { university: ['finance'] } }).success).toBe(
      false,
    );
    expect(panelRuleSchema.safeParse({ size: 2, specialties: ['finance', 'finance'] }).success).toBe(false);
  });

  it('describes both methods in Chinese and English for the audit record', () => {
    for (const method of [panelDrawMethod, panelReplacementMethod]) {
      expect(method.version).toBe(1);
      expect(method.en.length).toBeGreaterThan(100);
      expect(method.zh).toMatch(/[专家]/);
    }
  });
});
