import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName, StateMachineName } from '#infra/resources';
import { importFile } from '#local/demo/seed';
import { type FaultDrill, type FaultTiming, faultItem } from '#local/faults';
import { verifyBundle } from '#scripts/verify-export';
import { upcomingWindow } from '#test/support/campaigns';
import { png, sha256 } from '#test/support/evidence';
import { waitFor } from '#test/support/wait';
import {
  allItems,
  armHang,
  call,
  cleanUp,
  evidenceBucket,
  executionEnded,
  executionsNamed,
  expectCall,
  javaRunningFor,
  kill9,
  mainTable,
  processRunning,
  type RunningCloud,
  startCloud,
  stopCloud,
  tokenFor,
  workBucket,
} from './support.ts';

/**
 * kill -9 drills: `npm start` dies (SIGKILL) while a workflow step hangs in a
 * failure drill, before or after its work; started again on the same data
 * folder, the local Step Functions endpoint re-runs every execution that was
 * RUNNING from the start. Each drill ends with nothing lost and nothing
 * duplicated, checked through the API as a user would (and, for what the API
 * does not show, in DynamoDB and S3 as an operator would).
 *
 * One local cloud for the file: every drill ends with a restart on the same
 * folder, and the next drill runs on the restarted process.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'dudao-drills-'));
const county = '330106'; // 西湖区, Hangzhou
const town = '330106002';
const schools = Array.from({ length: 6 }, (_, i) => `33010600${String(i + 1).padStart(2, '0')}`);
// Two responsible inspectors: the zone's one gets its three schools, the other three go to the least loaded.
const inspectors = ['IXH330106A', 'IXH330106B'];
const zoned = schools.slice(0, 3);

let cloud: RunningCloud;
const outputs: (() => string)[] = [];
let office: string;
/** A closed campaign with evidence, left by the close drill for the export drill. */
let sealed: { campaignId: string; evidenceIds: string[] } | undefined;

const repoRoot = join(import.meta.dirname, '../..');

interface CampaignView {
  id: string;
  status: string;
  launch?: { execution: string; executionArn?: string; attempt: number; created?: number };
  close?: {
    execution: string;
    attempt: number;
    statisticsKey: string;
    manifest: { key: string; sha256: string; sha256Key: string; files: number; bytes: number };
    chain: { linked: number; head: string };
  };
}
interface InspectionView {
  id: string;
  campaignId: string;
  targetId: string;
  status: string;
  assigneeId?: string;
}
interface EventView {
  sk: string;
  action: string;
  entityId: string;
  details?: Record<string, unknown>;
}
interface VerifyView {
  intact: boolean;
  complete: boolean;
  linked: number;
  head: string;
  cursor?: string;
}
interface ExportView {
  id: string;
  status: string;
  executionArn: string;
  key?: string;
  sha256?: string;
  bytes?: number;
  files?: number;
  mismatches?: number;
  download?: { url: string };
}

const start = async () => {
  cloud = await startCloud(dataDir, { LAUNCH_BATCH_SIZE: '2' });
  outputs.push(cloud.output);
  return cloud;
};

/**
 * The drill's middle: kill -9 while the step hangs, then `npm start` again on
 * the same folder. Proves that the process which hangs is the one killed,
 * that the new one re-ran the execution from the start, and, when only node
 * was killed, that the orphaned java was ended by the new start.
 */
const crashAndRestart = async (hungPid: number, executionArn: string, what: 'group' | 'node') => {
  expect(hungPid, 'the step hangs in the process about to be killed').toBe(cloud.pid);
  const { orphanedJava } = await kill9(cloud, what, dataDir);
  if (what === 'node') expect(orphanedJava, 'java outlives a node killed alone').toBeDefined();
  await start();
  if (orphanedJava !== undefined) expect(processRunning(orphanedJava)).toBe(false);
  const name = executionArn.split(':').at(-1)!;
  expect(cloud.output()).toContain(`re-running execution ${name} from the start`);
  const ended = await executionEnded(cloud, executionArn);
  expect(ended.status, `${ended.error}: ${ended.cause}\n${cloud.output().slice(-3000)}`).toBe('SUCCEEDED');
  return ended;
};

