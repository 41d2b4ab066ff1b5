import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Role, roles } from '#core/actor';
import { type RouteKey, routeKey, routes, stateMachines, tables } from '#infra/resources';
import { mapLimited } from '#lib/concurrency';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { testDb, testSfn } from '#test/support/aws';
import {
  activeCountyCampaign,
  createCampaign,
  launchAndWait,
  upcomingWindow,
  waitForExecution,
} from '#test/support/campaigns';
import { exe, png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * The authorization matrix: for every declared route, who may call it, and
 * what every other caller gets — no token, each wrong role, the right role
 * outside its scope. Rules (README "API conventions", ARCHITECTURE "API"):
 *
 * - no, invalid or expired token → 401 problem+json (public routes: 200);
 * - a role that may not do this → 403;
 * - anything outside the caller's scope reads as 404;
 * - 403 for a right role outside its scope only where the API refuses on
 *   authority ("not a region you supervise", "run by the office of …").
 *
 * The world, in Hunan (43, no other test file uses it): Changsha (4301) with
 * 芙蓉区 (430102, "A": six schools, inspector, zone, an active campaign whose
 * inspections stand at each step of the lifecycle, an evidence file, an
 * export, an import, an office template) and 天心区 (430103, "B": two schools,
 * its own inspector, zone and active campaign); a province campaign over 43;
 * Guangdong (44 / Guangzhou 4401 / 荔湾区 440103) is "far away".
 *
 * Every cell runs with a subject of its own; a refused cell must leave no
 * audit event under that subject, and each mutating row's probe (read by an
 * authorised caller) must read the same before and after its refused cells,
 * and differ after its positive call, which runs last on the row's own object.
 * All failing cells are collected and reported once, as a table.
 */

// ---------------------------------------------------------------- the world

const P = '43';
const CITY = '4301';
const A = '430102';
const B = '430103';
const schoolsA = [
  '4301020001',
  '4301020002',
  '4301020003',
  '4301020004',
  '4301020005',
  '4301020006',
  '4301020007',
  '4301020008',
];
/** Schools of A whose principal's term ends this year: a principal end-of-term campaign with expert panels. */
const panelSchools = ['4301020011', '4301020012', '4301020013'];
const panelLead = 'IAUTHZX01';
const panelExperts = ['IAUTHZX02', 'IAUTHZX03', 'IAUTHZX04', 'IAUTHZX05', 'IAUTHZX06', 'IAUTHZX07'];
const schoolsB = ['4301030001', '4301030002'];
const inspA = 'IAUTHZ430102';
const inspB = 'IAUTHZ430103';
const zoneA = `Z${A}`;
const window = upcomingWindow();
const year = Number(window.start.slice(0, 4));
const ownedTemplate = 'authz-owned-430102';

interface Caller {
  label: string;
  role: Role;
  scope: string;
}
const as = (role: Role, scope: string): Caller => ({ label: `${role} ${scope}`, role, scope });
const who = {
  provinceA: as('province_admin', P),
  cityA: as('city_admin', CITY),
  countyA: as('county_admin', A),
  countyB: as('county_admin', B),
  provinceFar: as('province_admin', '44'),
  cityFar: as('city_admin', '4401'),
  countyFar: as('county_admin', '440103'),
  inspectorA: as('inspector', inspA),
  inspectorB: as('inspector', inspB),
  panelLead: as('inspector', panelLead),
  auditorA: as('auditor', A),
  auditorProvince: as('auditor', P),
  auditorB: as('auditor', B),
  auditorFar: as('auditor', '44'),
  school: (id: string) => as('school', id),
  /** The government of A's first town (文艺路街道): party to the towns' duty campaign only. */
  governmentA: as('government', '430102001'),
  governmentB: as('government', '430103002'),
};
const schoolA1 = who.school(schoolsA[0]!);
const schoolA2 = who.school(schoolsA[1]!);
const schoolB1 = who.school(schoolsB[0]!);

interface World {
  campaignA: string;
  campaignB: string;
  provinceCampaign: string;
  closeTarget: string;
  draftA: string;
  draftLaunch: string;
  draftCity: string;
  draftProvince: string;
  /**
   * Inspections of campaignA, by school index: [0] assigned (with evidence), [1] self_assessed,
   * [2] inspected, [3..5] reported, [6] self_assessed (to return), [7] rectification submitted (to return).
   */
  inspections: string[];
  versions: number[];
  inspectionB: string;
  evidenceA: string;
  /** A file whose bytes are not what it declared: quarantined, served to offices only. */
  quarantinedA: string;
  exportA: string;
  importA: string;
  /** The principal end-of-term campaign of A, its panels drawn; its inspections by panelSchools index. */
  panelCampaign: string;
  panelInspections: { id: string; version: number; members: string[] }[];
  /** A's campaign that drew a 50 % sample, and one closed (sealed) in setup. */
  sampledA: string;
  sealedA: string;
  /** A's government-duty campaign over its towns (督政), launched: what rankings rank. */
  townsA: string;
  /** A school group of A (lead schoolsA[2], member schoolsA[3]). */
  groupA: string;
  /** The city's kindergarten re-evaluation based on A's county evaluation (both launched). */
  reEvaluation: string;
}
let world: World;
const executions: string[] = [];

interface InspectionView {
  id: string;
  version: number;
  status: string;
}

const expectStatus = async <T>(r: Promise<{ status: number; text: string; body: T }>, status: number) => {
  const response = await r;
  if (response.status !== status) throw new Error(`setup call answered ${response.status}: ${response.text}`);
  return response.body;
};

const allIndicators = (problem: boolean) =>
  (
    [
      ['campus-safety', 'campus_patrol'],
      ['enrolment', 'document_review'],
      ['textbooks', 'campus_patrol'],
      ['health', 'campus_patrol'],
      ['class-size', 'data_review'],
      ['fees', 'document_review'],
    ] as const
  ).map(([indicatorId, method]) => ({
    indicatorId,
    method,
    score: 85,
    comment: '',
    problems:
      problem && indicatorId === 'campus-safety' ? [{ description: '消防通道堵塞', severity: 'major' }] : [],
  }));

const selfAssessment = (version: number) => ({
  version,
  indicators: [{ indicatorId: 'campus-safety', score: 90, statement: '已自查' }],
});
const findings = (version: number) => ({
  version,
  visit: { date: '2026-10-12', durationMinutes: 90 },
  indicators: allIndicators(true),
});
const interview = {
  type: 'interview',
  date: '2026-10-20',
  leaderSummoned: '校长',
  attendees: ['督学'],
  minutes: '约谈纪要',
};
const ownedTemplateBody = (version: number) => ({
  id: ownedTemplate,
  version,
  title: { zh: '芙蓉区专项督导', en: 'Furong special check' },
  indicators: [
    {
      id: 'safety',
      title: { zh: '安全', en: 'Safety' },
      weight: 100,
      methods: ['document_review'],
    },
  ],
  phases: [{ phase: 'on_site', days: 10 }],
  grading: { excellent: 90, good: 80, pass: 60 },
  target: { unit: 'school', schoolKinds: ['primary'] },
});

/** Drives one inspection of campaignA to the step its row needs; returns its version. */
const advance = async (
  id: string,
  school: string,
  tokens: { inspector: string; schoolOf: (id: string) => Promise<string> },
  steps: readonly ('self' | 'findings' | 'report' | 'complete')[],
) => {
  const schoolToken = await tokens.schoolOf(school);
  let version = 1;
  for (const step of steps) {
    const r =
      step === 'self'
        ? call<InspectionView>('PUT', `/inspections/${id}/self-assessment`, {
            token: schoolToken,
            body: selfAssessment(version),
          })
        : step === 'findings'
          ? call<InspectionView>('PUT', `/inspections/${id}/findings`, {
              token: tokens.inspector,
              body: findings(version),
            })
          : step === 'report'
            ? call<InspectionView>('POST', `/inspections/${id}/report`, {
                token: tokens.inspector,
                body: { version },
              })
            : call<InspectionView>('PUT', `/inspections/${id}/rectifications/campus-safety-1`, {
                token: schoolToken,
                body: { version, completion: { statement: '已整改' } },
              });
    version = (await expectStatus(r, 200)).version;
  }
  return version;
};

