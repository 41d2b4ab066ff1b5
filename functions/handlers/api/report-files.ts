import ExcelJS from 'exceljs';
import { PayloadTooLargeError } from '#core/errors';
import { gradeTexts, type Language, say, type Text } from '#core/text';
import { verdictLabels } from '#core/verdicts';
import type { HttpResult } from '../http/operation.ts';

/** A quantitative indicator's verdicts in a region: inspections met, not met, not assessed. */
interface VerdictCounts {
  indicatorId: string;
  title: { zh: string; en: string };
  met: number;
  notMet: number;
  notAssessed: number;
}

/** The campaign report as a spreadsheet: one sheet of totals, one ranking, one of problems (and one of verdicts). */
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
    notGraded: number;
    verdicts: VerdictCounts[];
    rectifications: { total: number; passed: number; completionRate: number | null };
    problems: { indicatorId: string; title: { zh: string; en?: string } | null; problems: number }[];
  };
  ranking: {
    rank: number;
    code: string;
    name: string;
    coverage: number;
    averageScore: number | null;
    reported: number;
    grades: Record<string, number>;
    notGraded: number;
    verdicts: VerdictCounts[];
    rectifications: { completionRate: number | null };
  }[];
}

/** Header cells (and labels) of files, in the request's language. */
export const labels = (language: Language, texts: readonly Text[]): string[] => texts.map((t) => t[language]);

const gradeOrder = ['excellent', 'good', 'pass', 'fail'] as const;
const gradeLabel = (grade: string, language: Language) => gradeTexts[grade]?.[language] ?? grade;

/**
 * Columns of the quantitative indicators (templates with none keep their
 * columns): reports without a grade, and per indicator how many inspections
 * met it (达标), did not (未达标) and were not assessed (未评估: no figures, or
 * not reported yet). The indicator's id stays in brackets, for whoever matches
 * the file against the template.
 */
const verdictHeader = (r: Report, language: Language) =>
  r.totals.verdicts.length === 0
    ? []
    : [
        say('未评定', 'not graded')[language],
        ...r.totals.verdicts.flatMap((v) =>
          (['met', 'not_met', 'not_assessed'] as const).map(
            (verdict) => `${v.title[language]} ${verdictLabels[verdict][language]} [${v.indicatorId}]`,
          ),
        ),
      ];
const verdictCells = (r: Report, row: { notGraded: number; verdicts: VerdictCounts[] }) =>
  r.totals.verdicts.length === 0
    ? []
    : [row.notGraded, ...row.verdicts.flatMap((v) => [v.met, v.notMet, v.notAssessed])];

const rankingRows = (r: Report, language: Language) => [
  [
    ...labels(language, [
      say('名次', 'rank'),
      say('区划代码', 'region code'),
      say('名称', 'name'),
      say('覆盖率%', 'coverage %'),
      say('已报告', 'reported'),
      say('平均分', 'average score'),
      ...gradeOrder.map((g) => gradeTexts[g]!),
      say('整改完成率%', 'rectified %'),
    ]),
    ...verdictHeader(r, language),
  ],
  ...r.ranking.map((c) => [
    c.rank,
    c.code,
    c.name,
    c.coverage,
    c.reported,
    c.averageScore ?? '',
    ...gradeOrder.map((g) => c.grades[g] ?? 0),
    c.rectifications.completionRate ?? '',
    ...verdictCells(r, c),
  ]),
];

const csvCell = (v: unknown) => {
  const text = String(v ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** CSV (UTF-8 with BOM, so Excel opens Chinese correctly) of the ranking of child regions. */
export const reportCsv = (r: Report, language: Language = 'zh'): string => tableCsv(rankingRows(r, language));

export const reportXlsx = async (r: Report, language: Language = 'zh'): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  const [totalsSheet, rankingSheet, problemsSheet] = labels(language, [
    say('总体', 'totals'),
    say('排名', 'ranking'),
    say('问题', 'problems'),
  ]);
  const row = (label: Text, value: unknown) => [label[language], value];
  workbook
    .addWorksheet(totalsSheet)
    .addRows([
      row(say('督导活动', 'campaign'), r.title),
      row(say('区划', 'region'), `${r.region.name} (${r.region.code})`),
      row(say('对象数', 'targets'), r.totals.targets),
      row(say('覆盖率%', 'coverage %'), r.totals.coverage),
      row(say('已报告', 'reported'), r.totals.reported),
      row(say('平均分', 'average score'), r.totals.averageScore ?? ''),
      ...Object.entries(r.totals.grades).map(([g, n]) => [
        `${language === 'zh' ? '等次' : 'grade'} ${gradeLabel(g, language)}`,
        n,
      ]),
      row(say('整改问题', 'rectifications'), r.totals.rectifications.total),
      row(say('整改完成率%', 'rectified %'), r.totals.rectifications.completionRate ?? ''),
    ]);
  workbook.addWorksheet(rankingSheet).addRows(rankingRows(r, language));
  if (r.totals.verdicts.length > 0)
    workbook
      .addWorksheet(say('达标情况', 'verdicts')[language])
      .addRows([
        labels(language, [
          say('指标编号', 'indicator id'),
          say('指标', 'indicator'),
          verdictLabels.met,
          verdictLabels.not_met,
          verdictLabels.not_assessed,
        ]),
        ...r.totals.verdicts.map((v) => [v.indicatorId, v.title[language], v.met, v.notMet, v.notAssessed]),
        [say('未评定', 'not graded')[language], '', '', '', r.totals.notGraded],
      ]);
  // Indicators by title (the id stays, last, for whoever matches the file against the template).
  workbook
    .addWorksheet(problemsSheet)
    .addRows([
      labels(language, [
        say('指标', 'indicator'),
        say('问题数', 'problems'),
        say('指标编号', 'indicator id'),
      ]),
      ...r.totals.problems.map((p) => [
        (language === 'en' ? p.title?.en : undefined) ?? p.title?.zh ?? p.indicatorId,
        p.problems,
        p.indicatorId,
      ]),
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
  tooMany: Text,
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
