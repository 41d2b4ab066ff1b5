import { createHash } from 'node:crypto';
import { z } from 'zod';
import { limits, uniqueBy } from './limits.ts';
import {
  type InspectorKind,
  inspectorKinds,
  type SchoolKind,
  type Specialty,
  schoolKinds,
  specialties,
} from './registry.ts';

/**
 * Expert panels (评估专家组): who inspects a school when a template asks for a
 * team drawn from the expert pool (专家库) rather than the zone's responsible
 * inspector. Pure and deterministic: the same seed, rule, inspections, pool
 * and loads always give the same panels, whatever order they come in, so an
 * auditor holding the seed and the inputs redraws exactly the same panels.
 */

/** How a template's inspections get their inspectors. */
export const teamModes = ['zone', 'office', 'panel'] as const;
export type TeamMode = (typeof teamModes)[number];
export const teamModeLabels: Record<TeamMode, string> = {
  zone: '责任区责任督学',
  office: '督导室专职督学',
  panel: '评估专家组',
};

/** Kinds that may be preferred to lead (组长) a panel; `any`: no preference. */
export const leadPreferences = [...inspectorKinds, 'any'] as const;
export type LeadPreference = (typeof leadPreferences)[number];

const specialtyList = z
  .array(z.enum(specialties))
  .max(specialties.length)
  .superRefine(uniqueBy((s: string) => s, 'specialty'));

export const panelRuleSchema = z
  .object({
    /** Members, the lead included. */
    size: z.number().int().min(2).max(9),
    lead: z.enum(leadPreferences).default('any').describe('the kind preferred to lead the panel (组长)'),
    /** Specialties some member must have: the same for every school, or by the school's kind. */
    specialties: z
      .union([specialtyList, z.partialRecord(z.enum(schoolKinds), specialtyList)])
      .default([])
      .describe('required specialties: a list, or a map from school kind to a list'),
    /** No member from the inspected school's county (回避本县). */
    excludeSameCounty: z.boolean().default(false),
    /** Panels one expert sits on in a campaign, at most. */
    maxPerExpert: z.number().int().min(1).max(1000).optional(),
  })
  .superRefine((rule, ctx) => {
    const lists = Array.isArray(rule.specialties)
      ? [['specialties', rule.specialties] as const]
      : Object.entries(rule.specialties).map(([kind, list]) => [`specialties.${kind}`, list ?? []] as const);
    for (const [path, list] of lists) {
      if (list.length > rule.size)
        ctx.addIssue({
          code: 'custom',
          path: path.split('.'),
          params: { zh: `要求 ${rule.size} 人的专家组具备 ${list.length} 个专业领域` },
          message: `requires ${list.length} specialties of a panel of ${rule.size}`,
        });
    }
  });
export type PanelRule = z.infer<typeof panelRuleSchema>;
export type PanelRuleInput = z.input<typeof panelRuleSchema>;

export const teamSchema = z
  .object({ mode: z.enum(teamModes), panel: panelRuleSchema.optional() })
  .refine((t) => (t.mode === 'panel') === (t.panel !== undefined), {
    path: ['panel'],
    params: { zh: '仅在 mode 为 `panel` 时给出' },
    message: 'is given with mode `panel`, and only then',
  })
  .describe(
    'who inspects: the zone’s responsible inspector, the office, or a panel drawn from the expert pool',
  );
export type Team = z.infer<typeof teamSchema>;

/** Why a member leaves a panel. */
export const replacementReasons = ['declined', 'sick', 'conflict', 'unavailable', 'other'] as const;
export const replacementReasonLabels: Record<(typeof replacementReasons)[number], string> = {
  declined: '本人谢绝',
  sick: '因病',
  conflict: '需回避',
  unavailable: '时间冲突',
  other: '其他',
};
export const replacementReasonSchema = z.object({
  code: z.enum(replacementReasons),
  note: z.string().trim().max(limits.shortText).optional(),
});
export type ReplacementReason = z.infer<typeof replacementReasonSchema>;

