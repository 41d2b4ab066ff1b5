import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { GroupHead, ImportTarget } from '#core/import-service';
import type { ImportKind } from '#core/imports';
import type { PrincipalTerm } from '#core/principals';
import { termKeyOf } from '#core/principals';
import type {
  Group,
  GroupMembership,
  Inspector,
  School,
  SchoolKind,
  Zone,
  ZoneMembership,
} from '#core/registry';
import type {
  CountyStats,
  GroupQuery,
  InspectorQuery,
  Page,
  RegistryStore,
  SchoolQuery,
  TermQuery,
} from '#core/registry-ports';
import { mapLimited } from '#lib/concurrency';
import { decodeCursor, encodeCursor, isStartKey, withCursorCheck } from '#lib/cursor';
import { batchDelete, batchGet, batchPut } from './dynamo-batch.ts';
import { queryAll as queryAllItems } from './dynamo-query.ts';

/**
 * The registry in the single `main` table. Keys:
 *
 * | item                 | pk              | sk               | gsi1pk / gsi1sk                | gsi2pk / gsi2sk                      | gsi3pk / gsi3sk                           |
 * |----------------------|-----------------|------------------|--------------------------------|--------------------------------------|-------------------------------------------|
 * | school               | SCHOOL#<id>     | SCHOOL           | SCHOOLS#<county> / <town>#<id> |                                      |                                           |
 * | inspector            | INSPECTOR#<id>  | INSPECTOR        | INSPECTORS#<county> / <id>     | INSPECTORKIND#<county>#<kind> / <id> |                                           |
 * | inspector specialty  | INSPECTOR#<id>  | SPECIALTY#<code> |                                |                                      | SPECIALISTS#<county>#<code> / <kind>#<id> |
 * | zone                 | ZONE#<id>       | ZONE             | ZONES#<county> / <id>          | INSPECTORZONE#<inspector> / <zone>   |                                           |
 * | zone membership      | SCHOOL#<school> | ZONE             | ZONE#<zone> / <school>         |                                      |                                           |
 * | group                | GROUP#<id>      | GROUP            | GROUPS#<lead's county> / <id>  |                                      |                                           |
 * | group membership     | SCHOOL#<school> | GROUP            | GROUP#<group> / <school>       |                                      |                                           |
 * | principal term       | SCHOOL#<school> | TERM#<start>#<principal> | PTERMS#<county> / <plannedEnd>#<school> | PTERMS#<city> / <plannedEnd>#<school> | PTERMS#<province> / <plannedEnd>#<school> |
 * | county stats         | REGIONSTATS     | <county>         |                                |                                      |                                           |
 *
 * Lists are partitioned by county (≤ ~1,000 schools), so a province-wide
 * listing walks its counties and no partition takes a province's writes.
 * A school's membership shares its partition, so a school is in one zone at most,
 * and in one school group (集团/联盟) at most.
 *
 * The expert pool (专家库): an inspector with specialties has one
 * `inspector specialty` item per specialty, a copy of the inspector beside
 * it, so `GET /inspectors?specialty=` reads exactly the specialists of each
 * county (of one kind: a prefix of gsi3sk) and `?kind=` reads gsi2; a
 * province's thousands of experts are never read to find the dozens asked
 * for. Availability depends on the day (`unavailableUntil`), so it is a filter
 * on those reads, which drops the few who are away. An import rewrites an
 * inspector's specialty items before the inspector itself (a retried batch
 * rewrites both) and deletes those of specialties it no longer has.
 *
 * Principals' terms (校长任期): one item per (school, start, principal) in the
 * school's partition, history kept. Only a current term (no `end`) carries
 * index keys, the same sort key (`<plannedEnd>#<school>`) at three levels:
 * gsi1 per county, gsi2 per city, gsi3 per province, so `GET /principals` of
 * any region reads one partition in planned-end order, from the first term up
 * to `termEndsBefore`, and an ended term drops out of every list at once.
 * (A province's partition takes one write per school an import changes.)
 * County stats also keep, per town, the responsible inspectors whose zones
 * hold a school of it (`towns`), recounted with the county.
 */
