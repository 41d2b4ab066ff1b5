import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';
import { png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * 县域义务教育优质均衡发展督导评估 over HTTP, in 平山区 of Benxi (210502): one
 * inspection of the county. The team finds a problem at one of the county's
 * schools and names it; the report makes it that school's rectification
 * item, which the school finds in its list, plans and completes with
 * evidence, and which the county team reviews in the county's inspection.
 * A school outside the county cannot be named.
 */
const county = '210502';
const town = '210502001';
const schools = ['2105020001', '2105020002'];
const elsewhere = '2105030001';
const lead = 'IPS01';

let office: string;
let inspectionId: string;

interface InspectionView {
  id: string;
  status: string;
  version: number;
  namedSchools?: string[];
  report?: { score: number };
  findings?: unknown;
  rectifications: { id: string; status: string; schoolId?: string; problem: string }[];
}
interface Named {
  schoolId: string;
  items: {
    inspectionId: string;
    targetId: string;
    version: number;
    rectification: { id: string; status: string; schoolId: string };
  }[];
}

const view = async (token = office) => call<InspectionView>('GET', `/inspections/${inspectionId}`, { token });
const schoolToken = (id: string) => tokenFor('school', id, { subject: `school-${id}` });

const findings = (version: number, schoolId: string) => ({
  version,
  visit: { date: upcomingWindow().start, durationMinutes: 480 },
  indicators: [
    {
      indicatorId: 'resource-allocation',
      method: 'campus_patrol',
      score: 80,
      problems: [
        { description: '生均体育运动场馆面积未达标', severity: 'major', schoolId },
        { description: '县域内校际差异系数偏高', severity: 'minor' },
      ],
    },
    { indicatorId: 'government-guarantee', method: 'document_review', score: 90 },
    { indicatorId: 'education-quality', method: 'data_review', score: 88 },
    { indicatorId: 'social-recognition', method: 'questionnaire', score: 92 },
  ],
});

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'pingshan-office' });
  const opts = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  await importFile(
    opts,
    'schools',
    's.csv',
    `${header}\r\n${schools.map((id, i) => `${id},平山第${i + 1}小学,primary,${county},${town},public,600,40,王${i},2023-09-01`).join('\r\n')}\r\n`,
  );
  const other = await tokenFor('county_admin', '210503', { subject: 'mingshan-office' });
  await importFile(
    { ...opts, token: other },
    'schools',
    's.csv',
    `${header}\r\n${elsewhere},明山小学,primary,210503,210503001,public,500,30,孙,2023-09-01\r\n`,
  );
  await importFile(
    opts,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\n${lead},周督学,full_time,${county},13900000061\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'balanced-development',
    title: '平山区义务教育优质均衡发展督导评估',
    scope: county,
    window: upcomingWindow(),
  });
  expect((await launchAndWait(office, campaign.id)).status).toBe('SUCCEEDED');
  const list = await call<{ items: { id: string }[] }>(
    'GET',
    `/inspections?targetId=${county}&campaignId=${campaign.id}`,
    { token: office },
  );
  inspectionId = list.body.items[0]!.id;
  const current = (await view()).body;
  const team = await call('PUT', `/inspections/${inspectionId}/team`, {
    token: office,
    body: { version: current.version, lead, members: [] },
  });
  expect(team.status, team.text).toBe(200);
}, 180_000);

