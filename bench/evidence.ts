import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buckets } from '#infra/resources';
import { mapLimited } from '#lib/concurrency';
import { startLocalCloud } from '#local/cloud';
import { importFile } from '#local/demo/seed';
import { devIssuer } from '#local/dev-issuer';

/**
 * Evidence benchmark: N files through the whole upload path (announce →
 * presigned PUT → object-created verification → `stored`) against PutObject
 * of the same bodies straight into the same local S3 in the same run.
 * Target: raw rate / pipeline rate ≤ 2.
 */
const county = '320102';
const inspectionCount = 10;

/** `100kb`, `1mb`, `2048` → bytes. */
const parseSize = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size ${text}: give bytes, or a number with kb or mb`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  return Math.round(Number(match[1]) * unit);
};

/** A PDF header followed by random bytes: detected as PDF, and every file hashes differently. */
const pdfBody = (size: number) => {
  const header = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  return Buffer.concat([header, randomBytes(Math.max(0, size - header.length))]);
};

const progress = (label: string, total: number) => {
  let done = 0;
  let shown = 0;
  return () => {
    done++;
    const tenth = Math.floor((done / total) * 10);
    if (tenth > shown) {
      shown = tenth;
      console.log(`  ${label} ${done}/${total}`);
    }
  };
};

export const run = async (argv: string[]) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      files: { type: 'string', default: '2000' },
      size: { type: 'string', default: '100kb' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const files = Number(values.files);
  const size = parseSize(values.size);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(files) || files < 1 || !Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('--files and --concurrency take positive whole numbers');
  if (size > 20 * 1024 * 1024) throw new Error('--size: PDF evidence is limited to 20 MB');
  const dataDir = mkdtempSync(join(tmpdir(), 'dudao-bench-'));
  process.env.LOG_LEVEL ??= 'ERROR';
  console.log(
    `evidence benchmark: ${files} files of ${size} bytes, ${concurrency} at a time, data in ${dataDir}`,
  );
  const cloud = await startLocalCloud({ dataDir, apiPort: 0, sweeperIntervalMs: 0 });
  try {
    const issuer = await devIssuer(dataDir);
    const office = await issuer.issue({ role: 'county_admin', scope: county });
    const api = async <T>(method: string, path: string, token: string, body?: unknown): Promise<T> => {
      const r = await fetch(cloud.apiUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${await r.text()}`);
      return (await r.json()) as T;
    };

    console.log(`  setting up ${inspectionCount} inspections in ${county}…`);
    const schools = Array.from(
      { length: inspectionCount },
      (_, i) => `${county}${String(i + 1).padStart(4, '0')}`,
    );
    const seed = { apiUrl: cloud.apiUrl, token: office, timeoutMs: 60_000 };
    await importFile(
      seed,
      'schools',
      's.csv',
      `school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start\r\n${schools
        .map((id, i) => `${id},第${i + 1}小学,primary,${county},${county}002,public,800,50,王一,2021-09-01`)
        .join('\r\n')}\r\n`,
    );
    const campaign = await api<{ id: string }>('POST', '/campaigns', office, {
      templateId: 'start-of-term',
      title: 'evidence bench',
      scope: county,
      window: { start: '2026-09-01', end: '2026-12-31' },
    });
    await api('POST', `/campaigns/${campaign.id}/launch`, office);
    for (let status = ''; status !== 'active'; ) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await api<{ status: string }>('GET', `/campaigns/${campaign.id}`, office)).status;
      if (status === 'launch_failed') throw new Error('the launch failed');
    }
    const uploaders = await Promise.all(
      schools.map(async (school) => ({
        token: await issuer.issue({ role: 'school', scope: school }),
        inspectionId: (
          await api<{ items: { id: string }[] }>('GET', `/inspections?schoolId=${school}`, office)
        ).items[0]!.id,
      })),
    );

    const bodies = Array.from({ length: files }, () => pdfBody(size));

    // Pipeline: every file announced, uploaded and verified, as a portal would.
    const uploaded = progress('uploaded', files);
    const pipelineStart = performance.now();
    await mapLimited(bodies, concurrency, async (body, i) => {
      const { token, inspectionId } = uploaders[i % uploaders.length]!;
      const announced = await api<{ upload: { url: string; headers: Record<string, string> } }>(
        'POST',
        `/inspections/${inspectionId}/evidence`,
        token,
        {
          fileName: `bench-${i}.pdf`,
          contentType: 'application/pdf',
          size: body.length,
          sha256: createHash('sha256').update(body).digest('hex'),
        },
      );
      const put = await fetch(announced.upload.url, {
        method: 'PUT',
        headers: announced.upload.headers,
        body,
      });
      if (!put.ok) throw new Error(`PUT answered ${put.status}`);
      uploaded();
    });
    const uploadedSeconds = (performance.now() - pipelineStart) / 1000;
    let stored = 0;
    const deadline = Date.now() + 10 * 60_000;
    while (stored < files) {
      const lists = await Promise.all(
        uploaders.map((u) =>
          api<{ items: { status: string }[] }>('GET', `/inspections/${u.inspectionId}/evidence`, office),
        ),
      );
      const all = lists.flatMap((l) => l.items);
      const quarantined = all.filter((e) => e.status === 'quarantined').length;
      if (quarantined > 0) throw new Error(`${quarantined} files were quarantined`);
      stored = all.filter((e) => e.status === 'stored').length;
      if (stored < files) {
        if (Date.now() > deadline) throw new Error(`only ${stored} of ${files} files were stored in time`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const pipelineSeconds = (performance.now() - pipelineStart) / 1000;

    // Raw: the same bodies straight into the same S3, under a prefix no notification watches.
    const s3 = new S3Client({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const put = progress('raw PutObject', files);
    const rawStart = performance.now();
    await mapLimited(bodies, concurrency, async (body, i) => {
      await s3.send(
        new PutObjectCommand({
          Bucket: cloud.env[buckets.evidence.envVar],
          Key: `bench-raw/${i}`,
          Body: body,
          ContentType: 'application/pdf',
        }),
      );
      put();
    });
    const rawSeconds = (performance.now() - rawStart) / 1000;

    const pipelineRate = files / pipelineSeconds;
    const rawRate = files / rawSeconds;
    const ratio = rawRate / pipelineRate;
    console.log(
      `  pipeline             ${pipelineSeconds.toFixed(1)} s  (${pipelineRate.toFixed(1)} files/s stored; last PUT done at ${uploadedSeconds.toFixed(1)} s)`,
    );
    console.log(`  raw PutObject        ${rawSeconds.toFixed(1)} s  (${rawRate.toFixed(1)} files/s)`);
    console.log(`  ratio                ${ratio.toFixed(2)}  (target ≤ 2) ${ratio <= 2 ? 'OK' : 'OVER'}`);
    // Locally one Node process hosts s3rver, the API, the verifier and this client: each file costs
    // two HTTP exchanges and five SDK round trips (two of them DynamoDB transactions) against one
    // PutObject for the raw path, all on the same cores.
    console.log(
      `  per file             ${((pipelineSeconds / files) * 1000).toFixed(1)} ms vs ${((rawSeconds / files) * 1000).toFixed(1)} ms raw`,
    );
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
