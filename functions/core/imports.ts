import { z } from 'zod';
import { schoolRegionOf } from './regions.ts';
import {
  groupKindLabels,
  groupMembershipSchema,
  inspectorKindLabels,
  inspectorSchema,
  ownershipLabels,
  schoolKindLabels,
  schoolSchema,
  specialtyLabels,
  zoneMembershipSchema,
} from './registry.ts';
import { issueMessage, type Language, say, schemaMessagesZh, type Text } from './text.ts';

/**
 * Bulk import of registry spreadsheets: which columns each kind of file has
 * (English headers or their Chinese aliases), and how a row becomes a valid
 * entity or a list of row-level errors. Pure: files are parsed elsewhere.
 */
export const importKinds = ['schools', 'inspectors', 'zones', 'groups'] as const;
export type ImportKind = (typeof importKinds)[number];

/** `expired`: created, but no file was uploaded within a day. */
export const importStatuses = ['awaiting_upload', 'processing', 'completed', 'failed', 'expired'] as const;
export type ImportStatus = (typeof importStatuses)[number];

/** Files larger than this are refused before parsing. */
export const maxImportBytes = 50 * 1024 * 1024;

interface Column {
  readonly header: string;
  readonly alias: string;
  /** Field of the entity this column fills. */
  readonly field: string;
  /**
   * `list`: several values in one cell, separated by 、，,;；| (each a code or its label, if `labels`).
   * `schoolRegion`: a county code, or a city's code for a city-direct school (市直), stored as the
   * city's pseudo-county `<city>00` (see regions.ts).
   */
  readonly type?: 'integer' | 'date' | 'enum' | 'list' | 'boolean' | 'schoolRegion';
  readonly labels?: Readonly<Record<string, string>>;
  readonly optional?: boolean;
}

export const columns: Readonly<Record<ImportKind, readonly Column[]>> = {
  schools: [
    { header: 'school_id', alias: '学校标识码', field: 'id' },
    { header: 'name', alias: '学校名称', field: 'name' },
    { header: 'kind', alias: '学校类型', field: 'kind', type: 'enum', labels: schoolKindLabels },
    { header: 'region_code', alias: '区县代码', field: 'regionCode', type: 'schoolRegion' },
    { header: 'town_code', alias: '乡镇代码', field: 'townCode' },
    { header: 'ownership', alias: '办学性质', field: 'ownership', type: 'enum', labels: ownershipLabels },
    { header: 'students', alias: '在校生数', field: 'students', type: 'integer' },
    { header: 'teachers', alias: '教职工数', field: 'teachers', type: 'integer' },
    { header: 'principal_name', alias: '校长姓名', field: 'principalName' },
    { header: 'principal_term_start', alias: '校长任职时间', field: 'principalTermStart', type: 'date' },
    { header: 'group_id', alias: '集团编号', field: 'groupId', optional: true },
  ],
  inspectors: [
    { header: 'inspector_id', alias: '督学编号', field: 'id' },
    { header: 'name', alias: '姓名', field: 'name' },
    { header: 'kind', alias: '督学类型', field: 'kind', type: 'enum', labels: inspectorKindLabels },
    { header: 'region_code', alias: '区县代码', field: 'regionCode' },
    { header: 'phone', alias: '手机号', field: 'phone' },
    // The expert pool (专家库): optional, so files without these columns import as before.
    {
      header: 'specialties',
      alias: '专业领域',
      field: 'specialties',
      type: 'list',
      labels: specialtyLabels,
      optional: true,
    },
    { header: 'home_school_id', alias: '所在学校标识码', field: 'homeSchoolId', optional: true },
    { header: 'available', alias: '是否可用', field: 'available', type: 'boolean', optional: true },
    {
      header: 'unavailable_until',
      alias: '不可用截止日期',
      field: 'unavailableUntil',
      type: 'date',
      optional: true,
    },
    { header: 'conflicts', alias: '回避学校', field: 'conflicts', type: 'list', optional: true },
  ],
  zones: [
    { header: 'zone_id', alias: '责任区编号', field: 'zoneId' },
    { header: 'region_code', alias: '区县代码', field: 'regionCode' },
    { header: 'inspector_id', alias: '督学编号', field: 'inspectorId' },
    { header: 'school_id', alias: '学校标识码', field: 'schoolId' },
  ],
  groups: [
    { header: 'group_id', alias: '集团编号', field: 'groupId' },
    { header: 'group_name', alias: '集团名称', field: 'name' },
    { header: 'group_kind', alias: '集团类型', field: 'kind', type: 'enum', labels: groupKindLabels },
    { header: 'region_code', alias: '区县代码', field: 'regionCode' },
    { header: 'lead_school_id', alias: '牵头学校标识码', field: 'leadSchoolId' },
    { header: 'school_id', alias: '成员学校标识码', field: 'schoolId' },
  ],
};