const buildWorld = async (): Promise<World> => {
  const [a, b] = await Promise.all([
    activeCountyCampaign({ county: A, town: '430102001', schoolIds: schoolsA, inspectorId: inspA }),
    activeCountyCampaign({ county: B, town: '430103002', schoolIds: schoolsB, inspectorId: inspB }),
  ]);
  const officeA = a.office;
  const province = await tokenFor('province_admin', P, { subject: 'authz-setup-province' });
  const city = await tokenFor('city_admin', CITY, { subject: 'authz-setup-city' });
  const inspector = await tokenFor('inspector', inspA, { subject: 'authz-setup-inspector' });
  const schoolOf = (id: string) => tokenFor('school', id, { subject: `authz-setup-school-${id}` });
  const draft = (token: string, scope: string, title: string) =>
    createCampaign(token, { templateId: 'start-of-term', title, scope, window }).then((c) => c.id);
  const launched = async (token: string, scope: string, title: string) => {
    const id = await draft(token, scope, title);
    const done = await launchAndWait(token, id);
    if (done.status !== 'SUCCEEDED') throw new Error(`launch of ${title}: ${done.status}`);
    return id;
  };
  const inspections = schoolsA.map((s) => `${a.campaignId}-${s}`);

  const [provinceCampaign, closeTarget, draftA, draftLaunch, draftCity, draftProvince, versions, evidenceA] =
    await Promise.all([
      launched(province, P, '湖南省开学督查'),
      launched(officeA, A, '芙蓉区待结束督导'),
      draft(officeA, A, '芙蓉区草稿'),
      draft(officeA, A, '芙蓉区待启动'),
      draft(city, CITY, '长沙市待启动'),
      draft(province, P, '湖南省草稿'),
      Promise.all(
        (
          [
            [],
            ['self'],
            ['self', 'findings'],
            ['self', 'findings', 'report'],
            ['self', 'findings', 'report'],
            ['self', 'findings', 'report', 'complete'],
            ['self'],
            ['self', 'findings', 'report', 'complete'],
          ] as const
        ).map((steps, i) => advance(inspections[i]!, schoolsA[i]!, { inspector, schoolOf }, steps)),
      ),
      uploadEvidence(
        officeA,
        await schoolOf(schoolsA[0]!),
        inspections[0]!,
        { fileName: 'fire-exit.png', contentType: 'image/png', size: png.length, sha256: sha256(png) },
        png,
      ).then((e) => e.id),
      expectStatus(call('POST', '/templates', { token: officeA, body: ownedTemplateBody(1) }), 201),
    ]);
  const [exported, imported, quarantined, panels, sampledA, sealedA, townsA, groupA, reEvaluation] =
    await Promise.all([
      expectStatus(
        call<{ id: string; executionArn: string }>('POST', '/audit/exports', {
          token: officeA,
          body: { campaignId: a.campaignId },
        }),
        202,
      ),
      expectStatus(
        call<{ id: string }>('POST', '/imports', {
          token: officeA,
          body: {
            kind: 'schools',
            fileName: 'later.csv',
            contentType: 'text/csv',
            size: 10,
            sha256: 'a'.repeat(64),
          },
        }),
        201,
      ),
      uploadEvidence(
        officeA,
        await schoolOf(schoolsA[0]!),
        inspections[0]!,
        { fileName: 'photo.png', contentType: 'image/png', size: exe.length, sha256: sha256(exe) },
        exe,
      ),
      panelWorld(officeA),
      (async () => {
        const c = await createCampaign(officeA, {
          templateId: 'start-of-term',
          title: '芙蓉区抽样督查',
          scope: A,
          window,
          overrides: { samplingPercent: 50 },
        });
        const done = await launchAndWait(officeA, c.id);
        if (done.status !== 'SUCCEEDED') throw new Error(`launch of the sampled campaign: ${done.status}`);
        return c.id as string;
      })(),
      (async () => {
        const id = await launched(officeA, A, '芙蓉区已结束督导');
        const closing = await expectStatus(
          call<{ executionArn: string }>('POST', `/campaigns/${id}/close`, { token: officeA }),
          202,
        );
        await waitForExecution(closing.executionArn);
        return id;
      })(),
      (async () => {
        const c = await createCampaign(officeA, {
          templateId: 'government-duty',
          title: '芙蓉区镇街政府履行教育职责评价',
          scope: A,
          window,
        });
        const done = await launchAndWait(officeA, c.id);
        if (done.status !== 'SUCCEEDED') throw new Error(`launch of the towns' campaign: ${done.status}`);
        return c.id as string;
      })(),
      (async () => {
        const api = { apiUrl: apiUrl(), token: officeA, timeoutMs: 60_000 };
        const lead = schoolsA[2]!;
        const csv =
          'group_id,group_name,group_kind,region_code,lead_school_id,school_id\r\n' +
          `GAUTHZA,芙蓉教育集团,集团,${A},${lead},${lead}\r\n` +
          `GAUTHZA,芙蓉教育集团,集团,${A},${lead},${schoolsA[3]}\r\n`;
        const outcome = await importFile(api, 'groups', 'authz-groups.csv', csv);
        if (outcome.status !== 'completed') throw new Error(`groups import: ${outcome.status}`);
        return 'GAUTHZA';
      })(),
      (async () => {
        const county = await createCampaign(officeA, {
          templateId: 'kindergarten-evaluation',
          title: '芙蓉区幼儿园评估',
          scope: A,
          window,
        });
        const evaluated = await launchAndWait(officeA, county.id);
        if (evaluated.status !== 'SUCCEEDED')
          throw new Error(`launch of A's evaluation: ${evaluated.status}`);
        const c = await createCampaign(city, {
          templateId: 'kindergarten-evaluation',
          title: '长沙市幼儿园复评',
          scope: CITY,
          window,
          basedOn: [county.id],
        });
        const done = await launchAndWait(city, c.id);
        if (done.status !== 'SUCCEEDED') throw new Error(`launch of the re-evaluation: ${done.status}`);
        return c.id as string;
      })(),
    ]);
  if (quarantined.status !== 'quarantined') throw new Error(`the exe is ${quarantined.status}`);
  await waitForExecution(exported.executionArn);
  return {
    campaignA: a.campaignId,
    campaignB: b.campaignId,
    provinceCampaign,
    closeTarget,
    draftA,
    draftLaunch,
    draftCity,
    draftProvince,
    inspections,
    versions,
    inspectionB: `${b.campaignId}-${schoolsB[0]}`,
    evidenceA,
    quarantinedA: quarantined.id,
    exportA: exported.id,
    importA: imported.id,
    panelCampaign: panels.campaignId,
    panelInspections: panels.inspections,
    sampledA,
    sealedA,
    townsA,
    groupA,
    reEvaluation,
  };
};

/**
 * A's principal end-of-term review (校长任期结束综合督导): three schools whose principal's term ends
 * this year, A's expert pool (a full-time inspector who leads, six experts), the campaign launched
 * and its panels drawn.
 */
