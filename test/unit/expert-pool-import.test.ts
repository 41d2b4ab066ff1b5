import { describe, expect, it } from 'vitest';
import { prepareRows } from '#core/import-service';
import { availableOn } from '#core/registry';

/** The inspectors file with the expert pool's columns (专业领域, 所在学校标识码, 是否可用, 回避学校). */
const base = ['inspector_id', 'name', 'kind', 'region_code', 'phone'];
const row = ['E001', '周专家', 'expert', '320582', '13900000001'];

const entityOf = (header: string[], cells: string[]) => {
  const prepared = prepareRows('inspectors', [header, cells], '32');
  expect(prepared.rejected).toEqual([]);
  return prepared.batches[0]![0]!.entity;
};
const errorsOf = (header: string[], cells: string[]) =>
  prepareRows('inspectors', [header, cells], '32').rejected;

describe('prepareRows (inspectors and the expert pool)', () => {
  it('imports a file without the pool columns as before: no specialties, available, no conflicts', () => {
    expect(entityOf(base, row)).toEqual({
      id: 'E001',
      name: '周专家',
      kind: 'expert',
      regionCode: '320582',
      phone: '13900000001',
      specialties: [],
      available: true,
      conflicts: [],
    });
  });

  it('reads Chinese headers, labels and lists separated by 、，,;；|', () => {
    const header = [
      '督学编号',
      '姓名',
      '督学类型',
      '区县代码',
      '手机号',
      '专业领域',
      '所在学校标识码',
      '是否可用',
      '不可用截止日期',
      '回避学校',
    ];
    const entity = entityOf(header, [
      ...row.slice(0, 2),
      '督导评估专家',
      ...row.slice(3),
      '学前教育、财务；safety | 课程教学',
      '3205820001',
      '否',
      '2026年6月30日',
      '3205820002，3205820003;3205820004',
    ]);
    expect(entity).toMatchObject({
      specialties: ['preschool', 'finance', 'safety', 'curriculum'],
      homeSchoolId: '3205820001',
      available: false,
      unavailableUntil: '2026-06-30',
      conflicts: ['3205820002', '3205820003', '3205820004'],
    });
    const header2 = [...base, 'available'];
    expect(entityOf(header2, [...row, '是'])).toMatchObject({ available: true });
    expect(entityOf(header2, [...row, 'no'])).toMatchObject({ available: false });
  });

  it('reports each bad pool cell with its row, column and reason', () => {
    const header = [...base, 'specialties', 'home_school_id', 'available', 'unavailable_until', 'conflicts'];
    expect(errorsOf(header, [...row, '学前教育、书法', '12345', '也许', '', '3205820002、abc'])).toEqual([
      expect.objectContaining({
        row: 2,
        column: 'specialties',
        message: expect.stringContaining('"书法" is not one of'),
      }),
      expect.objectContaining({ row: 2, column: 'available', message: '"也许" is not 是 or 否' }),
      expect.objectContaining({
        row: 2,
        column: 'home_school_id',
        message: expect.stringContaining('10-digit'),
      }),
      expect.objectContaining({
        row: 2,
        column: 'conflicts',
        message: expect.stringMatching(/^"abc" must be the 10-digit/),
      }),
    ]);
    // A date is for an inspector who is away; a specialty or a school named twice; too many conflicts.
    const many = Array.from({ length: 51 }, (_, i) => `32058200${String(i).padStart(2, '0')}`).join('、');
    const messages = (cells: string[]) => errorsOf(header, cells).map((e) => `${e.column}: ${e.message}`);
    expect(messages([...row, '', '', '是', '2026-06-30', ''])).toEqual([
      expect.stringMatching(/^unavailable_until: is only for an inspector who is not available/),
    ]);
    expect(messages([...row, '财务、finance', '', '', '', '3205820002|3205820002'])).toEqual([
      'specialties: names a specialty twice',
      'conflicts: names a school twice',
    ]);
    expect(messages([...row, '', '', '', '', many])).toEqual(['conflicts: at most 50 schools']);
  });
});

describe('availableOn', () => {
  it('is available unless withdrawn, and a withdrawal with a date ends on that day', () => {
    expect(availableOn({ available: true }, '2026-01-01')).toBe(true);
    expect(availableOn({ available: false }, '2026-01-01')).toBe(false);
    const away = { available: false, unavailableUntil: '2026-06-30' };
    expect(availableOn(away, '2026-06-29')).toBe(false);
    expect(availableOn(away, '2026-06-30')).toBe(true);
  });
});
