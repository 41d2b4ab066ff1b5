import { childrenOf, countiesUnder, findRegion } from '#core/regions';
import { type SchoolKind, type Specialty, specialtyLabels } from '#core/registry';

/**
 * A realistic synthetic province over real GB/T 2260 codes: its real cities,
 * counties and towns, schools with a realistic kind mix (about half
 * kindergartens), responsible inspectors with zones of at most 18 schools,
 * plus full-time inspectors and an expert pool (专家库): per county two
 * full-time inspectors and six experts with specialties covering every
 * stage, home schools, a few declared conflicts and a few away. Deterministic
 * for a given seed; the pool has its own random stream, so schools and zones
 * are what they were before it existed.
 */
export interface DemoOptions {
  province: string;
  schools: number;
  seed?: number;
}

export interface DemoFiles {
  schools: string;
  inspectors: string;
  zones: string;
  counts: {
    schools: number;
    inspectors: number;
    experts: number;
    zones: number;
    byKind: Record<SchoolKind, number>;
  };
}

// Shares of the national school count by kind (2023 statistics, rounded).
const kindMix: [SchoolKind, number][] = [
  ['kindergarten', 0.5],
  ['primary', 0.27],
  ['junior', 0.1],
  ['nine_year', 0.04],
  ['senior', 0.05],
  ['twelve_year', 0.01],
  ['vocational', 0.02],
  ['special', 0.01],
];
const kindSuffix: Record<SchoolKind, string[]> = {
  kindergarten: ['中心幼儿园', '实验幼儿园', '第一幼儿园', '阳光幼儿园', '童心幼儿园'],
  primary: ['中心小学', '实验小学', '第一小学', '第二小学', '希望小学'],
  junior: ['初级中学', '实验初中', '第一初级中学'],
  nine_year: ['九年一贯制学校', '实验学校'],
  senior: ['高级中学', '第一中学'],
  twelve_year: ['外国语学校', '十二年一贯制学校'],
  vocational: ['中等专业学校', '职业教育中心'],
  special: ['特殊教育学校', '启智学校'],
};
const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const given = [
  '芳',
  '静',
  '伟',
  '敏',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '建华',
  '志强',
  '海燕',
  '文博',
];
const zoneSize = 18;

/** Each county's experts: the specialty each is sure to have (so every stage is covered), the rest drawn. */
const expertLeads: Specialty[][] = [
  ['preschool', 'safety'],
  ['compulsory', 'curriculum'],
  ['senior_high', 'finance'],
  ['vocational', 'management'],
  ['special', 'compulsory'],
  ['finance', 'preschool'],
];
const fullTimeSpecialties: Specialty[][] = [
  ['management', 'compulsory'],
  ['management', 'safety'],
];
const allSpecialties = Object.keys(specialtyLabels) as Specialty[];

/** The kind whose cumulative share first exceeds `r` ∈ [0, 1). */
const pickKind = (r: number): SchoolKind => {
  let cumulative = 0;
  for (const [kind, share] of kindMix) {
    cumulative += share;
    if (r < cumulative) return kind;
  }
  return 'primary';
};

