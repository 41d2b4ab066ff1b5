import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSqs, lambdaFailureRecord, startLocalSqs } from '#local/sqs';

const region = 'us-east-1';
const accountId = '000000000000';
const queues = [
  'roundtrip',
  'visibility',
  'depth',
  'durable',
  'compaction',
  'errors',
  'limits',
  'failures',
  'polling',
];

interface Local {
  sqs: LocalSqs;
  client: SQSClient;
  logs: string[];
}

/** The endpoint on a free port, with a real SDK client pointed at it. */
const startLocal = async (dataDir: string): Promise<Local> => {
  const logs: string[] = [];
  const sqs = await startLocalSqs({ dataDir, queues, region, accountId, log: (m) => logs.push(m) });
  const client = new SQSClient({
    endpoint: sqs.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { sqs, client, logs };
};

const stopLocal = async ({ sqs, client }: Local) => {
  client.destroy();
  await sqs.stop();
};

const depth = async (client: SQSClient, QueueUrl: string) => {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
};

/** The error a promise rejects with (fails the test if it resolves). */
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

let dataDir: string;
let local: Local;
let url: (name: string) => string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dudao-sqs-'));
  local = await startLocal(dataDir);
  url = (name) => local.sqs.queueUrl(name);
});

afterAll(async () => {
  await stopLocal(local);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local SQS', () => {
  it('sends, receives and deletes a message, its MD5s checked by the SDK', async () => {
    const { client } = local;
    const QueueUrl = url('roundtrip');
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'roundtrip' }))).QueueUrl).toBe(QueueUrl);

    // Digests that AWS returns for this body and attribute (as pinned by moto's SQS tests).
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'derp',
        MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe('58fd9edd83341c29f1aebba81c31e257');
    expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);

    // Non-ASCII: the SDK hashes UTF-8 bytes and throws on a mismatch.
    const body = '督导 report ✓ 🏫';
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));

    const before = Date.now();
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(['derp', body]);
    const [first, second] = Messages;
    expect(first?.MessageId).toBe(sent.MessageId);
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(first?.Attributes?.SentTimestamp)).toBeLessThanOrEqual(before);
    expect(Number(first?.Attributes?.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(before);
    expect(first?.MessageAttributes).toEqual({
      timestamp: { DataType: 'Number', StringValue: '1493147359900' },
    });
    expect(first?.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(second?.MessageAttributes).toBeUndefined();

    for (const m of Messages)
      await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    expect(await depth(client, QueueUrl)).toEqual({ visible: 0, inFlight: 0 });
    // Deleting again with the same handle succeeds, as in AWS.
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
  });

  it('makes a received, undeleted message visible again after its visibility timeout', async () => {
    const { client } = local;
    const QueueUrl = url('visibility');
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    const receive = (WaitTimeSeconds: number) =>
      client.send(
        new ReceiveMessageCommand({
          QueueUrl,
          VisibilityTimeout: 1,
          WaitTimeSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );

    const firstReceive = await receive(0);
    const received = Date.now();
    expect(firstReceive.Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '1' });
    expect((await receive(0)).Messages).toBeUndefined();
    expect(await depth(client, QueueUrl)).toEqual({ visible: 0, inFlight: 1 });

    // A long poll returns it as soon as the 1-second timeout ends.
    const again = await receive(10);
    expect(Date.now() - received).toBeGreaterThanOrEqual(900);
    expect(Date.now() - received).toBeLessThan(5000);
    const message = again.Messages?.[0];
    expect(message?.Body).toBe('again');
    expect(message?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    expect(message?.ReceiptHandle).not.toBe(firstReceive.Messages?.[0]?.ReceiptHandle);

    // Hidden anew; ChangeMessageVisibility 0 shows it at once.
    expect(await depth(client, QueueUrl)).toEqual({ visible: 0, inFlight: 1 });
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect(await depth(client, QueueUrl)).toEqual({ visible: 1, inFlight: 0 });
    // The older receipt handle can no longer change it.
    const stale = await rejection(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: firstReceive.Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    expect(stale.name).toBe('InvalidParameterValue');
  });

  it('reports the queue depth and attributes', async () => {
    const { client } = local;
    const QueueUrl = url('depth');
    for (const n of [1, 2, 3]) await client.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${n}` }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 60 }));
    await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30 }));

    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      QueueArn: `arn:aws:sqs:${region}:${accountId}:depth`,
      VisibilityTimeout: '30',
      MaximumMessageSize: '262144',
    });
    expect(local.sqs.queueArn('depth')).toBe(Attributes?.QueueArn);
    const arnOnly = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    expect(arnOnly.Attributes).toEqual({ QueueArn: Attributes?.QueueArn });

    await client.send(new PurgeQueueCommand({ QueueUrl }));
    expect(await depth(client, QueueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await rejection(client.send(new PurgeQueueCommand({ QueueUrl })))).toBeInstanceOf(
      PurgeQueueInProgress,
    );
  });

  it('lists the declared queues and accepts CreateQueue for one of them', async () => {
    const { client } = local;
    const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'd' }));
    expect(listed.QueueUrls).toEqual([url('depth'), url('durable')]);
    const page = await client.send(new ListQueuesCommand({ MaxResults: 5 }));
    expect(page.QueueUrls).toHaveLength(5);
    const rest = await client.send(new ListQueuesCommand({ MaxResults: 5, NextToken: page.NextToken }));
    expect([...(page.QueueUrls ?? []), ...(rest.QueueUrls ?? [])]).toEqual([...queues].sort().map(url));
    expect(rest.NextToken).toBeUndefined();

    const created = await client.send(
      new CreateQueueCommand({ QueueName: 'errors', Attributes: { VisibilityTimeout: '30' } }),
    );
    expect(created.QueueUrl).toBe(url('errors'));
    const different = client.send(
      new CreateQueueCommand({ QueueName: 'errors', Attributes: { DelaySeconds: '5' } }),
    );
    expect(await rejection(different)).toBeInstanceOf(QueueNameExists);
    expect((await rejection(client.send(new CreateQueueCommand({ QueueName: 'new-one' })))).name).toBe(
      'UnsupportedOperation',
    );
  });

  it('keeps messages, receive counts and visibility across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dudao-sqs-restart-'));
    try {
      const first = await startLocal(dir);
      const QueueUrl = first.sqs.queueUrl('durable');
      await first.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
      first.sqs.send('durable', 'hidden');
      for (let n = 0; n < 100; n++) first.sqs.send('durable', `deleted ${n}`);
      const { Messages = [] } = await first.client.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
      );
      const deleted = Messages.filter((m) => m.Body?.startsWith('deleted'));
      for (const m of deleted) {
        await first.client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
      // Give the other two back: 'kept' now, 'hidden' stays in flight.
      const kept = Messages.find((m) => m.Body === 'kept');
      await first.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: kept?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      await stopLocal(first);
      // A crash in the middle of an append leaves a torn last line.
      appendFileSync(join(dir, 'sqs', 'durable.jsonl'), '{"op":"send","message":{"id":"torn');

      const second = await startLocal(dir);
      try {
        expect(second.logs.some((m) => m.includes('cut short'))).toBe(true);
        // Compacted at start: one line per live message after the header.
        expect(
          readFileSync(join(dir, 'sqs', 'durable.jsonl'), 'utf8')
            .trim()
            .split('\n'),
        ).toHaveLength(1 + 94);
        const url2 = second.sqs.queueUrl('durable');
        expect(await depth(second.client, url2)).toEqual({ visible: 93, inFlight: 1 });
        const { Messages: again = [] } = await second.client.send(
          new ReceiveMessageCommand({
            QueueUrl: url2,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        expect(again[0]?.Body).toBe('kept');
        expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
      } finally {
        await stopLocal(second);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compacts a queue log once deleted messages outnumber live ones', async () => {
    const { client, sqs } = local;
    const QueueUrl = url('compaction');
    const file = join(dataDir, 'sqs', 'compaction.jsonl');
    for (let n = 0; n < 100; n++) sqs.send('compaction', `m${n}`);
    for (let round = 0; round < 10; round++) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
      );
      for (const m of Messages)
        await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    expect(await depth(client, QueueUrl)).toEqual({ visible: 0, inFlight: 0 });
    // 100 sends, 100 receives and 100 deletes were logged; what is left is a header and a few lines.
    expect(readFileSync(file, 'utf8').trim().split('\n').length).toBeLessThan(100);
  });

  it('raises the SDK exceptions for an unknown queue, a bad receipt handle and bad parameters', async () => {
    const { client } = local;
    const QueueUrl = url('errors');
    expect(await rejection(client.send(new GetQueueUrlCommand({ QueueName: 'nope' })))).toBeInstanceOf(
      QueueDoesNotExist,
    );
    const unknown = await rejection(
      client.send(new SendMessageCommand({ QueueUrl: url('nope'), MessageBody: 'x' })),
    );
    expect(unknown).toBeInstanceOf(QueueDoesNotExist);
    expect(unknown.message).toBe('The specified queue does not exist.');
    expect(() => local.sqs.send('nope', 'x')).toThrow(expect.objectContaining({ name: 'QueueDoesNotExist' }));

    for (const ReceiptHandle of ['garbage', 'AQEB+/==', Buffer.from('roundtrip a b').toString('base64url')]) {
      const bad = await rejection(client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle })));
      expect(bad).toBeInstanceOf(ReceiptHandleIsInvalid);
    }
    const tooMany = await rejection(
      client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })),
    );
    expect(tooMany).toBeInstanceOf(SQSServiceException);
    expect(tooMany.name).toBe('InvalidParameterValue');
    const tooLong = await rejection(
      client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })),
    );
    expect(tooLong.name).toBe('InvalidParameterValue');
    const attribute = await rejection(
      client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Nope' as 'All'] })),
    );
    expect(attribute.name).toBe('InvalidAttributeName');
    const control = await rejection(
      client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bell \u0007' })),
    );
    expect(control.name).toBe('InvalidMessageContents');
  });

  it('refuses a body over 256 KB, over HTTP and in process', async () => {
    const { client, sqs } = local;
    const QueueUrl = url('limits');
    const limit = 262_144;
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(limit) }));
    const over = await rejection(
      client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(limit + 1) })),
    );
    expect(over).toBeInstanceOf(SQSServiceException);
    expect(over.name).toBe('InvalidParameterValue');
    expect(over.message).toContain('Message must be shorter than 262144 bytes');
    // Multi-byte characters count as their UTF-8 bytes; attributes count too.
    expect(() => sqs.send('limits', '督'.repeat(limit / 3 + 1))).toThrow(
      expect.objectContaining({ name: 'InvalidParameterValue' }),
    );
    expect(() =>
      sqs.send('limits', 'x'.repeat(limit - 10), { padding: { DataType: 'String', StringValue: 'yy' } }),
    ).toThrow(expect.objectContaining({ name: 'InvalidParameterValue' }));
    expect(await depth(client, QueueUrl)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('answers malformed requests with AWS errors and keeps serving', async () => {
    const post = (body: string | Buffer, target = 'AmazonSQS.GetQueueUrl', method = 'POST') =>
      fetch(`${local.sqs.endpoint}/`, {
        method,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        ...(method === 'POST' ? { body } : {}),
      });
    const cases: [Promise<Response>, string][] = [
      [post('{not json'), 'SerializationException;Sender'],
      [post('[1,2]'), 'SerializationException;Sender'],
      [post('{"QueueName": 7}'), 'SerializationException;Sender'],
      [post('{}'), 'MissingParameter;Sender'],
      [post('{"QueueUrl": "not a url"}', 'AmazonSQS.ReceiveMessage'), 'InvalidAddress;Sender'],
      [post('{"QueueUrl": "http://x/%E0%A4%A/q"}', 'AmazonSQS.ReceiveMessage'), 'InvalidAddress;Sender'],
      [post('{}', 'AmazonSQS.SendMessageBatch'), 'AWS.SimpleQueueService.UnsupportedOperation;Sender'],
      [post('{}', 'Nope.Nothing'), 'InvalidAction;Sender'],
      [post('', 'AmazonSQS.GetQueueUrl', 'GET'), 'InvalidAction;Sender'],
      [post(Buffer.alloc(3 * 1024 * 1024, 0x20)), 'InvalidParameterValue;Sender'],
    ];
    for (const [response, queryError] of cases) {
      const res = await response;
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-amzn-query-error')).toBe(queryError);
      expect(((await res.json()) as { __type: string }).__type).toMatch(/^com\.amazonaws\.sqs#/);
    }
    const ok = await post(JSON.stringify({ QueueName: 'errors' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ QueueUrl: url('errors') });
  });

  it('delivers a Lambda on-failure record through send exactly as SendMessage would', async () => {
    const { client, sqs } = local;
    const QueueUrl = url('failures');
    const error = new TypeError('cannot read evidence');
    const event = { Records: [{ s3: { object: { key: 'evidence/a+b.pdf' } } }] };
    const record = lambdaFailureRecord({
      functionArn: `arn:aws:lambda:${region}:${accountId}:function:dudao-objectCreated`,
      requestId: 'c2a6f2ae-7dbb-4d22-8782-d0485c9877e2',
      event,
      error,
      attempts: 3,
    });
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: 'c2a6f2ae-7dbb-4d22-8782-d0485c9877e2',
        functionArn: `arn:aws:lambda:${region}:${accountId}:function:dudao-objectCreated:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'cannot read evidence' },
    });
    expect(record.responsePayload.trace[0]).toBe('TypeError: cannot read evidence');
    expect(new Date(record.timestamp).toISOString()).toBe(record.timestamp);
    expect(
      lambdaFailureRecord({ ...record.requestContext, event, error: 'boom', attempts: 1 }).responsePayload,
    ).toEqual({
      errorType: 'string',
      errorMessage: 'boom',
      trace: [],
    });

    const body = JSON.stringify(record);
    const inProcess = sqs.send('failures', body);
    const overHttp = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    expect(inProcess.MD5OfMessageBody).toBe(overHttp.MD5OfMessageBody);
    expect(inProcess.MessageId).not.toBe(overHttp.MessageId);

    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => m.MessageId)).toEqual([inProcess.MessageId, overHttp.MessageId]);
    for (const m of Messages) {
      expect(JSON.parse(m.Body ?? '')).toEqual(record);
      expect(m.MD5OfBody).toBe(inProcess.MD5OfMessageBody);
    }
  });

  describe('long polling', () => {
    let other: Local | undefined;
    afterEach(async () => {
      if (other) await stopLocal(other);
      other = undefined;
    });

    it('answers as soon as a message arrives', async () => {
      const { client, sqs } = local;
      const QueueUrl = url('polling');
      const started = Date.now();
      const polling = client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
      sqs.send('polling', 'wake up');
      const { Messages } = await polling;
      expect(Messages?.[0]?.Body).toBe('wake up');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('ends with no messages when the endpoint stops', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dudao-sqs-stop-'));
      try {
        other = await startLocal(dir);
        const started = Date.now();
        const polling = other.client.send(
          new ReceiveMessageCommand({ QueueUrl: other.sqs.queueUrl('polling'), WaitTimeSeconds: 20 }),
        );
        // Stop once the poll is waiting: the queue is empty, so a short receive proves the server has it.
        await other.client.send(new ReceiveMessageCommand({ QueueUrl: other.sqs.queueUrl('polling') }));
        await other.sqs.stop();
        const result = await polling.catch((error: unknown) => error);
        expect(Date.now() - started).toBeLessThan(5000);
        expect((result as { Messages?: unknown }).Messages).toBeUndefined();
        other.client.destroy();
        other = undefined;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
