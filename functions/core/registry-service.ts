import { type Actor, isAdmin, regionInScope } from './actor.ts';
import { ForbiddenError, NotFoundError, say } from './errors.ts';
import type { PrincipalTerm } from './principals.ts';
import { ancestorsOf, childrenOf, countiesUnder, findRegion, type Region } from './regions.ts';
import {
  availableOn,
  type Group,
  type Inspector,
  type InspectorKind,
  type School,
  type SchoolKind,
  type Specialty,
  type Zone,
} from './registry.ts';
import type { CountyStats, Page, RegistryStore } from './registry-ports.ts';

/**
 * Reading the registry. Every read checks the caller's scope: admins and
 * auditors see their region; an inspector sees their zones' schools; a school
 * sees itself. Anything outside reads as "not found".
 */
const readsRegions = (actor: Actor) => isAdmin(actor) || actor.role === 'auditor';

export type PublicInspector = Omit<Inspector, 'phone' | 'conflicts'> & {
  phone?: string;
  conflicts?: string[];
};

export interface InspectorFilter {
  kind?: InspectorKind;
  specialty?: Specialty;
  /** Available today (China's calendar day), or not. */
  available?: boolean;
}

/** Kindergartens are evaluated every five years (按照5年一个评估周期). */
export const kindergartenCycleYears = 5;

/** Today in China (UTC+8), the day availability is judged on. */
const chinaToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

