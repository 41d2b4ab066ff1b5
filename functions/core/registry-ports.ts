import type { PrincipalTerm } from './principals.ts';
import type { Group, Inspector, InspectorKind, School, SchoolKind, Specialty, Zone } from './registry.ts';

export interface Page<T> {
  readonly items: T[];
  /** Present when there is more: pass it back as `cursor`. */
  readonly cursor?: string;
}

/** Counts kept per county and summed upwards (recomputed by every import). */
export interface CountyStats {
  readonly countyCode: string;
  readonly schools: Partial<Record<SchoolKind, number>>;
  readonly inspectors: number;
  /** Per town (9 digits): the responsible inspectors whose zones hold a school of it. */
  readonly towns?: Readonly<Record<string, number>>;
}

export interface SchoolQuery {
  /** Counties to read, in order (a city or province expands to its counties). */
  readonly counties: readonly string[];
  /** Only schools of this town (9-digit code). */
  readonly townCode?: string;
  readonly kind?: SchoolKind;
  /** Substring of the school's name. */
  readonly nameContains?: string;
  /** Only schools never evaluated or last evaluated before this day (`lastEvaluatedOn`, YYYY-MM-DD). */
  readonly evaluatedBefore?: string;
  readonly cursor?: string;
  readonly limit: number;
}

export interface InspectorQuery {
  /** Counties to read, in order (a city or province expands to its counties). */
  readonly counties: readonly string[];
  readonly kind?: InspectorKind;
  /** Only inspectors with this specialty (the expert pool). */
  readonly specialty?: Specialty;
  /** Only those who are (`value: true`) or are not available on the day `on` (see `availableOn`). */
  readonly available?: { readonly value: boolean; readonly on: string };
  readonly cursor?: string;
  readonly limit: number;
}

export interface GroupQuery {
  /** Counties to read, in order: groups are kept under their lead school's county. */
  readonly counties: readonly string[];
  readonly cursor?: string;
  readonly limit: number;
}

export interface TermQuery {
  /** A province (2 digits), city (4) or county (6). */
  readonly region: string;
  /** Only terms planned to end before this day (YYYY-MM-DD). */
  readonly endsBefore?: string;
  readonly cursor?: string;
  readonly limit: number;
}

/** Port: where the registry is stored (DynamoDB in practice). */
export interface RegistryStore {
  getSchool(id: string): Promise<School | undefined>;
  getInspector(id: string): Promise<Inspector | undefined>;
  getZone(id: string): Promise<Zone | undefined>;
  /** The zone a school belongs to, if any. */
  zoneOfSchool(schoolId: string): Promise<{ zoneId: string; inspectorId: string } | undefined>;
  zonesOfInspector(inspectorId: string): Promise<Zone[]>;
  listSchools(query: SchoolQuery): Promise<Page<School>>;
  listInspectors(query: InspectorQuery): Promise<Page<Inspector>>;
  /** Stats of every county whose code starts with the prefix. */
  countyStats(codePrefix: string): Promise<CountyStats[]>;
  /** Recounts one county from the stored schools and inspectors. */
  recountCounty(countyCode: string): Promise<CountyStats>;
  countSchoolsInTown(townCode: string): Promise<Partial<Record<SchoolKind, number>>>;
  /** Current principal terms of a region, by planned end (then school id). */
  currentTerms(query: TermQuery): Promise<Page<PrincipalTerm>>;
  /** Every term of a school, latest start first. */
  termsOfSchool(schoolId: string): Promise<PrincipalTerm[]>;
  /** A school group (集团/联盟) with its members. */
  getGroup(id: string): Promise<Group | undefined>;
  /** The group a school is a member of, if any. */
  groupOfSchool(schoolId: string): Promise<string | undefined>;
  /** Groups whose lead school lies in the given counties, by county then id. */
  listGroups(query: GroupQuery): Promise<Page<Group>>;
}
