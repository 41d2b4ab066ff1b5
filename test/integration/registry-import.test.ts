import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';

/**
 * Registry imports through the HTTP API, S3 upload, object-created event and
 * the import-registry workflow, in Zhejiang (33) so that other tests' data
 * (the Jiangsu demo province) is not disturbed.
 */
const county = '330106'; // 西湖区
const town = '330106002';
const otherCounty = '330108'; // 滨江区

const header =
  'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
const school = (id: string, name: string, kind = 'primary', students = 900) =>
  `${id},${name},${kind},${county},${town},public,${students},60,王芳,2021-09-01`;
const csv = (...lines: string[]) => `${[header, ...lines].join('\r\n')}\r\n`;

const admin = () => tokenFor('county_admin', county, { subject: 'xihu-office' });
const run = async (
  kind: 'schools' | 'inspectors' | 'zones',
  body: string | Uint8Array,
  fileName = `${kind}.csv`,
  token?: string,
) =>
  importFile({ apiUrl: apiUrl(), token: token ?? (await admin()), timeoutMs: 60_000 }, kind, fileName, body);

const errorReport = async (importId: string, token: string) => {
  // The English report (errors.en.csv): these files use the English headers.
  const record = await call<{ errorReportUrl: string }>('GET', `/imports/${importId}`, { token, lang: 'en' });
  const text = await (await fetch(record.body.errorReportUrl)).text();
  return text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .slice(1);
};