const schemas = {
  schools: schoolSchema,
  inspectors: inspectorSchema,
  zones: zoneMembershipSchema,
  groups: groupMembershipSchema,
} as const satisfies Record<ImportKind, z.ZodType>;
export type ImportEntity<K extends ImportKind> = z.infer<(typeof schemas)[K]>;

export interface RowError {
  /** 1-based line in the spreadsheet, counting the header as row 1. */
  readonly row: number;
  /** The column's code (`school_id`), whichever header the file used. */
  readonly column: string;
  /** English. */
  readonly message: string;
  /** The column's header as the uploaded file wrote it (`学校名称`); absent: the file had no such column. */
  readonly heading?: string;
  /** The message in Chinese. */
  readonly zh?: string;
}

/** A row error in both languages. */
export const rowError = (row: number, column: string, text: Text): RowError => ({
  row,
  column,
  message: text.en,
  zh: text.zh,
});

const zhLocale = z.locales.zhCN().localeError;

/**
 * A file the import cannot use, said to the person who uploaded it. Its message
 * crosses the workflow as the error's cause: JSON of the text in both languages
 * (`importFailureText` reads it back; a plain message reads the same in both).
 */
export class ImportFileError extends Error {
  readonly text: Text;
  constructor(message: string | Text) {
    const text = typeof message === 'string' ? say(message, message) : message;
    super(JSON.stringify(text));
    this.text = text;
    this.name = 'ImportFileError';
  }
}

/** The text of an ImportFileError's message as the workflow passed it on. */
export const importFailureText = (message: string): Text => {
  try {
    const parsed = JSON.parse(message) as Partial<Text>;
    if (typeof parsed.zh === 'string' && typeof parsed.en === 'string') return say(parsed.zh, parsed.en);
  } catch {
    // A plain message (an execution that began before messages were bilingual).
  }
  return say(message, message);
};

/**
 * Maps each expected column to its position in the header row. Unknown extra
 * columns are ignored; a missing required column rejects the whole file.
 */
