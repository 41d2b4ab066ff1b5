import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '#adapters/dynamo-batch';
import { entityItem } from '#adapters/registry-store';
import { prepareRows } from '#core/import-service';
import { tables } from '#infra/resources';
import { readTable } from '#lib/tabular';
import { startLocalCloud } from '#local/cloud';
import { generateDemoProvince } from '#local/demo/province';
import { importFile } from '#local/demo/seed';
import { devIssuer } from '#local/dev-issuer';
import { createTableInput } from '#local/provision';

/**
 * Import benchmark: N schools through the whole import path (API → presigned
 * upload → S3 event → workflow → DynamoDB), against the time to BatchWrite the
 * very same items straight into the same DynamoDB Local. Target ratio ≤ 2.
 */
export const run = async (argv: string[]) => {
  const { values } = parseArgs({ args: argv, options: { schools: { type: 'string', default: '50000' } } });
  const schools = Number(values.schools);
  const dataDir = mkdtempSync(join(tmpdir(), 'dudao-bench-'));
  process.env.LOG_LEVEL ??= 'ERROR';
  console.log(`import benchmark: ${schools} schools (Jiangsu demo province), data in ${dataDir}`);
  const cloud = await startLocalCloud({ dataDir, apiPort: 0, sweeperIntervalMs: 0 });
  try {
    const files = generateDemoProvince({ province: '32', schools });
    const token = await (await devIssuer(dataDir)).issue({ role: 'province_admin', scope: '32' });

    const importStart = performance.now();
    const outcome = await importFile({ apiUrl: cloud.apiUrl, token }, 'schools', 'bench.csv', files.schools);
    const importSeconds = (performance.now() - importStart) / 1000;
    if (outcome.status !== 'completed') throw new Error(`import failed: ${outcome.error}`);

    // The same items, written raw into a fresh table of the same shape.
    const { rows } = await readTable(Buffer.from(files.schools));
    const items = prepareRows('schools', rows, '32', schools)
      .batches.flat()
      .map((r) => entityItem('schools', r.entity));
    const client = new DynamoDBClient({});
    await client.send(new CreateTableCommand(createTableInput('bench-raw', tables.main)));
    const rawStart = performance.now();
    await batchPut(DynamoDBDocumentClient.from(client), 'bench-raw', items, 16);
    const rawSeconds = (performance.now() - rawStart) / 1000;

    const ratio = importSeconds / rawSeconds;
    console.log(`  import counts       ${JSON.stringify(outcome.counts)}`);
    console.log(
      `  import wall time    ${importSeconds.toFixed(1)} s  (${Math.round(schools / importSeconds)} rows/s)`,
    );
    console.log(
      `  raw BatchWrite      ${rawSeconds.toFixed(1)} s  (${Math.round(items.length / rawSeconds)} items/s)`,
    );
    console.log(`  ratio               ${ratio.toFixed(2)}  (target ≤ 2) ${ratio <= 2 ? 'OK' : 'OVER'}`);
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
