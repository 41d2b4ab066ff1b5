import { describe, expect, it } from 'vitest';
import type { Actor } from '#core/actor';
import { campaignInputSchema, drawSample, selectTargets, type Target } from '#core/campaign';
import type { CountyProgress } from '#core/campaign-service';
import {
  type ImportTarget,
  prepareRows,
  type SaveRecord,
  type StoredEntity,
  upsertBatch,
} from '#core/import-service';
import type { Inspection } from '#core/inspection';
import { reEvaluationPopulation } from '#core/launch/plan';
import type { LaunchPorts } from '#core/launch/ports';
import { performerOf } from '#core/lifecycle';
import { deviationOf, reEvaluationRow } from '#core/re-evaluation';
import { childrenOf, cityDirectCode, countiesUnder, findRegion, isCityDirect } from '#core/regions';
import type { School } from '#core/registry';
import { builtInTemplates } from '#core/templates/index';

const template = (id: string) => builtInTemplates.find((t) => t.id === id)!;
const groupHeader = ['group_id', 'group_name', 'group_kind', 'region_code', 'lead_school_id', 'school_id'];
const row = (group: string, lead: string, school: string, name = '梁丰教育集团', kind = '集团') => [
  group,
  name,
  kind,
  '320582',
  lead,
  school,
];

describe('groups import: file-level rules (prepareRows)', () => {
  it('accepts one row per member, the lead with its own row; Chinese kinds become codes', () => {
    const prepared = prepareRows(
      'groups',
      [groupHeader, row('G1', '3205820001', '3205820001'), row('G1', '3205820001', '3205820002')],
      '3205',
    );
    expect(prepared.rejected).toEqual([]);
    expect(prepared.batches[0]?.map((r) => r.entity)).toEqual([
      {
        groupId: 'G1',
        name: '梁丰教育集团',
        kind: 'group',
        regionCode: '320582',
        leadSchoolId: '3205820001',
        schoolId: '3205820001',
      },
      expect.objectContaining({ schoolId: '3205820002', kind: 'group' }),
    ]);
  });

  it('refuses a school in two groups, a group described two ways and a lead without its own row', () => {
    const prepared = prepareRows(
      'groups',
      [
        groupHeader,
        row('G1', '3205820001', '3205820001'),
        row('G1', '3205820001', '3205820002'),
        // 0002 again, in another group: one group per school.
        row('G2', '3205820003', '3205820002', '港城联盟', '联盟'),
        row('G2', '3205820003', '3205820003', '港城联盟', '联盟'),
        // G1 named differently on a later row.
        row('G1', '3205820001', '3205820004', '另一个名字'),
        // G3's lead 0009 has no row of its own.
        row('G3', '3205820009', '3205820005', '沙洲联盟', 'alliance'),
        // A kind that is neither.
        row('G4', '3205820006', '3205820006', '某集团', '共同体'),
      ],
      '3205',
    );
    expect([...prepared.rejected].sort((a, b) => a.row - b.row)).toMatchObject([
      {
        row: 4,
        column: 'school_id',
        message: 'school 3205820002 is already listed for a group: first seen in row 3',
      },
      { row: 6, column: 'group_name', message: 'group G1 was given group_name 梁丰教育集团 in row 2' },
      expect.objectContaining({ row: 7, column: 'lead_school_id' }),
      expect.objectContaining({ row: 8, column: 'group_kind' }),
    ]);
    expect(prepared.batches.flat().map((r) => r.row)).toEqual([2, 3, 5]);
  });

  it('refuses rows of a county outside the office', () => {
    const prepared = prepareRows('groups', [groupHeader, row('G1', '3205820001', '3205820001')], '320583');
    expect(prepared.rejected).toMatchObject([
      { row: 2, column: 'region_code', message: 'region 320582 is outside your scope (320583)' },
    ]);
  });
});