/** The method in words, for the audit record of a draw (its version changes with the algorithm). */
export const panelDrawMethod = {
  version: 1,
  en:
    'Each inspection in turn, ordered by key(inspection) (then id), gets a panel of `size` members drawn from ' +
    'the experts eligible for it: available; not working at the inspected school; not having declared ' +
    'a conflict with it; not of its county when the rule excludes the same county; below `maxPerExpert` ' +
    'panels. First the required specialties are covered, each time the uncovered one the fewest eligible ' +
    'experts not yet seated have (ties in the order of the specialty list), ' +
    'each by the expert with it who has the lowest load (panels in this campaign so far), then the most ' +
    'required specialties still uncovered, then the lowest tie-break; then, if no member is of the kind ' +
    'preferred to lead, the lowest-load expert of that kind joins; then the remaining seats go to the ' +
    'lowest loads, then the lowest tie-breaks. The lead is the member of the preferred kind (any member ' +
    'if none) with the lowest tie-break. An inspection whose panel cannot be completed gets none and is ' +
    'reported with the reason. key(x) is the first 4 bytes of SHA-256("<seed>:inspection:<id>") or ' +
    'SHA-256("<seed>:inspector:<id>") as an unsigned 32-bit number; the tie-break of an expert for an ' +
    "inspection is MurmurHash3's 32-bit finaliser of key(inspection) XOR key(expert); equal values fall " +
    'back to the ids.',
  zh:
    '按 key(督导任务)（再按编号）由小到大逐个为督导任务抽取 size 名成员，候选专家须：可用；不在被督导学校工作；' +
    '未申报与该校回避；规则要求回避本县时不属该校所在县（区）；本次活动已参加的专家组少于 maxPerExpert。' +
    '先覆盖所需专业领域：每次取尚未覆盖、且未入组的符合条件专家最少的领域（相同时按领域表顺序），每个领域选具备该领域、本次活动已参加专家组最少的专家，' +
    '同等时选能覆盖更多未覆盖领域者，再按随机序；若尚无组长优先类别的成员，再加入该类别中负荷最少的一名；' +
    '其余席位依次给负荷最少、随机序最小的专家。组长为组长优先类别成员（无则全体成员）中随机序最小者。' +
    '无法组满的督导任务不组专家组，并说明原因。key(x) 为 SHA-256("<种子>:inspection:<编号>") 或 ' +
    'SHA-256("<种子>:inspector:<编号>") 的前 4 个字节（无符号 32 位整数）；专家对某督导任务的随机序为 ' +
    'key(督导任务) 与 key(专家) 异或后经 MurmurHash3 32 位终混函数所得之数，相等时按编号。',
} as const;

export const panelReplacementMethod = {
  version: 1,
  en:
    'The departing member leaves; every member the panel ever had stays out. The replacement is drawn ' +
    'from the experts eligible for the inspection by the rules of the draw who have every required ' +
    'specialty the remaining members no longer cover: if the departing member led and no remaining ' +
    'member is of the kind preferred to lead, one of that kind first; then the lowest load, then the ' +
    'lowest tie-break (as in the draw). A departing lead is succeeded as in the draw, among the new ' +
    'members.',
  zh:
    '退出成员离组；该组曾有的成员均不再入选。替补从符合抽取规则、且具备其余成员已不能覆盖的全部所需专业领域' +
    '的专家中选取：退出者为组长且其余成员无组长优先类别时，先选该类别；再选负荷最少者，再按随机序（同抽取）。' +
    '组长退出时，按抽取时的规则在新成员中确定组长。',
} as const;

export interface PanelInspection {
  readonly id: string;
  readonly schoolId: string;
  readonly schoolKind: SchoolKind;
  /** The school's county. */
  readonly regionCode: string;
}

/** One inspector of the pool, as the draw sees them (availability already judged for the day). */
export interface PoolExpert {
  readonly id: string;
  readonly kind: InspectorKind;
  readonly regionCode: string;
  readonly homeSchoolId?: string | undefined;
  readonly specialties: readonly Specialty[];
  readonly available: boolean;
  readonly conflicts: readonly string[];
}

export interface PanelMember {
  readonly inspectorId: string;
  readonly kind: InspectorKind;
  /** The member's specialties. */
  readonly specialties: readonly Specialty[];
  /** The required specialties the member has. */
  readonly covers: readonly Specialty[];
}

export interface Replacement {
  readonly out: string;
  readonly in: string;
  readonly reason: ReplacementReason;
}

export interface Panel {
  readonly inspectionId: string;
  /** The member who leads (组长). */
  readonly lead: string;
  /** Everyone on the panel, the lead first. */
  readonly members: readonly PanelMember[];
  /** Earlier replacements, oldest first. */
  readonly replacements: readonly Replacement[];
}

