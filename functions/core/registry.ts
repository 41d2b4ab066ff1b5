import { z } from 'zod';
import { findRegion, isCityDirect, isCounty, isTownOf } from './regions.ts';

/**
 * Who is supervised and who supervises: schools, inspectors and responsibility
 * zones (责任区), and how spreadsheet rows become them.
 */
export const schoolKinds = [
  'kindergarten',
  'primary',
  'junior',
  'senior',
  'nine_year',
  'twelve_year',
  'vocational',
  'special',
] as const;
export type SchoolKind = (typeof schoolKinds)[number];

export const schoolKindLabels: Record<SchoolKind, string> = {
  kindergarten: '幼儿园',
  primary: '小学',
  junior: '初中',
  senior: '高中',
  nine_year: '九年一贯制',
  twelve_year: '十二年一贯制',
  vocational: '中职',
  special: '特殊教育',
};

export const ownerships = ['public', 'private'] as const;
export const ownershipLabels: Record<(typeof ownerships)[number], string> = {
  public: '公办',
  private: '民办',
};

export const inspectorKinds = ['responsible', 'full_time', 'expert'] as const;
export type InspectorKind = (typeof inspectorKinds)[number];
export const inspectorKindLabels: Record<(typeof inspectorKinds)[number], string> = {
  responsible: '责任督学',
  full_time: '专职督学',
  expert: '督导评估专家',
};

/**
 * What an inspector or expert is qualified to judge (专业领域): the stages of
 * schooling, plus the cross-cutting fields the seeds' evaluations ask for
 * (finance, safety, curriculum; school management for principals' end-of-term
 * reviews and kindergartens' internal management).
 */
export const specialties = [
  'preschool',
  'compulsory',
  'senior_high',
  'vocational',
  'special',
  'finance',
  'safety',
  'curriculum',
  'management',
] as const;
export type Specialty = (typeof specialties)[number];

export const specialtyLabels: Record<Specialty, string> = {
  preschool: '学前教育',
  compulsory: '义务教育',
  senior_high: '普通高中',
  vocational: '职业教育',
  special: '特殊教育',
  finance: '财务',
  safety: '安全',
  curriculum: '课程教学',
  management: '学校管理',
};

/** Schools one inspector may declare a conflict of interest with (回避学校). */
export const maxDeclaredConflicts = 50;

/** Zones of more than this many schools are reported (the norm is ≤ 20). */
export const zoneSchoolLimit = 20;

const countyCode = z
  .string()
  .regex(/^\d{6}$/, 'must be a 6-digit county code')
  .refine(isCounty, 'is not a county in GB/T 2260');

export const schoolSchema = z
  .object({
    id: z.string().regex(/^\d{10}$/, 'must be the 10-digit national school code'),
    name: z.string().trim().min(1, 'is required').max(200),
    kind: z.enum(schoolKinds),
    ownership: z.enum(ownerships),
    regionCode: countyCode,
    townCode: z.string().regex(/^\d{9}$/, 'must be a 9-digit town code'),
    students: z.number().int().nonnegative(),
    teachers: z.number().int().nonnegative(),
    principalName: z.string().trim().min(1, 'is required').max(100),
    principalTermStart: z.iso.date('must be a date (YYYY-MM-DD)'),
    groupId: z.string().max(64).optional(),
  })
  .refine(
    (s) =>
      !isCounty(s.regionCode) ||
      (isCityDirect(s.regionCode)
        ? // A city-direct school (市直) lies in a town of one of its city's counties.
          s.townCode.startsWith(s.regionCode.slice(0, 4)) && findRegion(s.townCode)?.level === 'town'
        : isTownOf(s.townCode, s.regionCode)),
    {
      path: ['townCode'],
      params: { zh: '不是所填区县的乡镇（市直学校：不是所填城市的乡镇）' },
      message: 'is not a town of the given county (of the given city, for a city-direct school)',
    },
  );