/** The run was re-run, not started again: one execution for it, the one that was killed. */
const expectOneExecution = async (machine: StateMachineName, prefix: string, executionArn: string) =>
  expect((await executionsNamed(cloud, machine, prefix)).map((e) => [e.executionArn, e.status])).toEqual([
    [executionArn, 'SUCCEEDED'],
  ]);

const hangIn = (fn: FunctionName, drill: FaultDrill, when: FaultTiming) => armHang(cloud, fn, drill, when);

const campaign = (id: string) =>
  expectCall<CampaignView>(cloud, 200, 'GET', `/campaigns/${id}`, { token: office });

const draft = async (title: string) =>
  (
    await expectCall<CampaignView>(cloud, 201, 'POST', '/campaigns', {
      token: office,
      body: {
        templateId: 'start-of-term',
        title,
        scope: county,
        window: upcomingWindow(),
      },
    })
  ).id;

const launch = (id: string) =>
  expectCall<{ executionArn: string }>(cloud, 202, 'POST', `/campaigns/${id}/launch`, { token: office });

/** Each school's inspections in the campaign, as the office lists them. */
const inspectionsOf = async (campaignId: string) =>
  new Map(
    await Promise.all(
      schools.map(
        async (school) =>
          [
            school,
            await allItems<InspectionView>(
              cloud,
              office,
              `/inspections?schoolId=${school}&campaignId=${campaignId}`,
            ),
          ] as const,
      ),
    ),
  );

/**
 * After a launch: exactly one inspection per target, and every counter
 * (per county, per inspector) says what the inspections say.
 */
const expectExactLaunch = async (campaignId: string, executionStatus = 'SUCCEEDED') => {
  const found = await inspectionsOf(campaignId);
  for (const [school, list] of found)
    expect(
      list.map((i) => i.id),
      `inspections of ${school}`,
    ).toHaveLength(1);
  const inspections = [...found.values()].flat();

  const status = await expectCall<{
    campaignStatus: string;
    executionStatus: string;
    targets: number;
    created: number;
    unassignable: number;
  }>(cloud, 200, 'GET', `/campaigns/${campaignId}/launch`, { token: office });
  expect(status).toMatchObject({
    campaignStatus: 'active',
    executionStatus,
    targets: schools.length,
    created: schools.length,
    unassignable: 0,
  });
  const progress = await expectCall<{
    totals: { targets: number; inspections: number; byStatus: Record<string, number> };
  }>(cloud, 200, 'GET', `/campaigns/${campaignId}/progress`, { token: office });
  expect(progress.totals.targets).toBe(schools.length);
  expect(progress.totals.inspections).toBe(inspections.length);
  // The county's counters per status are the inspections' statuses, however they moved since the launch.
  const statuses: Record<string, number> = {};
  for (const i of inspections) statuses[i.status] = (statuses[i.status] ?? 0) + 1;
  expect(Object.fromEntries(Object.entries(progress.totals.byStatus).filter(([, n]) => n !== 0))).toEqual(
    statuses,
  );

  // Per-inspector load counters (pk CAMPAIGN#<id>, sk LOAD#<inspector>): the API shows none.
  const loads = await cloud.clients.db.send(
    new QueryCommand({
      TableName: mainTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :load)',
      ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':load': 'LOAD#' },
      ConsistentRead: true,
    }),
  );
  const counted = Object.fromEntries(
    (loads.Items ?? []).map((l) => [String(l.sk).slice('LOAD#'.length), Number(l.assigned)]),
  );
  const assigned: Record<string, number> = {};
  for (const i of inspections) if (i.assigneeId) assigned[i.assigneeId] = (assigned[i.assigneeId] ?? 0) + 1;
  expect(counted).toEqual(assigned);
  expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBe(
    inspections.filter((i) => i.assigneeId !== undefined).length,
  );
  for (const school of zoned) expect(found.get(school)?.[0]?.assigneeId).toBe(inspectors[0]);
  return inspections;
};

