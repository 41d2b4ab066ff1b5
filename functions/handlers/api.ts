import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { dynamoClients, s3Client, sfnClient } from '#adapters/aws-clients';
import { createEvidenceStore } from '#adapters/evidence-store';
import { awsHealthProbe } from '#adapters/health-probe';
import { createImportRecords } from '#adapters/import-records';
import { createObjectStore } from '#adapters/object-store';
import { createRegistryStore } from '#adapters/registry-store';
import { createTokenVerifier } from '#adapters/token-verifier';
import { createWorkflowStarter } from '#adapters/workflow-starter';
import { createCampaignFiles } from '#core/campaign-files';
import { createImportRequests } from '#core/import-requests';
import { createLaunchPreview } from '#core/launch/preview';
import { createReEvaluationReport } from '#core/re-evaluation';
import { createRegistryService } from '#core/registry-service';
import { cursorSeal } from '#lib/cursor';
import { logger } from '#lib/logger';
import { auditOperations } from './api/audit.ts';
import { burdenOperations } from './api/burden.ts';
import { campaignFileOperations } from './api/campaign-files.ts';
import { campaignOperations } from './api/campaigns.ts';
import { evidenceOperations } from './api/evidence.ts';
import { exportOperations } from './api/exports.ts';
import { inspectionOperations } from './api/inspections.ts';
import { kindergartenCycleOperations } from './api/kindergarten-cycle.ts';
import { principalOperations } from './api/principals.ts';
import { rankingOperations } from './api/ranking.ts';
import { registryOperations } from './api/registry.ts';
import { systemOperations } from './api/system.ts';
import { teamOperations } from './api/teams.ts';
import { environmentOf } from './environment.ts';
import { dispatch } from './http/dispatch.ts';
import { httpProblems } from './http/middleware.ts';
import { buildOpenApi } from './http/openapi.ts';
import type { OperationTable } from './http/operation.ts';
import type { ApiEvent } from './http/request.ts';
import { auditWiring, exportWiring } from './wiring/audit.ts';
import { campaignService } from './wiring/campaigns.ts';
import { evidenceWiring } from './wiring/evidence.ts';
import { inspectionWiring } from './wiring/inspections.ts';
import { launchPorts } from './wiring/launch.ts';

// Composition root of the HTTP API: clients, configuration and adapters are
// built once per cold start, for exactly what the `api` function is granted.
const env = environmentOf('api');
const { dynamodb, db } = dynamoClients();
const s3 = s3Client();
const sfn = sfnClient();
const tables = { db, main: env.table('main'), audit: env.table('audit') };
const evidenceObjects = createObjectStore(s3, env.bucket('evidence'), { objectLock: env.objectLock() });
const workObjects = createObjectStore(s3, env.bucket('work'));
const launchArn = env.stateMachine('launchCampaign');
const campaigns = campaignService(tables, {
  launch: createWorkflowStarter(sfn, launchArn),
  close: createWorkflowStarter(sfn, env.stateMachine('closeCampaign')),
});
const edge = { verify: createTokenVerifier(env.tokens()), cursors: cursorSeal(env.cursorKey()) };

const inspections = inspectionWiring(tables, evidenceObjects);
const registry = createRegistryService(createRegistryStore(db, tables.main));
const campaignFiles = createCampaignFiles({
  campaign: (id) => inspections.campaigns.get(id),
  readJson: (key) => evidenceObjects.readJson(key),
  presignDownload: (key, fileName) => evidenceObjects.presignDownload(key, { fileName }),
  logAccess: (event) => createEvidenceStore(db, tables).logAccess(event),
  now: () => new Date().toISOString(),
});

let openapi: unknown;
const operations: OperationTable = {
  ...systemOperations({
    health: awsHealthProbe(
      { dynamodb, s3, sfn },
      { mainTable: tables.main, bucket: evidenceObjects.bucket, stateMachineArn: launchArn },
    ),
    openapi: () => {
      openapi ??= buildOpenApi(operations, { version: '0.1.0' });
      return openapi;
    },
  }),
  ...registryOperations({
    registry,
    imports: createImportRequests({
      newId: ulid,
      now: () => new Date().toISOString(),
      records: createImportRecords(db, tables.main, tables.audit),
      presignUpload: (key, upload) => workObjects.presignUpload(key, upload),
      presignDownload: (key, fileName) => workObjects.presignDownload(key, { fileName }),
    }),
  }),
  ...campaignOperations({ campaigns }),
  ...campaignFileOperations({ files: campaignFiles, preview: createLaunchPreview(launchPorts(tables, {})) }),
  ...principalOperations({ registry }),
  ...evidenceOperations({ evidence: evidenceWiring(tables, evidenceObjects).service }),
  ...inspectionOperations({ campaigns, inspections: inspections.service }),
  ...teamOperations({ teams: inspections.teams, views: inspections.views, panels: inspections.panels! }),
  ...burdenOperations({ burden: inspections.burden, prefill: inspections.prefill }),
  ...rankingOperations({ ranking: inspections.ranking }),
  ...kindergartenCycleOperations({
    registry,
    reEvaluation: createReEvaluationReport({
      campaign: (id) => inspections.campaigns.get(id),
      campaignInspections: (id, q) => inspections.store.campaignInspections(id, q),
      progress: (id, prefix) => inspections.campaigns.progress(id, prefix),
    }),
  }),
  ...auditOperations({ audit: auditWiring(tables).service }),
  ...exportOperations({
    exports: exportWiring(tables, workObjects, sfn, env.stateMachine('exportEvidence')),
  }),
};

export const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpProblems())
  .handler((event) => dispatch(operations, event, edge));