describe('groups import: rows against the registry (upsertBatch)', () => {
  const school = (id: string, regionCode: string) =>
    ({ id, regionCode, townCode: `${regionCode}001`, kind: 'primary' }) as School;
  const fakeTarget = (stored: Map<string, StoredEntity>) => {
    const saved: SaveRecord[] = [];
    const heads: unknown[] = [];
    const schools = new Map(
      [school('3205820001', '320582'), school('3205820002', '320582'), school('3205830001', '320583')].map(
        (s) => [s.id, s],
      ),
    );
    const target: ImportTarget = {
      load: async () => stored,
      keyOf: (_kind, e) => String(e.schoolId),
      save: async (_kind, records) => {
        saved.push(...records);
      },
      references: async (ids) => ({
        schools: new Map(ids.flatMap((id) => (schools.has(id) ? [[id, schools.get(id)!]] : []))),
        inspectors: new Map(),
      }),
      saveZones: async () => {},
      saveGroups: async (groups) => {
        heads.push(...groups);
      },
      loadTerms: async () => new Map(),
      saveTerms: async () => {},
    };
    return { target, saved, heads };
  };
  const entity = (school: string, lead = '3205820001', regionCode = '320582', groupId = 'G1') => ({
    groupId,
    name: '梁丰教育集团',
    kind: 'group',
    regionCode,
    leadSchoolId: lead,
    schoolId: school,
  });

  it('stores members that exist and the group head; refuses unknown schools, a lead of another county and members of another group', async () => {
    const stored = new Map<string, StoredEntity>([
      ['3205820002', { entity: entity('3205820002', '3205830001', '320583', 'G9'), createdByImport: 'old' }],
    ]);
    const { target, saved, heads } = fakeTarget(stored);
    const result = await upsertBatch(target, {
      importId: 'imp',
      kind: 'groups',
      scope: '3205',
      batch: 1,
      rows: [
        { row: 2, entity: entity('3205820001') },
        // Already a member of G9.
        { row: 3, entity: entity('3205820002') },
        // Not in the registry.
        { row: 4, entity: entity('3205829999') },
        // Its lead lies in 320583, not in the county the row gives.
        { row: 5, entity: entity('3205830001', '3205830001', '320582', 'G2') },
      ],
    });
    expect(result.counts).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 3 });
    expect(result.rejected.map((e) => [e.row, e.column])).toEqual([
      [4, 'school_id'],
      [5, 'region_code'],
      [3, 'school_id'],
    ]);
    expect(result.rejected.find((e) => e.row === 3)?.message).toBe(
      'school 3205820002 already belongs to group G9',
    );
    expect(saved.map((r) => r.entity.schoolId)).toEqual(['3205820001']);
    expect(heads).toEqual([
      { id: 'G1', name: '梁丰教育集团', kind: 'group', regionCode: '320582', leadSchoolId: '3205820001' },
    ]);
    // Groups change no county's counts.
    expect(result.counties).toEqual([]);
  });
});

describe('group targets', () => {
  it('gives one target per group, in its lead school’s county, answered by the lead school', () => {
    const targets = selectTargets(
      template('group-schooling'),
      { window: { start: '2026-09-01', end: '2026-12-31' } },
      [],
      new Map(),
      [
        { groupId: 'G2', name: '港城联盟', regionCode: '320582', leadSchoolId: '3205820003' },
        { groupId: 'G1', name: '梁丰教育集团', regionCode: '320582', leadSchoolId: '3205820001' },
      ],
    );
    expect(targets).toEqual([
      { id: 'G1', regionCode: '320582', name: '梁丰教育集团', partyId: '3205820001' },
      { id: 'G2', regionCode: '320582', name: '港城联盟', partyId: '3205820003' },
    ]);
  });

  it('lets the lead school act on its group’s inspection, and no other member', () => {
    const inspection = { targetId: 'G1', partyId: '3205820001', regionCode: '320582' };
    const lead: Actor = { subject: 'l', role: 'school', scope: '3205820001' };
    const member: Actor = { subject: 'm', role: 'school', scope: '3205820002' };
    expect(performerOf(lead, inspection)).toBe('party');
    expect(performerOf(member, inspection)).toBeUndefined();
    // Without a party, the target is the school, as before.
    expect(performerOf(member, { targetId: '3205820002', regionCode: '320582' })).toBe('party');
  });
});

describe('city-direct schools (市直)', () => {
  const schoolHeader = [
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
  ];
  const cityRow = (town: string) => [
    '3205000001',
    '苏州市第一中学',
    'senior',
    '3205',
    town,
    'public',
    '2400',
    '200',
    '周校长',
    '2022-09-01',
  ];

  it('maps a city code given as region to the pseudo-county <city>00, under the city, named 市直', () => {
    expect(cityDirectCode('3205')).toBe('320500');
    expect(isCityDirect('320500')).toBe(true);
    expect(isCityDirect('320582')).toBe(false);
    expect(findRegion('320500')).toEqual({
      code: '320500',
      name: '市直',
      level: 'county',
      parentCode: '3205',
    });
    expect(childrenOf('3205').map((c) => c.code)).toContain('320500');
    expect(countiesUnder('32').map((c) => c.code)).toContain('320500');
    // Dongguan has no counties: 441900 is the city itself, not a pseudo-county.
    expect(isCityDirect('441900')).toBe(false);
    expect(findRegion('441900')?.name).toBe('东莞市');

    const prepared = prepareRows('schools', [schoolHeader, cityRow('320508017')], '3205');
    expect(prepared.rejected).toEqual([]);
    expect(prepared.batches[0]?.[0]?.entity).toMatchObject({ regionCode: '320500', townCode: '320508017' });
  });

  it('refuses a city-direct school in a town of another city, and a county office importing one', () => {
    expect(prepareRows('schools', [schoolHeader, cityRow('320281001')], '3205').rejected).toMatchObject([
      expect.objectContaining({ row: 2, column: 'town_code' }),
    ]);
    expect(prepareRows('schools', [schoolHeader, cityRow('320582001')], '320582').rejected).toMatchObject([
      { row: 2, column: 'region_code', message: 'region 320500 is outside your scope (320582)' },
    ]);
  });

  it('is targeted by school-performance only, and is no county of county-level templates', () => {
    const window = { window: { start: '2026-09-01', end: '2026-12-31' } };
    const candidate = (id: string, regionCode: string, kind = 'senior') => ({
      id,
      kind,
      regionCode,
      townCode: regionCode === '320500' ? '320508017' : `${regionCode}001`,
      name: id,
      principalTermStart: '2022-09-01',
    });
    const schools = [
      candidate('3205000001', '320500'),
      candidate('3205820001', '320582', 'primary'),
      candidate('3205000002', '320500', 'primary'),
    ];
    expect(selectTargets(template('school-performance'), window, schools).map((t) => t.id)).toEqual([
      '3205000001',
      '3205000002',
    ]);
    // teacher-salary's counties: 320582 only, though 320500 has a primary school too.
    expect(selectTargets(template('teacher-salary'), window, schools).map((t) => t.id)).toEqual(['320582']);
  });
});

