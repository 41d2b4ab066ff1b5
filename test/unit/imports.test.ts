import { describe, expect, it } from 'vitest';
import { prepareRows } from '#core/import-service';
import { errorReportCsv, ImportFileError } from '#core/imports';

const header = [
  'school_id',
  'name',
  'kind',
  'region_code',
  'town_code',
  'ownership',
  'students',
  'teachers',
  'principal_name',
  'principal_term_start',
];
const good = [
  '3205820001',
  '张家港市实验小学',
  'primary',
  '320582',
  '320582001',
  'public',
  '1200',
  '80',
  '王芳',
  '2021-09-01',
];

describe('prepareRows (schools)', () => {
  it('accepts English headers and codes', () => {
    const prepared = prepareRows('schools', [header, good], '320582');
    expect(prepared.rejected).toEqual([]);
    expect(prepared.batches[0]?.[0]).toEqual({
      row: 2,
      entity: {
        id: '3205820001',
        name: '张家港市实验小学',
        kind: 'primary',
        regionCode: '320582',
        townCode: '320582001',
        ownership: 'public',
        students: 1200,
        teachers: 80,
        principalName: '王芳',
        principalTermStart: '2021-09-01',
      },
    });
  });

  it('accepts Chinese headers in any order and Chinese labels', () => {
    const zh = [
      '学校名称',
      '学校标识码',
      '学校类型',
      '区县代码',
      '乡镇代码',
      '办学性质',
      '在校生数',
      '教职工数',
      '校长姓名',
      '校长任职时间',
    ];
    const row = [
      '金港幼儿园',
      '3205820002',
      '幼儿园',
      '320582',
      '320582001',
      '民办',
      '1,300',
      '40',
      '李静',
      '2020/9/1',
    ];
    const prepared = prepareRows('schools', [zh, row], '32');
    expect(prepared.rejected).toEqual([]);
    expect(prepared.batches[0]?.[0]?.entity).toMatchObject({
      kind: 'kindergarten',
      ownership: 'private',
      students: 1300,
      principalTermStart: '2020-09-01',
    });
  });

  it('reports every bad row with its row number, column and reason', () => {
    const rows = [
      header,
      good,
      ['3205820003', '某校', 'primary', '999999', '320582001', 'public', '10', '1', '张三', '2021-01-01'], // unknown region
      ['3205820001', '重复学校', 'primary', '320582', '320582001', 'public', '10', '1', '张三', '2021-01-01'], // duplicate id
      ['3205820004', '某校', 'university', '320582', '320582001', 'public', '10', '1', '张三', '2021-01-01'], // bad kind
      ['3205820005', '', 'primary', '320582', '320582001', 'public', '10', '1', '张三', '2021-01-01'], // missing name
      ['3205820006', '某校', 'primary', '320582', '320582001', 'public', 'many', '1', '张三', '2021-01-01'], // non-numeric students
    ];
    const prepared = prepareRows('schools', rows, '32');
    expect(prepared.read).toBe(6);
    expect(prepared.batches.flat().map((r) => r.row)).toEqual([2]);
    const byRow = (row: number) => prepared.rejected.filter((e) => e.row === row).map((e) => e.column);
    expect(byRow(3)).toEqual(['region_code']);
    expect(byRow(4)).toEqual(['school_id']);
    expect(prepared.rejected.find((e) => e.row === 4)?.message).toContain('first seen in row 2');
    expect(byRow(5)).toEqual(['kind']);
    expect(byRow(6)).toEqual(['name']);
    expect(byRow(7)).toEqual(['students']);
  });

  it('rejects rows outside the importing office’s scope', () => {
    const prepared = prepareRows('schools', [header, good], '320583');
    expect(prepared.rejected).toEqual([
      {
        row: 2,
        column: 'region_code',
        message: 'region 320582 is outside your scope (320583)',
        zh: '区划 320582 不在您的管辖范围（320583）内',
      },
    ]);
  });

  it('rejects a file with missing columns, naming them', () => {
    expect(() => prepareRows('schools', [header.slice(0, 5), good.slice(0, 5)], '32')).toThrow(
      ImportFileError,
    );
    expect(() => prepareRows('schools', [header.slice(0, 5), good.slice(0, 5)], '32')).toThrow(
      /ownership\(办学性质\)/,
    );
  });

  it('cuts valid rows into batches', () => {
    const rows = [header, ...Array.from({ length: 5 }, (_, i) => [`320582000${i}`, ...good.slice(1)])];
    expect(prepareRows('schools', rows, '32', 2).batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });
});

describe('prepareRows (zones)', () => {
  it('keeps a school in one zone and a zone with one inspector', () => {
    const rows = [
      ['zone_id', 'region_code', 'inspector_id', 'school_id'],
      ['Z1', '320582', 'I1', '3205820001'],
      ['Z1', '320582', 'I2', '3205820002'],
      ['Z2', '320582', 'I3', '3205820001'],
    ];
    const prepared = prepareRows('zones', rows, '320582');
    expect(prepared.batches.flat().map((r) => r.row)).toEqual([2]);
    expect(prepared.rejected.map((e) => [e.row, e.column])).toEqual([
      [3, 'inspector_id'],
      [4, 'school_id'],
    ]);
  });
});

describe('errorReportCsv', () => {
  it('writes a BOM-prefixed CSV Excel opens in UTF-8, quoting every field', () => {
    expect(errorReportCsv([{ row: 3, column: 'name', message: 'is "required", really' }])).toBe(
      '\uFEFF"row","column","message"\r\n"3","name","is ""required"", really"\r\n',
    );
  });

  it('names the column by the header the file used and speaks Chinese or English', () => {
    const header = ['学校标识码', '学校名称', '学校类型', '区县代码', '乡镇代码', '办学性质', '在校生数'];
    const prepared = prepareRows(
      'schools',
      [
        [...header, '教职工数', '校长姓名', '校长任职时间'],
        ['3205820001', '', 'primary', '320582', '320582001', 'public', '许多', '10', '张三', '2021-09-01'],
      ],
      '320582',
    );
    const rows = prepared.rejected.map((e) => ({ ...e, heading: prepared.headings[e.column] }));
    expect(errorReportCsv(rows, 'zh').split('\r\n').slice(0, 3)).toEqual([
      '\uFEFF"行","列","问题"',
      '"2","在校生数","“许多”不是整数"',
      '"2","学校名称","必填"',
    ]);
    expect(errorReportCsv(rows, 'en').split('\r\n')[1]).toBe(
      '"2","在校生数","""许多"" is not a whole number"',
    );
  });
});
