import { createHash } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { scheduledEvent } from '#local/cloud';
import { call, tokenFor } from '#test/support/api';
import { invoke, sweep, testSqs } from '#test/support/aws';
import { activeCountyCampaign, injectFault } from '#test/support/campaigns';
import { type EvidenceView, png, sha256 } from '#test/support/evidence';
import { waitFor } from '#test/support/wait';

/**
 * Nothing dropped: an S3 event the objectCreated function cannot handle after
 * Lambda's retries lands in its failure queue (where an alarm sees it), and
 * the sweeper later settles what that event would have: the evidence is
 * verified, the import started. In 南昌县 (360121).
 *
 * The sweeps here run as of eleven minutes from now (past the re-check
 * delay); what a sweep a day later gives up is tested on the use case itself
 * (test/unit/sweep.test.ts), since it would also give up other test files'
 * announcements.
 */
const county = '360121';
const schools = ['3601210001'];
let office: string;
let inspectionId: string;

/** The failure records in objectCreated's queue for events mentioning `text` (received, then deleted). */
const failuresMentioning = (text: string) =>
  waitFor(
    async () => {
      const received = await testSqs.send(
        new ReceiveMessageCommand({
          QueueUrl: inject('cloud').failureQueues.objectCreated,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      const mine = (received.Messages ?? []).filter((m) => m.Body?.includes(text));
      for (const m of mine) {
        await testSqs.send(
          new DeleteMessageCommand({
            QueueUrl: inject('cloud').failureQueues.objectCreated,
            ReceiptHandle: m.ReceiptHandle,
          }),
        );
      }
      return mine.length > 0 ? mine.map((m) => JSON.parse(m.Body!)) : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `a failure record about ${text}` },
  );

/** As the schedule would run the sweeper well after the upload: past the re-check delay. */
const later = () => new Date(Date.now() + 11 * 60_000);

beforeAll(async () => {
  ({ office } = await activeCountyCampaign({
    county,
    town: '360121100',
    schoolIds: schools,
    inspectorId: 'INC360121',
  }));
  const list = await call<{ items: { id: string }[] }>('GET', `/inspections?schoolId=${schools[0]}`, {
    token: office,
  });
  inspectionId = list.body.items[0]!.id;
}, 180_000);

describe('a lost object-created event', () => {
  it('ends in the failure queue after three attempts, and the sweeper settles the evidence', async () => {
    const school = await tokenFor('school', schools[0]!);
    const announced = await call<{ id: string; upload: { url: string; headers: Record<string, string> } }>(
      'POST',
      `/inspections/${inspectionId}/evidence`,
      {
        token: school,
        body: { fileName: '丢失的事件.png', contentType: 'image/png', size: png.length, sha256: sha256(png) },
      },
    );
    expect(announced.status).toBe(201);
    const remaining = await injectFault('objectCreated', { contains: announced.body.id }, 3);
    const put = await fetch(announced.body.upload.url, {
      method: 'PUT',
      headers: announced.body.upload.headers,
      body: png,
    });
    expect(put.status).toBe(200);

    const [record] = await failuresMentioning(announced.body.id);
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      responsePayload: { errorType: 'TransientError' },
    });
    expect(await remaining()).toBe(0);
    const pending = await call<EvidenceView>('GET', `/evidence/${announced.body.id}`, { token: office });
    expect(pending.status).toBe(409); // not verified yet: no download

    // A sweep soon after the upload leaves it to a late event; a later one settles it.
    const soon = await sweep();
    expect(soon.evidence.settled).toBe(0);
    const swept = await sweep(later());
    expect(swept.evidence.settled).toBeGreaterThanOrEqual(1);
    const settled = await call<EvidenceView>('GET', `/evidence/${announced.body.id}`, { token: office });
    expect(settled.status, settled.text).toBe(200);
    expect(settled.body.status).toBe('stored');
    // Settled once: sweeping again finds nothing of it.
    const again = await sweep(later());
    const items = await call<{ items: EvidenceView[] }>('GET', `/inspections/${inspectionId}/evidence`, {
      token: office,
    });
    expect(items.body.items.filter((e) => e.id === announced.body.id)).toEqual([
      expect.objectContaining({ status: 'stored' }),
    ]);
    expect(again.evidence).toBeDefined();
  });

  it('ends in the failure queue, and the sweeper starts the import whose upload it was', async () => {
    const file = Buffer.from(
      `inspector_id,name,kind,region_code,phone\r\nINC360121B,督学丙,full_time,${county},13900000011\r\n`,
    );
    const created = await call<{ id: string; upload: { url: string; headers: Record<string, string> } }>(
      'POST',
      '/imports',
      {
        token: office,
        body: {
          kind: 'inspectors',
          fileName: '丢失.csv',
          contentType: 'text/csv',
          size: file.length,
          sha256: createHash('sha256').update(file).digest('hex'),
        },
      },
    );
    expect(created.status).toBe(201);
    await injectFault('objectCreated', { contains: created.body.id }, 3);
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: file,
    });
    expect(put.status).toBe(200);
    await failuresMentioning(created.body.id);
    expect(
      (await call<{ status: string }>('GET', `/imports/${created.body.id}`, { token: office })).body.status,
    ).toBe('awaiting_upload');

    const swept = await sweep(later());
    expect(swept.imports.started).toBeGreaterThanOrEqual(1);
    const done = await waitFor(
      async () => {
        const r = await call<{ status: string; counts: { created: number } }>(
          'GET',
          `/imports/${created.body.id}`,
          {
            token: office,
          },
        );
        return r.body.status === 'completed' ? r.body : undefined;
      },
      { timeoutMs: 60_000, what: 'the import the sweeper started to complete' },
    );
    expect(done.counts.created).toBe(1);
    // Started once: the next sweep finds the import no longer waiting.
    expect((await sweep(later())).imports.started).toBe(0);
  });
});

describe('the sweeper', () => {
  it('never runs twice at once: a sweep that finds another holding the lease does nothing', async () => {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        [1, 2].map(() => invoke<{ skipped?: string }>('sweeper', scheduledEvent())),
      );
      expect(results.filter((r) => !r.skipped).length, JSON.stringify(results)).toBeLessThanOrEqual(1);
      expect(results.some((r) => r.skipped)).toBe(true);
    }
  });
});
