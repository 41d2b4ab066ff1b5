import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore } from '#adapters/object-store';
import { buckets } from '#infra/resources';
import { verifyBundle } from '#scripts/verify-export';
import { call, tokenFor } from '#test/support/api';
import { invoke, testS3 } from '#test/support/aws';
import {
  activeCountyCampaign,
  createCampaign,
  injectFault,
  launchAndWait,
  upcomingWindow,
  waitForExecution,
} from '#test/support/campaigns';
import { png, sha256, uploadEvidence } from '#test/support/evidence';
import { waitFor } from '#test/support/wait';

/**
 * Sealing and exporting a campaign in 青山湖区 of Nanchang (360111): close →
 * statistics, manifest with its SHA-256, chain head; export → a ZIP that
 * `verify-export` checks offline, naming exactly the file changed in it.
 */
const county = '360111';
const schools = ['3601110001', '3601110002'];
let office: string;
let campaignId: string;
const inspectionIds: string[] = [];
const objects = () => createObjectStore(testS3, process.env[buckets.evidence.envVar]!);

interface CampaignView {
  status: string;
  close?: {
    statisticsKey: string;
    manifest: { key: string; sha256: string; sha256Key: string; files: number };
    chain: { linked: number; head: string };
  };
}
interface ExportView {
  id: string;
  status: string;
  files?: number;
  mismatches?: number;
  download?: { url: string };
}

/** A PNG carrying a marker after its end, so each file is distinct and findable in a ZIP. */
const markedPng = (marker: string) => Buffer.concat([png, Buffer.from(marker)]);

beforeAll(async () => {
  ({ office, campaignId } = await activeCountyCampaign({
    county,
    town: '360111001',
    schoolIds: schools,
    inspectorId: 'IQS360111',
  }));
  for (const school of schools) {
    const list = await call<{ items: { id: string }[] }>('GET', `/inspections?schoolId=${school}`, {
      token: office,
    });
    inspectionIds.push(list.body.items[0]!.id);
  }
  for (const [i, school] of [0, 0, 1].entries()) {
    // The last one spans many stream chunks (3 MB), as real photos do.
    const body = Buffer.concat([
      markedPng(`<<sealing-file-${i}>>`),
      randomBytes(i === 2 ? 3 * 1024 * 1024 : 0),
    ]);
    await uploadEvidence(
      office,
      await tokenFor('school', schools[school]!),
      inspectionIds[school]!,
      { fileName: `照片${i}.png`, contentType: 'image/png', size: body.length, sha256: sha256(body) },
      body,
    );
  }
  // Accountability (问责) follows a notification (通报) of the same inspection.
  const notification = await call('POST', `/inspections/${inspectionIds[1]}/actions`, {
    token: office,
    body: { type: 'notification', visibility: 'internal', text: '通报：整改不力' },
  });
  expect(notification.status, notification.text).toBe(201);
  const accountability = await call('POST', `/inspections/${inspectionIds[1]}/actions`, {
    token: office,
    body: { type: 'accountability', decisionReference: '青山湖教督〔2026〕1号' },
  });
  expect(accountability.status, accountability.text).toBe(201);
  // Its one stored file goes under legal hold at once (the local S3 has no Object Lock to place it in).
  expect(accountability.body).toMatchObject({ legalHolds: { files: 1, placed: 0 } });
}, 180_000);

describe('POST /campaigns/{id}/close', () => {
  it('refuses no token, the wrong role and another county', async () => {
    expect((await call('POST', `/campaigns/${campaignId}/close`)).status).toBe(401);
    const auditor = await tokenFor('auditor', county);
    expect((await call('POST', `/campaigns/${campaignId}/close`, { token: auditor })).status).toBe(403);
    const other = await tokenFor('county_admin', '360112');
    expect((await call('POST', `/campaigns/${campaignId}/close`, { token: other })).status).toBe(404);
  });

  it('seals the campaign: statistics, a manifest matching its SHA-256, the chain head; once', async () => {
    const started = await call<{ executionArn: string }>('POST', `/campaigns/${campaignId}/close`, {
      token: office,
    });
    expect(started.status, started.text).toBe(202);
    const again = await call('POST', `/campaigns/${campaignId}/close`, { token: office });
    expect(again.status).toBe(409);
    expect((await waitForExecution(started.body.executionArn)).status).toBe('SUCCEEDED');

    const campaign = (await call<CampaignView>('GET', `/campaigns/${campaignId}`, { token: office })).body;
    expect(campaign.status).toBe('closed');
    const { manifest, chain, statisticsKey } = campaign.close!;
    const text = Buffer.from(await objects().read(manifest.key));
    expect(createHash('sha256').update(text).digest('hex')).toBe(manifest.sha256);
    expect(Buffer.from(await objects().read(manifest.sha256Key)).toString()).toBe(
      `${manifest.sha256}  evidence-manifest.jsonl\n`,
    );
    const lines = text
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => [l.schoolId, l.status, l.legalHold])).toEqual(
      expect.arrayContaining([
        [schools[0], 'stored', false],
        [schools[0], 'stored', false],
        [schools[1], 'stored', true],
      ]),
    );
    const statistics = await objects().readJson<{ report: { campaignId: string } }>(statisticsKey);
    expect(statistics.report.campaignId).toBe(campaignId);

    const verified = await call<{ intact: boolean; linked: number; head: string }>(
      'GET',
      `/audit/campaigns/${campaignId}/verify`,
      { token: office },
    );
    expect(verified.body).toMatchObject({ intact: true, linked: chain.linked, head: chain.head });

    const late = await call('POST', `/inspections/${inspectionIds[0]}/evidence`, {
      token: await tokenFor('school', schools[0]!),
      body: { fileName: 'late.png', contentType: 'image/png', size: png.length, sha256: sha256(png) },
    });
    expect(late.status).toBe(409);
  });

  it('changes nothing when the seal step runs again', async () => {
    const before = (
      await call<CampaignView & { close: { execution: string } }>('GET', `/campaigns/${campaignId}`, {
        token: office,
      })
    ).body;
    const again = await invoke<{ manifest: { sha256: string }; chain: unknown }>('closeSeal', {
      campaignId,
      execution: before.close.execution,
    });
    expect(again.manifest.sha256).toBe(before.close!.manifest.sha256);
    expect(again.chain).toEqual(before.close!.chain);
  });

  it('leaves a campaign whose seal failed active, with the reason; closing again seals it', async () => {
    const second = await createCampaign(office, {
      templateId: 'start-of-term',
      title: '第二次督导',
      scope: county,
      window: upcomingWindow(),
    });
    expect((await launchAndWait(office, second.id)).status).toBe('SUCCEEDED');
    const sealOfSecond = { where: { campaignId: second.id } };
    await injectFault('closeSeal', sealOfSecond, 10); // more than the step's retries
    const first = await call<{ executionArn: string }>('POST', `/campaigns/${second.id}/close`, {
      token: office,
    });
    expect((await waitForExecution(first.body.executionArn)).status).toBe('FAILED');
    const failed = (
      await call<CampaignView & { close: { error: string } }>('GET', `/campaigns/${second.id}`, {
        token: office,
      })
    ).body;
    expect(failed).toMatchObject({
      status: 'active',
      close: { error: expect.stringContaining('failure drill') },
    });

    await injectFault('closeSeal', sealOfSecond, 0);
    const again = await call<{ executionArn: string }>('POST', `/campaigns/${second.id}/close`, {
      token: office,
    });
    expect(again.status).toBe(202);
    expect((await waitForExecution(again.body.executionArn)).status).toBe('SUCCEEDED');
    const sealed = (await call<CampaignView>('GET', `/campaigns/${second.id}`, { token: office })).body;
    expect(sealed.status).toBe('closed');
    const verified = await call<{ intact: boolean; linked: number }>(
      'GET',
      `/audit/campaigns/${second.id}/verify`,
      {
        token: office,
      },
    );
    expect(verified.body).toMatchObject({ intact: true, linked: sealed.close!.chain.linked });
  });
});