describe('importing schools', () => {
  it('imports a UTF-8 CSV, then counts a re-import as unchanged and an edited row as updated', async () => {
    const file = csv(
      school('3301060001', '西湖区实验小学'),
      school('3301060002', '北山幼儿园', 'kindergarten', 200),
    );
    const first = await run('schools', file);
    expect(first).toMatchObject({
      status: 'completed',
      counts: { read: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 },
    });

    const again = await run('schools', file);
    expect(again.counts).toEqual({ read: 2, created: 0, updated: 0, unchanged: 2, rejected: 0 });

    const edited = await run(
      'schools',
      csv(
        school('3301060001', '西湖区实验小学', 'primary', 950),
        school('3301060002', '北山幼儿园', 'kindergarten', 200),
      ),
    );
    expect(edited.counts).toEqual({ read: 2, created: 0, updated: 1, unchanged: 1, rejected: 0 });

    const read = await call('GET', '/schools/3301060001', { token: await admin() });
    expect(read.body).toMatchObject({
      id: '3301060001',
      name: '西湖区实验小学',
      students: 950,
      regionCode: county,
      townCode: town,
    });
  });

  it('imports UTF-8 with BOM, GBK and XLSX files alike', async () => {
    const bom = await run('schools', `\uFEFF${csv(school('3301060011', '西溪小学'))}`, 'bom.csv');
    expect(bom.counts).toMatchObject({ created: 1, rejected: 0 });

    const gbk = await run(
      'schools',
      iconv.encode(csv(school('3301060012', '西溪第二小学')), 'gbk'),
      'gbk.csv',
    );
    expect(gbk.counts).toMatchObject({ created: 1, rejected: 0 });
    expect((await call('GET', '/schools/3301060012', { token: await admin() })).body).toMatchObject({
      name: '西溪第二小学',
    });

    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学校名册');
    sheet.addRow([
      '学校标识码',
      '学校名称',
      '学校类型',
      '区县代码',
      '乡镇代码',
      '办学性质',
      '在校生数',
      '教职工数',
      '校长姓名',
      '校长任职时间',
    ]);
    sheet.addRow([
      '3301060013',
      '西溪实验幼儿园',
      '幼儿园',
      county,
      town,
      '民办',
      180,
      20,
      '李静',
      new Date(Date.UTC(2022, 8, 1)),
    ]);
    const xlsx = await run('schools', new Uint8Array(await workbook.xlsx.writeBuffer()), 'schools.xlsx');
    expect(xlsx.counts).toMatchObject({ created: 1, rejected: 0 });
    expect((await call('GET', '/schools/3301060013', { token: await admin() })).body).toMatchObject({
      kind: 'kindergarten',
      ownership: 'private',
      principalTermStart: '2022-09-01',
    });
  });

  it('reports bad rows in the error report and imports the good ones', async () => {
    const token = await admin();
    const outcome = await run(
      'schools',
      csv(
        school('3301060021', '好学校'),
        '3301060022,某校,primary,999999,330106002,public,10,1,张三,2021-01-01',
        school('3301060021', '重复学校'),
        '3301060023,某校,university,330106,330106002,public,10,1,张三,2021-01-01',
        '3301060024,,primary,330106,330106002,public,10,1,张三,2021-01-01',
        '3301060025,某校,primary,330106,330106002,public,many,1,张三,2021-01-01',
      ),
    );
    expect(outcome.counts).toEqual({ read: 6, created: 1, updated: 0, unchanged: 0, rejected: 5 });
    const report = await errorReport(outcome.id, token);
    expect(report).toEqual([
      expect.stringMatching(/^"3","region_code",".*"$/),
      expect.stringMatching(/^"4","school_id",".*first seen in row 2"$/),
      expect.stringMatching(/^"5","kind",".*university.*"$/),
      '"6","name","is required"',
      expect.stringMatching(/^"7","students",".*many.*"$/),
    ]);
    expect((await call('GET', '/schools/3301060022', { token })).status).toBe(404);
  });

  it('fails a file with missing columns or that is not a spreadsheet, saying why', async () => {
    const missing = await run('schools', 'school_id,name\r\n3301060031,某校\r\n');
    expect(missing.status).toBe('failed');
    // The import's error is Chinese by default (seed's importFile sends no Accept-Language).
    expect(missing.error).toMatch(/学校文件缺少以下列：kind\(学校类型\)/);

    const binary = await run('schools', new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), 'virus.csv');
    expect(binary.status).toBe('failed');
    expect(binary.error).toMatch(/既不是 CSV 也不是 XLSX/);
    const english = await call<{ error: string }>('GET', `/imports/${binary.id}`, {
      token: await admin(),
      lang: 'en',
    });
    expect(english.body.error).toMatch(/neither CSV nor XLSX/);
  });

  it('refuses to import into another county: those rows are rejected', async () => {
    const outcome = await run(
      'schools',
      csv(`3301080001,滨江小学,primary,${otherCounty},330108001,public,500,30,赵六,2021-09-01`),
    );
    expect(outcome.counts).toMatchObject({ created: 0, rejected: 1 });
    expect(await errorReport(outcome.id, await admin())).toEqual([
      `"2","region_code","region ${otherCounty} is outside your scope (${county})"`,
    ]);
  });

  it('refuses to take over a school registered in another county by importing its id', async () => {
    await run('schools', csv(school('3301060051', '西湖区被占用学校')));
    const neighbour = await tokenFor('county_admin', otherCounty, { subject: 'binjiang-office' });
    const outcome = await run(
      'schools',
      csv(`3301060051,冒名学校,primary,${otherCounty},330108001,public,500,30,赵六,2021-09-01`),
      'takeover.csv',
      neighbour,
    );
    expect(outcome.counts).toMatchObject({ created: 0, updated: 0, rejected: 1 });
    expect(await errorReport(outcome.id, neighbour)).toEqual([
      `"2","school_id","3301060051 is registered in ${county}, outside your scope (${otherCounty})"`,
    ]);
    expect((await call('GET', '/schools/3301060051', { token: await admin() })).body).toMatchObject({
      name: '西湖区被占用学校',
    });
  });
});

