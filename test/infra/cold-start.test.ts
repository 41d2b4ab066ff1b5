import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, type FunctionName, functions, type stateMachines } from '#infra/resources';
import { cfnResolver, declaredFunction, type Templates, undeclaredFunctions } from '#local/cfn';
import { localBucketName, localStateMachineArn, localStateMachineName, scheduledEvent } from '#local/cloud';
import { importFile } from '#local/demo/seed';
import { localFunctionName, localRegion } from '#local/functions';
import { localTableName } from '#local/provision';
import { encodeS3EventKey } from '#local/s3';
import { localAttribute, synthesizeTemplates } from '#local/synth';
import { apiUrl, call, tokenFor } from '#test/support/api';
import { testSfn } from '#test/support/aws';
import { activeCountyCampaign, waitForExecution } from '#test/support/campaigns';
import { png, sha256, uploadEvidence } from '#test/support/evidence';
import { waitFor } from '#test/support/wait';

/**
 * Every function as Lambda starts it: the real esbuild bundle from the
 * synthesized app, alone in a fresh Node.js process whose environment is
 * exactly what its CloudFormation template gives it (resolved to the local
 * resources) plus what the Lambda runtime sets, then called once with a
 * representative event against the local cloud. A variable the code reads and
 * the template does not set, a function left out, or a bundle that cannot
 * load fails here, as it would fail in AWS, where locally every function shares
 * one process and the union of the environments.
 *
 * Most events re-run, on real data made through the API, a step that already
 * ran in-process: every step is idempotent, so this does real work without
 * changing the outcome.
 */
const execFileAsync = promisify(execFile);
const county = '360124'; // 进贤县
const schools = ['3601240001', '3601240002'];
let templates: Templates;
let bundleDir: string;
let runner: string;
const work = mkdtempSync(join(tmpdir(), 'dudao-cold-start-'));

