import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readTable, UnreadableFileError } from '#lib/tabular';

const rows = [
  ['school_id', 'name'],
  ['3205820001', '张家港市实验小学'],
  ['3205820002', '金港镇中心幼儿园, 东园'],
];
const csv = 'school_id,name\r\n3205820001,张家港市实验小学\r\n3205820002,"金港镇中心幼儿园, 东园"\r\n';

describe('readTable', () => {
  it('reads UTF-8 CSV', async () => {
    expect(await readTable(Buffer.from(csv))).toEqual({ format: 'csv-utf8', rows });
  });

  it('reads UTF-8 CSV with a BOM', async () => {
    const table = await readTable(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]));
    expect(table).toEqual({ format: 'csv-utf8', rows });
  });

  it('reads GBK CSV as Chinese Excel writes it', async () => {
    expect(await readTable(iconv.encode(csv, 'gbk'))).toEqual({ format: 'csv-gb18030', rows });
  });

  it('reads the first sheet of an XLSX workbook, dates as YYYY-MM-DD', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学校');
    sheet.addRow(['school_id', 'name', 'principal_term_start', 'students']);
    sheet.addRow(['3205820001', '张家港市实验小学', new Date(Date.UTC(2021, 8, 1)), 1200]);
    workbook.addWorksheet('ignored').addRow(['x']);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(await readTable(bytes)).toEqual({
      format: 'xlsx',
      rows: [
        ['school_id', 'name', 'principal_term_start', 'students'],
        ['3205820001', '张家港市实验小学', '2021-09-01', '1200'],
      ],
    });
  });

  it('refuses files that are neither CSV nor XLSX', async () => {
    await expect(readTable(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]))).rejects.toThrow(UnreadableFileError);
    await expect(readTable(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1]))).rejects.toThrow(
      /\.xls files are not supported/,
    );
    await expect(readTable(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]))).rejects.toThrow(
      /XLSX file cannot be read/,
    );
    await expect(readTable(Buffer.alloc(0))).rejects.toThrow(/empty/);
  });
});
