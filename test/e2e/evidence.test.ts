import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '#infra/resources';
import { encodeS3EventKey } from '#local/s3';
import { call, tokenFor } from '#test/support/api';
import { testDb as documentClient, invoke } from '#test/support/aws';
import { activeCountyCampaign } from '#test/support/campaigns';
import { type EvidenceView, exe, png, sha256, uploadEvidence } from '#test/support/evidence';

/**
 * Evidence through the whole path: announce → presigned PUT → object-created
 * verification → stored or quarantined; reads logged. In 西湖区 of Nanchang (360103).
 */
const county = '360103';
/**
 * A PNG of its own: the same bytes stored twice by one school are linked, not
 * uploaded again (collect once, see collect-once.test.ts).
 */
const ownPng = (marker: string) => Buffer.concat([png, Buffer.from(marker)]);
const schools = ['3601030001', '3601030002'];
let office: string;
let inspectionIds: string[];

beforeAll(async () => {
  ({ office } = await activeCountyCampaign({
    county,
    town: '360103001',
    schoolIds: schools,
    inspectorId: 'IXH360103',
  }));
  inspectionIds = [];
  for (const school of schools) {
    const list = await call<{ items: { id: string }[] }>('GET', `/inspections?schoolId=${school}`, {
      token: office,
    });
    inspectionIds.push(list.body.items[0]!.id);
  }
}, 180_000);

describe('evidence uploads', () => {
  it('stores a correct upload', async () => {
    const token = await tokenFor('school', schools[0]!);
    const evidence = await uploadEvidence(
      office,
      token,
      inspectionIds[0]!,
      { fileName: '../../etc/消防照片.png', contentType: 'image/png', size: png.length, sha256: sha256(png) },
      png,
    );
    expect(evidence).toMatchObject({ status: 'stored', fileName: '消防照片.png' });
    expect(evidence.key).toMatch(/^evidence\/[^/]+\/[^/]+\/[0-9A-Z]{26}$/);
  });

  it('quarantines a body whose SHA-256 differs from the declared one', async () => {
    const token = await tokenFor('school', schools[0]!);
    const other = Buffer.concat([png, Buffer.from([0])]);
    const evidence = await uploadEvidence(
      office,
      token,
      inspectionIds[0]!,
      { fileName: 'a.png', contentType: 'image/png', size: other.length, sha256: sha256(png) },
      other,
    );
    expect(evidence).toMatchObject({
      status: 'quarantined',
      reason: expect.stringContaining('SHA-256 differs'),
    });
  });

  it('quarantines an .exe renamed .pdf, by its magic bytes', async () => {
    const token = await tokenFor('school', schools[0]!);
    const evidence = await uploadEvidence(
      office,
      token,
      inspectionIds[0]!,
      { fileName: '整改报告.pdf', contentType: 'application/pdf', size: exe.length, sha256: sha256(exe) },
      exe,
    );
    expect(evidence).toMatchObject({
      status: 'quarantined',
      reason: expect.stringContaining('not application/pdf'),
    });
  });

  it('refuses an oversize file before upload, and quarantines one larger than declared', async () => {
    const token = await tokenFor('school', schools[0]!);
    const tooBig = await call('POST', `/inspections/${inspectionIds[0]}/evidence`, {
      token,
      body: {
        fileName: 'x.pdf',
        contentType: 'application/pdf',
        size: 21 * 1024 * 1024,
        sha256: sha256(png),
      },
    });
    expect(tooBig.status).toBe(400);
    const longer = Buffer.concat([png, Buffer.alloc(1000)]);
    const evidence = await uploadEvidence(
      office,
      token,
      inspectionIds[0]!,
      { fileName: 'b.png', contentType: 'image/png', size: png.length, sha256: sha256(longer) },
      longer,
    );
    expect(evidence).toMatchObject({
      status: 'quarantined',
      reason: expect.stringContaining(`differs from the declared ${png.length}`),
    });
  });

  it('changes nothing when the same event arrives again', async () => {
    const token = await tokenFor('school', schools[0]!);
    const body = ownPng('#c');
    const evidence = await uploadEvidence(
      office,
      token,
      inspectionIds[0]!,
      { fileName: 'c.png', contentType: 'image/png', size: body.length, sha256: sha256(body) },
      body,
    );
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: {
            bucket: { name: 'dudao-evidence' },
            object: { key: encodeS3EventKey(evidence.key), size: body.length },
          },
        },
      ],
    };
    const again = await invoke('objectCreated', event);
    expect(again).toMatchObject({ verified: 0, duplicates: 1 });
    const after = await call<EvidenceView>('GET', `/evidence/${evidence.id}`, { token: office });
    expect(after.body.status).toBe('stored');
  });
});

describe('who reads evidence', () => {
  it('keeps a school out of another school’s evidence, serves an auditor and logs every read', async () => {
    const own = await tokenFor('school', schools[0]!);
    const body = ownPng('#d');
    const evidence = await uploadEvidence(
      office,
      own,
      inspectionIds[0]!,
      { fileName: 'd.png', contentType: 'image/png', size: body.length, sha256: sha256(body) },
      body,
    );
    expect(
      (await call('GET', `/evidence/${evidence.id}`, { token: await tokenFor('school', schools[1]!) }))
        .status,
    ).toBe(404);
    expect(
      (
        await call('GET', `/inspections/${inspectionIds[0]}/evidence`, {
          token: await tokenFor('school', schools[1]!),
        })
      ).status,
    ).toBe(404);

    const auditor = await tokenFor('auditor', '36', { subject: 'auditor-zhao' });
    const read = await call<EvidenceView>('GET', `/evidence/${evidence.id}`, { token: auditor });
    expect(read.status).toBe(200);
    const file = await fetch(read.body.download!.url);
    expect(Buffer.from(await file.arrayBuffer()).equals(body)).toBe(true);
    expect(
      (
        await call('POST', `/inspections/${inspectionIds[0]}/evidence`, {
          token: auditor,
          body: { fileName: 'x.png', contentType: 'image/png', size: 1, sha256: sha256(png) },
        })
      ).status,
    ).toBe(403);

    const events = await documentClient.send(
      new QueryCommand({
        TableName: process.env[tables.audit.envVar],
        IndexName: 'byEntity',
        KeyConditionExpression: 'entityId = :id',
        ExpressionAttributeValues: { ':id': evidence.id },
      }),
    );
    const downloads = (events.Items ?? []).filter((e) => e.action === 'download_evidence');
    expect(downloads).toEqual([
      expect.objectContaining({
        actor: 'auditor-zhao',
        details: expect.objectContaining({ key: evidence.key, requestId: expect.any(String) }),
      }),
    ]);
  });

  it('serves quarantined files to offices only', async () => {
    const token = await tokenFor('school', schools[1]!);
    const evidence = await uploadEvidence(
      office,
      token,
      inspectionIds[1]!,
      { fileName: 'e.pdf', contentType: 'application/pdf', size: exe.length, sha256: sha256(exe) },
      exe,
    );
    expect(evidence.status).toBe('quarantined');
    expect((await call('GET', `/evidence/${evidence.id}`, { token })).status).toBe(403);
    expect((await call('GET', `/evidence/${evidence.id}`, { token: office })).status).toBe(200);
  });
});