export const resolveHeader = (kind: ImportKind, header: readonly string[]): Map<string, number> => {
  const normalized = header.map((h) =>
    h
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  const positions = new Map<string, number>();
  const missing: string[] = [];
  for (const column of columns[kind]) {
    const at = normalized.findIndex((h) => h === column.header || h === column.alias);
    if (at >= 0) positions.set(column.field, at);
    else if (!column.optional) missing.push(`${column.header}(${column.alias})`);
  }
  if (missing.length > 0) {
    throw new ImportFileError(
      say(
        `${kindNames[kind]}文件缺少以下列：${missing.join('、')}。` +
          `应有的表头：${columns[kind].map((c) => `${c.header}（${c.alias}）`).join('、')}。`,
        `The ${kind} file is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. ` +
          `Expected headers: ${columns[kind].map((c) => c.header).join(', ')}.`,
      ),
    );
  }
  return positions;
};

const kindNames: Record<ImportKind, string> = {
  schools: '学校',
  inspectors: '督学',
  zones: '责任区',
  groups: '集团（联盟）',
};

export type RowResult<K extends ImportKind> =
  | { readonly ok: true; readonly row: number; readonly entity: ImportEntity<K> }
  | { readonly ok: false; readonly row: number; readonly errors: readonly RowError[] };

/** Converts one data row (cells as text) into a validated entity, or its errors. */
export const parseRow = <K extends ImportKind>(
  kind: K,
  positions: Map<string, number>,
  cells: readonly string[],
  row: number,
): RowResult<K> => {
  const errors: RowError[] = [];
  const raw: Record<string, unknown> = {};
  for (const column of columns[kind]) {
    const at = positions.get(column.field);
    const text = at === undefined ? '' : (cells[at] ?? '').trim();
    if (text === '') {
      if (!column.optional) raw[column.field] = undefined;
      continue;
    }
    const converted = convert(column, text);
    if (converted.ok) raw[column.field] = converted.value;
    else errors.push(rowError(row, column.header, converted.message));
  }
  const parsed = schemas[kind].safeParse(raw);
  if (!parsed.success) {
    // The same parse again in Chinese: same schema, same value, the same issues in the same order.
    const zhIssues = schemas[kind].safeParse(raw, { error: zhLocale }).error?.issues ?? [];
    parsed.error.issues.forEach((issue, n) => {
      const field = String(issue.path[0] ?? '');
      const column = columns[kind].find((c) => c.field === field)?.header ?? field;
      if (errors.some((e) => e.column === column)) return;
      const value = raw[field];
      const item =
        Array.isArray(value) && typeof issue.path[1] === 'number' ? value[issue.path[1]] : undefined;
      const zhMessage =
        issue.code === 'custom' || schemaMessagesZh[issue.message]
          ? issueMessage(issue, 'zh')
          : (zhIssues[n]?.message ?? issue.message);
      const text: Text =
        issue.code === 'invalid_type' && value === undefined
          ? say('必填', 'is required')
          : item === undefined
            ? say(zhMessage, issue.message)
            : say(`“${String(item)}”${zhMessage}`, `"${String(item)}" ${issue.message}`);
      errors.push(rowError(row, column, text));
    });
  }
  return errors.length > 0 || !parsed.success
    ? { ok: false, row, errors }
    : { ok: true, row, entity: parsed.data as ImportEntity<K> };
};

type Converted = { ok: true; value: unknown } | { ok: false; message: Text };

const convert = (column: Column, text: string): Converted => {
  switch (column.type) {
    case 'integer': {
      const compact = text.replace(/[,，\s]/g, '');
      return /^\d+$/.test(compact)
        ? { ok: true, value: Number(compact) }
        : { ok: false, message: say(`“${text}”不是整数`, `"${text}" is not a whole number`) };
    }
    case 'date':
      return toIsoDate(text);
    case 'enum':
      return toCode(column.labels ?? {}, text);
    case 'list': {
      const values = text
        .split(listSeparators)
        .map((v) => v.trim())
        .filter((v) => v !== '');
      if (!column.labels) return { ok: true, value: values };
      const codes: string[] = [];
      for (const v of values) {
        const converted = toCode(column.labels, v);
        if (!converted.ok) return converted;
        codes.push(converted.value as string);
      }
      return { ok: true, value: codes };
    }
    case 'boolean': {
      const lowered = text.toLowerCase();
      if (yes.includes(lowered)) return { ok: true, value: true };
      if (no.includes(lowered)) return { ok: true, value: false };
      return { ok: false, message: say(`“${text}”不是“是”或“否”`, `"${text}" is not 是 or 否`) };
    }
    case 'schoolRegion':
      return { ok: true, value: schoolRegionOf(text) };
    default:
      return { ok: true, value: text };
  }
};

const listSeparators = /[、，,;；|｜]/;
const yes = ['是', '可用', 'yes', 'y', 'true', '1'];
const no = ['否', '不可用', 'no', 'n', 'false', '0'];

/** A code given as itself (any case) or as its label. */
const toCode = (labels: Readonly<Record<string, string>>, text: string): Converted => {
  const lowered = text.toLowerCase();
  const code = Object.keys(labels).find((c) => c === lowered || labels[c] === text);
  const choices = Object.entries(labels).map(([c, l]) => `${c}(${l})`);
  return code
    ? { ok: true, value: code }
    : {
        ok: false,
        message: say(
          `“${text}”不是以下之一：${choices.join('、')}`,
          `"${text}" is not one of ${choices.join(', ')}`,
        ),
      };
};

/** Accepts 2021-09-01, 2021/9/1, 2021.9.1, 2021年9月1日 and Excel serial day numbers. */
const toIsoDate = (text: string): Converted => {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
  if (m) {
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    const date = new Date(`${iso}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso)) return { ok: true, value: iso };
  }
  if (/^\d{5}$/.test(text)) {
    const date = new Date(Date.UTC(1899, 11, 30) + Number(text) * 86_400_000);
    return { ok: true, value: date.toISOString().slice(0, 10) };
  }
  return {
    ok: false,
    message: say(`“${text}”不是日期（YYYY-MM-DD）`, `"${text}" is not a date (YYYY-MM-DD)`),
  };
};

/** The natural key of an entity in a file: duplicates of it in one file are rejected. */
export const entityKey = (kind: ImportKind, entity: Record<string, unknown>): string =>
  kind === 'zones'
    ? `${entity.zoneId}/${entity.schoolId}`
    : kind === 'groups'
      ? `${entity.groupId}/${entity.schoolId}`
      : String(entity.id);

/**
 * Rows of the error report: header first. Quotes every field (names may contain
 * commas). The column is named as the uploaded file named it (its own header,
 * e.g. 学校名称), else by its code; the message in the report's language.
 */
export const errorReportCsv = (errors: readonly RowError[], language: Language = 'en'): string => {
  const quote = (v: string | number) => `"${String(v).replace(/"/g, '""')}"`;
  const header = language === 'zh' ? ['行', '列', '问题'] : ['row', 'column', 'message'];
  const lines = [
    header,
    ...errors.map((e) => [e.row, e.heading ?? e.column, language === 'zh' ? (e.zh ?? e.message) : e.message]),
  ];
  return `\uFEFF${lines.map((l) => l.map(quote).join(',')).join('\r\n')}\r\n`;
};

/** The header cell the file used for each column code (after `resolveHeader` found it). */
export const headingsOf = (
  kind: ImportKind,
  header: readonly string[],
  positions: Map<string, number>,
): Map<string, string> => {
  const headings = new Map<string, string>();
  for (const column of columns[kind]) {
    const at = positions.get(column.field);
    const cell = at === undefined ? undefined : header[at]?.replace(/^\uFEFF/, '').trim();
    if (cell) headings.set(column.header, cell);
  }
  return headings;
};

export interface ImportCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}
export const emptyCounts = (): ImportCounts => ({
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
});
