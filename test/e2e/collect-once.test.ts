import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '#infra/resources';
import { call, tokenFor } from '#test/support/api';
import { testDb } from '#test/support/aws';
import { activeCountyCampaign, createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';
import { exe, png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * Collect once (减负) over HTTP, in 安义县 of Nanchang (360123): two campaigns
 * of one office template whose second indicator asks for a registry fact. A
 * school stores a file for the first campaign's inspection and announces it
 * again for the second: linked, not uploaded; its new self-assessment starts
 * from the first; the burden report counts what each campaign asked of it.
 */
const county = '360123';
const schools = ['3601230001', '3601230002'];
const templateId = 'anyi-collect-once';
const photo = Buffer.concat([png, Buffer.from('#collect-once-fire-exit')]);
const photoDeclared = {
  fileName: '消防通道.png',
  contentType: 'image/png',
  size: photo.length,
  sha256: sha256(photo),
};

let office: string;
let campaignA: string;
let campaignB: string;
/** inspections[campaign][school] */
const inspections: Record<string, string[]> = {};
const school = (n: number) => tokenFor('school', schools[n]!, { subject: `school-${schools[n]}` });

interface Announced {
  id: string;
  status: string;
  linked: boolean;
  upload: { url: string } | null;
  evidence?: { id: string; originalId?: string; linked: boolean; key: string };
}

const auditOf = async (entityId: string) =>
  (
    await testDb.send(
      new QueryCommand({
        TableName: process.env[tables.audit.envVar],
        IndexName: 'byEntity',
        KeyConditionExpression: 'entityId = :id',
        ExpressionAttributeValues: { ':id': entityId },
      }),
    )
  ).Items ?? [];

const versionOf = async (id: string) =>
  (await call<{ version: number }>('GET', `/inspections/${id}`, { token: office })).body.version;

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: `office-${county}` });
  const template = await call('POST', '/templates', {
    token: office,
    body: {
      id: templateId,
      version: 1,
      title: { zh: '安义县减负专项', en: 'Anyi burden check' },
      indicators: [
        {
          id: 'safety',
          title: { zh: '校园安全', en: 'Campus safety' },
          weight: 60,
          methods: ['document_review'],
        },
        {
          id: 'enrolment',
          title: { zh: '在校学生', en: 'Students enrolled' },
          weight: 40,
          methods: ['data_review'],
          registryFact: 'students',
        },
      ],
      phases: [
        { phase: 'self_assessment', days: 10 },
        { phase: 'on_site', days: 10 },
      ],
      grading: { excellent: 90, good: 80, pass: 60 },
      target: { unit: 'school', schoolKinds: ['primary'] },
    },
  });
  expect(template.status, template.text).toBe(201);
  ({ campaignId: campaignA } = await activeCountyCampaign({
    county,
    town: '360123100',
    schoolIds: schools,
    inspectorId: 'IAY360123',
    templateId,
  }));
  const second = await createCampaign(office, {
    templateId,
    title: `${county} 减负专项（第二轮）`,
    scope: county,
    window: upcomingWindow(),
  });
  campaignB = second.id;
  expect((await launchAndWait(office, campaignB)).status).toBe('SUCCEEDED');
  for (const campaign of [campaignA, campaignB]) {
    inspections[campaign] = [];
    for (const s of schools) {
      const list = await call<{ items: { id: string }[] }>(
        'GET',
        `/inspections?schoolId=${s}&campaignId=${campaign}`,
        { token: office },
      );
      inspections[campaign]!.push(list.body.items[0]!.id);
    }
  }
}, 240_000);

