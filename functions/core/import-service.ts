import {
  entityKey,
  headingsOf,
  type ImportCounts,
  ImportFileError,
  type ImportKind,
  parseRow,
  type RowError,
  resolveHeader,
  rowError,
} from './imports.ts';
import { type PrincipalTerm, termChanges, termKeyOf } from './principals.ts';
import type { GroupMembership, Inspector, School, ZoneMembership } from './registry.ts';
import { say } from './text.ts';

/**
 * The import workflow's rules, free of I/O:
 * 1. `prepareRows` validates every row of a file (format, scope, duplicates,
 *    zone consistency) and cuts the valid ones into batches;
 * 2. `upsertBatch` decides per row created / updated / unchanged against what
 *    is stored, so that a retried or re-run batch counts and writes the same;
 * 3. the finalize step sums batch results (see the handler).
 */
export interface ValidRow {
  readonly row: number;
  readonly entity: Record<string, unknown>;
}

export interface PreparedFile {
  readonly read: number;
  readonly batches: ValidRow[][];
  readonly rejected: RowError[];
  /** Column code → the header the file gave it (the error report names columns so). */
  readonly headings: Record<string, string>;
}

export const importBatchSize = 1000;

export const prepareRows = (
  kind: ImportKind,
  rows: readonly (readonly string[])[],
  scope: string,
  batchSize = importBatchSize,
): PreparedFile => {
  const [header, ...data] = rows;
  if (!header) throw new ImportFileError(say('文件没有表头行。', 'The file has no header row.'));
  if (data.length === 0)
    throw new ImportFileError(
      say('文件只有表头行，没有数据行。', 'The file has a header row but no data rows.'),
    );
  const positions = resolveHeader(kind, header);

  const valid: ValidRow[] = [];
  const rejected: RowError[] = [];
  const firstSeen = new Map<string, number>();
  const zoneOwners = new Map<string, { row: number; inspectorId: string; regionCode: string }>();
  const groupHeads = new Map<string, { row: number; head: GroupHead }>();

  data.forEach((cells, index) => {
    const row = index + 2; // the header is row 1
    const result = parseRow(kind, positions, cells, row);
    if (!result.ok) {
      rejected.push(...result.errors);
      return;
    }
    const entity = result.entity as Record<string, unknown>;
    const region = String(entity.regionCode);
    if (!region.startsWith(scope)) {
      rejected.push(
        rowError(
          row,
          'region_code',
          say(
            `区划 ${region} 不在您的管辖范围（${scope}）内`,
            `region ${region} is outside your scope (${scope})`,
          ),
        ),
      );
      return;
    }
    const membership = kind === 'zones' || kind === 'groups';
    const key = membership ? String(entity.schoolId) : entityKey(kind, entity);
    const earlier = firstSeen.get(key);
    if (earlier !== undefined) {
      const column = kind === 'schools' ? 'school_id' : kind === 'inspectors' ? 'inspector_id' : 'school_id';
      // A school is in one zone at most, and in one group at most.
      const what = membership
        ? kind === 'zones'
          ? say(`学校 ${key} 已列入某一责任区`, `school ${key} is already listed for a zone`)
          : say(`学校 ${key} 已列入某一集团（联盟）`, `school ${key} is already listed for a group`)
        : say(`标识 ${key} 重复`, `duplicate id ${key}`);
      rejected.push(
        rowError(
          row,
          column,
          say(`${what.zh}：首次出现在第 ${earlier} 行`, `${what.en}: first seen in row ${earlier}`),
        ),
      );
      return;
    }
    if (kind === 'zones') {
      const m = entity as ZoneMembership;
      const owner = zoneOwners.get(m.zoneId);
      if (owner && (owner.inspectorId !== m.inspectorId || owner.regionCode !== m.regionCode)) {
        rejected.push(
          rowError(
            row,
            owner.inspectorId !== m.inspectorId ? 'inspector_id' : 'region_code',
            say(
              `责任区 ${m.zoneId} 已在第 ${owner.row} 行指定督学 ${owner.inspectorId}、区县 ${owner.regionCode}`,
              `zone ${m.zoneId} was given inspector ${owner.inspectorId} in county ${owner.regionCode} in row ${owner.row}`,
            ),
          ),
        );
        return;
      }
      if (!owner) zoneOwners.set(m.zoneId, { row, inspectorId: m.inspectorId, regionCode: m.regionCode });
    }
    if (kind === 'groups') {
      const head = groupHeadOf(entity as GroupMembership);
      const first = groupHeads.get(head.id);
      const differs = first && groupHeadFields.find((f) => first.head[f.field] !== head[f.field]);
      if (first && differs) {
        rejected.push(
          rowError(
            row,
            differs.column,
            say(
              `集团 ${head.id} 在第 ${first.row} 行的 ${differs.column} 为 ${first.head[differs.field]}，与此行不同`,
              `group ${head.id} was given ${differs.column} ${first.head[differs.field]} in row ${first.row}`,
            ),
          ),
        );
        return;
      }
      if (!first) groupHeads.set(head.id, { row, head });
    }
    firstSeen.set(key, row);
    valid.push({ row, entity });
  });

  // A group's lead is one of its members: a group whose lead has no row of its own is refused whole.
  const listedMembers = new Set(valid.map((v) => `${v.entity.groupId}/${v.entity.schoolId}`));
  const kept =
    kind === 'groups'
      ? valid.filter(({ row, entity }) => {
          const m = entity as GroupMembership;
          const listed = listedMembers.has(`${m.groupId}/${m.leadSchoolId}`);
          if (!listed)
            rejected.push(
              rowError(
                row,
                'lead_school_id',
                say(
                  `集团 ${m.groupId} 的牵头学校 ${m.leadSchoolId} 本身没有成员行`,
                  `the lead school ${m.leadSchoolId} of group ${m.groupId} has no row of its own in the group`,
                ),
              ),
            );
          return listed;
        })
      : valid;

  const batches: ValidRow[][] = [];
  for (let i = 0; i < kept.length; i += batchSize) batches.push(kept.slice(i, i + batchSize));
  const headings = Object.fromEntries(headingsOf(kind, header, positions));
  return { read: data.length, batches, rejected, headings };
};