export const unfilledReasons = ['specialty_unavailable', 'too_few_experts'] as const;
export type UnfilledReason = (typeof unfilledReasons)[number];
export const unfilledReasonLabels: Record<UnfilledReason, string> = {
  specialty_unavailable: '无符合条件的所需专业领域专家',
  too_few_experts: '符合条件的专家不足',
};

export interface Unfilled {
  readonly inspectionId: string;
  readonly reason: UnfilledReason;
  /** Required specialties no eligible expert has. */
  readonly missingSpecialties: readonly Specialty[];
  /** How many experts were eligible. */
  readonly eligible: number;
}

export interface DrawInput {
  readonly seed: string;
  readonly rule: PanelRule;
  readonly inspections: readonly PanelInspection[];
  readonly experts: readonly PoolExpert[];
  /** Panels each expert already sits on in the campaign. */
  readonly loads?: ReadonlyMap<string, number>;
}

export interface DrawResult {
  /** In draw order. */
  readonly panels: Panel[];
  readonly unfilled: Unfilled[];
  /** Loads after the draw (the given loads plus the new panels). */
  readonly loads: Map<string, number>;
}

/** The specialties a panel for a school of `kind` must cover, in the canonical order. */
export const requiredSpecialties = (rule: Pick<PanelRule, 'specialties'>, kind: SchoolKind): Specialty[] => {
  const list = Array.isArray(rule.specialties) ? rule.specialties : (rule.specialties[kind] ?? []);
  const wanted = new Set<Specialty>(list);
  return specialties.filter((s) => wanted.has(s));
};

const key32 = (seed: string, what: 'inspection' | 'inspector', id: string): number =>
  createHash('sha256').update(`${seed}:${what}:${id}`).digest().readUInt32BE(0);