describe('POST /audit/exports', () => {
  it('refuses no token, the wrong role, another county and malformed requests', async () => {
    expect((await call('POST', '/audit/exports', { body: { campaignId } })).status).toBe(401);
    const school = await tokenFor('school', schools[0]!);
    expect((await call('POST', '/audit/exports', { token: school, body: { campaignId } })).status).toBe(403);
    const other = await tokenFor('auditor', '360112');
    expect((await call('POST', '/audit/exports', { token: other, body: { campaignId } })).status).toBe(404);
    const auditor = await tokenFor('auditor', '36');
    const bad = await call('POST', '/audit/exports', { token: auditor, body: { campaignId, region: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await call('GET', '/audit/exports/nope', { token: auditor })).status).toBe(404);
  });

  it('exports a ZIP that verify-export accepts, and names exactly the file changed in it', async () => {
    const auditor = await tokenFor('auditor', '36', { subject: 'auditor-sun' });
    const started = await call<ExportView>('POST', '/audit/exports', {
      token: auditor,
      body: { campaignId },
    });
    expect(started.status, started.text).toBe(202);
    const ready = await waitFor(
      async () => {
        const r = await call<ExportView>('GET', `/audit/exports/${started.body.id}`, { token: auditor });
        return r.body.status === 'running' ? undefined : r.body;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the export to finish' },
    );
    expect(ready).toMatchObject({ status: 'ready', files: 3, mismatches: 0 });
    const school = await tokenFor('school', schools[0]!);
    expect((await call('GET', `/audit/exports/${started.body.id}`, { token: school })).status).toBe(403);
    expect((await call('GET', `/audit/exports/${started.body.id}`)).status).toBe(401);
    const otherCounty = await tokenFor('auditor', '360112');
    expect((await call('GET', `/audit/exports/${started.body.id}`, { token: otherCounty })).status).toBe(404);

    const zip = Buffer.from(await (await fetch(ready.download!.url)).arrayBuffer());
    const dir = mkdtempSync(join(tmpdir(), 'dudao-export-'));
    const intact = join(dir, 'bundle.zip');
    writeFileSync(intact, zip);
    const verdicts = await verifyBundle(intact);
    expect(verdicts.length).toBe(4);
    expect(verdicts.every((v) => v.status === 'ok')).toBe(true);

    // Files are stored uncompressed: change one byte of the second file's marker.
    const tampered = Buffer.from(zip);
    const at = tampered.indexOf('<<sealing-file-1>>');
    expect(at).toBeGreaterThan(0);
    tampered[at + 2] = 'X'.charCodeAt(0);
    const changed = join(dir, 'changed.zip');
    writeFileSync(changed, tampered);
    const result = await promisify(execFile)('npx', ['tsx', 'scripts/verify-export.ts', changed]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.code).toBe(1);
    const named = result.stdout.split('\n').filter((l) => l.startsWith('✗'));
    expect(named).toHaveLength(1);
    const evidence = (await verifyBundle(changed)).filter((v) => v.status !== 'ok');
    expect(evidence).toEqual([expect.objectContaining({ status: 'differs' })]);
    expect(named[0]).toContain(evidence[0]!.path);

    const events = await call<{ items: { action: string; actor: string }[] }>(
      'GET',
      `/audit/events?entityId=${started.body.id}`,
      { token: auditor },
    );
    expect(events.body.items).toContainEqual(
      expect.objectContaining({ action: 'download_export', actor: 'auditor-sun' }),
    );
  });
});