/** A group as its head item stores it (members are items of their own). */
export interface GroupHead {
  readonly id: string;
  readonly name: string;
  readonly kind: GroupMembership['kind'];
  readonly regionCode: string;
  readonly leadSchoolId: string;
}
const groupHeadOf = (m: GroupMembership): GroupHead => ({
  id: m.groupId,
  name: m.name,
  kind: m.kind,
  regionCode: m.regionCode,
  leadSchoolId: m.leadSchoolId,
});
const groupHeadFields = [
  { field: 'name', column: 'group_name' },
  { field: 'kind', column: 'group_kind' },
  { field: 'regionCode', column: 'region_code' },
  { field: 'leadSchoolId', column: 'lead_school_id' },
] as const;

export interface StoredEntity {
  readonly entity: Record<string, unknown>;
  readonly createdByImport?: string;
  readonly updatedByImport?: string;
}

export interface SaveRecord {
  readonly entity: Record<string, unknown>;
  readonly createdByImport: string;
  readonly updatedByImport: string;
}

/** Port: the registry as the import sees it. */
export interface ImportTarget {
  load(kind: ImportKind, entities: readonly Record<string, unknown>[]): Promise<Map<string, StoredEntity>>;
  keyOf(kind: ImportKind, entity: Record<string, unknown>): string;
  save(kind: ImportKind, records: readonly SaveRecord[]): Promise<void>;
  references(
    schoolIds: readonly string[],
    inspectorIds: readonly string[],
  ): Promise<{ schools: Map<string, School>; inspectors: Map<string, Inspector> }>;
  saveZones(zones: readonly { id: string; regionCode: string; inspectorId: string }[]): Promise<void>;
  saveGroups(groups: readonly GroupHead[]): Promise<void>;
  /** The stored principal terms among these (by `termKeyOf`). */
  loadTerms(terms: readonly PrincipalTerm[]): Promise<Map<string, PrincipalTerm>>;
  /** Writes terms whole (a current one indexed, an ended one not). */
  saveTerms(terms: readonly PrincipalTerm[]): Promise<void>;
}

export interface BatchResult {
  readonly batch: number;
  readonly counts: Omit<ImportCounts, 'read'>;
  readonly rejected: RowError[];
  /** Counties whose counts may have changed (old and new county of moved rows). */
  readonly counties: string[];
  readonly zones: string[];
}

const sameEntity = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return false;
  return true;
};