describe('collect once', () => {
  let original: string;
  let link: string;

  it('links a file the school already stored instead of asking for it again, once', async () => {
    const token = await school(0);
    const stored = await uploadEvidence(office, token, inspections[campaignA]![0]!, photoDeclared, photo);
    expect(stored.status).toBe('stored');
    original = stored.id;

    const first = await call<Announced>('POST', `/inspections/${inspections[campaignB]![0]}/evidence`, {
      token,
      body: { ...photoDeclared, indicatorId: 'safety' },
    });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ linked: true, upload: null, status: 'stored' });
    expect(first.body.evidence).toMatchObject({ linked: true, originalId: original, key: stored.key });
    link = first.body.id;
    expect(link).not.toBe(original);

    const again = await call<Announced>('POST', `/inspections/${inspections[campaignB]![0]}/evidence`, {
      token,
      body: photoDeclared,
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ id: link, linked: true, upload: null });

    const listed = await call<{ items: { id: string; linked: boolean; originalId?: string }[] }>(
      'GET',
      `/inspections/${inspections[campaignB]![0]}/evidence`,
      { token },
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: link, linked: true, originalId: original }),
    ]);

    const events = await auditOf(link);
    expect(events).toEqual([
      expect.objectContaining({
        action: 'evidence_linked',
        actor: `school-${schools[0]}`,
        details: expect.objectContaining({ originalId: original, sha256: photoDeclared.sha256 }),
      }),
    ]);
  });

  it('serves a link’s download from the original object, audited', async () => {
    const read = await call<{ linked: boolean; originalId: string; download: { url: string } }>(
      'GET',
      `/evidence/${link}`,
      { token: office },
    );
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ linked: true, originalId: original });
    const file = await fetch(read.body.download.url);
    expect(Buffer.from(await file.arrayBuffer()).equals(photo)).toBe(true);
    const downloads = (await auditOf(link)).filter((e) => e.action === 'download_evidence');
    expect(downloads).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ originalId: original }) }),
    ]);
  });

  it('does not link a quarantined file: it is uploaded again', async () => {
    const token = await school(1);
    const declared = {
      fileName: '名册.pdf',
      contentType: 'application/pdf',
      size: exe.length,
      sha256: sha256(exe),
    };
    const quarantined = await uploadEvidence(office, token, inspections[campaignA]![1]!, declared, exe);
    expect(quarantined.status).toBe('quarantined');
    const announced = await call<Announced>('POST', `/inspections/${inspections[campaignB]![1]}/evidence`, {
      token,
      body: declared,
    });
    expect(announced.status).toBe(201);
    expect(announced.body).toMatchObject({ linked: false, status: 'pending' });
    expect(announced.body.upload?.url).toEqual(expect.any(String));
  });

  it('refuses evidence ids that are unknown, of another inspection or quarantined, naming each', async () => {
    const token = await school(1);
    const own = await call<{ items: { id: string; status: string }[] }>(
      'GET',
      `/inspections/${inspections[campaignA]![1]}/evidence`,
      { token },
    );
    const quarantined = own.body.items.find((e) => e.status === 'quarantined')!.id;
    const unknown = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const refused = await call<{ detail: string; errors?: { path: string; message: string }[] }>(
      'PUT',
      `/inspections/${inspections[campaignA]![1]}/self-assessment`,
      {
        token,
        lang: 'en',
        body: {
          version: await versionOf(inspections[campaignA]![1]!),
          indicators: [
            { indicatorId: 'safety', score: 90, statement: '安全', evidenceIds: [unknown, original] },
            { indicatorId: 'enrolment', score: 90, statement: '名册', evidenceIds: [quarantined] },
          ],
        },
      },
    );
    expect(refused.status, refused.text).toBe(400);
    for (const id of [unknown, original, quarantined]) expect(refused.text).toContain(id);
    expect(refused.text).toContain('quarantined');
  });

  it('pre-fills the next self-assessment from the last one, with the registry facts and files to link', async () => {
    const token = await school(0);
    const first = await call('PUT', `/inspections/${inspections[campaignA]![0]}/self-assessment`, {
      token,
      body: {
        version: await versionOf(inspections[campaignA]![0]!),
        indicators: [
          { indicatorId: 'safety', score: 92, statement: '消防通道畅通', evidenceIds: [original] },
          { indicatorId: 'enrolment', score: 100, statement: '学生 799 人', evidenceIds: [] },
        ],
      },
    });
    expect(first.status, first.text).toBe(200);

    const prefill = await call<{
      from: { inspectionId: string };
      draft: {
        version: number;
        indicators: { indicatorId: string; statement: string; evidenceIds: string[] }[];
      };
      evidence: { indicatorId: string; originalId: string; sha256: string; size: number }[];
      registry: { students: number; indicators: { indicatorId: string; fact: string; value: number }[] };
    }>('GET', `/inspections/${inspections[campaignB]![0]}/self-assessment/prefill`, { token });
    expect(prefill.status, prefill.text).toBe(200);
    expect(prefill.body.from.inspectionId).toBe(inspections[campaignA]![0]);
    expect(prefill.body.draft.indicators).toEqual([
      { indicatorId: 'safety', score: 92, statement: '消防通道畅通', evidenceIds: [] },
      { indicatorId: 'enrolment', score: 100, statement: '在校学生 800 人（学校名册）', evidenceIds: [] },
    ]);
    expect(prefill.body.evidence).toEqual([
      expect.objectContaining({ indicatorId: 'safety', originalId: original, sha256: photoDeclared.sha256 }),
    ]);
    expect(prefill.body.registry).toMatchObject({
      students: 800,
      indicators: [{ indicatorId: 'enrolment', fact: 'students', value: 800 }],
    });

    // The draft goes back as it is, with the link made on this inspection.
    const draft = prefill.body.draft;
    draft.indicators[0]!.evidenceIds = [link];
    const second = await call('PUT', `/inspections/${inspections[campaignB]![0]}/self-assessment`, {
      token,
      body: draft,
    });
    expect(second.status, second.text).toBe(200);

    const none = await call('GET', `/inspections/${inspections[campaignB]![1]}/self-assessment/prefill`, {
      token: await school(1),
      lang: 'en',
    });
    expect(none.status).toBe(404);
    expect(none.text).toContain('no earlier self-assessment');
  });

  it('reports what each campaign asked of each school: fields filled, files uploaded, files reused', async () => {
    const a = await call<{
      totals: { fields: number; uploaded: number; reused: number };
      items: { schoolId: string; fields: number; uploaded: number; reused: number }[];
    }>('GET', `/campaigns/${campaignA}/burden`, { token: office });
    expect(a.status, a.text).toBe(200);
    // The registry fact was not asked: one field each time; the refused submission counts nothing.
    const bySchool = <T extends { schoolId: string }>(items: T[]) =>
      [...items].sort((x, y) => x.schoolId.localeCompare(y.schoolId));
    expect(bySchool(a.body.items)).toEqual([
      expect.objectContaining({ schoolId: schools[0], fields: 1, uploaded: 1, reused: 0 }),
      expect.objectContaining({ schoolId: schools[1], fields: 0, uploaded: 1, reused: 0 }),
    ]);
    expect(a.body.totals).toMatchObject({ fields: 1, uploaded: 2, reused: 0 });

    const b = await call<{ items: { schoolId: string; fields: number; uploaded: number; reused: number }[] }>(
      'GET',
      `/campaigns/${campaignB}/burden?region=360123100`,
      { token: office },
    );
    expect(bySchool(b.body.items)).toEqual([
      expect.objectContaining({ schoolId: schools[0], fields: 1, uploaded: 0, reused: 1 }),
      expect.objectContaining({ schoolId: schools[1], fields: 0, uploaded: 0, reused: 0 }),
    ]);

    const csv = await call('GET', `/campaigns/${campaignB}/burden?format=csv`, { token: office });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toContain('复用文件');
    const xlsx = await call('GET', `/campaigns/${campaignB}/burden?format=xlsx`, { token: office });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');

    const own = await call<{
      totals: { fields: number; uploaded: number; reused: number; reuseRate: number };
      campaigns: { campaignId: string; uploaded: number; reused: number }[];
    }>('GET', `/schools/${schools[0]}/burden`, { token: await school(0) });
    expect(own.status, own.text).toBe(200);
    expect(own.body.totals).toEqual({ fields: 2, uploaded: 1, reused: 1, reuseRate: 50 });
    expect(own.body.campaigns.map((c) => c.campaignId).sort()).toEqual([campaignA, campaignB].sort());
  });
});