export const createRegistryService = (store: RegistryStore) => {
  const schoolVisible = async (actor: Actor, school: School): Promise<boolean> => {
    if (readsRegions(actor)) return regionInScope(actor, school.regionCode);
    if (actor.role === 'school') return school.id === actor.scope;
    if (actor.role === 'inspector') return (await store.zoneOfSchool(school.id))?.inspectorId === actor.scope;
    return false;
  };

  /** Schools never see inspectors' phone numbers, nor which schools they declared conflicts with. */
  const present = (actor: Actor, stored: Inspector): PublicInspector => {
    // Inspectors imported before the expert pool existed have none of its fields.
    const inspector: Inspector = {
      ...stored,
      specialties: stored.specialties ?? [],
      available: stored.available ?? true,
      conflicts: stored.conflicts ?? [],
    };
    if (actor.role !== 'school') return inspector;
    const { phone: _hidden, conflicts: _declared, ...rest } = inspector;
    return rest;
  };

  const regionOrNotFound = (actor: Actor, code: string): Region => {
    const region = findRegion(code);
    if (!region || !regionInScope(actor, code))
      throw new NotFoundError(say(`未找到区划 ${code}。`, `Region ${code} not found.`));
    return region;
  };

  const sumStats = (stats: readonly CountyStats[]) => {
    const schools: Partial<Record<SchoolKind, number>> = {};
    let inspectors = 0;
    for (const s of stats) {
      for (const [kind, n] of Object.entries(s.schools) as [SchoolKind, number][])
        schools[kind] = (schools[kind] ?? 0) + n;
      inspectors += s.inspectors;
    }
    const total = Object.values(schools).reduce((a, b) => a + (b ?? 0), 0);
    return { schools: { total, byKind: schools }, inspectors };
  };

  return {
    async region(actor: Actor, code: string) {
      if (!readsRegions(actor))
        throw new ForbiddenError(
          say(
            '区划统计仅供督导机构和审计人员查阅。',
            'Region statistics are for supervision offices and auditors.',
          ),
        );
      const region = regionOrNotFound(actor, code);
      const children = childrenOf(code);
      if (region.level === 'town') {
        const [byKind, [county]] = await Promise.all([
          store.countSchoolsInTown(code),
          store.countyStats(code.slice(0, 6)),
        ]);
        const total = Object.values(byKind).reduce((a, b) => a + (b ?? 0), 0);
        return {
          ...region,
          parents: ancestorsOf(code),
          children,
          // Kept per town by the county's recount: the responsible inspectors whose zones hold a school here.
          counts: { schools: { total, byKind }, inspectors: county?.towns?.[code] ?? 0 },
        };
      }
      const stats = await store.countyStats(code);
      const childCounts =
        region.level === 'county'
          ? undefined
          : children.map((c) => ({
              ...c,
              counts: sumStats(stats.filter((s) => s.countyCode.startsWith(c.code))),
            }));
      return {
        ...region,
        parents: ancestorsOf(code),
        children: childCounts ?? children,
        counts: sumStats(stats),
      };
    },

    async school(actor: Actor, id: string): Promise<School> {
      const school = await store.getSchool(id);
      if (!school || !(await schoolVisible(actor, school)))
        throw new NotFoundError(say(`未找到学校 ${id}。`, `School ${id} not found.`));
      return school;
    },

    async schools(
      actor: Actor,
      query: { region?: string; kind?: SchoolKind; q?: string; cursor?: string; limit: number },
    ): Promise<Page<School>> {
      if (actor.role === 'school') {
        const own = await store.getSchool(actor.scope);
        return { items: own && matches(own, query) ? [own] : [] };
      }
      if (actor.role === 'inspector') {
        const zones = await store.zonesOfInspector(actor.scope);
        const ids = zones.flatMap((z) => z.schoolIds);
        const schools = (await Promise.all(ids.map((id) => store.getSchool(id)))).filter(
          (s): s is School => s !== undefined && matches(s, query),
        );
        return { items: schools.sort((a, b) => a.id.localeCompare(b.id)) };
      }
      const code = query.region ?? actor.scope;
      const region = regionOrNotFound(actor, code);
      return store.listSchools({
        counties: countiesUnder(code).map((c) => c.code),
        ...(region.level === 'town' ? { townCode: code } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.q ? { nameContains: query.q } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
    },

    async inspector(actor: Actor, id: string) {
      const inspector = await store.getInspector(id);
      const visible =
        inspector &&
        (readsRegions(actor)
          ? regionInScope(actor, inspector.regionCode)
          : actor.role === 'inspector'
            ? inspector.id === actor.scope
            : (await store.zoneOfSchool(actor.scope))?.inspectorId === inspector.id);
      if (!inspector || !visible)
        throw new NotFoundError(say(`未找到督学 ${id}。`, `Inspector ${id} not found.`));
      const zones = await store.zonesOfInspector(id);
      const zoneSchools =
        actor.role === 'school'
          ? []
          : (await Promise.all(zones.flatMap((z) => z.schoolIds).map((s) => store.getSchool(s)))).filter(
              (s): s is School => s !== undefined,
            );
      // A school learns which zone it is in, never which other schools share it.
      const shownZones =
        actor.role === 'school' ? zones.map((z) => ({ ...z, schoolIds: [actor.scope] })) : zones;
      return { ...present(actor, inspector), zones: shownZones, schools: zoneSchools };
    },

    async inspectors(
      actor: Actor,
      query: InspectorFilter & { region?: string; cursor?: string; limit: number },
    ) {
      const today = chinaToday();
      if (actor.role === 'inspector' || actor.role === 'school') {
        const id =
          actor.role === 'inspector' ? actor.scope : (await store.zoneOfSchool(actor.scope))?.inspectorId;
        const own = id ? await store.getInspector(id) : undefined;
        return {
          items: own && inspectorMatches(own, query, today) ? [present(actor, own)] : [],
        };
      }
      const code = query.region ?? actor.scope;
      regionOrNotFound(actor, code);
      const page = await store.listInspectors({
        counties: countiesUnder(code).map((c) => c.code),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.specialty ? { specialty: query.specialty } : {}),
        ...(query.available !== undefined ? { available: { value: query.available, on: today } } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
      return { ...page, items: page.items.map((i) => present(actor, i)) };
    },

    /**
     * GET /principals: the current principals' terms of a region (any level
     * down to the county), by planned end, optionally only those planned to end
     * before a day; or, for one school, its whole history of terms.
     */
    async principals(
      actor: Actor,
      query: { region?: string; termEndsBefore?: string; school?: string; cursor?: string; limit: number },
    ): Promise<Page<PrincipalTerm>> {
      if (!readsRegions(actor))
        throw new ForbiddenError(
          say(
            '校长任期信息仅供督导机构和审计人员查阅。',
            "Principals' terms are for supervision offices and auditors.",
          ),
        );
      if (query.school) {
        const school = await store.getSchool(query.school);
        if (!school || !regionInScope(actor, school.regionCode))
          throw new NotFoundError(say(`未找到学校 ${query.school}。`, `School ${query.school} not found.`));
        if (query.region && !school.regionCode.startsWith(query.region))
          throw new NotFoundError(
            say(
              `区划 ${query.region} 中未找到学校 ${query.school}。`,
              `School ${query.school} not found in region ${query.region}.`,
            ),
          );
        const terms = await store.termsOfSchool(query.school);
        return {
          items: query.termEndsBefore ? terms.filter((t) => t.plannedEnd < query.termEndsBefore!) : terms,
        };
      }
      const code = query.region ?? actor.scope;
      regionOrNotFound(actor, code);
      return store.currentTerms({
        region: code,
        ...(query.termEndsBefore ? { endsBefore: query.termEndsBefore } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
    },

    /**
     * One school group (集团/联盟): offices and auditors over its lead school's
     * region read it, and so does each of its member schools.
     */
    async group(actor: Actor, id: string): Promise<Group> {
      const group = await store.getGroup(id);
      const visible =
        group &&
        (readsRegions(actor)
          ? regionInScope(actor, group.regionCode)
          : actor.role === 'school' && group.memberSchoolIds.includes(actor.scope));
      if (!group || !visible) throw new NotFoundError(say(`未找到集团 ${id}。`, `Group ${id} not found.`));
      return group;
    },

    /** GET /groups: the groups whose lead school lies in a region (a school: its own group). */
    async groups(
      actor: Actor,
      query: { region?: string; cursor?: string; limit: number },
    ): Promise<Page<Group>> {
      if (actor.role === 'school') {
        const id = await store.groupOfSchool(actor.scope);
        const own = id ? await store.getGroup(id) : undefined;
        return {
          items: own && (!query.region || own.regionCode.startsWith(query.region.slice(0, 6))) ? [own] : [],
        };
      }
      if (!readsRegions(actor))
        throw new ForbiddenError(
          say(
            '集团名单仅向督导室、审计员及集团内学校开放。',
            'School groups are listed for supervision offices, auditors and their schools.',
          ),
        );
      const code = query.region ?? actor.scope;
      regionOrNotFound(actor, code);
      return store.listGroups({
        counties: countiesUnder(code).map((c) => c.code),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
    },

    /**
     * GET /kindergartens/due: the kindergartens of a region whose 5-year
     * evaluation cycle (幼儿园办园行为督导评估) falls due in `year`: last
     * evaluated `year` − 5 or earlier (overdue ones stay due), or never.
     */
    async dueKindergartens(
      actor: Actor,
      query: { region?: string; year: number; cursor?: string; limit: number },
    ) {
      if (!readsRegions(actor))
        throw new ForbiddenError(
          say(
            '评估周期仅向督导室和审计员开放。',
            'The evaluation cycle is for supervision offices and auditors.',
          ),
        );
      const code = query.region ?? actor.scope;
      const region = regionOrNotFound(actor, code);
      const page = await store.listSchools({
        counties: countiesUnder(code).map((c) => c.code),
        ...(region.level === 'town' ? { townCode: code } : {}),
        kind: 'kindergarten',
        evaluatedBefore: `${query.year - kindergartenCycleYears + 1}-01-01`,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
      return {
        year: query.year,
        cycleYears: kindergartenCycleYears,
        ...page,
        items: page.items.map((s) => {
          const last = (s as School & { lastEvaluatedOn?: string }).lastEvaluatedOn;
          return {
            ...s,
            lastEvaluatedOn: last ?? null,
            dueYear: last ? Number(last.slice(0, 4)) + kindergartenCycleYears : null,
          };
        }),
      };
    },

    async zone(actor: Actor, id: string): Promise<Zone & { inspector?: PublicInspector; schools: School[] }> {
      const zone = await store.getZone(id);
      const visible =
        zone &&
        (readsRegions(actor)
          ? regionInScope(actor, zone.regionCode)
          : actor.role === 'inspector'
            ? zone.inspectorId === actor.scope
            : zone.schoolIds.includes(actor.scope));
      if (!zone || !visible) throw new NotFoundError(say(`未找到责任区 ${id}。`, `Zone ${id} not found.`));
      const inspector = await store.getInspector(zone.inspectorId);
      const schools = (await Promise.all(zone.schoolIds.map((s) => store.getSchool(s)))).filter(
        (s): s is School => s !== undefined && (actor.role !== 'school' || s.id === actor.scope),
      );
      return {
        ...zone,
        ...(actor.role === 'school' ? { schoolIds: [actor.scope] } : {}),
        ...(inspector ? { inspector: present(actor, inspector) } : {}),
        schools,
      };
    },
  };
};
export type RegistryService = ReturnType<typeof createRegistryService>;

const inspectorMatches = (inspector: Inspector, filter: InspectorFilter, day: string) =>
  (!filter.kind || inspector.kind === filter.kind) &&
  (!filter.specialty || (inspector.specialties ?? []).includes(filter.specialty)) &&
  (filter.available === undefined || availableOn(inspector, day) === filter.available);

const matches = (school: School, query: { region?: string; kind?: SchoolKind; q?: string }) =>
  (!query.region || school.regionCode.startsWith(query.region) || school.townCode.startsWith(query.region)) &&
  (!query.kind || school.kind === query.kind) &&
  (!query.q || school.name.includes(query.q));