/** Checks zone rows against the stored schools and inspectors they name. */
const zoneReferenceErrors = async (target: ImportTarget, rows: readonly ValidRow[]) => {
  const members = rows.map((r) => r.entity as ZoneMembership);
  const { schools, inspectors } = await target.references(
    members.map((m) => m.schoolId),
    members.map((m) => m.inspectorId),
  );
  const errors = new Map<number, RowError>();
  rows.forEach(({ row, entity }) => {
    const m = entity as ZoneMembership;
    const school = schools.get(m.schoolId);
    const inspector = inspectors.get(m.inspectorId);
    let error: RowError | undefined;
    if (!school)
      error = rowError(
        row,
        'school_id',
        say(
          `学校 ${m.schoolId} 不在名录中（请先导入学校）`,
          `school ${m.schoolId} is not in the registry (import schools first)`,
        ),
      );
    else if (school.regionCode !== m.regionCode)
      error = rowError(
        row,
        'school_id',
        say(
          `学校 ${m.schoolId} 属于区县 ${school.regionCode}，而非 ${m.regionCode}`,
          `school ${m.schoolId} is in county ${school.regionCode}, not ${m.regionCode}`,
        ),
      );
    else if (!inspector)
      error = rowError(
        row,
        'inspector_id',
        say(
          `督学 ${m.inspectorId} 不在名录中（请先导入督学）`,
          `inspector ${m.inspectorId} is not in the registry (import inspectors first)`,
        ),
      );
    else if (inspector.kind !== 'responsible')
      error = rowError(
        row,
        'inspector_id',
        say(
          `督学 ${m.inspectorId} 的类型为 ${inspector.kind}，不是责任督学`,
          `inspector ${m.inspectorId} is ${inspector.kind}, not a responsible inspector`,
        ),
      );
    else if (inspector.regionCode !== m.regionCode)
      error = rowError(
        row,
        'inspector_id',
        say(
          `督学 ${m.inspectorId} 在区县 ${inspector.regionCode} 工作，而非 ${m.regionCode}`,
          `inspector ${m.inspectorId} works in county ${inspector.regionCode}, not ${m.regionCode}`,
        ),
      );
    if (error) errors.set(row, error);
  });
  return errors;
};

/**
 * Checks group rows against the stored schools they name: every member and
 * the lead exist, members lie in the importing office's region, and the lead
 * lies in the county the row gives.
 */
const groupReferenceErrors = async (target: ImportTarget, rows: readonly ValidRow[], scope: string) => {
  const members = rows.map((r) => r.entity as GroupMembership);
  const { schools } = await target.references(
    members.flatMap((m) => [m.schoolId, m.leadSchoolId]),
    [],
  );
  const errors = new Map<number, RowError>();
  rows.forEach(({ row, entity }) => {
    const m = entity as GroupMembership;
    const school = schools.get(m.schoolId);
    const lead = schools.get(m.leadSchoolId);
    let error: Omit<RowError, 'row'> | undefined;
    if (!school)
      error = rowError(
        0,
        'school_id',
        say(
          `学校 ${m.schoolId} 不在名录中（请先导入学校）`,
          `school ${m.schoolId} is not in the registry (import schools first)`,
        ),
      );
    else if (!school.regionCode.startsWith(scope))
      error = rowError(
        0,
        'school_id',
        say(
          `学校 ${m.schoolId} 位于 ${school.regionCode}，不在您的管辖范围（${scope}）内`,
          `school ${m.schoolId} is in ${school.regionCode}, outside your scope (${scope})`,
        ),
      );
    else if (!lead)
      error = rowError(
        0,
        'lead_school_id',
        say(
          `牵头学校 ${m.leadSchoolId} 不在名录中（请先导入学校）`,
          `lead school ${m.leadSchoolId} is not in the registry (import schools first)`,
        ),
      );
    else if (lead.regionCode !== m.regionCode)
      error = rowError(
        0,
        'region_code',
        say(
          `牵头学校 ${m.leadSchoolId} 位于区县 ${lead.regionCode}，而非 ${m.regionCode}`,
          `lead school ${m.leadSchoolId} is in county ${lead.regionCode}, not ${m.regionCode}`,
        ),
      );
    if (error) errors.set(row, { ...error, row });
  });
  return errors;
};

/** What a school's record keeps that no file gives: its last evaluation (set by reports, see template.cycleYears). */
export const keptSchoolFields = ['lastEvaluatedOn', 'lastEvaluation'] as const;
const withKeptFields = (given: Record<string, unknown>, stored: Record<string, unknown> | undefined) => {
  const kept = keptSchoolFields.filter((f) => stored?.[f] !== undefined);
  return kept.length === 0 ? given : { ...given, ...Object.fromEntries(kept.map((f) => [f, stored![f]])) };
};

const sameTermRecord = (a: PrincipalTerm, b: PrincipalTerm) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Writes the terms of a batch that are not stored as they should be: the
 * current term of every row (also of unchanged rows, so schools imported
 * before terms were kept get theirs) and the term each principal change ends.
 * Running it again writes nothing new.
 */
const saveTermChanges = async (target: ImportTarget, terms: readonly PrincipalTerm[]) => {
  if (terms.length === 0) return;
  const stored = await target.loadTerms(terms);
  const missing = [...new Map(terms.map((t) => [termKeyOf(t), t])).values()].filter((t) => {
    const s = stored.get(termKeyOf(t));
    return !s || !sameTermRecord(s, t);
  });
  await target.saveTerms(missing);
};

