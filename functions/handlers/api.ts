import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { awsHealthProbe } from '#adapters/health-probe';
import { createImportRecords } from '#adapters/import-records';
import { createObjectStore } from '#adapters/object-store';
import { createRegistryStore } from '#adapters/registry-store';
import { createImportRequests } from '#core/import-requests';
import { createRegistryService } from '#core/registry-service';
import { bucket, stateMachines, tables } from '#infra/resources';
import { requireEnv } from '#lib/env';
import { logger } from '#lib/logger';
import { auditOperations } from './api/audit.ts';
import { campaignOperations } from './api/campaigns.ts';
import { evidenceOperations } from './api/evidence.ts';
import { exportOperations } from './api/exports.ts';
import { inspectionOperations } from './api/inspections.ts';
import { registryOperations } from './api/registry.ts';
import { systemOperations } from './api/system.ts';
import { auditWiring, exportWiring } from './audit-wiring.ts';
import { campaignService } from './campaign-wiring.ts';
import { evidenceWiring } from './evidence-wiring.ts';
import { dispatch } from './http/dispatch.ts';
import { httpProblems } from './http/middleware.ts';
import { buildOpenApi } from './http/openapi.ts';
import type { OperationTable } from './http/operation.ts';
import type { ApiEvent } from './http/request.ts';
import { inspectionWiring } from './inspection-wiring.ts';

// Composition root of the HTTP API: configuration and adapters are built once
// per cold start and handed to the operations.
const mainTable = requireEnv(tables.main.envVar);
const evidenceBucket = requireEnv(bucket.envVar);
const objects = createObjectStore(evidenceBucket);
const importRecords = createImportRecords(mainTable);
const launchCampaignArn = requireEnv(stateMachines.launchCampaign.envVar);
const auditTable = requireEnv(tables.audit.envVar);
const campaigns = campaignService(mainTable, {
  launch: launchCampaignArn,
  close: requireEnv(stateMachines.closeCampaign.envVar),
});

let openapi: unknown;
const operations: OperationTable = {
  ...systemOperations({
    health: awsHealthProbe({ mainTable, bucket: evidenceBucket, stateMachineArn: launchCampaignArn }),
    openapi: () => {
      openapi ??= buildOpenApi(operations, { version: '0.1.0' });
      return openapi;
    },
  }),
  ...registryOperations({
    registry: createRegistryService(createRegistryStore(mainTable)),
    imports: createImportRequests({
      newId: ulid,
      now: () => new Date().toISOString(),
      records: importRecords,
      presignUpload: (key, contentType, contentLength) =>
        objects.presignUpload(key, {
          contentType,
          ...(contentLength !== undefined ? { contentLength } : {}),
        }),
      presignDownload: (key, fileName) => objects.presignDownload(key, { fileName }),
    }),
  }),
  ...campaignOperations({ campaigns }),
  ...evidenceOperations({
    evidence: evidenceWiring({ main: mainTable, audit: auditTable, bucket: evidenceBucket }).service,
  }),
  ...inspectionOperations({
    campaigns,
    inspections: inspectionWiring({ main: mainTable, audit: auditTable }, evidenceBucket).service,
  }),
  ...auditOperations({ audit: auditWiring({ main: mainTable, audit: auditTable }).service }),
  ...exportOperations({
    exports: exportWiring({
      main: mainTable,
      audit: auditTable,
      bucket: evidenceBucket,
      stateMachineArn: requireEnv(stateMachines.exportEvidence.envVar),
    }),
  }),
};

export const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpProblems())
  .handler((event) => dispatch(operations, event));