/** MurmurHash3's 32-bit finaliser. */
const fmix32 = (value: number): number => {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** Keys of one draw, each id hashed once. */
const keysFor = (seed: string) => {
  const cache = new Map<string, number>();
  const of = (what: 'inspection' | 'inspector', id: string) => {
    const at = `${what}:${id}`;
    let k = cache.get(at);
    if (k === undefined) {
      k = key32(seed, what, id);
      cache.set(at, k);
    }
    return k;
  };
  return {
    inspection: (id: string) => of('inspection', id),
    inspector: (id: string) => of('inspector', id),
    tie: (inspectionId: string, expertId: string) =>
      fmix32(of('inspection', inspectionId) ^ of('inspector', expertId)),
  };
};
type Keys = ReturnType<typeof keysFor>;

interface Candidate {
  readonly expert: PoolExpert;
  /** key(expert) of this draw's seed. */
  readonly key: number;
  readonly specialties: ReadonlySet<Specialty>;
  readonly conflicts: ReadonlySet<string>;
  readonly county: string;
  /** Panel seats in the campaign so far (the draw counts up as it goes). */
  load: number;
}

const county = (code: string) => code.slice(0, 6);

const candidatesOf = (
  experts: readonly PoolExpert[],
  keys: Keys,
  loads: ReadonlyMap<string, number>,
): Candidate[] => {
  const seen = new Set<string>();
  return experts.map((expert) => {
    if (seen.has(expert.id)) throw new Error(`expert ${expert.id} is in the pool twice`);
    seen.add(expert.id);
    return {
      expert,
      key: keys.inspector(expert.id),
      specialties: new Set(expert.specialties),
      conflicts: new Set(expert.conflicts),
      county: county(expert.regionCode),
      load: loads.get(expert.id) ?? 0,
    };
  });
};

/** Whether an expert may sit on the inspection's panel now: the rules and the load cap. */
const eligibleFor = (rule: PanelRule, inspection: PanelInspection, c: Candidate): boolean =>
  c.expert.available &&
  c.expert.homeSchoolId !== inspection.schoolId &&
  !c.conflicts.has(inspection.schoolId) &&
  !(rule.excludeSameCounty && c.county === county(inspection.regionCode)) &&
  (rule.maxPerExpert === undefined || c.load < rule.maxPerExpert);

/**
 * The best admitted candidate of `pool` by `keys`, compared in order (lowest
 * first), then by id. Keys are computed only where an earlier one ties.
 */
const best = (
  pool: readonly Candidate[],
  admit: (c: Candidate) => boolean,
  keys: readonly ((c: Candidate) => number)[],
): Candidate | undefined => {
  let winner: Candidate | undefined;
  let winnerKeys: number[] = [];
  for (const c of pool) {
    if (!admit(c)) continue;
    if (winner === undefined) {
      winner = c;
      winnerKeys = [];
      continue;
    }
    let better: boolean | undefined;
    for (let i = 0; i < keys.length && better === undefined; i++) {
      const mine = keys[i]!(c);
      winnerKeys[i] ??= keys[i]!(winner);
      if (mine !== winnerKeys[i]) better = mine < winnerKeys[i]!;
    }
    if (better ?? c.expert.id < winner.expert.id) {
      winner = c;
      winnerKeys = [];
    }
  }
  return winner;
};

const memberOf = (c: Candidate, required: readonly Specialty[]): PanelMember => ({
  inspectorId: c.expert.id,
  kind: c.expert.kind,
  specialties: specialties.filter((s) => c.specialties.has(s)),
  covers: required.filter((s) => c.specialties.has(s)),
});

/** The lead: of the preferred kind if any member is, then the lowest tie-break. */
const leadOf = (
  rule: PanelRule,
  inspectionId: string,
  members: readonly Pick<PanelMember, 'inspectorId' | 'kind'>[],
  keys: Keys,
): string => {
  const preferred = members.filter((m) => rule.lead !== 'any' && m.kind === rule.lead);
  const pool = preferred.length > 0 ? preferred : members;
  return [...pool].sort(
    (a, b) =>
      keys.tie(inspectionId, a.inspectorId) - keys.tie(inspectionId, b.inspectorId) ||
      (a.inspectorId < b.inspectorId ? -1 : 1),
  )[0]!.inspectorId;
};

const leadFirst = (lead: string, members: PanelMember[]): PanelMember[] =>
  members.sort((a, b) =>
    a.inspectorId === lead ? -1 : b.inspectorId === lead ? 1 : a.inspectorId < b.inspectorId ? -1 : 1,
  );

/** Draws a panel for every inspection (see `panelDrawMethod`). */
export const drawPanels = (input: DrawInput): DrawResult => {
  const { seed, rule } = input;
  const keys = keysFor(seed);
  const pool = candidatesOf(input.experts, keys, input.loads ?? new Map());

  const ids = new Set<string>();
  for (const i of input.inspections) {
    if (ids.has(i.id)) throw new Error(`inspection ${i.id} is listed twice`);
    ids.add(i.id);
  }
  const order = [...input.inspections].sort(
    (a, b) => keys.inspection(a.id) - keys.inspection(b.id) || (a.id < b.id ? -1 : 1),
  );

  const panels: Panel[] = [];
  const unfilled: Unfilled[] = [];
  for (const inspection of order) {
    const required = requiredSpecialties(rule, inspection.schoolKind);
    const eligible = pool.filter((c) => eligibleFor(rule, inspection, c));
    // How many eligible experts not yet seated hold each required specialty.
    const holders = new Map<Specialty, number>(required.map((s) => [s, 0]));
    for (const c of eligible)
      for (const s of c.specialties) if (holders.has(s)) holders.set(s, holders.get(s)! + 1);
    const missing = required.filter((s) => holders.get(s) === 0);
    if (missing.length > 0 || eligible.length < rule.size) {
      unfilled.push({
        inspectionId: inspection.id,
        reason: missing.length > 0 ? 'specialty_unavailable' : 'too_few_experts',
        missingSpecialties: missing,
        eligible: eligible.length,
      });
      continue;
    }

    const inspectionKey = keys.inspection(inspection.id);
    const tie = (c: Candidate) => fmix32(inspectionKey ^ c.key);
    const load = (c: Candidate) => c.load;
    const picked = new Set<Candidate>();
    const open = (c: Candidate) => !picked.has(c);
    const take = (c: Candidate) => {
      picked.add(c);
      for (const s of c.specialties) if (holders.has(s)) holders.set(s, holders.get(s)! - 1);
    };

    // 1. Cover the required specialties, the scarcest first.
    const uncovered = new Set(required);
    while (uncovered.size > 0) {
      const scarcest = [...uncovered].sort((a, b) => holders.get(a)! - holders.get(b)!)[0]!;
      const moreCovered = (c: Candidate) => {
        let n = 0;
        for (const s of uncovered) if (c.specialties.has(s)) n++;
        return -n;
      };
      const chosen = best(eligible, (c) => open(c) && c.specialties.has(scarcest), [load, moreCovered, tie])!;
      take(chosen);
      for (const s of chosen.specialties) uncovered.delete(s);
    }
    // 2. Someone of the kind preferred to lead.
    if (
      rule.lead !== 'any' &&
      ![...picked].some((c) => c.expert.kind === rule.lead) &&
      picked.size < rule.size
    ) {
      const lead = best(eligible, (c) => open(c) && c.expert.kind === rule.lead, [load, tie]);
      if (lead) take(lead);
    }
    // 3. The remaining seats, by load.
    while (picked.size < rule.size) take(best(eligible, open, [load, tie])!);

    for (const c of picked) c.load++;
    const members = [...picked].map((c) => memberOf(c, required));
    const lead = leadOf(rule, inspection.id, members, keys);
    panels.push({ inspectionId: inspection.id, lead, members: leadFirst(lead, members), replacements: [] });
  }
  const loads = new Map(input.loads ?? []);
  for (const c of pool) if (c.load > 0 || loads.has(c.expert.id)) loads.set(c.expert.id, c.load);
  return { panels, unfilled, loads };
};

export interface ReplaceInput {
  readonly seed: string;
  readonly rule: PanelRule;
  readonly panel: Panel;
  readonly inspection: PanelInspection;
  readonly memberId: string;
  readonly reason: ReplacementReason;
  readonly experts: readonly PoolExpert[];
  /** Panels each expert sits on in the campaign (this one included). */
  readonly loads?: ReadonlyMap<string, number>;
}

export type ReplaceResult =
  | { readonly ok: true; readonly panel: Panel; readonly replacement: Replacement }
  | {
      readonly ok: false;
      readonly reason: 'not_a_member' | UnfilledReason;
      readonly missingSpecialties: readonly Specialty[];
    };

/** Replaces one member of a panel (see `panelReplacementMethod`), or says why it cannot. */
export const replaceMember = (input: ReplaceInput): ReplaceResult => {
  const { rule, panel, inspection, memberId } = input;
  if (panel.inspectionId !== inspection.id)
    throw new Error(`panel of ${panel.inspectionId} given with inspection ${inspection.id}`);
  const departing = panel.members.find((m) => m.inspectorId === memberId);
  if (!departing) return { ok: false, reason: 'not_a_member', missingSpecialties: [] };

  const keys = keysFor(input.seed);
  const inspectionKey = keys.inspection(inspection.id);
  const tie = (c: Candidate) => fmix32(inspectionKey ^ c.key);
  const required = requiredSpecialties(rule, inspection.schoolKind);
  const remaining = panel.members.filter((m) => m.inspectorId !== memberId);
  const uncovered = required.filter((s) => !remaining.some((m) => m.specialties.includes(s)));
  const excluded = new Set([
    ...panel.members.map((m) => m.inspectorId),
    ...panel.replacements.map((r) => r.out),
  ]);

  const eligible = candidatesOf(input.experts, keys, input.loads ?? new Map()).filter(
    (c) => !excluded.has(c.expert.id) && eligibleFor(rule, inspection, c),
  );
  const fits = (c: Candidate) => uncovered.every((s) => c.specialties.has(s));
  const needsLeadKind =
    panel.lead === memberId && rule.lead !== 'any' && !remaining.some((m) => m.kind === rule.lead);
  const chosen = best(eligible, fits, [
    (c) => (needsLeadKind && c.expert.kind === rule.lead ? 0 : 1),
    (c) => c.load,
    tie,
  ]);
  if (!chosen) {
    const missing = uncovered.filter((s) => !eligible.some((c) => c.specialties.has(s)));
    return eligible.length === 0
      ? { ok: false, reason: 'too_few_experts', missingSpecialties: missing }
      : {
          ok: false,
          reason: 'specialty_unavailable',
          missingSpecialties: missing.length > 0 ? missing : uncovered,
        };
  }

  const members = [...remaining, memberOf(chosen, required)];
  const lead = panel.lead === memberId ? leadOf(rule, inspection.id, members, keys) : panel.lead;
  const replacement: Replacement = { out: memberId, in: chosen.expert.id, reason: input.reason };
  return {
    ok: true,
    panel: {
      inspectionId: panel.inspectionId,
      lead,
      members: leadFirst(lead, members),
      replacements: [...panel.replacements, replacement],
    },
    replacement,
  };
};
