import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

/**
 * Reads a spreadsheet as offices send them: CSV in UTF-8 (with or without BOM)
 * or GBK/GB18030 (what Chinese Excel writes), or XLSX (first sheet).
 * Returns rows of cell texts, header row first.
 */
export type TableFormat = 'csv-utf8' | 'csv-gb18030' | 'xlsx';

export class UnreadableFileError extends Error {
  /** The message in Chinese (`message` is English). */
  readonly zh: string;
  constructor(message: string, zh: string = message) {
    super(message);
    this.zh = zh;
    this.name = 'UnreadableFileError';
  }
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);
const zipMagic = [0x50, 0x4b, 0x03, 0x04];
const oleMagic = [0xd0, 0xcf, 0x11, 0xe0]; // legacy .xls
const utf8Bom = [0xef, 0xbb, 0xbf];

export const readTable = async (bytes: Uint8Array): Promise<{ format: TableFormat; rows: string[][] }> => {
  if (bytes.length === 0) throw new UnreadableFileError('The file is empty.', '文件为空。');
  if (startsWith(bytes, zipMagic)) return { format: 'xlsx', rows: await readXlsx(bytes) };
  if (startsWith(bytes, oleMagic)) {
    throw new UnreadableFileError(
      'Old Excel .xls files are not supported: save the sheet as .xlsx or CSV.',
      '不支持旧版 Excel .xls 文件：请将表格另存为 .xlsx 或 CSV。',
    );
  }
  if (bytes.subarray(0, 8192).includes(0)) {
    throw new UnreadableFileError(
      'The file is neither CSV nor XLSX (it looks like a binary file).',
      '该文件既不是 CSV 也不是 XLSX（看起来是二进制文件）。',
    );
  }
  const { text, format } = decodeText(bytes);
  try {
    const rows = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as string[][];
    return { format, rows: rows.filter((r) => r.some((c) => c !== '')) };
  } catch (error) {
    throw new UnreadableFileError(
      `The CSV file cannot be read: ${(error as Error).message}`,
      `无法读取该 CSV 文件：${(error as Error).message}`,
    );
  }
};

const decodeText = (bytes: Uint8Array): { text: string; format: TableFormat } => {
  if (startsWith(bytes, utf8Bom)) return { text: new TextDecoder('utf-8').decode(bytes), format: 'csv-utf8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), format: 'csv-utf8' };
  } catch {
    // Not UTF-8: GB18030 is a superset of GBK and GB2312.
    return { text: new TextDecoder('gb18030').decode(bytes), format: 'csv-gb18030' };
  }
};

const readXlsx = async (bytes: Uint8Array): Promise<string[][]> => {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (error) {
    throw new UnreadableFileError(
      `The XLSX file cannot be read: ${(error as Error).message}`,
      `无法读取该 XLSX 文件：${(error as Error).message}`,
    );
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new UnreadableFileError('The XLSX file has no worksheet.', '该 XLSX 文件没有工作表。');
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    if (cells.some((v) => v !== '')) rows.push(cells);
  });
  return rows;
};

const cellText = (value: ExcelJS.CellValue): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text).trim();
    return '';
  }
  return String(value).trim();
};
