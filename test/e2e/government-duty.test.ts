import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { createCampaign, launchAndWait, upcomingWindow } from '#test/support/campaigns';
import { png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * 督政 over HTTP, in 南芬区 of Benxi (210505, three towns): a government-duty
 * campaign over the county's towns. The office gives each town's inspection
 * its team; each town government finds its inspection, reports on every task
 * with evidence; the county team inspects and reports; the ranking orders the
 * towns; the lowest town's problems become its rectification items and it is
 * proposed for an interview (约谈), which the office records naming the
 * town's leader; the town rectifies and the team closes the inspection.
 */
const county = '210505';
const towns = ['210505001', '210505004', '210505005'];
const lead = 'INF01';
const member = 'INF02';

let office: string;
let campaignId: string;
const inspectionOf = new Map<string, string>();

interface InspectionView {
  id: string;
  status: string;
  version: number;
  partyId?: string;
  targetId: string;
  report?: { score: number; grade: string };
  feedback?: { text: string; acknowledgedAt?: string };
  rectifications: { id: string; status: string }[];
  template: { indicators: { id: string }[] };
}
interface Ranking {
  final: boolean;
  published: boolean;
  level: string;
  region: string;
  previousCampaignId: string | null;
  items: {
    targetId: string;
    score: number | null;
    grade: string | null;
    rank: number | null;
    change: { rank: number | null; score: number | null };
  }[];
  incentives: { targetId: string }[];
  proposals: { type: string; inspectionId: string; targetId: string }[];
}

const gov = (town: string) => tokenFor('government', town, { subject: `gov-${town}` });
const inspectorToken = (id: string) => tokenFor('inspector', id, { subject: `inspector-${id}` });
const view = async (id: string, token = office) =>
  (await call<InspectionView>('GET', `/inspections/${id}`, { token })).body;

/** A PNG of its own per file (the same bytes on one inspection would be linked, not uploaded again). */
const pngOf = (marker: string) => Buffer.concat([png, Buffer.from(`#${marker}`)]);

/** Scores the team gives each town, indicator by indicator (all the same within a town). */
const scores: Record<string, number> = { [towns[0]!]: 92, [towns[1]!]: 85, [towns[2]!]: 58 };

beforeAll(async () => {
  office = await tokenFor('county_admin', county, { subject: 'nanfen-office' });
  await importFile(
    { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 },
    'inspectors',
    'i.csv',
    'inspector_id,name,kind,region_code,phone\r\n' +
      `${lead},韩督学,full_time,${county},13900000051\r\n` +
      `${member},赵督学,expert,${county},13900000052\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: 'government-duty',
    title: '南芬区2026年度镇(街道)政府教育履职评价',
    scope: county,
    window: upcomingWindow(),
  });
  campaignId = campaign.id;
  expect((await launchAndWait(office, campaignId)).status).toBe('SUCCEEDED');
}, 180_000);

describe('government-duty: the towns of a county', () => {
  it('creates one inspection per town of the region tree, each answered for by its government', async () => {
    for (const town of towns) {
      const list = await call<{ items: { id: string; targetId: string; status: string }[] }>(
        'GET',
        `/inspections?campaignId=${campaignId}`,
        { token: await gov(town) },
      );
      expect(list.status, list.text).toBe(200);
      // A town government's list is its own inspection, nothing else.
      expect(list.body.items).toEqual([expect.objectContaining({ targetId: town, status: 'unassigned' })]);
      inspectionOf.set(town, list.body.items[0]!.id);
    }
    const one = await view(inspectionOf.get(towns[0]!)!);
    expect(one).toMatchObject({ partyId: towns[0], status: 'unassigned' });
    // Unassigned, no one may submit yet.
    const early = await call('PUT', `/inspections/${one.id}/self-assessment`, {
      token: await gov(towns[0]!),
      body: {
        version: one.version,
        indicators: [
          { indicatorId: 'education-priority', score: 90, statement: '经费足额', evidenceIds: [] },
        ],
      },
    });
    expect(early.status).toBe(409);
  });

  it('is assigned once the office sets the team, one by one or in bulk', async () => {
    const first = await view(inspectionOf.get(towns[0]!)!);
    const put = await call<InspectionView>('PUT', `/inspections/${first.id}/team`, {
      token: office,
      body: { version: first.version, lead, members: [{ inspectorId: member }] },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.status).toBe('assigned');
    const bulk = await call<{ changed: number }>('POST', `/campaigns/${campaignId}/teams`, {
      token: office,
      body: { assignments: towns.slice(1).map((town) => ({ schoolId: town, lead, members: [] })) },
    });
    expect(bulk.status, bulk.text).toBe(200);
    for (const town of towns) expect((await view(inspectionOf.get(town)!)).status).toBe('assigned');
  });

  it('takes each town government’s self-report, with evidence, and the team’s findings and report', async () => {
    const leadToken = await inspectorToken(lead);
    for (const town of towns) {
      const id = inspectionOf.get(town)!;
      const token = await gov(town);
      const file = pngOf(`funding-${town}`);
      const evidence = await uploadEvidence(
        token,
        token,
        id,
        {
          fileName: '经费投入统计表.png',
          contentType: 'image/png',
          size: file.length,
          sha256: sha256(file),
          indicatorId: 'education-priority',
        },
        file,
      );
      expect(evidence.status).toBe('stored');
      const before = await view(id, token);
      const indicators = before.template.indicators.map((i) => ({
        indicatorId: i.id,
        score: 90,
        statement: `${town} 已完成该项任务`,
        evidenceIds: i.id === 'education-priority' ? [evidence.id] : [],
      }));
      const self = await call<InspectionView>('PUT', `/inspections/${id}/self-assessment`, {
        token,
        body: { version: before.version, indicators },
      });
      expect(self.status, self.text).toBe(200);
      expect(self.body.status).toBe('self_assessed');

      const lowest = town === towns[2];
      const findings = await call<InspectionView>('PUT', `/inspections/${id}/findings`, {
        token: leadToken,
        body: {
          version: self.body.version,
          visit: { date: upcomingWindow().start, durationMinutes: 240 },
          indicators: before.template.indicators.map((i) => ({
            indicatorId: i.id,
            method: 'document_review',
            score: scores[town],
            problems:
              lowest && i.id === 'school-doctors-counsellors'
                ? [{ description: '心理健康教师未配齐', severity: 'major' }]
                : [],
          })),
        },
      });
      expect(findings.status, findings.text).toBe(200);
      const report = await call<InspectionView>('POST', `/inspections/${id}/report`, {
        token: leadToken,
        body: { version: findings.body.version },
      });
      expect(report.status, report.text).toBe(200);
      expect(report.body.report?.score).toBe(scores[town]);
      expect(report.body.status).toBe(lowest ? 'rectifying' : 'closed');
      const ack = await call<InspectionView>('POST', `/inspections/${id}/feedback/acknowledge`, {
        token,
        body: { version: report.body.version },
      });
      expect(ack.status, ack.text).toBe(200);
      expect(ack.body.feedback?.acknowledgedAt).toEqual(expect.any(String));
    }
  });

  it('ranks the towns, lists the excellent one and proposes an interview for the lowest', async () => {
    const r = await call<Ranking>('GET', `/campaigns/${campaignId}/ranking`, { token: office });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      region: county,
      level: 'town',
      final: true,
      published: false,
      previousCampaignId: null,
    });
    expect(r.body.items.map((i) => [i.targetId, i.score, i.grade, i.rank])).toEqual([
      [towns[0], 92, 'excellent', 1],
      [towns[1], 85, 'good', 2],
      [towns[2], 58, 'fail', 3],
    ]);
    expect(r.body.items[0]!.change).toEqual({ rank: null, score: null });
    expect(r.body.incentives.map((i) => i.targetId)).toEqual([towns[0]]);
    expect(r.body.proposals).toEqual([
      expect.objectContaining({
        type: 'interview',
        targetId: towns[2],
        inspectionId: inspectionOf.get(towns[2]!),
      }),
    ]);
    // An auditor of the province reads it too; an office of another county does not see the campaign.
    const audit = await call('GET', `/campaigns/${campaignId}/ranking`, {
      token: await tokenFor('auditor', '21'),
    });
    expect(audit.status).toBe(200);
    expect(
      (
        await call('GET', `/campaigns/${campaignId}/ranking`, {
          token: await tokenFor('county_admin', '210502'),
        })
      ).status,
    ).toBe(404);
    expect(
      (await call('GET', `/campaigns/${campaignId}/ranking`, { token: await gov(towns[0]!) })).status,
    ).toBe(404);
    // Towns are ranked within a county: a city is the wrong level here.
    expect(
      (
        await call('GET', `/campaigns/${campaignId}/ranking?region=2105`, {
          token: await tokenFor('city_admin', '2105'),
        })
      ).status,
    ).toBe(400);
  });

  it('lets the office record the proposed interview, naming the town’s leader', async () => {
    const lowestId = inspectionOf.get(towns[2]!)!;
    const actions = () =>
      call<{ items: { type: string; inspectionId: string; status: string }[] }>(
        'GET',
        `/campaigns/${campaignId}/actions`,
        { token: office },
      );
    // Reading the ranking proposes nothing; the office publishes it (排名通报), twice, and the lowest is proposed once.
    expect((await actions()).body.items.filter((a) => a.type === 'interview')).toEqual([]);
    expect(
      (
        await call('POST', `/campaigns/${campaignId}/ranking/publish`, {
          token: await tokenFor('auditor', '21'),
          body: {},
        })
      ).status,
    ).toBe(403);
    for (let n = 0; n < 2; n++) {
      const published = await call<Ranking>('POST', `/campaigns/${campaignId}/ranking/publish`, {
        token: office,
        body: {},
      });
      expect(published.status, published.text).toBe(200);
      expect(published.body.published).toBe(true);
    }
    expect(
      (await call<Ranking>('GET', `/campaigns/${campaignId}/ranking`, { token: office })).body.published,
    ).toBe(true);
    expect((await actions()).body.items.filter((a) => a.type === 'interview')).toEqual([
      expect.objectContaining({ inspectionId: lowestId, status: 'proposed' }),
    ]);
    const interview = {
      type: 'interview',
      inspectionId: lowestId,
      date: upcomingWindow().start,
      leaderSummoned: '镇长',
      attendees: ['韩督学', '南芬区教育局'],
      minutes: '就心理健康教师配备不足约谈镇政府主要领导',
    };
    const unnamed = await call('POST', `/campaigns/${campaignId}/actions`, {
      token: office,
      body: interview,
    });
    expect(unnamed.status).toBe(400);
    expect(unnamed.text).toContain('body.leader');
    const recorded = await call<{ id: string; leader: { name: string; title: string } }>(
      'POST',
      `/campaigns/${campaignId}/actions`,
      { token: office, body: { ...interview, leader: { name: '李建国', title: '镇长' } } },
    );
    expect(recorded.status, recorded.text).toBe(201);
    expect(recorded.body.leader).toEqual({ name: '李建国', title: '镇长' });
    expect((await actions()).body.items.filter((a) => a.type === 'interview')).toEqual([
      expect.objectContaining({ inspectionId: lowestId, status: 'recorded' }),
    ]);
    // A government does not record actions.
    expect(
      (
        await call('POST', `/campaigns/${campaignId}/actions`, {
          token: await gov(towns[2]!),
          body: { ...interview, leader: { name: '李建国', title: '镇长' } },
        })
      ).status,
    ).toBe(403);
  });

  it('has the lowest town rectify, and the team close it on review', async () => {
    const id = inspectionOf.get(towns[2]!)!;
    const token = await gov(towns[2]!);
    let current = await view(id, token);
    expect(current.rectifications).toEqual([expect.objectContaining({ id: 'school-doctors-counsellors-1' })]);
    const rid = current.rectifications[0]!.id;
    const plan = await call<InspectionView>('PUT', `/inspections/${id}/rectifications/${rid}`, {
      token,
      body: { version: current.version, plan: '年内招聘两名专职心理健康教师' },
    });
    expect(plan.status, plan.text).toBe(200);
    const file = pngOf('hiring');
    const proof = await uploadEvidence(
      token,
      token,
      id,
      { fileName: '招聘公告.png', contentType: 'image/png', size: file.length, sha256: sha256(file) },
      file,
    );
    const done = await call<InspectionView>('PUT', `/inspections/${id}/rectifications/${rid}`, {
      token,
      body: { version: plan.body.version, completion: { statement: '已招聘到岗', evidenceIds: [proof.id] } },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.body.status).toBe('rectification_submitted');
    // Another town may not work it (it does not even see it).
    expect(
      (
        await call('POST', `/inspections/${id}/rectifications/${rid}/review`, {
          token: await gov(towns[1]!),
          body: { version: done.body.version, result: 'pass' },
        })
      ).status,
    ).toBe(404);
    const review = await call<InspectionView>('POST', `/inspections/${id}/rectifications/${rid}/review`, {
      token: await inspectorToken(lead),
      body: { version: done.body.version, result: 'pass', comment: '已到岗' },
    });
    expect(review.status, review.text).toBe(200);
    current = await view(id, token);
    expect(current.status).toBe('closed');
  });
});
