import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type HistoryEvent, paginateGetExecutionHistory, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '#adapters/dynamo-batch';
import { countiesUnder } from '#core/regions';
import { type FunctionName, functions, tables } from '#infra/resources';
import { startLocalCloud } from '#local/cloud';
import { seedDemo } from '#local/demo/seed';
import { devIssuer } from '#local/dev-issuer';
import { invocationStats } from '#local/functions';
import { createTableInput } from '#local/provision';

/** Every event of an execution's history, page by page. */
const executionHistory = async (executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  const client = new SFNClient({});
  const pages = paginateGetExecutionHistory(
    { client, pageSize: 1000 },
    { executionArn, includeExecutionData: false },
  );
  for await (const page of pages) events.push(...(page.events ?? []));
  client.destroy();
  return events;
};

/**
 * What AWS bills as state transitions: every state entered (Map iterations
 * included), and every retry of a Task, i.e. a Lambda scheduled again right
 * after it failed or timed out.
 */
const stateTransitions = (events: HistoryEvent[]): number => {
  const types = new Map(events.map((e) => [e.id, e.type]));
  const retried = (e: HistoryEvent) =>
    e.type === 'LambdaFunctionScheduled' &&
    ['LambdaFunctionFailed', 'LambdaFunctionTimedOut'].includes(types.get(e.previousEventId) ?? '');
  return events.filter((e) => e.type?.endsWith('StateEntered') || retried(e)).length;
};

/**
 * Launch benchmark: a province-wide start-of-term launch over N demo schools,
 * against the time to BatchWrite the very same inspection items straight into
 * the same DynamoDB Local. Target ratio ≤ 1.5. Also prints what the same launch
 * would cost on AWS, from the counts this run observed, at list prices.
 */
const prices = {
  // us-east-1 list prices (2026): Step Functions Standard, Lambda arm64, DynamoDB on-demand.
  perStateTransition: 0.025 / 1000,
  perLambdaRequest: 0.2 / 1e6,
  perLambdaGbSecond: 0.0000133334,
  perWriteRequestUnit: 0.625 / 1e6,
  perReadRequestUnit: 0.125 / 1e6,
};

export const run = async (argv: string[]) => {
  const { values } = parseArgs({ args: argv, options: { schools: { type: 'string', default: '50000' } } });
  const schools = Number(values.schools);
  const dataDir = mkdtempSync(join(tmpdir(), 'dudao-bench-'));
  process.env.LOG_LEVEL ??= 'ERROR';
  console.log(`launch benchmark: ${schools} schools (Jiangsu demo province), data in ${dataDir}`);
  const cloud = await startLocalCloud({ dataDir, apiPort: 0, sweeperIntervalMs: 0 });
  try {
    const token = await (await devIssuer(dataDir)).issue({ role: 'province_admin', scope: '32' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    console.log('  loading the demo province (schools, inspectors, zones)…');
    await seedDemo({ apiUrl: cloud.apiUrl, token, schools, log: (m) => console.log(`  ${m.trim()}`) });

    const campaign = (await (
      await fetch(`${cloud.apiUrl}/campaigns`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          templateId: 'start-of-term',
          title: 'bench',
          scope: '32',
          window: { start: '2026-09-01', end: '2026-09-20' },
        }),
      })
    ).json()) as { id: string };
    invocationStats.clear();
    const launchStart = performance.now();
    const { executionArn } = (await (
      await fetch(`${cloud.apiUrl}/campaigns/${campaign.id}/launch`, { method: 'POST', headers })
    ).json()) as {
      executionArn: string;
    };
    let status: { campaignStatus: string; created: number; targets: number };
    do {
      await new Promise((r) => setTimeout(r, 250));
      status = (await (
        await fetch(`${cloud.apiUrl}/campaigns/${campaign.id}/launch`, { headers })
      ).json()) as typeof status;
    } while (status.campaignStatus === 'launching');
    const launchSeconds = (performance.now() - launchStart) / 1000;
    if (status.campaignStatus !== 'active') throw new Error(`launch ended ${status.campaignStatus}`);

    // The same inspection items, read back and written raw into a fresh table of the same shape.
    const client = new DynamoDBClient({});
    const db = DynamoDBDocumentClient.from(client);
    const items: Record<string, unknown>[] = [];
    for (const county of countiesUnder('32')) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: cloud.env[tables.main.envVar],
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `CINSP#${campaign.id}#${county.code}` },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    await client.send(new CreateTableCommand(createTableInput('bench-raw', tables.main)));
    const rawStart = performance.now();
    await batchPut(db, 'bench-raw', items, 16);
    const rawSeconds = (performance.now() - rawStart) / 1000;

    const transitions = stateTransitions(await executionHistory(executionArn));
    let invocations = 0;
    let gbSeconds = 0;
    // Only the workflow's steps: the API calls polling the launch status are not part of it.
    for (const [name, stats] of invocationStats) {
      if (!name.startsWith('launch')) continue;
      invocations += stats.invocations;
      gbSeconds += (stats.milliseconds / 1000) * (functions[name as FunctionName].memoryMb / 1024);
    }
    const itemKb = Math.max(1, Math.ceil(JSON.stringify(items[0] ?? {}).length / 1024));
    // Each inspection writes the table and its three indexes; reads: the existence check and zone lookups.
    const writeUnits = items.length * itemKb * 4;
    const readUnits = items.length * 2 * 0.5 + schools * 0.5;
    const cost = {
      stepFunctions: transitions * prices.perStateTransition,
      lambda: invocations * prices.perLambdaRequest + gbSeconds * prices.perLambdaGbSecond,
      dynamodb: writeUnits * prices.perWriteRequestUnit + readUnits * prices.perReadRequestUnit,
    };
    const ratio = launchSeconds / rawSeconds;
    console.log(`  inspections created  ${status.created} of ${status.targets} targets`);
    console.log(
      `  launch wall time     ${launchSeconds.toFixed(1)} s  (${Math.round(status.created / launchSeconds)} inspections/s)`,
    );
    console.log(
      `  raw BatchWrite       ${rawSeconds.toFixed(1)} s  (${Math.round(items.length / rawSeconds)} items/s)`,
    );
    console.log(`  ratio                ${ratio.toFixed(2)}  (target ≤ 1.5) ${ratio <= 1.5 ? 'OK' : 'OVER'}`);
    console.log(`  state transitions    ${transitions}  (grows with batches, not schools)`);
    console.log(
      `  Lambda               ${invocations} invocations, ${gbSeconds.toFixed(1)} GB-s (local run times)`,
    );
    console.log(`  DynamoDB (est.)      ${writeUnits} WRU, ${readUnits} RRU`);
    console.log(
      `  AWS cost estimate    $${(cost.stepFunctions + cost.lambda + cost.dynamodb).toFixed(4)}  ` +
        `(Step Functions $${cost.stepFunctions.toFixed(4)}, Lambda $${cost.lambda.toFixed(4)}, DynamoDB $${cost.dynamodb.toFixed(4)})`,
    );
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