describe('the kindergarten re-evaluation', () => {
  const graded = (county: string, n: number, campaignId: string): Target[] =>
    Array.from({ length: n }, (_, i) => {
      const id = `${county}${String(i).padStart(4, '0')}`;
      return {
        id,
        regionCode: county,
        name: id,
        basedOn: {
          campaignId,
          inspectionId: `${campaignId}-${id}`,
          grade: i % 3 === 0 ? 'good' : 'excellent',
          reportedOn: '2026-10-01',
        },
      };
    });

  it('takes as population what the county campaigns graded, and draws 10 % per county reproducibly', async () => {
    const campaigns: Record<string, { scope: string }> = { A: { scope: '320582' }, B: { scope: '320583' } };
    const ports = {
      campaigns: { get: async (id: string) => campaigns[id] },
      gradedTargets: async (campaignId: string, county: string) =>
        campaigns[campaignId]!.scope === county
          ? graded(county, campaignId === 'A' ? 25 : 8, campaignId)
          : [],
    } as unknown as LaunchPorts;
    const population = await reEvaluationPopulation(ports, ['A', 'B']);
    expect(population).toHaveLength(33);
    expect(population.find((t) => t.id === '3205830003')?.basedOn).toEqual({
      campaignId: 'B',
      inspectionId: 'B-3205830003',
      grade: 'good',
      reportedOn: '2026-10-01',
    });
    const sample = drawSample(population, 10, 'seed-1');
    // ceil(25 × 10 %) + ceil(8 × 10 %)
    expect(sample.filter((t) => t.regionCode === '320582')).toHaveLength(3);
    expect(sample.filter((t) => t.regionCode === '320583')).toHaveLength(1);
    expect(drawSample(population, 10, 'seed-1')).toEqual(sample);
    expect(drawSample(population, 10, 'seed-2').map((t) => t.id)).not.toEqual(sample.map((t) => t.id));
  });

  it('puts the county’s grade next to the city’s and gives each county the share that differ', () => {
    const inspection = (grade: string | undefined, cityGrade?: 'good' | 'excellent') =>
      ({
        id: 'C-3205820001',
        targetId: '3205820001',
        targetName: '金港幼儿园',
        regionCode: '320582',
        basedOn: { campaignId: 'A', inspectionId: 'A-3205820001', grade, reportedOn: '2026-10-01' },
        ...(cityGrade ? { report: { grade: cityGrade } } : {}),
      }) as unknown as Inspection;
    expect(reEvaluationRow(inspection('good', 'excellent'))).toMatchObject({
      countyName: '张家港市',
      countyGrade: 'good',
      countyInspectionId: 'A-3205820001',
      cityGrade: 'excellent',
      differs: true,
    });
    expect(reEvaluationRow(inspection('good', 'good')).differs).toBe(false);
    expect(reEvaluationRow(inspection('good')).differs).toBeNull();

    const county = (counters: Record<string, number>): CountyProgress => ({
      countyCode: '320582',
      targets: 3,
      byStatus: {},
      counters,
    });
    expect(deviationOf(county({ rv_compared: 3, rv_differ: 1 }))).toEqual({
      countyCode: '320582',
      countyName: '张家港市',
      sampled: 3,
      compared: 3,
      differing: 1,
      differingShare: 33.33,
    });
    expect(deviationOf(county({})).differingShare).toBeNull();
  });

  it('is a campaign input that names its county campaigns once each', () => {
    const input = {
      templateId: 'kindergarten-evaluation',
      title: '市级复评',
      scope: '3205',
      window: { start: '2026-09-01', end: '2026-12-31' },
    };
    expect(campaignInputSchema.safeParse({ ...input, basedOn: ['A', 'B'] }).success).toBe(true);
    const twice = campaignInputSchema.safeParse({ ...input, basedOn: ['A', 'A'] });
    expect(twice.error?.issues).toEqual([
      expect.objectContaining({ path: ['basedOn', 1], message: 'campaign A is named twice' }),
    ]);
    expect(campaignInputSchema.safeParse({ ...input, basedOn: [] }).success).toBe(false);
  });
});