type Item = Record<string, unknown>;
const bookkeeping = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'type',
  'createdByImport',
  'updatedByImport',
  'createdAt',
  'updatedAt',
];

const strip = <T>(item: Item | undefined): T | undefined => {
  if (!item) return undefined;
  const copy: Item = { ...item };
  for (const key of bookkeeping) delete copy[key];
  return copy as T;
};

export const registryKeys = {
  school: (id: string) => ({ pk: `SCHOOL#${id}`, sk: 'SCHOOL' }),
  inspector: (id: string) => ({ pk: `INSPECTOR#${id}`, sk: 'INSPECTOR' }),
  zone: (id: string) => ({ pk: `ZONE#${id}`, sk: 'ZONE' }),
  membership: (schoolId: string) => ({ pk: `SCHOOL#${schoolId}`, sk: 'ZONE' }),
  group: (id: string) => ({ pk: `GROUP#${id}`, sk: 'GROUP' }),
  groupMembership: (schoolId: string) => ({ pk: `SCHOOL#${schoolId}`, sk: 'GROUP' }),
  specialty: (inspectorId: string, code: string) => ({
    pk: `INSPECTOR#${inspectorId}`,
    sk: `SPECIALTY#${code}`,
  }),
  term: (t: Pick<PrincipalTerm, 'schoolId' | 'start' | 'principalName'>) => ({
    pk: `SCHOOL#${t.schoolId}`,
    sk: `TERM#${t.start}#${t.principalName}`,
  }),
};

/** The index of current terms at each region level: gsi1 county, gsi2 city, gsi3 province. */
const termIndexOf = (region: string): 'gsi1' | 'gsi2' | 'gsi3' =>
  region.length >= 6 ? 'gsi1' : region.length >= 4 ? 'gsi2' : 'gsi3';

/** A principal term's item: a current term indexed at its county, city and province. */
export const termItem = (t: PrincipalTerm): Item => {
  const sort = `${t.plannedEnd}#${t.schoolId}`;
  return {
    ...registryKeys.term(t),
    type: 'principalTerm',
    ...t,
    ...(t.end === undefined
      ? {
          gsi1pk: `PTERMS#${t.regionCode}`,
          gsi1sk: sort,
          gsi2pk: `PTERMS#${t.regionCode.slice(0, 4)}`,
          gsi2sk: sort,
          gsi3pk: `PTERMS#${t.regionCode.slice(0, 2)}`,
          gsi3sk: sort,
        }
      : {}),
  };
};

const toTerm = (item: Item): PrincipalTerm => ({
  schoolId: String(item.schoolId),
  schoolName: String(item.schoolName),
  regionCode: String(item.regionCode),
  principalName: String(item.principalName),
  start: String(item.start),
  ...(item.end !== undefined ? { end: String(item.end) } : {}),
  plannedEnd: String(item.plannedEnd),
});

/** What each import kind stores per row: the item and its key. */
export const entityItem = (kind: ImportKind, entity: Item): Item => {
  switch (kind) {
    case 'schools': {
      const s = entity as School;
      return {
        ...registryKeys.school(s.id),
        type: 'school',
        ...s,
        gsi1pk: `SCHOOLS#${s.regionCode}`,
        gsi1sk: `${s.townCode}#${s.id}`,
      };
    }
    case 'inspectors': {
      const i = entity as Inspector;
      return {
        ...registryKeys.inspector(i.id),
        type: 'inspector',
        ...i,
        gsi1pk: `INSPECTORS#${i.regionCode}`,
        gsi1sk: i.id,
        gsi2pk: `INSPECTORKIND#${i.regionCode}#${i.kind}`,
        gsi2sk: i.id,
      };
    }
    case 'zones': {
      const m = entity as ZoneMembership;
      return {
        ...registryKeys.membership(m.schoolId),
        type: 'zoneMembership',
        ...m,
        gsi1pk: `ZONE#${m.zoneId}`,
        gsi1sk: m.schoolId,
      };
    }
    case 'groups': {
      const m = entity as GroupMembership;
      return {
        ...registryKeys.groupMembership(m.schoolId),
        type: 'groupMembership',
        ...m,
        gsi1pk: `GROUP#${m.groupId}`,
        gsi1sk: m.schoolId,
      };
    }
  }
};