/** The school's self-assessment (自查自评) of its inspection in the campaign: one indicator, as a school submits it. */
const selfAssess = async (campaignId: string, school: string) => {
  const [inspection] = (await inspectionsOf(campaignId)).get(school)!;
  const done = await expectCall<{ status: string }>(
    cloud,
    200,
    'PUT',
    `/inspections/${inspection!.id}/self-assessment`,
    {
      token: await tokenFor(dataDir, 'school', school),
      body: {
        version: 1,
        indicators: [{ indicatorId: 'campus-safety', score: 92, statement: '安全设施齐全', evidenceIds: [] }],
      },
    },
  );
  expect(done.status).toBe('self_assessed');
};

/** Announces a file, PUTs it to the presigned URL, waits for it to be verified `stored`. */
const upload = async (inspectionId: string, school: string, body: Buffer) => {
  const token = await tokenFor(dataDir, 'school', school);
  const announced = await expectCall<{
    id: string;
    upload: { url: string; headers: Record<string, string> };
  }>(cloud, 201, 'POST', `/inspections/${inspectionId}/evidence`, {
    token,
    body: {
      fileName: `照片-${school}.png`,
      contentType: 'image/png',
      size: body.length,
      sha256: sha256(body),
    },
  });
  const put = await fetch(announced.upload.url, { method: 'PUT', headers: announced.upload.headers, body });
  expect(put.status).toBe(200);
  await waitFor(
    async () => {
      const list = await expectCall<{ items: { id: string; status: string }[] }>(
        cloud,
        200,
        'GET',
        `/inspections/${inspectionId}/evidence`,
        { token: office },
      );
      const status = list.items.find((e) => e.id === announced.id)?.status;
      if (status === 'pending' || status === undefined) return undefined;
      if (status !== 'stored') throw new Error(`evidence ${announced.id} is ${status}`);
      return true;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: 'the upload to be verified' },
  );
  return announced.id;
};

/** An active campaign with one stored file in each of two inspections. */
const activeWithEvidence = async (title: string) => {
  const id = await draft(title);
  expect((await executionEnded(cloud, (await launch(id)).executionArn)).status).toBe('SUCCEEDED');
  const found = await inspectionsOf(id);
  const evidenceIds: string[] = [];
  for (const [n, school] of schools.slice(0, 2).entries()) {
    const body = Buffer.concat([png, Buffer.from(`<<drill-file-${n}>>`)]);
    evidenceIds.push(await upload(found.get(school)![0]!.id, school, body));
  }
  return { campaignId: id, evidenceIds };
};