/** Small deterministic PRNG (mulberry32). */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const csvLine = (cells: (string | number)[]) =>
  cells.map((c) => (/[",\r\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',');

export const generateDemoProvince = (opts: DemoOptions): DemoFiles => {
  const province = findRegion(opts.province);
  if (province?.level !== 'province') throw new Error(`${opts.province} is not a province code`);
  const rand = random(opts.seed ?? 2023);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const person = () => pick(surnames.split('')) + pick(given);
  const poolRand = random((opts.seed ?? 2023) ^ 0x5eed);
  const poolPick = <T>(items: readonly T[]): T => items[Math.floor(poolRand() * items.length)]!;

  const counties = countiesUnder(opts.province).filter((c) => childrenOf(c.code).length > 0);
  // Counties differ in size: weights between 0.5 and 1.5.
  const weights = counties.map(() => 0.5 + rand());
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const perCounty = weights.map((w) => Math.floor((opts.schools * w) / totalWeight));
  for (let i = 0; perCounty.reduce((a, b) => a + b, 0) < opts.schools; i++) perCounty[i % counties.length]!++;

  const schools = [
    csvLine([
      'school_id',
      'name',
      'kind',
      'region_code',
      'town_code',
      'ownership',
      'students',
      'teachers',
      'principal_name',
      'principal_term_start',
    ]),
  ];
  const inspectors = [
    csvLine([
      'inspector_id',
      'name',
      'kind',
      'region_code',
      'phone',
      'specialties',
      'home_school_id',
      'available',
      'unavailable_until',
      'conflicts',
    ]),
  ];
  const noPool = ['', '', '', '', ''];
  const zones = [csvLine(['zone_id', 'region_code', 'inspector_id', 'school_id'])];
  const byKind = Object.fromEntries(kindMix.map(([k]) => [k, 0])) as Record<SchoolKind, number>;
  let inspectorCount = 0;
  let expertCount = 0;
  let zoneCount = 0;

  counties.forEach((county, c) => {
    const towns = childrenOf(county.code);
    const ids: string[] = [];
    for (let n = 0; n < perCounty[c]!; n++) {
      const kind = pickKind(rand());
      const town = towns[n % towns.length]!;
      // Unique nationwide: the county code and a 4-digit number.
      const id = `${county.code}${String(n + 1).padStart(4, '0')}`;
      const students =
        kind === 'kindergarten' ? 80 + Math.floor(rand() * 400) : 300 + Math.floor(rand() * 2500);
      const year = 2019 + Math.floor(rand() * 7);
      const month = String(1 + Math.floor(rand() * 12)).padStart(2, '0');
      schools.push(
        csvLine([
          id,
          `${town.name}${pick(kindSuffix[kind])}${n >= towns.length ? `（${Math.floor(n / towns.length) + 1}）` : ''}`,
          kind,
          county.code,
          town.code,
          rand() < 0.85 ? 'public' : 'private',
          students,
          Math.max(8, Math.round(students / (kind === 'kindergarten' ? 12 : 14))),
          person(),
          `${year}-${month}-01`,
        ]),
      );
      byKind[kind]++;
      ids.push(id);
    }
    const zoneTotal = Math.ceil(ids.length / zoneSize);
    for (let z = 0; z < zoneTotal; z++) {
      const inspectorId = `I${county.code}${String(z + 1).padStart(3, '0')}`;
      const zoneId = `Z${county.code}${String(z + 1).padStart(3, '0')}`;
      inspectors.push(
        csvLine([
          inspectorId,
          person(),
          'responsible',
          county.code,
          `13${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`,
          ...noPool,
        ]),
      );
      for (const schoolId of ids.slice(z * zoneSize, (z + 1) * zoneSize))
        zones.push(csvLine([zoneId, county.code, inspectorId, schoolId]));
    }
    // The pool: specialties (list in one cell, 、-separated), home school, availability, conflicts.
    const poolCells = (kind: string, n: number): string[] => {
      if (kind === 'full_time')
        return [fullTimeSpecialties[n]!.map((s) => specialtyLabels[s]).join('、'), '', '', '', ''];
      const own = new Set<Specialty>(expertLeads[n]!);
      if (poolRand() < 0.5) own.add(poolPick(allSpecialties));
      const home = ids.length > 0 && poolRand() < 0.8 ? poolPick(ids) : '';
      const conflicts = new Set<string>();
      if (ids.length > 0 && poolRand() < 0.3)
        for (let k = 1 + Math.floor(poolRand() * 2); k > 0; k--) conflicts.add(poolPick(ids));
      conflicts.delete(home);
      const away = poolRand() < 0.08;
      const until =
        away && poolRand() < 0.5 ? `2026-${String(3 + Math.floor(poolRand() * 9)).padStart(2, '0')}-01` : '';
      return [
        [...own].map((s) => specialtyLabels[s]).join('、'),
        home,
        away ? '否' : '是',
        until,
        [...conflicts].join('、'),
      ];
    };
    const staff: [string, string, number][] = [
      ['F01', 'full_time', 0],
      ['F02', 'full_time', 1],
      ['E01', 'expert', 0],
    ];
    for (const [suffix, kind, n] of staff) {
      inspectors.push(
        csvLine([
          `I${county.code}${suffix}`,
          person(),
          kind,
          county.code,
          `13${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`,
          ...poolCells(kind, n),
        ]),
      );
    }
    // More experts, from the pool's own stream (names and phones too).
    const moreExperts = expertLeads.length - 1;
    for (let n = 1; n <= moreExperts; n++) {
      inspectors.push(
        csvLine([
          `I${county.code}E${String(n + 1).padStart(2, '0')}`,
          poolPick(surnames.split('')) + poolPick(given),
          'expert',
          county.code,
          `13${String(Math.floor(poolRand() * 1e9)).padStart(9, '0')}`,
          ...poolCells('expert', n),
        ]),
      );
    }
    inspectorCount += zoneTotal + staff.length + moreExperts;
    expertCount += 1 + moreExperts;
    zoneCount += zoneTotal;
  });

  return {
    schools: `${schools.join('\r\n')}\r\n`,
    inspectors: `${inspectors.join('\r\n')}\r\n`,
    zones: `${zones.join('\r\n')}\r\n`,
    counts: {
      schools: opts.schools,
      inspectors: inspectorCount,
      experts: expertCount,
      zones: zoneCount,
      byKind,
    },
  };
};