export const groupItem = (group: GroupHead): Item => ({
  ...registryKeys.group(group.id),
  type: 'group',
  ...group,
  gsi1pk: `GROUPS#${group.regionCode}`,
  gsi1sk: group.id,
});

export const entityKeyOf = (kind: ImportKind, entity: Item): { pk: string; sk: string } => {
  const { pk, sk } = entityItem(kind, entity);
  return { pk: String(pk), sk: String(sk) };
};

/** The pool's index entries of an inspector: one per specialty, each a copy of the inspector. */
export const specialtyItems = (i: Inspector): Item[] =>
  (i.specialties ?? []).map((code) => ({
    ...registryKeys.specialty(i.id, code),
    type: 'inspectorSpecialty',
    ...i,
    gsi3pk: `SPECIALISTS#${i.regionCode}#${code}`,
    gsi3sk: `${i.kind}#${i.id}`,
  }));

export const zoneItem = (zone: { id: string; regionCode: string; inspectorId: string }): Item => ({
  ...registryKeys.zone(zone.id),
  type: 'zone',
  id: zone.id,
  regionCode: zone.regionCode,
  inspectorId: zone.inspectorId,
  gsi1pk: `ZONES#${zone.regionCode}`,
  gsi1sk: zone.id,
  gsi2pk: `INSPECTORZONE#${zone.inspectorId}`,
  gsi2sk: zone.id,
});

interface ListCursor {
  c: number;
  k?: Record<string, unknown>;
}
const isListCursor = (v: unknown): v is ListCursor =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as ListCursor).c) &&
  (v as ListCursor).c >= 0 &&
  ((v as ListCursor).k === undefined || isStartKey((v as ListCursor).k));

/** Reads the given county partitions of an index in order until `limit` items pass the filter. */
const listAcrossCounties = async <T>(
  db: DynamoDBDocumentClient,
  table: string,
  partitionOf: (county: string) => string,
  counties: readonly string[],
  opts: {
    cursor?: string;
    limit: number;
    index?: 'gsi1' | 'gsi2' | 'gsi3';
    sortPrefix?: string;
    filter?: Pick<
      QueryCommandInput,
      'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >;
  },
): Promise<Page<T>> => {
  const start = decodeCursor(opts.cursor, isListCursor) ?? { c: 0 };
  const items: T[] = [];
  let county = start.c;
  let startKey = start.k;
  const index = opts.index ?? 'gsi1';
  while (county < counties.length) {
    const resumed = startKey !== undefined && startKey === start.k;
    const result = await withCursorCheck(resumed, () =>
      db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: opts.sortPrefix
            ? `${index}pk = :pk AND begins_with(${index}sk, :sk)`
            : `${index}pk = :pk`,
          ...opts.filter,
          ExpressionAttributeValues: {
            ':pk': partitionOf(counties[county]!),
            ...(opts.sortPrefix ? { ':sk': opts.sortPrefix } : {}),
            ...opts.filter?.ExpressionAttributeValues,
          },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          Limit: opts.limit - items.length,
        }),
      ),
    );
    items.push(...(result.Items ?? []).map((i) => strip<T>(i) as T));
    startKey = result.LastEvaluatedKey;
    if (!startKey) county++;
    if (items.length >= opts.limit) break;
  }
  const more = county < counties.length;
  return more
    ? { items, cursor: encodeCursor({ c: county, ...(startKey ? { k: startKey } : {}) }) }
    : { items };
};

