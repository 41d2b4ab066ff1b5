import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { createImportRecords } from '#adapters/import-records';
import { importUploadKey } from '#core/import-requests';
import { buckets, stateMachines, tables } from '#infra/resources';
import { importFile } from '#local/demo/seed';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { invoke, testS3 as s3, testSfn as sfn, testDb } from '#test/support/aws';
import { waitFor } from '#test/support/wait';

/**
 * statemachines/import-registry.asl.json through the local Step Functions
 * endpoint with the real step handlers, by path.
 */
const records = createImportRecords(testDb, process.env[tables.main.envVar]!);
const county = '330110'; // 余杭区
const header =
  'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
const rows = (from: number, count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `${3301100000 + from + i},余杭第${from + i}小学,primary,${county},330110005,public,500,30,周九,2021-09-01`,
  );

/**
 * Creates an import record and its file without going through the API. The
 * file is not the import's `source`, so its object-created event starts no
 * run the test did not ask for, while the steps may read it.
 */
const stagedKey = (id: string) => `${importUploadKey(id).replace(/source$/, 'staged.csv')}`;
const stage = async (body: string) => {
  const id = ulid();
  const now = new Date().toISOString();
  await records.create({
    id,
    kind: 'schools',
    status: 'awaiting_upload',
    fileName: 'f.csv',
    contentType: 'text/csv',
    scope: county,
    createdBy: 'test',
    createdAt: now,
    updatedAt: now,
    uploadKey: importUploadKey(id),
  });
  await s3.send(
    new PutObjectCommand({ Bucket: process.env[buckets.work.envVar], Key: stagedKey(id), Body: body }),
  );
  return id;
};

const execute = async (id: string, name: string) => {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: process.env[stateMachines.importRegistry.envVar],
      name,
      input: JSON.stringify({ importId: id, execution: name, key: stagedKey(id) }),
    }),
  );
  return waitFor(
    async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `execution ${name} to finish` },
  );
};

describe('import-registry workflow', () => {
  it('happy path: prepare → batches → finalize, output carries the counts', async () => {
    const id = await stage(`${header}\r\n${rows(1, 3).join('\r\n')}\r\n`);
    const done = await execute(id, `wf-happy-${id}`);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({
      importId: id,
      counts: { read: 3, created: 3, rejected: 0 },
    });
    expect((await records.get(id))?.status).toBe('completed');
  });

  it('failure path: a file with missing columns ends FAILED with the reason on the import', async () => {
    const id = await stage('school_id,name\r\n3301109999,x\r\n');
    const done = await execute(id, `wf-fail-${id}`);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('ImportFailed');
    const record = await records.get(id);
    expect(record).toMatchObject({ status: 'failed', error: expect.stringMatching(/missing the columns/) });
  });

  it('running the same execution twice is harmless: counts stay those of the first run', async () => {
    const id = await stage(`${header}\r\n${rows(10, 2).join('\r\n')}\r\n`);
    const first = await execute(id, `wf-twice-a-${id}`);
    const second = await execute(id, `wf-twice-b-${id}`);
    expect(JSON.parse(first.output!).counts).toMatchObject({ created: 2 });
    // A second run of the same import sees its own rows and does not count them as someone else's.
    expect(JSON.parse(second.output!).counts).toMatchObject({ created: 2, unchanged: 0 });
  });

  it('an import that died halfway is completed by importing the file again', async () => {
    const file = `${header}\r\n${rows(100, 1500).join('\r\n')}\r\n`;
    // Simulate a crash after the first of two batches: run the steps by hand, stop before the rest.
    const id = await stage(file);
    const prepared = await invoke<{ batches: unknown[] }>('importPrepare', {
      importId: id,
      execution: `crashed-${id}`,
      key: stagedKey(id),
    });
    expect(prepared.batches).toHaveLength(2);
    await invoke('importBatch', prepared.batches[0]);
    expect((await records.get(id))?.status).toBe('processing');

    const token = await tokenFor('county_admin', county);
    const again = await importFile(
      { apiUrl: apiUrl(), token, timeoutMs: 60_000 },
      'schools',
      'again.csv',
      file,
    );
    expect(again.counts).toEqual({ read: 1500, created: 500, updated: 0, unchanged: 1000, rejected: 0 });
    const region = await call<{ counts: { schools: { total: number } } }>('GET', `/regions/${county}`, {
      token,
    });
    expect(region.body.counts.schools.total).toBeGreaterThanOrEqual(1500);
  });
});