const object = async (bucket: string, key: string) =>
  Buffer.from(
    await (
      await cloud.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body!.transformToByteArray(),
  );

const eventsOf = (campaignId: string) =>
  allItems<EventView>(cloud, office, `/audit/events?campaignId=${campaignId}`);

beforeAll(async () => {
  await start();
  office = await tokenFor(dataDir, 'county_admin', county, `office-${county}`);
  const api = { apiUrl: cloud.apiUrl, token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  const rows = schools.map(
    (id, i) => `${id},西湖第${i + 1}小学,primary,${county},${town},public,800,50,刘一,2021-09-01`,
  );
  const imported = [
    await importFile(api, 'schools', 's.csv', `${header}\r\n${rows.join('\r\n')}\r\n`),
    await importFile(
      api,
      'inspectors',
      'i.csv',
      `inspector_id,name,kind,region_code,phone\r\n${inspectors
        .map((id, i) => `${id},督学${i + 1},responsible,${county},1390000000${i}`)
        .join('\r\n')}\r\n`,
    ),
    await importFile(
      api,
      'zones',
      'z.csv',
      `zone_id,region_code,inspector_id,school_id\r\n${zoned.map((id) => `Z${county}A,${county},${inspectors[0]},${id}`).join('\r\n')}\r\n`,
    ),
  ];
  for (const outcome of imported) expect(outcome.status, outcome.error ?? '').toBe('completed');
}, 180_000);

afterAll(async () => {
  try {
    if (cloud && cloud.child.exitCode === null && cloud.child.signalCode === null) {
      expect(await stopCloud(cloud), 'npm start ends cleanly on SIGTERM after the drills').toBe(0);
    }
  } finally {
    await cleanUp(cloud, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(javaRunningFor(dataDir)).toBe(false);
  // Every call every function made was within its grants, in every process the drills started.
  expect(outputs.flatMap((o) => o().split('\n')).filter((l) => l.includes('AccessDenied'))).toEqual([]);
}, 60_000);

describe('kill -9 while a workflow step hangs, then npm start again on the same data', () => {
  it('launch, before its plan step did anything: the launch completes, one inspection per target', async () => {
    const id = await draft('演练：规划前宕机');
    const drill = await hangIn('launchPlan', { where: { campaignId: id } }, 'before');
    const { executionArn } = await launch(id);
    const { hungPid } = await drill.hung();

    // Stuck before any work: launching, nothing planned, no counter written.
    expect((await campaign(id)).status).toBe('launching');
    const counters = await cloud.clients.db.send(
      new QueryCommand({
        TableName: mainTable,
        KeyConditionExpression: 'pk = :pk AND sk > :campaign',
        ExpressionAttributeValues: { ':pk': `CAMPAIGN#${id}`, ':campaign': 'CAMPAIGN' },
        ConsistentRead: true,
      }),
    );
    expect(counters.Items ?? []).toEqual([]);

    await crashAndRestart(hungPid, executionArn, 'group');
    await expectOneExecution('launchCampaign', `launch-${id}-`, executionArn);
    expect((await campaign(id)).status).toBe('active');
    await expectExactLaunch(id);
    expect((await drill.read(cloud))?.remaining).toBe(0);
  });

  it('launch, after its finalize step did its work: active once, counters equal the inspections', async () => {
    const id = await draft('演练：收尾后宕机');
    const drill = await hangIn('launchFinalize', { where: { campaignId: id } }, 'after');
    const { executionArn } = await launch(id);
    const { hungPid } = await drill.hung();

    // The work is done before the process dies: active, with exact counters.
    expect((await campaign(id)).status).toBe('active');
    const before = await expectExactLaunch(id, 'RUNNING').catch((e: Error) => {
      throw new Error(`before the kill: ${e.message}`);
    });
    // Active is open for work: a school self-assesses while the step still hangs.
    await selfAssess(id, schools[3]!);

    await crashAndRestart(hungPid, executionArn, 'node');
    await expectOneExecution('launchCampaign', `launch-${id}-`, executionArn);
    const after = await campaign(id);
    expect(after.status).toBe('active');
    expect(after.launch).toMatchObject({ attempt: 1, execution: executionArn.split(':').at(-1) });
    const again = await expectExactLaunch(id);
    // The re-run created nothing, reassigned nothing, and kept the self-assessment in the counters.
    const assignees = (list: InspectionView[]) =>
      Object.fromEntries(list.map((i) => [i.id, i.assigneeId ?? '-']));
    expect(assignees(again)).toEqual(assignees(before));
    expect(again.filter((i) => i.status === 'self_assessed').map((i) => i.targetId)).toEqual([schools[3]]);
    expect((await drill.read(cloud))?.remaining).toBe(0);
  });

  it('close, after its seal step did its work: closed once, manifest matches, one seal event, chain intact', async () => {
    const { campaignId: id, evidenceIds } = await activeWithEvidence('演练：封存后宕机');
    const drill = await hangIn('closeSeal', { where: { campaignId: id } }, 'after');
    const { executionArn } = await expectCall<{ executionArn: string }>(
      cloud,
      202,
      'POST',
      `/campaigns/${id}/close`,
      { token: office },
    );
    const { hungPid } = await drill.hung();

    // Sealed before the process dies: closed, manifest written, seal event recorded.
    const first = await campaign(id);
    expect(first.status).toBe('closed');
    const manifestBefore = await object(evidenceBucket, first.close!.manifest.key);
    const statisticsBefore = JSON.parse(
      (await object(evidenceBucket, first.close!.statisticsKey)).toString(),
    );
    const eventsBefore = await eventsOf(id);
    expect(eventsBefore.filter((e) => e.action === 'seal_campaign')).toHaveLength(1);

    await crashAndRestart(hungPid, executionArn, 'group');
    await expectOneExecution('closeCampaign', `close-${id}-`, executionArn);

    const closed = await campaign(id);
    expect(closed.status).toBe('closed');
    // The same close, recorded once: the re-run took over nothing.
    expect(closed.close).toEqual(first.close);
    expect(closed.close).toMatchObject({ attempt: 1, execution: executionArn.split(':').at(-1) });
    const { manifest, chain } = closed.close!;

    const text = await object(evidenceBucket, manifest.key);
    expect(createHash('sha256').update(text).digest('hex')).toBe(manifest.sha256);
    expect(text.equals(manifestBefore)).toBe(true);
    expect(text.length).toBe(manifest.bytes);
    expect((await object(evidenceBucket, manifest.sha256Key)).toString()).toBe(
      `${manifest.sha256}  evidence-manifest.jsonl\n`,
    );
    const lines = text
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { evidenceId: string; status: string });
    expect(lines.map((l) => l.evidenceId).sort()).toEqual([...evidenceIds].sort());
    expect(lines.every((l) => l.status === 'stored')).toBe(true);
    expect(manifest.files).toBe(evidenceIds.length);

    // The re-run of the statistics step rewrote the same figures.
    const { computedAt: _a, ...figuresBefore } = statisticsBefore;
    const { computedAt: _b, ...figuresAfter } = JSON.parse(
      (await object(evidenceBucket, closed.close!.statisticsKey)).toString(),
    );
    expect(figuresAfter).toEqual(figuresBefore);

    // Nothing lost, nothing duplicated in the audit trail; exactly one seal event, for this close.
    const events = await eventsOf(id);
    expect(events.map((e) => e.sk)).toEqual(eventsBefore.map((e) => e.sk));
    const seals = events.filter((e) => e.action === 'seal_campaign');
    expect(seals).toHaveLength(1);
    expect(seals[0]?.details).toMatchObject({
      execution: closed.close!.execution,
      manifestKey: manifest.key,
      manifestSha256: manifest.sha256,
      files: evidenceIds.length,
    });

    // The chain verifies intact up to the head recorded on the campaign.
    let cursor: string | undefined;
    let verified: VerifyView;
    let pages = 0;
    do {
      verified = await expectCall<VerifyView>(
        cloud,
        200,
        'GET',
        `/audit/campaigns/${id}/verify${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: office },
      );
      expect(verified.intact, JSON.stringify(verified)).toBe(true);
      cursor = verified.cursor;
      pages++;
    } while (!verified.complete && pages < 50);
    expect(verified).toMatchObject({ complete: true, linked: chain.linked, head: chain.head });
    expect(chain.linked).toBe(events.length);

    // Closing again is refused: the campaign is closed for good.
    expect((await call(cloud, 'POST', `/campaigns/${id}/close`, { token: office })).status).toBe(409);
    expect((await drill.read(cloud))?.remaining).toBe(0);
    sealed = { campaignId: id, evidenceIds };
  });

  it('export, after its bundle step wrote the ZIP: one export, ready, and verify-export accepts its ZIP', async () => {
    const { campaignId, evidenceIds } = sealed ?? (await activeWithEvidence('演练：导出'));
    const auditor = await tokenFor(dataDir, 'auditor', county, 'auditor-drill');
    // The step's input is {exportId} alone, unknown before the request: this drill hangs the next export of any.
    const drill = await hangIn('exportBundle', {}, 'after');
    const requested = await expectCall<ExportView>(cloud, 202, 'POST', '/audit/exports', {
      token: auditor,
      body: { campaignId },
    });
    const { hungPid } = await drill.hung();

    // The ZIP is written and the record ready before the process dies (read as an operator: a GET is audited).
    const record = async () =>
      (
        await cloud.clients.db.send(
          new GetCommand({
            TableName: mainTable,
            Key: { pk: `EXPORT#${requested.id}`, sk: 'EXPORT' },
            ConsistentRead: true,
          }),
        )
      ).Item as ExportView;
    const before = await record();
    expect(before).toMatchObject({ status: 'ready', files: evidenceIds.length });
    expect(sha256(await object(workBucket, before.key!))).toBe(before.sha256);

    await crashAndRestart(hungPid, requested.executionArn, 'node');
    await expectOneExecution('exportEvidence', `export-${requested.id}`, requested.executionArn);

    const ready = await expectCall<ExportView>(cloud, 200, 'GET', `/audit/exports/${requested.id}`, {
      token: auditor,
    });
    expect(ready).toMatchObject({ status: 'ready', files: evidenceIds.length, mismatches: 0 });
    const zip = Buffer.from(await (await fetch(ready.download!.url)).arrayBuffer());
    // The record describes the ZIP that is stored now (the re-run rewrote both).
    expect(sha256(zip)).toBe(ready.sha256);
    expect(zip.length).toBe(ready.bytes);

    const dir = mkdtempSync(join(tmpdir(), 'dudao-drill-export-'));
    try {
      const path = join(dir, 'bundle.zip');
      writeFileSync(path, zip);
      const verdicts = await verifyBundle(path);
      expect(verdicts.filter((v) => v.status !== 'ok')).toEqual([]);
      expect(verdicts.map((v) => v.path).sort()).toEqual(
        ['audit-events.csv', ...evidenceIds.map((e) => `files/${e}.png`)].sort(),
      );
      // What an auditor runs offline.
      const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'verify-export', '--', path], {
        cwd: repoRoot,
        env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      });
      expect(stdout).not.toContain('✗');
      expect(readFileSync(path).equals(zip)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // One export record for the campaign, however many times its step ran.
    const records: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await cloud.clients.db.send(
        new ScanCommand({
          TableName: mainTable,
          FilterExpression: '#type = :export AND campaignId = :campaign',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':export': 'export', ':campaign': campaignId },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      records.push(...(page.Items ?? []).map((r) => String(r.id)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(records).toEqual([requested.id]);
    expect((await drill.read(cloud))?.remaining).toBe(0);
  });

  /**
   * A finalize step retried after it activated the campaign (a Lambda timeout
   * or a lost response after its work: the ASL retries it 1 s, then 2 s later)
   * must not set the counters again from the batches' tallies, which were
   * taken before the campaign became active: whatever changed inspections in
   * between (here a self-assessment, whose transaction ADDs to the same
   * counters) would be lost. Found by this drill; finalizeLaunch now does
   * nothing once the campaign is no longer launching. A failure drill
   * `fail after`, twice, so that the last attempt runs about 3 s after the first activated.
   */
  it('launch, finalize retried after it activated the campaign: a self-assessment made in between stays counted', async () => {
    const id = await draft('演练：收尾重试');
    const drill = faultItem('launchFinalize', { where: { campaignId: id } }, 2, 'after');
    await cloud.clients.db.send(new PutCommand({ TableName: mainTable, Item: drill }));
    const { executionArn } = await launch(id);

    // The setting, checked first: the retries must come after the self-assessment.
    const staged = await (async () => {
      await waitFor(async () => ((await campaign(id)).status === 'active' ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 20,
        what: 'the first finalize attempt to activate the campaign',
      });
      await selfAssess(id, schools[3]!);
      // One failure left: the last attempt, which runs after the self-assessment, has not begun.
      const left = await cloud.clients.db.send(
        new GetCommand({ TableName: mainTable, Key: { pk: drill.pk, sk: drill.sk }, ConsistentRead: true }),
      );
      if (left.Item?.remaining !== 1) throw new Error('the retries ran before the self-assessment landed');
      const ended = await executionEnded(cloud, executionArn);
      if (ended.status !== 'SUCCEEDED') throw new Error(`the launch ${ended.status}`);
      const inspections = [...(await inspectionsOf(id)).values()].flat();
      const selfAssessed = inspections.filter((i) => i.status === 'self_assessed');
      if (inspections.length !== schools.length || selfAssessed.length !== 1)
        throw new Error(`${inspections.length} inspections, ${selfAssessed.length} self-assessed`);
      return inspections;
    })();

    const statuses: Record<string, number> = {};
    for (const i of staged) statuses[i.status] = (statuses[i.status] ?? 0) + 1;
    const progress = await expectCall<{ totals: { byStatus: Record<string, number> } }>(
      cloud,
      200,
      'GET',
      `/campaigns/${id}/progress`,
      { token: office },
    );
    // Before the fix: the retried finalize set {assigned: 6} over {assigned: 5, self_assessed: 1}.
    expect(Object.fromEntries(Object.entries(progress.totals.byStatus).filter(([, n]) => n !== 0))).toEqual(
      statuses,
    );
  });
});