export const createRegistryStore = (db: DynamoDBDocumentClient, table: string): RegistryStore => {
  const get = async <T>(key: { pk: string; sk: string }) =>
    strip<T>((await db.send(new GetCommand({ TableName: table, Key: key }))).Item);

  const queryAll = (input: Omit<QueryCommandInput, 'TableName'>) =>
    queryAllItems(db, { TableName: table, ...input });

  const countKinds = (items: Item[]) => {
    const byKind: Partial<Record<SchoolKind, number>> = {};
    for (const item of items) byKind[item.kind as SchoolKind] = (byKind[item.kind as SchoolKind] ?? 0) + 1;
    return byKind;
  };

  const zoneWithSchools = async (zone: Item): Promise<Zone> => {
    const members = await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `ZONE#${zone.id}` },
      ProjectionExpression: 'schoolId',
    });
    return {
      id: zone.id as string,
      regionCode: zone.regionCode as string,
      inspectorId: zone.inspectorId as string,
      schoolIds: members.map((m) => m.schoolId as string),
    };
  };

  const groupWithMembers = async (head: Item): Promise<Group> => {
    const members = await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `GROUP#${head.id}` },
      ProjectionExpression: 'schoolId',
    });
    return {
      groupId: String(head.id),
      name: String(head.name),
      kind: head.kind as Group['kind'],
      regionCode: String(head.regionCode),
      leadSchoolId: String(head.leadSchoolId),
      memberSchoolIds: members.map((m) => String(m.schoolId)).sort(),
    };
  };

  return {
    getSchool: (id) => get<School>(registryKeys.school(id)),

    async getGroup(id) {
      const head = (await db.send(new GetCommand({ TableName: table, Key: registryKeys.group(id) }))).Item;
      return head ? groupWithMembers(head) : undefined;
    },

    async groupOfSchool(schoolId) {
      const m = (
        await db.send(new GetCommand({ TableName: table, Key: registryKeys.groupMembership(schoolId) }))
      ).Item;
      return m ? String(m.groupId) : undefined;
    },

    async listGroups(query: GroupQuery) {
      const page = await listAcrossCounties<Item>(db, table, (c) => `GROUPS#${c}`, query.counties, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      // strip() dropped the keys but kept `id`: the members are one query of gsi1 per group.
      return { ...page, items: await mapLimited(page.items, 8, groupWithMembers) };
    },
    getInspector: (id) => get<Inspector>(registryKeys.inspector(id)),

    async getZone(id) {
      const zone = (await db.send(new GetCommand({ TableName: table, Key: registryKeys.zone(id) }))).Item;
      return zone ? zoneWithSchools(zone) : undefined;
    },

    async zoneOfSchool(schoolId) {
      const m = (await db.send(new GetCommand({ TableName: table, Key: registryKeys.membership(schoolId) })))
        .Item;
      return m ? { zoneId: m.zoneId as string, inspectorId: m.inspectorId as string } : undefined;
    },

    async zonesOfInspector(inspectorId) {
      const zones = await queryAll({
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `INSPECTORZONE#${inspectorId}` },
      });
      return Promise.all(zones.map(zoneWithSchools));
    },

    listSchools(query: SchoolQuery) {
      const filters: string[] = [];
      const values: Record<string, unknown> = {};
      const names: Record<string, string> = {};
      if (query.kind) {
        filters.push('#kind = :kind');
        names['#kind'] = 'kind';
        values[':kind'] = query.kind;
      }
      if (query.nameContains) {
        filters.push('contains(#name, :q)');
        names['#name'] = 'name';
        values[':q'] = query.nameContains;
      }
      if (query.evaluatedBefore) {
        filters.push('(attribute_not_exists(#evaluated) OR #evaluated < :evaluatedBefore)');
        names['#evaluated'] = 'lastEvaluatedOn';
        values[':evaluatedBefore'] = query.evaluatedBefore;
      }
      return listAcrossCounties<School>(db, table, (c) => `SCHOOLS#${c}`, query.counties, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(query.townCode ? { sortPrefix: `${query.townCode}#` } : {}),
        ...(filters.length > 0
          ? {
              filter: {
                FilterExpression: filters.join(' AND '),
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            }
          : {}),
      });
    },

    listInspectors: (query: InspectorQuery) => {
      const { specialty, kind, available } = query;
      // The narrowest index that answers: specialists of a county (of one kind), inspectors of a kind, all.
      const read = specialty
        ? {
            index: 'gsi3' as const,
            partitionOf: (c: string) => `SPECIALISTS#${c}#${specialty}`,
            ...(kind ? { sortPrefix: `${kind}#` } : {}),
          }
        : kind
          ? { index: 'gsi2' as const, partitionOf: (c: string) => `INSPECTORKIND#${c}#${kind}` }
          : { index: 'gsi1' as const, partitionOf: (c: string) => `INSPECTORS#${c}` };
      // Available on the day: not withdrawn, or away only until a day that has come (see `availableOn`).
      const filter = available && {
        FilterExpression: available.value
          ? '(attribute_not_exists(#available) OR #available = :true OR #until <= :day)'
          : '(#available = :false AND (attribute_not_exists(#until) OR #until > :day))',
        ExpressionAttributeNames: { '#available': 'available', '#until': 'unavailableUntil' },
        ExpressionAttributeValues: {
          [available.value ? ':true' : ':false']: available.value,
          ':day': available.on,
        },
      };
      return listAcrossCounties<Inspector>(db, table, read.partitionOf, query.counties, {
        limit: query.limit,
        index: read.index,
        ...('sortPrefix' in read ? { sortPrefix: read.sortPrefix } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(filter ? { filter } : {}),
      });
    },

    async countyStats(codePrefix) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'REGIONSTATS', ':prefix': codePrefix },
      });
      return items.map((i) => ({
        countyCode: i.sk as string,
        schools: (i.schools ?? {}) as CountyStats['schools'],
        inspectors: (i.inspectors ?? 0) as number,
        towns: (i.towns ?? {}) as Record<string, number>,
      }));
    },

    async recountCounty(countyCode) {
      const [schools, inspectors, zones] = await Promise.all([
        queryAll({
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `SCHOOLS#${countyCode}` },
          ProjectionExpression: 'id, #kind, townCode',
          ExpressionAttributeNames: { '#kind': 'kind' },
        }),
        queryAll({
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `INSPECTORS#${countyCode}` },
          ProjectionExpression: 'pk',
        }),
        queryAll({
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `ZONES#${countyCode}` },
        }),
      ]);
      // A town's inspectors: the responsible inspectors whose zones hold a school of it.
      const townOf = new Map(schools.map((s) => [String(s.id), String(s.townCode)]));
      const byTown = new Map<string, Set<string>>();
      const withSchools = await mapLimited(zones, 8, zoneWithSchools);
      for (const zone of withSchools)
        for (const schoolId of zone.schoolIds) {
          const town = townOf.get(schoolId);
          if (!town) continue;
          byTown.set(town, (byTown.get(town) ?? new Set()).add(zone.inspectorId));
        }
      const towns = Object.fromEntries([...byTown].sort().map(([town, ids]) => [town, ids.size]));
      const stats: CountyStats = {
        countyCode,
        schools: countKinds(schools),
        inspectors: inspectors.length,
        towns,
      };
      await db.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: 'REGIONSTATS',
            sk: countyCode,
            schools: stats.schools,
            inspectors: stats.inspectors,
            towns,
            updatedAt: new Date().toISOString(),
          },
        }),
      );
      return stats;
    },

    async currentTerms(query: TermQuery) {
      const index = termIndexOf(query.region);
      const start = decodeCursor(query.cursor, isStartKey);
      const result = await withCursorCheck(start !== undefined, () =>
        db.send(
          new QueryCommand({
            TableName: table,
            IndexName: index,
            KeyConditionExpression: query.endsBefore
              ? `${index}pk = :pk AND ${index}sk < :before`
              : `${index}pk = :pk`,
            ExpressionAttributeValues: {
              ':pk': `PTERMS#${query.region}`,
              ...(query.endsBefore ? { ':before': query.endsBefore } : {}),
            },
            ...(start ? { ExclusiveStartKey: start } : {}),
            Limit: query.limit,
          }),
        ),
      );
      const items = (result.Items ?? []).map(toTerm);
      return result.LastEvaluatedKey ? { items, cursor: encodeCursor(result.LastEvaluatedKey) } : { items };
    },

    async termsOfSchool(schoolId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': `SCHOOL#${schoolId}`, ':sk': 'TERM#' },
        ScanIndexForward: false,
      });
      return items.map(toTerm);
    },

    async countSchoolsInTown(townCode) {
      const county = townCode.slice(0, 6);
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :town)',
        ExpressionAttributeValues: { ':pk': `SCHOOLS#${county}`, ':town': `${townCode}#` },
        ProjectionExpression: '#kind',
        ExpressionAttributeNames: { '#kind': 'kind' },
      });
      return countKinds(items);
    },
  };
};