describe('importing inspectors and zones', () => {
  it('links inspectors to their zone schools and warns about zones over 20 schools', async () => {
    const ids = Array.from({ length: 22 }, (_, i) => `33010601${String(i).padStart(2, '0')}`);
    await run('schools', csv(...ids.map((id, i) => school(id, `西湖区第${i + 1}小学`))));
    const inspectors = await run(
      'inspectors',
      'inspector_id,name,kind,region_code,phone\r\n' +
        `IXH001,钱七,responsible,${county},13800000001\r\n` +
        `IXH002,孙八,责任督学,${county},13800000002\r\n`,
    );
    expect(inspectors.counts).toMatchObject({ created: 2, rejected: 0 });

    const zones = await run(
      'zones',
      'zone_id,region_code,inspector_id,school_id\r\n' +
        ids.map((id) => `ZXH-A,${county},IXH001,${id}`).join('\r\n') +
        `\r\nZXH-B,${county},IXH002,9999999999\r\n`,
    );
    expect(zones.counts).toMatchObject({ read: 23, created: 22, rejected: 1 });
    expect(zones.warnings).toEqual(['zone ZXH-A has 22 schools (more than 20)']);

    const token = await admin();
    const inspector = await call<{ id: string; phone: string; schools: { id: string }[] }>(
      'GET',
      '/inspectors/IXH001',
      { token },
    );
    expect(inspector.body.phone).toBe('13800000001');
    expect(inspector.body.schools.map((s) => s.id).sort()).toEqual(ids);
    const zone = await call<{ inspectorId: string; schoolIds: string[] }>('GET', '/zones/ZXH-A', { token });
    expect(zone.body.inspectorId).toBe('IXH001');
    expect(zone.body.schoolIds).toHaveLength(22);

    // The inspector reads their zone's schools; a school reads its inspector without the phone number.
    const asInspector = await tokenFor('inspector', 'IXH001');
    expect((await call('GET', `/schools/${ids[0]}`, { token: asInspector })).status).toBe(200);
    expect((await call('GET', '/schools/3301060001', { token: asInspector })).status).toBe(404);
    const asSchool = await tokenFor('school', ids[0]!);
    const seen = await call<Record<string, unknown>>('GET', '/inspectors/IXH001', { token: asSchool });
    expect(seen.status).toBe(200);
    expect(seen.body).not.toHaveProperty('phone');
  });
});

describe('who may read and import', () => {
  it('answers 401 without a token on every registry route', async () => {
    for (const [method, path] of [
      ['GET', '/regions/33'],
      ['GET', '/schools'],
      ['GET', '/schools/3301060001'],
      ['GET', '/inspectors'],
      ['GET', '/inspectors/IXH001'],
      ['GET', '/zones/ZXH-A'],
      ['POST', '/imports'],
      ['GET', '/imports/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ] as const) {
      expect((await call(method, path)).status, `${method} ${path}`).toBe(401);
    }
  });

  it('lets a school read itself and nothing else', async () => {
    await run('schools', csv(school('3301060041', '学校甲'), school('3301060042', '学校乙')));
    const token = await tokenFor('school', '3301060041');
    expect((await call('GET', '/schools/3301060041', { token })).status).toBe(200);
    const other = await call('GET', '/schools/3301060042', { token });
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    const list = await call<{ items: { id: string }[] }>('GET', `/schools?region=${county}`, { token });
    expect(list.body.items.map((s) => s.id)).toEqual(['3301060041']);
  });

  it('refuses imports to schools, inspectors and auditors (403) and reads outside scope as 404', async () => {
    const body = {
      kind: 'schools',
      fileName: 'x.csv',
      contentType: 'text/csv',
      size: 10,
      sha256: 'a'.repeat(64),
    };
    for (const [role, scope] of [
      ['school', '3301060041'],
      ['inspector', 'IXH001'],
      ['auditor', '33'],
    ] as const) {
      expect(
        (await call('POST', '/imports', { token: await tokenFor(role, scope), body })).status,
        role,
      ).toBe(403);
    }
    const neighbour = await tokenFor('county_admin', otherCounty);
    expect((await call('GET', '/schools/3301060041', { token: neighbour })).status).toBe(404);
    expect((await call('GET', `/schools?region=${county}`, { token: neighbour })).status).toBe(404);
    expect((await call('GET', `/regions/${county}`, { token: neighbour })).status).toBe(404);
  });

  it('validates import requests', async () => {
    const token = await admin();
    const bad = await call('POST', '/imports', {
      token,
      body: { kind: 'teachers', fileName: '', contentType: 'image/png', size: 0, sha256: 'not-a-hash' },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      'body.contentType',
      'body.fileName',
      'body.kind',
      'body.sha256',
      'body.size',
    ]);
    const large = await call('POST', '/imports', {
      token,
      body: {
        kind: 'schools',
        fileName: 'x.csv',
        contentType: 'text/csv',
        size: 60e6,
        sha256: 'a'.repeat(64),
      },
    });
    expect(large.status).toBe(400);
    expect((await call('GET', '/imports/not-an-import', { token })).status).toBe(404);
    expect((await call('GET', '/schools?limit=5000', { token })).status).toBe(400);
    expect((await call('GET', '/schools?cursor=garbage', { token })).status).toBe(400);
  });
});