const panelWorld = async (office: string) => {
  const api = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  const rows = panelSchools.map(
    (id, i) => `${id},芙蓉第${i + 1}中学,junior,${A},430102001,public,900,60,周${i},${year - 5}-09-01`,
  );
  await importFile(api, 'schools', 'panel-schools.csv', `${header}\r\n${rows.join('\r\n')}\r\n`);
  const pool = [
    `${panelLead},赵督学,专职督学,${A},13900000071,学校管理,,是,,`,
    ...panelExperts.map(
      (id, i) => `${id},专家${i + 1},督导评估专家,${A},1390000008${i},义务教育、学校管理、财务,,是,,`,
    ),
  ];
  await importFile(
    api,
    'inspectors',
    'experts.csv',
    `督学编号,姓名,督学类型,区县代码,手机号,专业领域,所在学校标识码,是否可用,不可用截止日期,回避学校\r\n${pool.join('\r\n')}\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'principal-term-end',
    title: '芙蓉区校长任期结束综合督导',
    scope: A,
    window,
  });
  const done = await launchAndWait(office, campaign.id);
  if (done.status !== 'SUCCEEDED') throw new Error(`launch of the panel campaign: ${done.status}`);
  await expectStatus(call('POST', `/campaigns/${campaign.id}/panels`, { token: office, body: {} }), 201);
  const inspections = await Promise.all(
    panelSchools.map(async (s) => {
      const view = await expectStatus(
        call<{ version: number; team?: { lead: string; members: { inspectorId: string }[] } }>(
          'GET',
          `/inspections/${campaign.id}-${s}`,
          { token: office },
        ),
        200,
      );
      if (!view.team) throw new Error(`no panel drawn for ${s}`);
      return {
        id: `${campaign.id}-${s}`,
        version: view.version,
        members: view.team.members.map((m) => m.inspectorId),
      };
    }),
  );
  return { campaignId: campaign.id, inspections };
};

// ---------------------------------------------------------------- the matrix

type Kind = 'allowed' | 'role' | 'scope' | 'authority';
interface Cell {
  who: Caller;
  kind: Kind;
  /** One status; several: the rule is ambiguous, any of them passes (and is reported). */
  expect: number | readonly number[];
  rule: string;
  ambiguous?: string;
  /** In a 200 answer: what must not appear (the other side's ids) and what must. */
  absent?: readonly string[];
  present?: readonly string[];
  path?: string;
  body?: unknown;
}
interface Row {
  route: RouteKey;
  path: string;
  body?: unknown;
  cells: Cell[];
  /** The one call that mutates: runs after every other cell, on this row's own object. */
  positive?: Cell;
  /** What the row's mutation changes, read by an authorised caller. */
  probe?: () => Promise<unknown>;
  /** Roles that may also do it but are not exercised (each would mutate the row's object). */
  alsoAllowed?: readonly Role[];
  /** Why the row has no outside-scope cell. */
  unscoped?: string;
}

const rule = {
  public: 'public route: anyone, token or not',
  auth: 'no, invalid or expired bearer token → 401 problem+json (README "API conventions")',
  ok: 'in role and in scope',
  role: 'a role that may not do this → 403 (README "API conventions")',
  scope: 'outside the caller’s scope reads as 404 (README; ARCHITECTURE "API")',
  list: 'a list shows what the caller may see: 200, nothing of the other side',
  invisible:
    'role may never see this record; the service folds the role into visibility (reads/canRead/visible) → 404',
  authority: 'right role, outside its authority → 403 (the API says so: "not a region you supervise" …)',
  wrongAndOutside: 'wrong role and outside scope: either refusal reveals nothing',
};

const ok = (w: Caller, more: Partial<Cell> = {}): Cell => ({
  who: w,
  kind: 'allowed',
  expect: 200,
  rule: rule.ok,
  ...more,
});
const role = (w: Caller, more: Partial<Cell> = {}): Cell => ({
  who: w,
  kind: 'role',
  expect: 403,
  rule: rule.role,
  ...more,
});
const outside = (w: Caller, more: Partial<Cell> = {}): Cell => ({
  who: w,
  kind: 'scope',
  expect: 404,
  rule: rule.scope,
  ...more,
});
const authority = (w: Caller, more: Partial<Cell> = {}): Cell => ({
  who: w,
  kind: 'authority',
  expect: 403,
  rule: rule.authority,
  ...more,
});
/** A record the role can never see: the code answers 404, README's role rule says 403. */
const invisible = (w: Caller): Cell =>
  role(w, {
    expect: [404, 403],
    rule: rule.invisible,
    ambiguous:
      'README: "a role that may not do this → 403"; the service treats the record as invisible to the role → 404',
  });
/** A list filtered by an id of another region: an empty page, or that id read as absent. */
const archiveOutside = (w: Caller, absent: readonly string[]): Cell =>
  outside(w, {
    expect: [200, 404],
    rule: `${rule.list}, or the campaign read as absent`,
    absent,
    ambiguous:
      'the archive narrows to the caller’s region and answers an empty page (200); GET /inspections?schoolId= of an unseen school answers 404 instead',
  });
const listOutside = (w: Caller, absent: readonly string[]): Cell =>
  outside(w, { expect: 200, rule: rule.list, absent });

/** Readers of one of A's records: offices over A, A's auditor; outside: B's office and auditor, far away. */
const officeReaders = (more: Partial<Cell> = {}) => [
  ok(who.provinceA, more),
  ok(who.cityA, more),
  ok(who.countyA, more),
  ok(who.auditorA, more),
];
const officeOutsiders = () => [
  outside(who.countyB),
  outside(who.auditorB),
  outside(who.provinceFar),
  outside(who.countyFar),
];

interface Versioned {
  version: number;
  status: string;
}
const v = (view: Versioned) => ({ version: view.version, status: view.status });
const probeAs =
  (caller: Caller, path: string, pick: (body: Record<string, unknown>) => unknown) => async () => {
    const r = await call<Record<string, unknown>>('GET', path, {
      token: await tokenFor(caller.role, caller.scope, { subject: 'authz-probe' }),
    });
    if (r.status !== 200) return `probe answered ${r.status}`;
    return pick(r.body);
  };
const inspectionProbe = (id: string) =>
  probeAs(who.countyA, `/inspections/${id}`, (b) => v(b as unknown as Versioned));
const campaignProbe = (id: string) =>
  probeAs(who.provinceA, `/campaigns/${id}`, (b) => v(b as unknown as Versioned));
const itemCount = (caller: Caller, path: string) =>
  probeAs(caller, path, (b) => (b.items as unknown[]).length);

/**
 * The export executions there are (each named `export-<id>`): a refused request would add one. Exports
 * are probed this way because requesting one writes no audit event and no list of exports exists.
 */
const exportsStarted = async () => {
  const names = new Set<string>();
  let nextToken: string | undefined;
  const stateMachineArn = process.env[stateMachines.exportEvidence.envVar];
  do {
    const page = await testSfn.send(
      new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 1000 }),
    );
    for (const e of page.executions ?? []) if (e.name) names.add(e.name);
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
};

/**
 * The government cells. Every record of the world but the towns' campaign
 * belongs to a school, an inspector or an office, so a town government is
 * refused on each: 403 where its role may not use the route, 404 where the
 * record is not its own (either reveals nothing). Its own inspections are
 * tried in government-scope.test.ts and government-duty.test.ts. Rows that
 * name the government themselves keep their cells.
 */
const withGovernment = (row: Row): Row => {
  const isPublic = routes.find((r) => routeKey(r) === row.route)?.auth === 'public';
  if (isPublic || row.cells.some((c) => c.who.role === 'government')) return row;
  return {
    ...row,
    cells: [...row.cells, outside(who.governmentA, { expect: [403, 404], rule: rule.wrongAndOutside })],
  };
};

const buildRows = (w: World): Row[] => [...rowsOf(w)].map(withGovernment);

const rowsOf = (w: World): Row[] => {
  const [in1, in2, in3, in4, in5, in6, in7, in8] = w.inspections as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const [, v2, v3, v4, v5, v6, v7, v8] = w.versions as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [replaced, teamed, bulkTeamed] = w.panelInspections as [
    World['panelInspections'][number],
    World['panelInspections'][number],
    World['panelInspections'][number],
  ];
  const panelSchool = (i: number) => who.school(panelSchools[i]!);
  /** Changing a team: offices over the school only; the school, its panel and auditors may not. */
  const teamCells = (target: number) => [
    role(panelSchool(target)),
    role(who.panelLead),
    role(who.auditorA),
    outside(schoolA2, { expect: [404, 403], rule: rule.wrongAndOutside }),
    outside(who.countyB),
    outside(who.provinceFar),
  ];
  const school = (i: number) => who.school(schoolsA[i]!);
  const inspectionReaders = (target: number) => [
    ...officeReaders(),
    ok(school(target)),
    ok(who.inspectorA),
    outside(school(target === 0 ? 1 : 0), { rule: `${rule.scope} (another school)` }),
    outside(schoolB1),
    outside(who.inspectorB, { rule: `${rule.scope} (another inspector)` }),
    ...officeOutsiders(),
  ];
  const campaignReaders = () => [
    ...officeReaders(),
    invisible(schoolA1),
    invisible(who.inspectorA),
    ...officeOutsiders(),
  ];
  /** The inspection commands: only `performer` may; everyone outside the inspection reads it as absent. */
  const command = (
    route: RouteKey,
    path: string,
    body: unknown,
    target: number,
    performer: 'school' | 'inspector',
  ): Row => {
    const id = w.inspections[target]!;
    const schoolCell = performer === 'school' ? ok(school(target)) : role(school(target));
    const inspectorCell = performer === 'inspector' ? ok(who.inspectorA) : role(who.inspectorA);
    const offices = [who.provinceA, who.cityA, who.countyA];
    return {
      route,
      path,
      body,
      positive: performer === 'school' ? schoolCell : inspectorCell,
      cells: [
        performer === 'school' ? inspectorCell : schoolCell,
        ...(performer === 'school' ? offices.map((o) => role(o)) : []),
        role(who.auditorA),
        outside(school(target === 0 ? 1 : 0), { rule: `${rule.scope} (another school)` }),
        outside(who.inspectorB, { rule: `${rule.scope} (another inspector)` }),
        outside(who.countyB),
        outside(who.auditorB, { expect: [404, 403], rule: rule.wrongAndOutside }),
        outside(who.provinceFar),
      ],
      probe: inspectionProbe(id),
      ...(performer === 'inspector'
        ? { alsoAllowed: ['province_admin', 'city_admin', 'county_admin'] as const }
        : {}),
    };
  };

  return [
    // ---- system
    {
      route: 'GET /health',
      path: '/health',
      cells: [
        ok(schoolA1, { rule: rule.public, absent: ['"services"'] }),
        ok(who.countyA, { rule: rule.public }),
      ],
      unscoped: 'public',
    },
    {
      route: 'GET /openapi.json',
      path: '/openapi.json',
      cells: [ok(schoolA1, { rule: rule.public })],
      unscoped: 'public',
    },
    {
      route: 'GET /me',
      path: '/me',
      cells: [
        ok(who.provinceA, { present: [`"scope":"${P}"`] }),
        ok(who.cityA),
        ok(who.countyA),
        ok(who.inspectorA, { present: [inspA] }),
        ok(schoolA1),
        ok(who.governmentA, { present: ['"role":"government"'] }),
        ok(who.auditorA),
      ],
      unscoped: 'every caller reads itself',
    },

    // ---- registry
    {
      route: 'GET /regions/{code}',
      path: `/regions/${A}`,
      cells: [
        ...officeReaders(),
        role(schoolA1),
        role(who.inspectorA),
        outside(who.countyA, {
          path: `/regions/${CITY}`,
          rule: `${rule.scope} (the region above one's own)`,
        }),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /schools',
      path: `/schools?region=${A}`,
      cells: [
        ...officeReaders({ present: [schoolsA[0]!] }),
        ok(schoolA1, { present: [schoolsA[0]!], absent: [schoolsA[1]!] }),
        ok(who.inspectorA, { present: [schoolsA[0]!] }),
        ...officeOutsiders(),
        listOutside(schoolB1, [schoolsA[0]!]),
        listOutside(who.inspectorB, [schoolsA[0]!]),
      ],
    },
    {
      route: 'GET /schools/{id}',
      path: `/schools/${schoolsA[0]}`,
      cells: [
        ...officeReaders(),
        ok(schoolA1),
        ok(who.inspectorA),
        outside(schoolA2, { rule: `${rule.scope} (another school)` }),
        outside(schoolB1),
        outside(who.inspectorB),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /inspectors',
      path: `/inspectors?region=${A}`,
      cells: [
        ...officeReaders({ present: [inspA] }),
        ok(schoolA1, { present: [inspA], absent: ['13900000009'] }),
        ok(who.inspectorA, { present: [inspA] }),
        ...officeOutsiders(),
        listOutside(schoolB1, [inspA]),
        listOutside(who.inspectorB, [inspA]),
      ],
    },
    {
      route: 'GET /inspectors/{id}',
      path: `/inspectors/${inspA}`,
      cells: [
        ...officeReaders(),
        ok(who.inspectorA),
        ok(schoolA1, {
          absent: ['13900000009', schoolsA[1]!],
          rule: `${rule.ok} (a school sees only itself: not the inspector's phone, nor the other schools of the zone)`,
        }),
        outside(who.inspectorB, { rule: `${rule.scope} (another inspector)` }),
        outside(schoolB1),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /zones/{id}',
      path: `/zones/${zoneA}`,
      cells: [
        ...officeReaders(),
        ok(who.inspectorA),
        ok(schoolA1, {
          absent: ['13900000009', schoolsA[1]!],
          rule: `${rule.ok} (a school sees only itself: not the inspector's phone, nor the other schools of the zone)`,
        }),
        outside(who.inspectorB),
        outside(schoolB1),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'POST /imports',
      path: '/imports',
      body: { kind: 'zones', fileName: 'z.csv', contentType: 'text/csv', size: 12, sha256: 'b'.repeat(64) },
      positive: ok(who.countyA, { expect: 201 }),
      cells: [role(schoolA1), role(who.inspectorA), role(who.auditorA)],
      alsoAllowed: ['province_admin', 'city_admin'],
      unscoped: 'an import goes into the caller’s own region (its rows are checked against it later)',
    },
    {
      route: 'GET /imports/{id}',
      path: `/imports/${w.importA}`,
      cells: [...officeReaders(), invisible(schoolA1), invisible(who.inspectorA), ...officeOutsiders()],
    },

    // ---- templates
    {
      route: 'GET /templates',
      path: '/templates',
      cells: [
        ok(who.countyA, { present: [ownedTemplate, 'start-of-term'] }),
        ok(who.cityA, { present: [ownedTemplate] }),
        ok(who.provinceA, { present: [ownedTemplate] }),
        ok(who.auditorA, { present: [ownedTemplate] }),
        ok(schoolA1, { present: ['start-of-term'], absent: [ownedTemplate] }),
        ok(who.inspectorA, { present: ['start-of-term'], absent: [ownedTemplate] }),
        ok(who.governmentA, { present: ['government-duty'] }),
        listOutside(who.countyB, [ownedTemplate]),
        listOutside(who.auditorB, [ownedTemplate]),
        listOutside(who.provinceFar, [ownedTemplate]),
      ],
    },
    {
      route: 'POST /templates',
      path: '/templates',
      body: ownedTemplateBody(2),
      positive: ok(who.countyA, { expect: 201 }),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        authority(who.countyB, { rule: `${rule.authority} ("belongs to the office of 430102")` }),
        authority(who.provinceFar),
        authority(who.countyA, {
          body: { ...ownedTemplateBody(2), id: 'start-of-term' },
          rule: `${rule.authority} (a built-in template is read-only)`,
        }),
      ],
      probe: probeAs(who.countyA, `/templates/${ownedTemplate}`, (b) => b.version),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'GET /templates/{id}',
      path: `/templates/${ownedTemplate}`,
      cells: [
        ...officeReaders(),
        ok(schoolA1, { path: '/templates/start-of-term', rule: `${rule.ok} (a built-in: anyone)` }),
        ok(who.provinceFar, { path: '/templates/start-of-term', rule: `${rule.ok} (a built-in: anyone)` }),
        role(schoolA1, {
          expect: [404, 200],
          rule: 'GET /templates lists only built-ins to schools and inspectors',
          ambiguous:
            'GET /templates shows schools and inspectors only built-ins (→ 404 here); but the school of a campaign built on this template may need its indicators (→ 200)',
        }),
        role(who.inspectorA, {
          expect: [404, 200],
          rule: 'GET /templates lists only built-ins to schools and inspectors',
          ambiguous:
            'GET /templates shows schools and inspectors only built-ins (→ 404 here); but the inspector of a campaign built on this template needs its indicators (→ 200)',
        }),
        outside(who.countyB, { rule: `${rule.scope} (GET /templates does not show it to B)` }),
        outside(who.auditorB),
        outside(who.provinceFar),
        outside(who.countyFar),
      ],
    },

    // ---- campaigns
    {
      route: 'POST /campaigns',
      path: '/campaigns',
      body: { templateId: 'start-of-term', title: '芙蓉区新督导', scope: A, window },
      positive: ok(who.countyA, { expect: 201 }),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        authority(who.countyB, { rule: `${rule.authority} ("not a region you supervise")` }),
        authority(who.provinceFar),
        authority(who.countyA, {
          body: { templateId: 'start-of-term', title: '越级', scope: CITY, window },
          rule: `${rule.authority} (the region above one's own)`,
        }),
        authority(who.countyB, {
          body: { templateId: ownedTemplate, title: '借用模板', scope: B, window },
          expect: [400, 404],
          rule: 'a template not usable by the caller reads as unknown',
          ambiguous:
            'campaign-service answers 400 "Unknown template" (validation of body.templateId); README would read an out-of-scope reference as 404',
        }),
      ],
      probe: itemCount(who.provinceA, `/campaigns?scope=${P}&limit=200`),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'GET /campaigns',
      path: `/campaigns?scope=${A}`,
      cells: [
        ...officeReaders({ present: [w.campaignA] }),
        ok(who.countyA, { path: '/campaigns', present: [w.campaignA], absent: [w.campaignB] }),
        role(schoolA1),
        role(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /campaigns/{id}',
      path: `/campaigns/${w.campaignA}`,
      cells: [
        ...campaignReaders(),
        ok(who.countyA, {
          path: `/campaigns/${w.provinceCampaign}`,
          rule: `${rule.ok} (a campaign over one's region)`,
        }),
        ok(who.auditorB, {
          path: `/campaigns/${w.provinceCampaign}`,
          rule: `${rule.ok} (over one's region)`,
        }),
        outside(who.provinceFar, { path: `/campaigns/${w.provinceCampaign}` }),
      ],
    },
    {
      route: 'PATCH /campaigns/{id}',
      path: `/campaigns/${w.draftA}`,
      body: { version: 1, changes: { title: '芙蓉区草稿（改）' } },
      positive: ok(who.countyA),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        outside(who.countyB),
        outside(who.provinceFar),
        outside(who.countyFar),
      ],
      probe: campaignProbe(w.draftA),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'PATCH /campaigns/{id}',
      path: `/campaigns/${w.draftProvince}`,
      body: { version: 1, changes: { title: '湖南省草稿（改）' } },
      positive: ok(who.provinceA),
      cells: [
        authority(who.cityA, { rule: `${rule.authority} ("run by the office of 43")` }),
        authority(who.countyA, { rule: `${rule.authority} ("run by the office of 43")` }),
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorProvince),
        outside(who.provinceFar),
      ],
      probe: campaignProbe(w.draftProvince),
    },
    {
      route: 'POST /campaigns/{id}/launch',
      path: `/campaigns/${w.draftLaunch}/launch`,
      positive: ok(who.countyA, { expect: 202 }),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        outside(who.countyB),
        outside(who.provinceFar),
      ],
      probe: campaignProbe(w.draftLaunch),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'POST /campaigns/{id}/launch',
      path: `/campaigns/${w.draftCity}/launch`,
      positive: ok(who.cityA, { expect: 202 }),
      cells: [
        authority(who.countyA, { rule: `${rule.authority} ("run by the office of 4301")` }),
        authority(who.countyB, { rule: `${rule.authority} ("run by the office of 4301")` }),
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        outside(who.provinceFar),
        outside(who.cityFar),
      ],
      probe: campaignProbe(w.draftCity),
      alsoAllowed: ['province_admin'],
    },
    {
      route: 'GET /campaigns/{id}/launch',
      path: `/campaigns/${w.campaignA}/launch`,
      cells: campaignReaders(),
    },
    {
      route: 'GET /campaigns/{id}/progress',
      path: `/campaigns/${w.campaignA}/progress`,
      cells: campaignReaders(),
    },
    {
      route: 'GET /campaigns/{id}/progress',
      path: `/campaigns/${w.provinceCampaign}/progress?region=${B}`,
      cells: [
        ok(who.countyB),
        ok(who.cityA),
        ok(who.auditorB),
        outside(who.countyA, { rule: `${rule.scope} (a sibling county of the province campaign)` }),
        outside(who.auditorA),
        outside(who.provinceFar),
        invisible(schoolA1),
        invisible(who.inspectorA),
      ],
      alsoAllowed: ['province_admin'],
    },
    {
      route: 'GET /campaigns/{id}/report',
      path: `/campaigns/${w.campaignA}/report`,
      cells: [
        ...campaignReaders(),
        outside(who.countyA, { path: `/campaigns/${w.provinceCampaign}/report?region=${B}` }),
      ],
    },
    {
      route: 'GET /campaigns/{id}/actions',
      path: `/campaigns/${w.campaignA}/actions`,
      cells: campaignReaders(),
    },
    {
      route: 'POST /campaigns/{id}/actions',
      path: `/campaigns/${w.campaignA}/actions`,
      body: interview,
      positive: ok(who.countyA, { expect: 201 }),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        outside(who.countyB),
        outside(who.provinceFar),
        authority(who.countyA, {
          body: { type: 'notification', visibility: 'internal', regionCodes: [B], text: '通报' },
          rule: `${rule.authority} ("may name only regions under both you and the campaign")`,
        }),
        outside(who.countyA, {
          body: { type: 'notification', visibility: 'internal', schoolIds: [schoolsB[0]], text: '通报' },
          rule: `${rule.scope} (a school of another county named in the body)`,
        }),
        outside(who.countyA, {
          body: { type: 'incentive', inspectionIds: [w.inspectionB], text: '表扬' },
          rule: `${rule.scope} (an inspection of another county named in the body)`,
        }),
        outside(who.cityA, {
          body: { ...interview, inspectionId: w.inspectionB },
          rule: `${rule.scope} (an inspection of another campaign named in the body)`,
        }),
      ],
      probe: itemCount(who.countyA, `/campaigns/${w.campaignA}/actions`),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'POST /campaigns/{id}/close',
      path: `/campaigns/${w.closeTarget}/close`,
      positive: ok(who.countyA, { expect: 202 }),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        outside(who.countyB),
        outside(who.provinceFar),
      ],
      probe: campaignProbe(w.closeTarget),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'POST /campaigns/{id}/close',
      path: `/campaigns/${w.provinceCampaign}/close`,
      positive: ok(who.provinceA, { expect: 202 }),
      cells: [
        authority(who.countyA, { rule: `${rule.authority} ("run by the office of 43")` }),
        authority(who.cityA, { rule: `${rule.authority} ("run by the office of 43")` }),
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorProvince),
        outside(who.provinceFar),
      ],
      probe: campaignProbe(w.provinceCampaign),
    },

    // ---- inspections
    {
      route: 'GET /inspections',
      path: '/inspections?assignee=me',
      cells: [
        ok(who.inspectorA, { present: [in1] }),
        role(who.provinceA, { rule: `${rule.role} ("assignee=me is the work list of an inspector")` }),
        role(who.cityA),
        role(who.countyA),
        role(schoolA1),
        role(who.auditorA),
        listOutside(who.inspectorB, [in1]),
      ],
    },
    {
      route: 'GET /inspections',
      path: `/inspections?schoolId=${schoolsA[0]}`,
      cells: [
        ...officeReaders({ present: [in1] }),
        ok(schoolA1, { present: [in1] }),
        ok(who.inspectorA, { present: [in1] }),
        outside(schoolA2, { rule: `${rule.scope} (another school)` }),
        outside(who.inspectorB),
        ...officeOutsiders(),
      ],
    },
    { route: 'GET /inspections/{id}', path: `/inspections/${in1}`, cells: inspectionReaders(0) },
    command(
      'PUT /inspections/{id}/self-assessment',
      `/inspections/${in1}/self-assessment`,
      selfAssessment(1),
      0,
      'school',
    ),
    command('PUT /inspections/{id}/findings', `/inspections/${in2}/findings`, findings(v2), 1, 'inspector'),
    command('POST /inspections/{id}/report', `/inspections/${in3}/report`, { version: v3 }, 2, 'inspector'),
    command(
      'POST /inspections/{id}/feedback/acknowledge',
      `/inspections/${in4}/feedback/acknowledge`,
      { version: v4 },
      3,
      'school',
    ),
    command(
      'PUT /inspections/{id}/rectifications/{rid}',
      `/inspections/${in5}/rectifications/campus-safety-1`,
      { version: v5, plan: '一周内清理消防通道' },
      4,
      'school',
    ),
    command(
      'POST /inspections/{id}/rectifications/{rid}/review',
      `/inspections/${in6}/rectifications/campus-safety-1/review`,
      { version: v6, result: 'pass' },
      5,
      'inspector',
    ),
    {
      route: 'POST /inspections/{id}/actions',
      path: `/inspections/${in1}/actions`,
      body: interview,
      positive: ok(who.countyA, { expect: 201 }),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        role(who.auditorA),
        outside(schoolA2, { expect: [404, 403], rule: rule.wrongAndOutside }),
        outside(who.countyB),
        outside(who.provinceFar),
      ],
      probe: itemCount(who.countyA, `/campaigns/${w.campaignA}/actions`),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'GET /campaigns/{id}/ranking',
      path: `/campaigns/${w.townsA}/ranking?region=${A}`,
      cells: [
        ...officeReaders({ present: ['430102001'] }),
        invisible(schoolA1),
        invisible(who.inspectorA),
        invisible(who.governmentA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'POST /campaigns/{id}/ranking/publish',
      path: `/campaigns/${w.townsA}/ranking/publish`,
      body: { region: A },
      cells: [
        // In role and over the region: refused only because its towns have no reports yet.
        ok(who.countyA, { expect: 409, rule: `${rule.ok} (not final yet: 409)` }),
        ok(who.cityA, { expect: 409, rule: `${rule.ok} (not final yet: 409)` }),
        ok(who.provinceA, { expect: 409, rule: `${rule.ok} (not final yet: 409)` }),
        role(who.auditorA),
        invisible(schoolA1),
        invisible(who.inspectorA),
        invisible(who.governmentA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /groups',
      path: `/groups?region=${A}`,
      cells: [
        ...officeReaders({ present: [w.groupA] }),
        ok(who.school(schoolsA[3]!), { present: [w.groupA] }),
        listOutside(schoolA1, [w.groupA]),
        role(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /groups/{id}',
      path: `/groups/${w.groupA}`,
      cells: [
        ...officeReaders({ present: [schoolsA[3]!] }),
        ok(who.school(schoolsA[3]!)),
        outside(schoolA1, { rule: `${rule.scope} (a school not in the group)` }),
        invisible(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /campaigns/{id}/re-evaluation',
      path: `/campaigns/${w.reEvaluation}/re-evaluation?region=${A}`,
      cells: [
        ...officeReaders(),
        invisible(schoolA1),
        invisible(who.inspectorA),
        authority(who.countyB),
        authority(who.auditorB),
        outside(who.provinceFar),
        outside(who.countyFar),
      ],
    },
    {
      route: 'GET /kindergartens/due',
      path: `/kindergartens/due?region=${A}&year=${year}`,
      cells: [...officeReaders(), role(schoolA1), role(who.inspectorA), ...officeOutsiders()],
    },
    {
      route: 'GET /schools/{id}/rectifications',
      path: `/schools/${schoolsA[0]}/rectifications`,
      cells: [
        ...officeReaders(),
        ok(schoolA1),
        ok(who.inspectorA),
        outside(schoolA2, { rule: `${rule.scope} (another school)` }),
        outside(schoolB1),
        outside(who.inspectorB),
        outside(who.governmentA, { expect: [404, 403], rule: rule.wrongAndOutside }),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /schools/{id}/history',
      path: `/schools/${schoolsA[0]}/history`,
      cells: inspectionReaders(0),
    },

    // ---- returns, teams and panels, the office's views
    command(
      'POST /inspections/{id}/self-assessment/return',
      `/inspections/${in7}/self-assessment/return`,
      { version: v7, reason: '请补充消防演练记录' },
      6,
      'inspector',
    ),
    command(
      'POST /inspections/{id}/rectifications/{rid}/return',
      `/inspections/${in8}/rectifications/campus-safety-1/return`,
      { version: v8, reason: '整改材料不全' },
      7,
      'inspector',
    ),
    {
      route: 'GET /inspections/{id}/submissions',
      path: `/inspections/${in2}/submissions`,
      cells: inspectionReaders(1),
    },
    {
      route: 'PUT /inspections/{id}/team',
      path: `/inspections/${teamed.id}/team`,
      body: { version: teamed.version, lead: panelLead, members: [{ inspectorId: panelExperts[5]! }] },
      positive: ok(who.countyA),
      cells: teamCells(1),
      probe: inspectionProbe(teamed.id),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'POST /campaigns/{id}/teams',
      path: `/campaigns/${w.panelCampaign}/teams`,
      body: {
        assignments: [
          { schoolId: panelSchools[2]!, lead: panelLead, members: [{ inspectorId: panelExperts[4]! }] },
        ],
      },
      positive: ok(who.countyA),
      cells: [
        role(panelSchool(2)),
        role(who.panelLead),
        role(who.auditorA),
        outside(who.countyB),
        outside(who.provinceFar),
      ],
      probe: inspectionProbe(bulkTeamed.id),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'POST /inspections/{id}/team/replacements',
      path: `/inspections/${replaced.id}/team/replacements`,
      body: { version: replaced.version, memberId: replaced.members[0]!, reason: { code: 'sick' } },
      positive: ok(who.countyA),
      cells: teamCells(0),
      probe: inspectionProbe(replaced.id),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'POST /campaigns/{id}/panels',
      path: `/campaigns/${w.panelCampaign}/panels`,
      body: {},
      positive: ok(who.countyA, { expect: 201 }),
      cells: [
        role(panelSchool(0)),
        role(who.panelLead),
        role(who.auditorA),
        outside(who.countyB),
        outside(who.provinceFar),
      ],
      probe: itemCount(who.countyA, `/campaigns/${w.panelCampaign}/panels`),
      alsoAllowed: ['province_admin', 'city_admin'],
    },
    {
      route: 'GET /campaigns/{id}/panels',
      path: `/campaigns/${w.panelCampaign}/panels`,
      cells: [...officeReaders(), invisible(panelSchool(0)), invisible(who.panelLead), ...officeOutsiders()],
    },
    {
      route: 'GET /campaigns/{id}/inspections',
      path: `/campaigns/${w.campaignA}/inspections`,
      cells: [
        ...officeReaders({ present: [in1] }),
        invisible(schoolA1),
        invisible(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /campaigns/{id}/inspections',
      path: `/campaigns/${w.provinceCampaign}/inspections?region=${B}`,
      cells: [
        ok(who.provinceA),
        ok(who.cityA),
        ok(who.countyB),
        authority(who.countyA, { rule: `${rule.authority} ("lies outside your region")` }),
        outside(who.provinceFar),
        role(schoolB1, { expect: [404, 403], rule: rule.invisible }),
        role(who.inspectorB, { expect: [404, 403], rule: rule.invisible }),
        ok(who.auditorB),
      ],
    },
    {
      route: 'GET /inspectors/{id}/workload',
      path: `/inspectors/${inspA}/workload`,
      cells: [
        ...officeReaders(),
        ok(who.inspectorA),
        outside(who.inspectorB, { rule: `${rule.scope} (another inspector)` }),
        invisible(schoolA1),
        ...officeOutsiders(),
      ],
    },

    // ---- collect once (减负)
    {
      route: 'GET /inspections/{id}/self-assessment/prefill',
      // The province campaign's inspection of school 1: pre-filled from its self-assessment in A's campaign.
      path: `/inspections/${w.provinceCampaign}-${schoolsA[1]}/self-assessment/prefill`,
      cells: [
        ok(school(1), { present: ['已自查'] }),
        role(who.provinceA),
        role(who.cityA),
        role(who.countyA),
        role(who.inspectorA),
        role(who.auditorA),
        outside(school(0), { rule: `${rule.scope} (another school)` }),
        outside(who.inspectorB, { rule: `${rule.scope} (another inspector)` }),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /campaigns/{id}/burden',
      path: `/campaigns/${w.campaignA}/burden`,
      cells: [
        ...officeReaders({ present: [schoolsA[1]!] }),
        role(schoolA1),
        role(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /schools/{id}/burden',
      path: `/schools/${schoolsA[1]}/burden`,
      cells: [
        ...officeReaders(),
        ok(school(1)),
        outside(school(0), { rule: `${rule.scope} (another school)` }),
        role(who.inspectorA),
        outside(who.inspectorB, { expect: [404, 403], rule: rule.wrongAndOutside }),
        ...officeOutsiders(),
      ],
    },

    // ---- principals' terms, the sample and the sealed files
    {
      route: 'GET /principals',
      path: `/principals?region=${A}`,
      cells: [
        ...officeReaders({ present: [panelSchools[0]!] }),
        role(schoolA1),
        role(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /principals',
      path: `/principals?school=${panelSchools[0]}`,
      cells: [
        ...officeReaders({ present: ['周0'] }),
        role(panelSchool(0)),
        role(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /campaigns/{id}/preview',
      path: `/campaigns/${w.draftA}/preview`,
      cells: [...officeReaders(), role(schoolA1), role(who.inspectorA), ...officeOutsiders()],
    },
    {
      route: 'GET /campaigns/{id}/sample',
      path: `/campaigns/${w.sampledA}/sample`,
      cells: [
        ...officeReaders({ present: ['population'] }),
        role(schoolA1),
        role(who.inspectorA),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /campaigns/{id}/sealed',
      path: `/campaigns/${w.sealedA}/sealed`,
      cells: [...officeReaders(), role(schoolA1), role(who.inspectorA), ...officeOutsiders()],
    },

    // ---- evidence and the archive
    {
      route: 'POST /inspections/{id}/evidence',
      path: `/inspections/${in1}/evidence`,
      body: { fileName: 'again.png', contentType: 'image/png', size: png.length, sha256: sha256(png) },
      positive: ok(schoolA1, { expect: 201 }),
      cells: [
        role(who.auditorA, { rule: `${rule.role} ("Only the school and its inspector upload evidence")` }),
        outside(schoolA2, { rule: `${rule.scope} (another school)` }),
        outside(who.inspectorB, { rule: `${rule.scope} (another inspector)` }),
        outside(who.countyB),
        outside(who.provinceFar),
      ],
      probe: itemCount(who.countyA, `/inspections/${in1}/evidence`),
      alsoAllowed: ['province_admin', 'city_admin', 'county_admin', 'inspector'],
    },
    {
      route: 'GET /inspections/{id}/evidence',
      path: `/inspections/${in1}/evidence`,
      cells: inspectionReaders(0),
    },
    { route: 'GET /evidence/{id}', path: `/evidence/${w.evidenceA}`, cells: inspectionReaders(0) },
    {
      route: 'GET /evidence/{id}',
      path: `/evidence/${w.quarantinedA}`,
      cells: [
        ok(who.provinceA),
        ok(who.cityA),
        ok(who.countyA),
        ...[who.auditorA, schoolA1, who.inspectorA].map((c) =>
          role(c, { rule: `${rule.role} ("Quarantined files are served to supervision offices only")` }),
        ),
        outside(schoolA2),
        outside(who.inspectorB),
        ...officeOutsiders(),
      ],
    },
    {
      route: 'GET /audit/evidence',
      path: `/audit/evidence?campaignId=${w.campaignA}`,
      cells: [
        ...officeReaders({ present: [w.evidenceA] }),
        role(schoolA1),
        role(who.inspectorA),
        archiveOutside(who.countyB, [w.evidenceA]),
        archiveOutside(who.auditorB, [w.evidenceA]),
        archiveOutside(who.provinceFar, [w.evidenceA]),
        outside(who.countyB, {
          path: `/audit/evidence?campaignId=${w.campaignA}&region=${A}`,
          expect: [403, 404],
          rule: 'a region outside the caller’s, asked for explicitly',
          ambiguous:
            'audit-service narrowRegion answers 403 "outside your scope"; README says anything outside the caller’s scope reads as 404',
        }),
      ],
    },
    {
      route: 'GET /audit/events',
      path: `/audit/events?campaignId=${w.campaignA}`,
      cells: [
        ...officeReaders({ present: [w.campaignA] }),
        role(schoolA1),
        role(who.inspectorA),
        archiveOutside(who.countyB, [w.campaignA]),
        archiveOutside(who.auditorB, [w.campaignA]),
        archiveOutside(who.provinceFar, [w.campaignA]),
      ],
    },
    {
      route: 'GET /audit/campaigns/{id}/verify',
      path: `/audit/campaigns/${w.campaignA}/verify`,
      cells: [
        ...officeReaders(),
        role(schoolA1),
        role(who.inspectorA),
        ...officeOutsiders(),
        ok(who.countyA, {
          path: `/audit/campaigns/office-${P}/verify`,
          rule: `${rule.ok} (its province's office chain)`,
        }),
        outside(who.countyFar, { path: `/audit/campaigns/office-${P}/verify` }),
      ],
    },
    {
      route: 'POST /audit/exports',
      path: '/audit/exports',
      body: { campaignId: w.campaignA },
      positive: ok(who.auditorA, { expect: 202 }),
      cells: [
        role(schoolA1),
        role(who.inspectorA),
        outside(who.countyB),
        outside(who.auditorB),
        outside(who.provinceFar),
        outside(who.countyA, {
          body: { campaignId: w.campaignA, region: B },
          expect: [403, 404],
          rule: 'a region outside the caller’s, asked for explicitly',
          ambiguous:
            'export-service narrowRegion answers 403 "outside your scope"; README says anything outside the caller’s scope reads as 404',
        }),
      ],
      probe: exportsStarted,
      alsoAllowed: ['province_admin', 'city_admin', 'county_admin'],
    },
    {
      route: 'GET /audit/exports/{id}',
      path: `/audit/exports/${w.exportA}`,
      cells: [...officeReaders(), role(schoolA1), role(who.inspectorA), ...officeOutsiders()],
    },
  ];
};

// ---------------------------------------------------------------- running it

/** Callers without a valid token: none, a forged one, an expired one (of an office that would be in scope). */
const tokenless = {
  none: { label: '(no token)' },
  invalid: { label: '(invalid token)' },
  expired: { label: '(expired token of county_admin 430102)' },
} as const;
type AnyCaller = Caller | (typeof tokenless)[keyof typeof tokenless];

interface Outcome {
  row: Row;
  cell: Cell & { who: AnyCaller };
  subject?: string;
  status: number;
  text: string;
  contentType: string;
}
interface Failure {
  route: string;
  caller: string;
  expected: string;
  got: string;
  excerpt: string;
}

const methodOf = (route: RouteKey) => route.split(' ')[0]!;
const statuses = (e: number | readonly number[]) => (typeof e === 'number' ? [e] : [...e]);
const excerpt = (text: string) => text.replace(/\s+/g, ' ').slice(0, 140);

let subjects = 0;
const runCell = async (row: Row, cell: Cell & { who: AnyCaller }): Promise<Outcome> => {
  const subject = 'role' in cell.who ? `authz-cell-${++subjects}` : undefined;
  const token =
    cell.who === tokenless.none
      ? undefined
      : cell.who === tokenless.invalid
        ? 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl'
        : cell.who === tokenless.expired
          ? await tokenFor('county_admin', A, { subject: 'authz-expired', ttlSeconds: -120 })
          : await tokenFor((cell.who as Caller).role, (cell.who as Caller).scope, { subject: subject! });
  const body = cell.body ?? row.body;
  const r = await call(methodOf(row.route), cell.path ?? row.path, {
    ...(token ? { token } : {}),
    ...(body !== undefined && methodOf(row.route) !== 'GET' ? { body } : {}),
  });
  return {
    row,
    cell,
    ...(subject ? { subject } : {}),
    status: r.status,
    text: r.text,
    contentType: r.headers.get('content-type') ?? '',
  };
};

/** What is wrong with one outcome, if anything. */
const judge = (o: Outcome): string | undefined => {
  const accepted = statuses(o.cell.expect);
  if (!accepted.includes(o.status)) return `${o.status}`;
  if (o.status >= 400 && o.contentType !== 'application/problem+json')
    return `${o.status} as ${o.contentType || 'no content type'}, not problem+json`;
  if (o.status < 300) {
    const leaked = (o.cell.absent ?? []).filter((s) => o.text.includes(s));
    if (leaked.length > 0) return `${o.status} showing ${leaked.join(', ')}`;
    const missing = (o.cell.present ?? []).filter((s) => !o.text.includes(s));
    if (missing.length > 0) return `${o.status} without ${missing.join(', ')}`;
  }
  return undefined;
};

const describeCell = (o: Pick<Outcome, 'row' | 'cell'>) => {
  const path = o.cell.path ?? o.row.path;
  const body = o.cell.body !== undefined ? ` body ${JSON.stringify(o.cell.body).slice(0, 60)}` : '';
  return { route: `${methodOf(o.row.route)} ${path}${body}`, caller: o.cell.who.label };
};
const expectation = (cell: Cell) =>
  `${statuses(cell.expect).join('|')}${cell.absent?.length ? ' (hiding the other side)' : ''} — ${cell.rule}`;

const auditEventsBy = async (subject: string) =>
  (
    await testDb.send(
      new QueryCommand({
        TableName: process.env[tables.audit.envVar],
        IndexName: 'byActor',
        KeyConditionExpression: 'actor = :a',
        ExpressionAttributeValues: { ':a': subject },
        Limit: 5,
      }),
    )
  ).Items ?? [];

const table = (failures: Failure[]) =>
  failures
    .map((f) => `  ${f.route} — ${f.caller} — expected ${f.expected} — got ${f.got} — ${f.excerpt}`)
    .join('\n');

// ---------------------------------------------------------------- the tests

let rows: Row[] = [];
beforeAll(async () => {
  world = await buildWorld();
  rows = buildRows(world);
}, 240_000);

describe('authorization matrix', () => {
  it('has a row for every declared route, and every row names every role', () => {
    const declared = routes.map((r) => routeKey(r));
    const covered = new Set(rows.map((r) => r.route));
    expect(declared.filter((k) => !covered.has(k as RouteKey))).toEqual([]);
    const gaps = rows.flatMap((row) => {
      if (routes.find((r) => routeKey(r) === row.route)?.auth === 'public') return [];
      const named = new Set<Role>([
        ...row.cells.map((c) => c.who.role),
        ...(row.positive ? [row.positive.who.role] : []),
        ...(row.alsoAllowed ?? []),
      ]);
      const missing = roles.filter((r) => !named.has(r));
      const scoped = row.unscoped || row.cells.some((c) => c.kind === 'scope' || c.kind === 'authority');
      return [
        ...(missing.length > 0 ? [`${row.route} (${row.path}): no cell for ${missing.join(', ')}`] : []),
        ...(scoped ? [] : [`${row.route} (${row.path}): no outside-scope cell`]),
      ];
    });
    expect(gaps).toEqual([]);
  });

  it('answers every cell as the rules say, and refused calls change nothing', async () => {
    const started = Date.now();
    const failures: Failure[] = [];
    const fail = (o: Pick<Outcome, 'row' | 'cell'>, got: string, text: string) =>
      failures.push({ ...describeCell(o), expected: expectation(o.cell), got, excerpt: excerpt(text) });

    // Phase 0: what every mutating row's probe reads before anything is tried.
    const probed = rows.filter((r) => r.probe);
    const snapshot = async () =>
      new Map(await mapLimited(probed, 4, async (r) => [r, await r.probe!()] as const));
    const before = await snapshot();

    // Phase 1: every cell but the mutating positives, a few at a time.
    const cells = rows.flatMap((row) => {
      const isPublic = routes.find((r) => routeKey(r) === row.route)?.auth === 'public';
      const authCells = (isPublic ? [tokenless.none] : Object.values(tokenless)).map(
        (caller): Cell => ({
          who: caller as unknown as Caller,
          kind: 'role',
          expect: isPublic ? 200 : 401,
          rule: isPublic ? rule.public : rule.auth,
        }),
      );
      return [...authCells, ...row.cells].map((cell) => ({ row, cell }));
    });
    const outcomes = await mapLimited(cells, 6, ({ row, cell }) => runCell(row, cell));
    const ambiguous: Outcome[] = [];
    for (const o of outcomes) {
      const wrong = judge(o);
      if (wrong) fail(o, wrong, o.text);
      else if (o.cell.ambiguous) ambiguous.push(o);
    }

    // Phase 2: refused calls left nothing behind: no audit event of their own, probes unchanged.
    const refused = outcomes.filter((o) => o.subject && o.status >= 400);
    await mapLimited(refused, 8, async (o) => {
      const events = await auditEventsBy(o.subject!);
      if (events.length > 0)
        fail(
          o,
          `${o.status}, but it wrote audit events`,
          events.map((e) => `${e.action} ${e.entityId}`).join(', '),
        );
    });
    const afterRefusals = await snapshot();
    const subjectsRefused = new Set(refused.map((o) => o.subject));
    for (const row of probed) {
      const b = before.get(row)!;
      const a = afterRefusals.get(row)!;
      if (b instanceof Set && a instanceof Set) {
        // Exports: any new export requested by a refused caller.
        for (const name of a) {
          if (b.has(name)) continue;
          const record = await testDb.send(
            new GetCommand({
              TableName: process.env[tables.main.envVar],
              Key: { pk: `EXPORT#${name.replace(/^export-/, '')}`, sk: 'EXPORT' },
            }),
          );
          if (subjectsRefused.has(record.Item?.requestedBy as string))
            failures.push({
              route: `${row.route} (${row.path})`,
              caller: `refused cell ${record.Item?.requestedBy}`,
              expected: 'no export',
              got: 'an export record and execution',
              excerpt: name,
            });
        }
      } else if (JSON.stringify(a) !== JSON.stringify(b)) {
        failures.push({
          route: `${row.route} (${row.path})`,
          caller: 'its refused cells',
          expected: 'nothing changed (probe read by an authorised caller)',
          got: 'changed',
          excerpt: `before ${JSON.stringify(b)}, after ${JSON.stringify(a)}`,
        });
      }
    }

    // Phase 3: the mutating positives, each on its row's own object, then their workflows.
    const positives = rows.filter((r) => r.positive);
    const done = await mapLimited(positives, 4, (row) => runCell(row, row.positive!));
    for (const o of done) {
      const wrong = judge(o);
      if (wrong) fail(o, wrong, o.text);
      const arn = (() => {
        try {
          return (JSON.parse(o.text) as { executionArn?: string }).executionArn;
        } catch {
          return undefined;
        }
      })();
      if (o.status < 300 && arn) executions.push(arn);
    }
    await Promise.all(executions.map((arn) => waitForExecution(arn)));

    // Phase 4: each probe, and the audit index, sees its row's positive call (else they prove nothing).
    // Requesting an export writes no audit event (only handing out its link does): nothing to see there.
    await mapLimited(
      done.filter((o) => o.status < 300 && o.row.route !== 'POST /audit/exports'),
      8,
      async (o) => {
        if ((await auditEventsBy(o.subject!)).length === 0)
          fail(o, `${o.status}, but no audit event under its subject`, 'the audit check would see nothing');
      },
    );
    const afterPositives = await snapshot();
    for (const row of probed) {
      const b = before.get(row)!;
      const a = afterPositives.get(row)!;
      const same =
        b instanceof Set && a instanceof Set ? a.size === b.size : JSON.stringify(a) === JSON.stringify(b);
      if (same)
        fail({ row, cell: row.positive! }, 'the probe did not see the positive call', JSON.stringify(a));
    }

    const total = outcomes.length + done.length;
    console.log(
      [
        `authorization matrix: ${rows.length} rows over ${new Set(rows.map((r) => r.route)).size} routes, ${total} cells, ${Date.now() - started} ms`,
        ...(ambiguous.length > 0
          ? [
              'ambiguous cells (either reading passes):',
              ...ambiguous.map((o) => {
                const d = describeCell(o);
                return `  ${d.route} — ${d.caller} — got ${o.status} — ${o.cell.ambiguous}`;
              }),
            ]
          : []),
      ].join('\n'),
    );
    if (failures.length > 0)
      throw new Error(
        `${failures.length} of ${total} cells fail (METHOD path — caller — expected — got — body):\n${table(failures)}`,
      );
  }, 240_000);
});
