import ExcelJS from 'exceljs';
import { PayloadTooLargeError } from '#core/errors';
import type { HttpResult } from '../http/operation.ts';

/** The campaign report as a spreadsheet: one sheet of totals, one ranking, one of problems. */
interface Report {
  campaignId: string;
  title: string;
  region: { code: string; name: string };
  totals: {
    targets: number;
    inspections: number;
    coverage: number;
    reported: number;
    averageScore: number | null;
    grades: Record<string, number>;
    rectifications: { total: number; passed: number; completionRate: number | null };
    problems: { indicatorId: string; title: { zh: string } | null; problems: number }[];
  };
  ranking: {
    rank: number;
    code: string;
    name: string;
    coverage: number;
    averageScore: number | null;
    reported: number;
    grades: Record<string, number>;
    rectifications: { completionRate: number | null };
  }[];
}

const rankingRows = (r: Report) => [
  [
    '名次 rank',
    '区划代码 code',
    '名称 name',
    '覆盖率% coverage',
    '已报告 reported',
    '平均分 average',
    '优秀',
    '良好',
    '合格',
    '不合格',
    '整改完成率% rectified',
  ],
  ...r.ranking.map((c) => [
    c.rank,
    c.code,
    c.name,
    c.coverage,
    c.reported,
    c.averageScore ?? '',
    c.grades.excellent ?? 0,
    c.grades.good ?? 0,
    c.grades.pass ?? 0,
    c.grades.fail ?? 0,
    c.rectifications.completionRate ?? '',
  ]),
];

const csvCell = (v: unknown) => {
  const text = String(v ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** CSV (UTF-8 with BOM, so Excel opens Chinese correctly) of the ranking of child regions. */
export const reportCsv = (r: Report): string =>
  `\uFEFF${rankingRows(r)
    .map((row) => row.map(csvCell).join(','))
    .join('\r\n')}\r\n`;

export const reportXlsx = async (r: Report): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  const totals = workbook.addWorksheet('总体 totals');
  totals.addRows([
    ['督导活动 campaign', r.title],
    ['区划 region', `${r.region.name} (${r.region.code})`],
    ['对象数 targets', r.totals.targets],
    ['覆盖率% coverage', r.totals.coverage],
    ['已报告 reported', r.totals.reported],
    ['平均分 average score', r.totals.averageScore ?? ''],
    ...Object.entries(r.totals.grades).map(([g, n]) => [`等次 ${g}`, n]),
    ['整改问题 rectifications', r.totals.rectifications.total],
    ['整改完成率% completion', r.totals.rectifications.completionRate ?? ''],
  ]);
  workbook.addWorksheet('排名 ranking').addRows(rankingRows(r));
  workbook
    .addWorksheet('问题 problems')
    .addRows([
      ['指标 indicator', '名称 title', '问题数 problems'],
      ...r.totals.problems.map((p) => [p.indicatorId, p.title?.zh ?? '', p.problems]),
    ]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
};

/** Any table as CSV (UTF-8 with BOM), header row first. */
export const tableCsv = (rows: readonly (readonly unknown[])[]): string =>
  `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;

/** Any table as a one-sheet workbook, header row first. */
export const tableXlsx = async (sheet: string, rows: readonly (readonly unknown[])[]): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet(sheet).addRows(rows.map((r) => [...r]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
};

/**
 * Every page of a list, 200 at a time, for a file: 413 once it holds more
 * than `maxRows` (the caller narrows the region or the filters).
 */
export const allPages = async <T>(
  read: (page: {
    limit: number;
    cursor?: string;
  }) => Promise<{ items: T[]; region: string; cursor?: string }>,
  maxRows: number,
  tooMany: string,
): Promise<{ items: T[]; region: string }> => {
  const items: T[] = [];
  let cursor: string | undefined;
  let region = '';
  do {
    const page = await read({ limit: 200, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    region = page.region;
    cursor = page.cursor;
    if (items.length > maxRows) throw new PayloadTooLargeError(tooMany);
  } while (cursor);
  return { items, region };
};

/** A table as a CSV (UTF-8 with BOM) or XLSX download named `<file>.csv|xlsx`. */
export const tableFile = async (
  format: 'csv' | 'xlsx',
  file: string,
  sheet: string,
  rows: readonly (readonly unknown[])[],
): Promise<HttpResult> =>
  format === 'csv'
    ? {
        status: 200,
        body: tableCsv(rows),
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${file}.csv"`,
        },
      }
    : {
        status: 200,
        body: await tableXlsx(sheet, rows),
        headers: {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': `attachment; filename="${file}.xlsx"`,
        },
      };

/** The content types of `format=csv|xlsx` downloads, as the OpenAPI document lists them. */
export const tableFiles = [
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