describe('balanced-development: a problem naming a school', () => {
  it('accepts only schools of the inspected county', async () => {
    const inspector = await tokenFor('inspector', lead, { subject: `inspector-${lead}` });
    const current = (await view()).body;
    expect(current.status).toBe('assigned');
    const gov = await tokenFor('government', county, { subject: 'pingshan-government' });
    const self = await call<InspectionView>('PUT', `/inspections/${inspectionId}/self-assessment`, {
      token: gov,
      body: {
        version: current.version,
        indicators: [
          'resource-allocation',
          'government-guarantee',
          'education-quality',
          'social-recognition',
        ].map((indicatorId) => ({
          indicatorId,
          score: 90,
          statement: '已达到优质均衡标准',
          evidenceIds: [],
        })),
      },
    });
    expect(self.status, self.text).toBe(200);
    const rejected = await call('PUT', `/inspections/${inspectionId}/findings`, {
      token: inspector,
      body: findings(self.body.version, elsewhere),
    });
    expect(rejected.status).toBe(400);
    expect(rejected.text).toContain('body.indicators.0.problems.0.schoolId');
  });

  it('makes the named school’s rectification, visible to the school and in the county’s inspection', async () => {
    const inspector = await tokenFor('inspector', lead, { subject: `inspector-${lead}` });
    const current = (await view()).body;
    const recorded = await call<InspectionView>('PUT', `/inspections/${inspectionId}/findings`, {
      token: inspector,
      body: findings(current.version, schools[0]!),
    });
    expect(recorded.status, recorded.text).toBe(200);
    const report = await call<InspectionView>('POST', `/inspections/${inspectionId}/report`, {
      token: inspector,
      body: { version: recorded.body.version },
    });
    expect(report.status, report.text).toBe(200);
    expect(report.body.status).toBe('rectifying');

    // The county's inspection holds both items; one names the school.
    const county = (await view()).body;
    expect(county.rectifications).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'resource-allocation-1', schoolId: schools[0] }),
        expect.objectContaining({ id: 'resource-allocation-2', status: 'open' }),
      ]),
    );
    // The school finds its item, and reads the inspection with its own items only.
    const named = await call<Named>('GET', `/schools/${schools[0]}/rectifications`, {
      token: await schoolToken(schools[0]!),
    });
    expect(named.status, named.text).toBe(200);
    expect(named.body.items).toEqual([
      expect.objectContaining({
        inspectionId,
        targetId: '210502',
        rectification: expect.objectContaining({ id: 'resource-allocation-1', status: 'open' }),
      }),
    ]);
    const seen = await view(await schoolToken(schools[0]!));
    expect(seen.status).toBe(200);
    expect(seen.body.rectifications.map((r) => r.id)).toEqual(['resource-allocation-1']);
    expect(seen.body.findings).toBeUndefined();
    // Another school of the county is named nowhere: it sees nothing.
    expect((await view(await schoolToken(schools[1]!))).status).toBe(404);
    expect(
      (
        await call<Named>('GET', `/schools/${schools[1]}/rectifications`, {
          token: await schoolToken(schools[1]!),
        })
      ).body.items,
    ).toEqual([]);
  });

  it('has the school plan and complete it with evidence, and the county team review it', async () => {
    const token = await schoolToken(schools[0]!);
    const gov = await tokenFor('government', county, { subject: 'pingshan-government' });
    let version = (await view(token)).body.version;
    // The school's item is the school's to work, not the county government's; the county's own item is not the school's.
    expect(
      (
        await call('PUT', `/inspections/${inspectionId}/rectifications/resource-allocation-1`, {
          token: gov,
          body: { version, plan: '由区政府统筹' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('PUT', `/inspections/${inspectionId}/rectifications/resource-allocation-2`, {
          token,
          body: { version, plan: '不是本校的' },
        })
      ).status,
    ).toBe(404);
    const plan = await call<InspectionView>(
      'PUT',
      `/inspections/${inspectionId}/rectifications/resource-allocation-1`,
      {
        token,
        body: { version, plan: '暑期扩建风雨操场' },
      },
    );
    expect(plan.status, plan.text).toBe(200);
    const file = Buffer.concat([png, Buffer.from('#playground')]);
    const proof = await uploadEvidence(
      token,
      token,
      inspectionId,
      { fileName: '操场竣工.png', contentType: 'image/png', size: file.length, sha256: sha256(file) },
      file,
    );
    expect(proof.status).toBe('stored');
    version = plan.body.version;
    const done = await call<InspectionView>(
      'PUT',
      `/inspections/${inspectionId}/rectifications/resource-allocation-1`,
      {
        token,
        body: { version, completion: { statement: '风雨操场已竣工', evidenceIds: [proof.id] } },
      },
    );
    expect(done.status, done.text).toBe(200);
    // The county's own item is still open: the inspection waits for it.
    expect(done.body.status).toBe('rectifying');
    const gplan = await call<InspectionView>(
      'PUT',
      `/inspections/${inspectionId}/rectifications/resource-allocation-2`,
      {
        token: gov,
        body: {
          version: done.body.version,
          completion: { statement: '已调整教师交流方案', evidenceIds: [] },
        },
      },
    );
    expect(gplan.status, gplan.text).toBe(200);
    expect(gplan.body.status).toBe('rectification_submitted');

    const inspector = await tokenFor('inspector', lead, { subject: `inspector-${lead}` });
    let v = gplan.body.version;
    for (const rid of ['resource-allocation-1', 'resource-allocation-2']) {
      const review = await call<InspectionView>(
        'POST',
        `/inspections/${inspectionId}/rectifications/${rid}/review`,
        {
          token: inspector,
          body: { version: v, result: 'pass', comment: '复查合格' },
        },
      );
      expect(review.status, review.text).toBe(200);
      v = review.body.version;
    }
    expect((await view()).body.status).toBe('closed');
    const named = await call<Named>('GET', `/schools/${schools[0]}/rectifications`, { token });
    expect(named.body.items[0]!.rectification.status).toBe('passed');
  });
});