/** Zone members of a zone, counted (for the >20 schools warning). */
export const countZoneMembers = async (
  db: DynamoDBDocumentClient,
  table: string,
  zoneId: string,
): Promise<number> => {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `ZONE#${zoneId}` },
        Select: 'COUNT',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
};

/** The import workflow's view of the registry: stored rows by key, and batch upserts. */
export const createImportTarget = (db: DynamoDBDocumentClient, table: string): ImportTarget => ({
  async load(kind, entities) {
    const keys = [
      ...new Map(entities.map((e) => [keyString(entityKeyOf(kind, e)), entityKeyOf(kind, e)])).values(),
    ];
    const items = await batchGet(db, table, keys);
    return new Map(
      items.map((item) => [
        keyString(item as { pk: string; sk: string }),
        {
          entity: strip<Record<string, unknown>>(item)!,
          ...(item.createdByImport ? { createdByImport: item.createdByImport as string } : {}),
          ...(item.updatedByImport ? { updatedByImport: item.updatedByImport as string } : {}),
        },
      ]),
    );
  },
  keyOf: (kind, entity) => keyString(entityKeyOf(kind, entity)),
  async save(kind, records) {
    const now = new Date().toISOString();
    if (kind === 'inspectors')
      await saveSpecialties(
        db,
        table,
        records.map((r) => r.entity as Inspector),
      );
    await batchPut(
      db,
      table,
      records.map((r) => ({
        ...entityItem(kind, r.entity),
        createdByImport: r.createdByImport,
        updatedByImport: r.updatedByImport,
        updatedAt: now,
      })),
    );
  },
  async references(schoolIds, inspectorIds) {
    const items = await batchGet(db, table, [
      ...[...new Set(schoolIds)].map(registryKeys.school),
      ...[...new Set(inspectorIds)].map(registryKeys.inspector),
    ]);
    const schools = new Map<string, School>();
    const inspectors = new Map<string, Inspector>();
    for (const item of items) {
      if (item.type === 'school') schools.set(item.id as string, strip<School>(item)!);
      if (item.type === 'inspector') inspectors.set(item.id as string, strip<Inspector>(item)!);
    }
    return { schools, inspectors };
  },
  saveZones: (zones) =>
    batchPut(
      db,
      table,
      zones.map((z) => zoneItem(z)),
    ),
  saveGroups: (groups) => batchPut(db, table, groups.map(groupItem)),
  async loadTerms(terms) {
    const items = await batchGet(db, table, [
      ...new Map(terms.map((t) => [termKeyOf(t), registryKeys.term(t)])).values(),
    ]);
    return new Map(items.map((item) => [termKeyOf(toTerm(item)), toTerm(item)]));
  },
  saveTerms: (terms) => batchPut(db, table, terms.map(termItem)),
});

const keyString = (k: { pk: string; sk: string }) => `${k.pk}|${k.sk}`;

/**
 * Brings each inspector's specialty items in line with its specialties: reads
 * which it has (one query of its own partition), deletes the ones of
 * specialties it lost, and writes the current ones (fresh copies).
 */
const saveSpecialties = async (
  db: DynamoDBDocumentClient,
  table: string,
  inspectors: readonly Inspector[],
): Promise<void> => {
  const stale = await mapLimited(inspectors, 8, async (i) => {
    const current = new Set(i.specialties.map((code) => `SPECIALTY#${code}`));
    const stored = await queryAllItems(db, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': registryKeys.inspector(i.id).pk, ':sk': 'SPECIALTY#' },
      ProjectionExpression: 'pk, sk',
    });
    return stored
      .filter((item) => !current.has(item.sk as string))
      .map((item) => ({ pk: item.pk, sk: item.sk }));
  });
  await batchDelete(db, table, stale.flat());
  await batchPut(db, table, inspectors.flatMap(specialtyItems));
};