export type School = z.infer<typeof schoolSchema>;

const schoolCode = z.string().regex(/^\d{10}$/, 'must be the 10-digit national school code');

/**
 * An inspector of any kind; the expert pool (专家库) is the inspectors with
 * specialties. `available: false` takes one out of every draw, until
 * `unavailableUntil` if given (on leave until that day) or for good.
 */
export const inspectorSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, - or _'),
    name: z.string().trim().min(1, 'is required').max(100),
    kind: z.enum(inspectorKinds),
    regionCode: countyCode,
    phone: z.string().regex(/^1\d{10}$/, 'must be an 11-digit mobile number'),
    specialties: z
      .array(z.enum(specialties))
      .max(specialties.length)
      .refine((list) => new Set(list).size === list.length, 'names a specialty twice')
      .default([]),
    /** The school the inspector works at (a teacher, a principal), if any. */
    homeSchoolId: schoolCode.optional(),
    available: z.boolean().default(true),
    unavailableUntil: z.iso.date('must be a date (YYYY-MM-DD)').optional(),
    /** Schools the inspector declared a conflict of interest with: never drawn for them. */
    conflicts: z
      .array(schoolCode)
      .max(maxDeclaredConflicts, `at most ${maxDeclaredConflicts} schools`)
      .refine((list) => new Set(list).size === list.length, 'names a school twice')
      .default([]),
  })
  .refine((i) => i.unavailableUntil === undefined || !i.available, {
    path: ['unavailableUntil'],
    params: { zh: '仅用于不可用的督学（是否可用：否）' },
    message: 'is only for an inspector who is not available (是否可用: 否)',
  });
export type Inspector = z.infer<typeof inspectorSchema>;

/** Whether an inspector can be drawn for work on `day` (YYYY-MM-DD). */
export const availableOn = (
  inspector: Pick<Inspector, 'available' | 'unavailableUntil'>,
  day: string,
): boolean =>
  inspector.available !== false ||
  (inspector.unavailableUntil !== undefined && day >= inspector.unavailableUntil);

/** One spreadsheet row of a zone file: one school's membership. */
export const zoneMembershipSchema = z.object({
  zoneId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, - or _'),
  regionCode: countyCode,
  inspectorId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, - or _'),
  schoolId: z.string().regex(/^\d{10}$/, 'must be the 10-digit national school code'),
});
export type ZoneMembership = z.infer<typeof zoneMembershipSchema>;

/** School groups (集团化办学) and alliances (联盟): schools led by one of them. */
export const groupKinds = ['group', 'alliance'] as const;
export type GroupKind = (typeof groupKinds)[number];
export const groupKindLabels: Record<GroupKind, string> = { group: '集团', alliance: '联盟' };

/**
 * One spreadsheet row of a groups file: one school's membership of a group,
 * with the group's name, kind and lead school (the same on every row of the
 * group). The lead is a member too (it has its own row); `regionCode` is the
 * lead school's county, under which the group is read.
 */
export const groupMembershipSchema = z.object({
  groupId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, - or _'),
  name: z.string().trim().min(1, 'is required').max(200),
  kind: z.enum(groupKinds),
  regionCode: countyCode,
  leadSchoolId: schoolCode,
  schoolId: schoolCode,
});
export type GroupMembership = z.infer<typeof groupMembershipSchema>;

export interface Group {
  readonly groupId: string;
  readonly name: string;
  readonly kind: GroupKind;
  /** County of the lead school: the group is read and targeted there. */
  readonly regionCode: string;
  readonly leadSchoolId: string;
  /** Every member, the lead included, by id. */
  readonly memberSchoolIds: readonly string[];
}

export interface Zone {
  readonly id: string;
  readonly regionCode: string;
  readonly inspectorId: string;
  readonly schoolIds: readonly string[];
}

export const regionName = (code: string): string | undefined => findRegion(code)?.name;