/** What the Lambda runtime sets next to the template's variables; the endpoints are the local cloud's. */
const runtimeEnvironment = (name: FunctionName): Record<string, string> => ({
  AWS_REGION: localRegion,
  AWS_DEFAULT_REGION: localRegion,
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID!,
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY!,
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: localFunctionName(name),
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(functions[name].memoryMb),
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${localFunctionName(name)}`,
  TZ: ':UTC',
  // Not from the template: where the local cloud serves what AWS would.
  AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
  AWS_ENDPOINT_URL_S3: process.env.AWS_ENDPOINT_URL_S3!,
  AWS_ENDPOINT_URL_SFN: process.env.AWS_ENDPOINT_URL_SFN!,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LOG_LEVEL: 'ERROR',
});

/** The function's template environment, every intrinsic resolved to the local cloud (or the test fails). */
const templateEnvironment = (name: FunctionName): Record<string, string> => {
  const [, fn] = declaredFunction(templates, name);
  const userPool = Object.keys(templates.stateless.Resources).find((id) => /^Users[0-9A-F]{8}$/.test(id));
  const client = Object.keys(templates.stateless.Resources).find((id) =>
    /^UsersPortalClient[0-9A-F]{8}$/.test(id),
  );
  const resolve = cfnResolver(
    templates,
    (logicalId, attr) => {
      if (logicalId === userPool && attr === 'ProviderURL') return auth.localIssuer;
      if (logicalId === client) return auth.localClientId;
      if (/^CursorKey[0-9A-F]{8}$/.test(logicalId)) return 'cursor-key';
      return localAttribute({
        tableName: (t) => localTableName('dudao-', t),
        bucketName: localBucketName,
        stateMachine: (m) => ({ arn: localStateMachineArn(m), name: localStateMachineName(m) }),
      })(logicalId, attr);
    },
    { strict: true },
  );
  const variables = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ??
    {}) as Record<string, unknown>;
  // A Secrets Manager dynamic reference, which CloudFormation resolves at deploy time: the local value.
  const deployed = (value: string, name: string) =>
    value.startsWith('{{resolve:secretsmanager:') ? process.env[name]! : value;
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, deployed(resolve(v), k)]));
};

/** The bundle CDK would upload for the function: `index.mjs` in its asset folder. */
const bundleOf = (name: FunctionName, outdir: string) => {
  const [, fn] = declaredFunction(templates, name);
  const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
};

interface Outcome {
  ok: boolean;
  phase: 'init' | 'invoke';
  name?: string;
  message?: string;
  result?: unknown;
}

/** Starts the bundle in a child process with exactly `env`, calls its handler once with `event`. */
const coldStart = async (name: FunctionName, bundle: string, event: unknown): Promise<Outcome> => {
  const eventFile = join(work, `${name}.event.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  const env = { ...templateEnvironment(name), ...runtimeEnvironment(name) };
  const { stdout } = await execFileAsync(process.execPath, [runner, bundle, eventFile], {
    env,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const marker = stdout.lastIndexOf('@@OUTCOME@@');
  if (marker < 0) throw new Error(`${name} printed no outcome:\n${stdout.slice(-2000)}`);
  return JSON.parse(stdout.slice(marker + '@@OUTCOME@@'.length)) as Outcome;
};

/** What each function is called with, and which outcomes are right for that event. */
type Fixture = { event: unknown; expect: (o: Outcome) => void };
const fixtures = {} as Record<FunctionName, Fixture>;
const succeeds =
  (check: (result: Record<string, unknown>) => void = () => undefined) =>
  (o: Outcome) => {
    expect(o, JSON.stringify(o)).toMatchObject({ ok: true });
    check(o.result as Record<string, unknown>);
  };
const refuses = (errorName: string) => (o: Outcome) =>
  expect(o, JSON.stringify(o)).toMatchObject({ ok: false, phase: 'invoke', name: errorName });

/** The input the named execution of a workflow started with. */
const executionInput = async (machine: keyof typeof stateMachines, namePrefix: string) => {
  const listed = await testSfn.send(
    new ListExecutionsCommand({ stateMachineArn: localStateMachineArn(machine), maxResults: 1000 }),
  );
  const execution = listed.executions?.find((e) => e.name?.startsWith(namePrefix));
  if (!execution) throw new Error(`no ${machine} execution named ${namePrefix}…`);
  await waitForExecution(execution.executionArn!);
  const described = await testSfn.send(
    new DescribeExecutionCommand({ executionArn: execution.executionArn }),
  );
  return { input: JSON.parse(described.input!), output: JSON.parse(described.output ?? 'null') };
};

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'dudao-cdk-bundled-'));
  templates = synthesizeTemplates({ outdir: bundleDir, bundle: true });
  runner = join(work, 'runner.mjs');
  writeFileSync(
    runner,
    `import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile] = process.argv.slice(2);
const done = (outcome) => process.stdout.write('\\n@@OUTCOME@@' + JSON.stringify(outcome));
let handler;
try {
  ({ handler } = await import(pathToFileURL(bundle).href));
} catch (e) {
  done({ ok: false, phase: 'init', name: e?.name, message: e?.message });
  process.exit(0);
}
const context = {
  awsRequestId: randomUUID(),
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  invokedFunctionArn: 'arn:aws:lambda:${localRegion}:000000000000:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: 'cold-start',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 60000,
};
try {
  const result = await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);
  done({ ok: true, phase: 'invoke', result });
} catch (e) {
  done({ ok: false, phase: 'invoke', name: e?.name, message: e?.message });
}
process.exit(0);
`,
  );

  // Real data, made through the API and the in-process functions.
  const { office, campaignId } = await activeCountyCampaign({
    county,
    town: '360124100',
    schoolIds: schools,
    inspectorId: 'IJX360124',
  });
  const inspections = await call<{ items: { id: string }[] }>('GET', `/inspections?schoolId=${schools[0]}`, {
    token: office,
  });
  const school = await tokenFor('school', schools[0]!);
  const evidence = await uploadEvidence(
    office,
    school,
    inspections.body.items[0]!.id,
    { fileName: '冷启动.png', contentType: 'image/png', size: png.length, sha256: sha256(png) },
    png,
  );
  // Another inspector for the county: an import that changes no campaign's targets.
  const imported = await importFile(
    { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 },
    'inspectors',
    'more-inspectors.csv',
    `inspector_id,name,kind,region_code,phone\r\nIJX360124B,督学乙,full_time,${county},13900000010\r\n`,
  );
  const importRun = await executionInput('importRegistry', `import-${imported.id}-`);
  const launched = (
    await call<{ launch: { execution: string } }>('GET', `/campaigns/${campaignId}`, { token: office })
  ).body.launch;
  const launchRun = await executionInput('launchCampaign', launched.execution);
  const closing = await call<{ executionArn: string }>('POST', `/campaigns/${campaignId}/close`, {
    token: office,
  });
  expect(closing.status).toBe(202);
  await waitForExecution(closing.body.executionArn);
  const closed = (
    await call<{ close: { execution: string } }>('GET', `/campaigns/${campaignId}`, { token: office })
  ).body.close;
  const auditor = await tokenFor('auditor', county);
  const exported = await call<{ id: string }>('POST', '/audit/exports', {
    token: auditor,
    body: { campaignId },
  });
  await waitFor(
    async () => {
      const r = await call<{ status: string }>('GET', `/audit/exports/${exported.body.id}`, {
        token: auditor,
      });
      return r.body.status === 'running' ? undefined : r.body;
    },
    { timeoutMs: 60_000, what: 'the export to finish' },
  );

  const close = { campaignId, execution: closed.execution };
  const launch = { campaignId, execution: launched.execution };
  expect(launchRun.output).toMatchObject({ targets: schools.length });
  const batch1 = { ...launch, batch: 1 };
  const importBatch = {
    importId: imported.id,
    execution: importRun.input.execution,
    // The kind of the import whose batch this is (an inspectors file: its rows are inspectors).
    kind: 'inspectors',
    scope: county,
    batch: 1,
  };
  Object.assign(fixtures, {
    api: {
      event: {
        version: '2.0',
        routeKey: 'GET /health',
        rawPath: '/health',
        rawQueryString: '',
        headers: { host: 'localhost' },
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'cold',
          domainName: 'localhost',
          domainPrefix: 'localhost',
          http: {
            method: 'GET',
            path: '/health',
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'test',
          },
          requestId: randomUUID(),
          routeKey: 'GET /health',
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
        },
      },
      expect: succeeds((r) => expect(r.statusCode, JSON.stringify(r)).toBe(200)),
    },
    objectCreated: {
      event: {
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: localRegion,
            eventTime: new Date().toISOString(),
            eventName: 'ObjectCreated:Put',
            s3: {
              s3SchemaVersion: '1.0',
              bucket: {
                name: localBucketName('evidence'),
                arn: `arn:aws:s3:::${localBucketName('evidence')}`,
              },
              object: { key: encodeS3EventKey(evidence.key), size: png.length, eTag: 'x', sequencer: '01' },
            },
          },
        ],
      },
      // The evidence is settled already: a late duplicate, which reads the record and changes nothing.
      expect: succeeds((r) => expect(r).toMatchObject({ verified: 0, duplicates: 1 })),
    },
    sweeper: { event: scheduledEvent(), expect: succeeds((r) => expect(r).toHaveProperty('sweptAt')) },
    preTokenGeneration: {
      event: {
        version: '2',
        triggerSource: 'TokenGeneration_Authentication',
        region: localRegion,
        userPoolId: 'local_pool',
        userName: 'office',
        callerContext: { awsSdkVersion: 'x', clientId: 'client' },
        request: { userAttributes: { 'custom:role': 'county_admin', 'custom:scope': county }, scopes: [] },
        response: { claimsAndScopeOverrideDetails: null },
      },
      expect: succeeds(),
    },
    importPrepare: { event: importRun.input, expect: succeeds((r) => expect(r.batches).toHaveLength(1)) },
    importBatch: { event: importBatch, expect: succeeds() },
    importFinalize: {
      event: {
        importId: imported.id,
        execution: importRun.input.execution,
        kind: 'inspectors',
        scope: county,
        read: 1,
        batches: [importBatch],
      },
      expect: succeeds((r) => expect(r.counts).toMatchObject({ read: 1 })),
    },
    importFailed: {
      // Another execution's failure: the import's own execution holds it, so nothing changes.
      event: {
        importId: imported.id,
        execution: 'cold-start-elsewhere',
        error: { Error: 'Drill', Cause: '' },
      },
      expect: succeeds(),
    },
    launchPlan: { event: launch, expect: succeeds((r) => expect(r.targets).toBe(schools.length)) },
    launchBatch: { event: batch1, expect: succeeds((r) => expect(r).toMatchObject({ created: 0 })) },
    launchFinalize: {
      event: { ...launch, targets: schools.length, batches: [batch1] },
      expect: succeeds((r) => expect(r.inspections).toBe(schools.length)),
    },
    // The campaign is no longer launching or closing: the failure is recorded nowhere, as it should.
    launchFailed: { event: { ...launch, error: { Error: 'Drill', Cause: '' } }, expect: succeeds() },
    closeStatistics: { event: close, expect: succeeds() },
    closeSeal: { event: close, expect: succeeds((r) => expect(r.manifest).toMatchObject({ files: 1 })) },
    closeFailed: { event: { ...close, error: { Error: 'Drill', Cause: '' } }, expect: succeeds() },
    exportBundle: {
      event: { exportId: exported.body.id },
      expect: succeeds((r) => expect(r).toMatchObject({ status: 'ready', files: 1 })),
    },
    // An export that does not exist: the conditional update refuses it.
    exportFailed: {
      event: { exportId: 'nonexistent-export', error: { Error: 'Drill', Cause: '' } },
      expect: refuses('ConditionalCheckFailedException'),
    },
  } satisfies Record<FunctionName, Fixture>);
}, 240_000);

describe('cold start of every bundled function, alone, with its template’s environment', () => {
  it('covers every function of the template, and the template has no function the declaration lacks', () => {
    expect(Object.keys(fixtures).sort()).toEqual(Object.keys(functions).sort());
    // Only CDK's own custom-resource handler is not ours.
    expect(
      undeclaredFunctions(templates).filter((id) => !id.startsWith('BucketNotificationsHandler')),
    ).toEqual([]);
  });

  it.each(Object.keys(functions) as FunctionName[])('%s starts and handles its event', async (name) => {
    const bundle = bundleOf(name, bundleDir);
    expect(readFileSync(bundle).length).toBeGreaterThan(0);
    const outcome = await coldStart(name, bundle, fixtures[name].event);
    expect(outcome.phase === 'init' ? outcome : undefined, 'the module failed to load').toBeUndefined();
    fixtures[name].expect(outcome);
  });
});
