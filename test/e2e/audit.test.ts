import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '#infra/resources';
import { call, tokenFor } from '#test/support/api';
import { testDb as documentClient, sweep } from '#test/support/aws';
import { activeCountyCampaign } from '#test/support/campaigns';
import { type EvidenceView, png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * The auditor's archive in 青云谱区 of Nanchang (360104): evidence and events
 * by index, scoped by region, and the campaign's hash chain.
 */
const county = '360104';
const schools = ['3601040001', '3601040002'];
let office: string;
let campaignId: string;
const inspectionIds: string[] = [];
const stored: EvidenceView[] = [];

interface Page<T> {
  items: T[];
  cursor?: string;
}
interface EventView {
  sk: string;
  entityId: string;
  action: string;
  actor: string;
  regionCode: string;
  seq?: number;
}
interface Verification {
  intact: boolean;
  complete: boolean;
  linked: number;
  unlinked: number;
  verified: { fromSeq: number; throughSeq: number };
  brokenAt?: { seq: number; sk: string; reason: string };
}

/** A PNG with a distinct trailing chunk-free suffix, so every file has its own hash. */
const distinctPng = (n: number) => Buffer.concat([png, Buffer.from(`#${n}`)]);

beforeAll(async () => {
  ({ office, campaignId } = await activeCountyCampaign({
    county,
    town: '360104002',
    schoolIds: schools,
    inspectorId: 'IQY360104',
  }));
  for (const school of schools) {
    const list = await call<Page<{ id: string }>>('GET', `/inspections?schoolId=${school}`, {
      token: office,
    });
    inspectionIds.push(list.body.items[0]!.id);
  }
  // Three files: two from the first school (one per indicator), one from the second.
  for (const [i, [school, indicatorId]] of [
    [0, 'campus-safety'],
    [0, 'textbooks'],
    [1, 'campus-safety'],
  ].entries() as IterableIterator<[number, [number, string]]>) {
    const body = distinctPng(i);
    stored.push(
      await uploadEvidence(
        office,
        await tokenFor('school', schools[school]!, { subject: `school-${schools[school]}` }),
        inspectionIds[school]!,
        {
          fileName: `f${i}.png`,
          contentType: 'image/png',
          size: body.length,
          sha256: sha256(body),
          indicatorId,
        },
        body,
      ),
    );
  }
}, 180_000);

describe('GET /audit/evidence', () => {
  it('lists a campaign’s evidence for an auditor of the province, page by page', async () => {
    const auditor = await tokenFor('auditor', '36');
    const first = await call<Page<EvidenceView>>('GET', `/audit/evidence?campaignId=${campaignId}&limit=2`, {
      token: auditor,
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.cursor).toBeDefined();
    const rest = await call<Page<EvidenceView>>(
      'GET',
      `/audit/evidence?campaignId=${campaignId}&limit=2&cursor=${first.body.cursor}`,
      { token: auditor },
    );
    expect([...first.body.items, ...rest.body.items].map((e) => e.id).sort()).toEqual(
      stored.map((e) => e.id).sort(),
    );
  });

  it('narrows by region prefix, school, indicator, uploader, status and time', async () => {
    const auditor = await tokenFor('auditor', '36');
    const ids = async (query: string) => {
      const r = await call<Page<EvidenceView>>('GET', `/audit/evidence?${query}`, { token: auditor });
      expect(r.status, r.text).toBe(200);
      return r.body.items.map((e) => e.id).sort();
    };
    const all = stored.map((e) => e.id).sort();
    expect(await ids(`campaignId=${campaignId}&region=3601`)).toEqual(all);
    expect(await ids(`campaignId=${campaignId}&region=${county}&from=2020-01-01`)).toEqual(all);
    expect(await ids(`campaignId=${campaignId}&region=360103`)).toEqual([]);
    expect(await ids(`campaignId=${campaignId}&to=2020-01-01`)).toEqual([]);
    expect(await ids(`schoolId=${schools[0]}`)).toEqual([stored[0]!.id, stored[1]!.id].sort());
    expect(await ids(`schoolId=${schools[0]}&indicatorId=textbooks`)).toEqual([stored[1]!.id]);
    expect(await ids(`uploader=school-${schools[1]}`)).toEqual([stored[2]!.id]);
    expect(await ids(`campaignId=${campaignId}&status=quarantined`)).toEqual([]);
  });

  it('refuses no token, the wrong role, a region outside scope, and a query no index serves', async () => {
    expect((await call('GET', `/audit/evidence?campaignId=${campaignId}`)).status).toBe(401);
    const school = await tokenFor('school', schools[0]!);
    const refused = await call('GET', `/audit/evidence?campaignId=${campaignId}`, { token: school });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const inspector = await tokenFor('inspector', 'IQY360104');
    expect((await call('GET', `/audit/evidence?campaignId=${campaignId}`, { token: inspector })).status).toBe(
      403,
    );

    const otherCity = await tokenFor('auditor', '3602');
    expect(
      (await call('GET', `/audit/evidence?campaignId=${campaignId}&region=3601`, { token: otherCity }))
        .status,
    ).toBe(403);
    const outside = await call<Page<EvidenceView>>('GET', `/audit/evidence?campaignId=${campaignId}`, {
      token: otherCity,
    });
    expect(outside.body.items).toEqual([]);

    const auditor = await tokenFor('auditor', '36');
    const unindexed = await call('GET', '/audit/evidence?region=3601', { token: auditor, lang: 'en' });
    expect(unindexed.status).toBe(400);
    expect(unindexed.text).toContain('never scanned');
    expect((await call('GET', '/audit/evidence?schoolId=12&x=1', { token: auditor })).status).toBe(400);
  });
});

describe('GET /audit/events', () => {
  it('lists an entity’s events, including every download, and what one actor did', async () => {
    const auditor = await tokenFor('auditor', '3601', { subject: 'auditor-qian' });
    const evidence = stored[0]!;
    expect((await call('GET', `/evidence/${evidence.id}`, { token: auditor })).status).toBe(200);

    const byEntity = await call<Page<EventView>>('GET', `/audit/events?entityId=${evidence.id}`, {
      token: auditor,
    });
    expect(byEntity.status, byEntity.text).toBe(200);
    expect(byEntity.body.items.map((e) => e.action)).toEqual([
      'request_evidence_upload',
      'store_evidence',
      'download_evidence',
    ]);
    const byActor = await call<Page<EventView>>('GET', '/audit/events?actor=auditor-qian&from=2020-01-01', {
      token: auditor,
    });
    expect(byActor.body.items).toEqual([
      expect.objectContaining({ action: 'download_evidence', entityId: evidence.id, regionCode: county }),
    ]);
  });

  it('shows another region’s events to nobody outside it', async () => {
    const otherCounty = await tokenFor('county_admin', '360103');
    const r = await call<Page<EventView>>('GET', `/audit/events?campaignId=${campaignId}`, {
      token: otherCounty,
    });
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
    expect((await call('GET', `/audit/events?campaignId=${campaignId}`)).status).toBe(401);
    const school = await tokenFor('school', schools[0]!);
    expect((await call('GET', `/audit/events?entityId=${stored[0]!.id}`, { token: school })).status).toBe(
      403,
    );
    expect((await call('GET', '/audit/events', { token: office })).status).toBe(400);
  });
});

describe('GET /audit/campaigns/{id}/verify', () => {
  const verify = async (token: string) => {
    const r = await call<Verification>('GET', `/audit/campaigns/${campaignId}/verify`, { token });
    expect(r.status, r.text).toBe(200);
    return r.body;
  };

  it('links new events once however often the sweeper runs, and finds the chain intact', async () => {
    const auditor = await tokenFor('auditor', '36');
    // Other test files' sweeps may link some events first: only the end state is certain.
    await sweep();
    await sweep();
    const after = await verify(auditor);
    const events = await call<Page<EventView>>('GET', `/audit/events?campaignId=${campaignId}&limit=500`, {
      token: auditor,
    });
    expect(events.body.items.length).toBeGreaterThanOrEqual(stored.length * 2);
    expect(after).toMatchObject({
      intact: true,
      complete: true,
      unlinked: 0,
      linked: events.body.items.length,
    });
    expect(after.verified).toMatchObject({ fromSeq: 1, throughSeq: after.linked });
    expect(events.body.items.map((e) => e.seq).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: after.linked }, (_, i) => i + 1),
    );
  });

  it('names the first altered event', async () => {
    await sweep();
    const auditor = await tokenFor('auditor', '36');
    const events = await call<Page<EventView>>('GET', `/audit/events?campaignId=${campaignId}&limit=500`, {
      token: auditor,
    });
    const victim = events.body.items.find((e) => e.action === 'store_evidence')!;
    await documentClient.send(
      new UpdateCommand({
        TableName: process.env[tables.audit.envVar],
        Key: { pk: `CAMPAIGN#${campaignId}`, sk: victim.sk },
        UpdateExpression: 'SET actor = :forged',
        ExpressionAttributeValues: { ':forged': 'someone-else' },
      }),
    );
    const result = await verify(auditor);
    expect(result).toMatchObject({
      intact: false,
      brokenAt: { seq: victim.seq, sk: victim.sk, reason: expect.stringContaining('no longer matches') },
    });

    expect((await call('GET', `/audit/campaigns/${campaignId}/verify`)).status).toBe(401);
    const school = await tokenFor('school', schools[0]!);
    expect((await call('GET', `/audit/campaigns/${campaignId}/verify`, { token: school })).status).toBe(403);
    const otherCounty = await tokenFor('auditor', '360103');
    expect((await call('GET', `/audit/campaigns/${campaignId}/verify`, { token: otherCounty })).status).toBe(
      404,
    );
  });
});