/**
 * Upserts one batch. Idempotent: rows this import already created or updated
 * (a retry, or a re-run after a crash) are counted as before and not rewritten.
 */
export const upsertBatch = async (
  target: ImportTarget,
  input: { importId: string; kind: ImportKind; scope: string; batch: number; rows: readonly ValidRow[] },
): Promise<BatchResult> => {
  const { importId, kind } = input;
  const referenceErrors =
    kind === 'zones'
      ? await zoneReferenceErrors(target, input.rows)
      : kind === 'groups'
        ? await groupReferenceErrors(target, input.rows, input.scope)
        : new Map<number, RowError>();
  const rows = input.rows.filter((r) => !referenceErrors.has(r.row));
  const stored = await target.load(
    kind,
    rows.map((r) => r.entity),
  );

  const counts = { created: 0, updated: 0, unchanged: 0, rejected: referenceErrors.size };
  const toSave: SaveRecord[] = [];
  const counties = new Set<string>();
  const zoneHeads = new Map<string, { id: string; regionCode: string; inspectorId: string }>();
  const zonesTouched = new Set<string>();
  const groupHeads = new Map<string, GroupHead>();
  const rejected = [...referenceErrors.values()];
  const termWrites: PrincipalTerm[] = [];
  for (const { row, entity: given } of rows) {
    const existing = stored.get(target.keyOf(kind, given));
    const entity = kind === 'schools' ? withKeptFields(given, existing?.entity) : given;
    // An id already registered elsewhere stays with its office: no import may take it over.
    const storedRegion = existing?.entity.regionCode;
    if (typeof storedRegion === 'string' && !storedRegion.startsWith(input.scope)) {
      const column = kind === 'inspectors' ? 'inspector_id' : 'school_id';
      const id = String(entity.id ?? entity.schoolId);
      rejected.push(
        rowError(
          row,
          column,
          say(
            `${id} 已登记在 ${storedRegion}，不在您的管辖范围（${input.scope}）内`,
            `${id} is registered in ${storedRegion}, outside your scope (${input.scope})`,
          ),
        ),
      );
      counts.rejected++;
      continue;
    }
    // A school belongs to one group at most: leaving one is not an import's business.
    const storedGroup = kind === 'groups' ? existing?.entity.groupId : undefined;
    if (typeof storedGroup === 'string' && storedGroup !== entity.groupId) {
      rejected.push(
        rowError(
          row,
          'school_id',
          say(
            `学校 ${String(entity.schoolId)} 已属于集团 ${storedGroup}`,
            `school ${String(entity.schoolId)} already belongs to group ${storedGroup}`,
          ),
        ),
      );
      counts.rejected++;
      continue;
    }
    if (kind === 'groups') {
      const head = groupHeadOf(entity as GroupMembership);
      groupHeads.set(head.id, head);
    } else {
      // Groups change no county's counts.
      counties.add(String(entity.regionCode));
      if (existing?.entity.regionCode) counties.add(String(existing.entity.regionCode));
    }
    if (kind === 'schools') {
      const { current, closed } = termChanges(existing?.entity as School | undefined, entity as School);
      termWrites.push(current, ...(closed ? [closed] : []));
    }
    if (kind === 'zones') {
      const m = entity as ZoneMembership;
      zoneHeads.set(m.zoneId, { id: m.zoneId, regionCode: m.regionCode, inspectorId: m.inspectorId });
      zonesTouched.add(m.zoneId);
      // A school that moves zones changes its old zone's size too.
      if (existing?.entity.zoneId) zonesTouched.add(String(existing.entity.zoneId));
    }
    if (!existing) {
      counts.created++;
      toSave.push({ entity, createdByImport: importId, updatedByImport: importId });
    } else if (existing.createdByImport === importId) {
      counts.created++;
      if (!sameEntity(existing.entity, entity))
        toSave.push({ entity, createdByImport: importId, updatedByImport: importId });
    } else if (sameEntity(existing.entity, entity)) {
      if (existing.updatedByImport === importId) counts.updated++;
      else counts.unchanged++;
    } else {
      counts.updated++;
      toSave.push({ entity, createdByImport: existing.createdByImport ?? '', updatedByImport: importId });
    }
  }
  // Principals' terms first (a retried batch computes them again from the rows still stored), then the rows.
  if (kind === 'schools') await saveTermChanges(target, termWrites);
  await target.save(kind, toSave);
  if (zoneHeads.size > 0) await target.saveZones([...zoneHeads.values()]);
  if (groupHeads.size > 0) await target.saveGroups([...groupHeads.values()]);
  return {
    batch: input.batch,
    counts,
    rejected,
    counties: [...counties].sort(),
    zones: [...zonesTouched].sort(),
  };
};