describe('who may ask', () => {
  it('refuses the new routes without a token, to the wrong role and outside the scope', async () => {
    const [s0, s1] = [await school(0), await school(1)];
    const inspector = await tokenFor('inspector', 'IAY360123');
    // Auditors read what offices read (200); wrong role is the school and the inspector.
    const auditor = await tokenFor('auditor', county);
    const otherCounty = await tokenFor('county_admin', '360113');
    const prefill = `/inspections/${inspections[campaignB]![0]}/self-assessment/prefill`;
    const campaignBurden = `/campaigns/${campaignA}/burden`;
    const schoolBurden = `/schools/${schools[0]}/burden`;
    const cases: [string, string | undefined, number][] = [
      [prefill, undefined, 401],
      [prefill, inspector, 403],
      [prefill, office, 403],
      [prefill, s1, 404],
      [campaignBurden, undefined, 401],
      [campaignBurden, s0, 403],
      [campaignBurden, auditor, 200],
      [campaignBurden, otherCounty, 404],
      [schoolBurden, undefined, 401],
      [schoolBurden, inspector, 403],
      [schoolBurden, s1, 404],
      [schoolBurden, otherCounty, 404],
    ];
    const answers = await Promise.all(
      cases.map(async ([path, token]) => (await call('GET', path, token ? { token } : {})).status),
    );
    expect(answers).toEqual(cases.map(([, , status]) => status));
    expect((await call('GET', schoolBurden, { token: office })).status).toBe(200);
  });
});
