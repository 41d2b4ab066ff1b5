/**
 * The one declaration of dudao's cloud resources.
 *
 * The CDK stacks (infra/stacks/*) and the embedded local cloud (infra/local/*)
 * both read this file and nothing else to decide which tables, indexes, bucket,
 * functions, state machines and routes exist. It is plain data: no CDK, no SDK.
 */

export type KeyType = 'S' | 'N';
export interface KeyDeclaration {
  readonly name: string;
  readonly type: KeyType;
}
export interface IndexDeclaration {
  readonly name: string;
  readonly partitionKey: KeyDeclaration;
  readonly sortKey?: KeyDeclaration;
}
export interface TableDeclaration {
  /** Environment variable through which functions learn the table's physical name. */
  readonly envVar: string;
  readonly partitionKey: KeyDeclaration;
  readonly sortKey?: KeyDeclaration;
  readonly indexes: readonly IndexDeclaration[];
  /** Attribute holding an epoch-seconds expiry, if the table uses TTL. */
  readonly ttlAttribute?: string;
}

const S = (name: string): KeyDeclaration => ({ name, type: 'S' });

/**
 * Single-table design: every entity lives in `main` under generic keys, with
 * generic GSIs whose meaning each repository documents. Audit events live in
 * their own table so that the hash chain of a campaign is one partition.
 */
export const tables = {
  main: {
    envVar: 'TABLE_MAIN',
    partitionKey: S('pk'),
    sortKey: S('sk'),
    indexes: [
      { name: 'gsi1', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk') },
      { name: 'gsi2', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk') },
      { name: 'gsi3', partitionKey: S('gsi3pk'), sortKey: S('gsi3sk') },
      // Sparse work lists the sweeper walks: evidence still pending, imports awaiting their upload.
      { name: 'gsi4', partitionKey: S('gsi4pk'), sortKey: S('gsi4sk') },
      // Sparse lookups by content: a school's stored files by SHA-256; inspections by when to look at them next.
      { name: 'gsi5', partitionKey: S('gsi5pk'), sortKey: S('gsi5sk') },
    ],
    ttlAttribute: 'expiresAt',
  },
  audit: {
    envVar: 'TABLE_AUDIT',
    partitionKey: S('pk'),
    sortKey: S('sk'),
    indexes: [
      { name: 'byEntity', partitionKey: S('entityId'), sortKey: S('at') },
      { name: 'byActor', partitionKey: S('actor'), sortKey: S('at') },
      // Sparse: events not yet linked into their campaign's hash chain.
      { name: 'pendingLink', partitionKey: S('pendingLink'), sortKey: S('pendingSort') },
      // Linked events of a campaign in chain order, for verification page by page.
      { name: 'bySeq', partitionKey: S('chainId'), sortKey: { name: 'seq', type: 'N' } },
    ],
  },
} as const satisfies Record<string, TableDeclaration>;
export type TableName = keyof typeof tables;

export interface BucketDeclaration {
  /** Environment variable through which functions learn the bucket's physical name. */
  readonly envVar: string;
  /** Prefixes whose object-created events go to the `objectCreated` function. */
  readonly notificationPrefixes: readonly string[];
  /** Object Lock default retention; a bucket without it has no Object Lock. */
  readonly retention?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number };
  /** Prefix → days after which its objects expire (a bucket without retention only). */
  readonly expiry?: Readonly<Record<string, number>>;
}

/**
 * Two buckets, split by how long their objects must live.
 *
 * - `evidence`: what an auditor may come back for years later, under an Object
 *   Lock default retention (versioned, 6 years). `evidence/` holds uploaded
 *   evidence files, `campaigns/` each campaign's population, sample and sealed
 *   record (statistics, evidence manifest), `panels/` the record of each expert
 *   panel draw (its pool, loads and result). GOVERNANCE, not COMPLIANCE: no
 *   role of the application may bypass the lock, and legal holds protect the
 *   cases escalated to accountability, while an operator holding
 *   s3:BypassGovernanceRetention (granted to nobody by this app, logged by
 *   CloudTrail) can still remove a file that must not be kept, e.g. personal
 *   data uploaded by mistake, which PIPL obliges us to delete.
 * - `work`: scratch and deliverables that expire: import uploads, workflow
 *   batch files, import error reports and evidence exports (an export can be
 *   requested again; its sources stay in `evidence`).
 */
export const buckets = {
  evidence: {
    envVar: 'EVIDENCE_BUCKET',
    notificationPrefixes: ['evidence/'],
    retention: { mode: 'GOVERNANCE', days: 365 * 6 },
  },
  work: {
    envVar: 'WORK_BUCKET',
    notificationPrefixes: ['uploads/'],
    expiry: { 'uploads/': 30, 'work/': 7, 'exports/': 30, 'reports/': 365 },
  },
} as const satisfies Record<string, BucketDeclaration>;
export type BucketName = keyof typeof buckets;

/** Set to `on` for functions that place legal holds, where the evidence bucket has Object Lock (AWS). */
export const objectLockEnvVar = 'EVIDENCE_OBJECT_LOCK';

/** The key (base64, at least 32 bytes) that seals pagination cursors. */
export const cursorKeyEnvVar = 'CURSOR_KEY';

export interface StateMachineDeclaration {
  /** ASL file under the repository root. */
  readonly file: string;
  readonly envVar: string;
  /** `${Placeholder}` in the file → function (declared below) whose ARN replaces it. */
  readonly substitutions: Readonly<Record<string, string>>;
}

export const stateMachines = {
  importRegistry: {
    file: 'statemachines/import-registry.asl.json',
    envVar: 'STATE_MACHINE_IMPORT_REGISTRY_ARN',
    substitutions: {
      ImportPrepareFunctionArn: 'importPrepare',
      ImportBatchFunctionArn: 'importBatch',
      ImportFinalizeFunctionArn: 'importFinalize',
      ImportFailedFunctionArn: 'importFailed',
    },
  },
  launchCampaign: {
    file: 'statemachines/launch-campaign.asl.json',
    envVar: 'STATE_MACHINE_LAUNCH_CAMPAIGN_ARN',
    substitutions: {
      LaunchPlanFunctionArn: 'launchPlan',
      LaunchBatchFunctionArn: 'launchBatch',
      LaunchFinalizeFunctionArn: 'launchFinalize',
      LaunchFailedFunctionArn: 'launchFailed',
    },
  },
  closeCampaign: {
    file: 'statemachines/close-campaign.asl.json',
    envVar: 'STATE_MACHINE_CLOSE_CAMPAIGN_ARN',
    substitutions: {
      CloseStatisticsFunctionArn: 'closeStatistics',
      CloseSealFunctionArn: 'closeSeal',
      CloseFailedFunctionArn: 'closeFailed',
    },
  },
  exportEvidence: {
    file: 'statemachines/export-evidence.asl.json',
    envVar: 'STATE_MACHINE_EXPORT_EVIDENCE_ARN',
    substitutions: {
      ExportBundleFunctionArn: 'exportBundle',
      ExportFailedFunctionArn: 'exportFailed',
    },
  },
} as const satisfies Record<string, StateMachineDeclaration>;
export type StateMachineName = keyof typeof stateMachines;

export type Access = 'read' | 'readWrite';
/** Object access a function has in one bucket, by key prefix (each ends with `/`). */
export interface BucketGrant {
  readonly read?: readonly string[];
  readonly write?: readonly string[];
}
export interface FunctionDeclaration {
  /** Module under the repository root exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly tables: Partial<Record<TableName, Access>>;
  readonly buckets?: Partial<Record<BucketName, BucketGrant>>;
  /** State machines this function may start (by declaration key). */
  readonly startsStateMachines?: readonly StateMachineName[];
  /** May place Object Lock legal holds on evidence objects (AWS only; the local S3 has no Object Lock). */
  readonly placesLegalHolds?: boolean;
  /** Verifies bearer tokens itself (the API): told the issuer, its keys and the accepted clients. */
  readonly verifiesTokens?: boolean;
  /** Seals pagination cursors (the API): told the key (`cursorKeyEnvVar`). */
  readonly signsCursors?: boolean;
  /**
   * Invoked asynchronously (by S3 or a schedule): Lambda retries a failed event
   * this often, then hands it to the function's failure queue.
   */
  readonly async?: { readonly retries: 0 | 1 | 2; readonly maxEventAgeSeconds: number };
  /** At most this many instances at once (1: the function never overlaps itself). */
  readonly reservedConcurrency?: number;
}

const evidenceRead = { read: ['evidence/'] } as const;
export const functions = {
  api: {
    entry: 'functions/handlers/api.ts',
    description: 'HTTP API: every route, dispatched on the API Gateway route key',
    memoryMb: 1024,
    timeoutSeconds: 29,
    tables: { main: 'readWrite', audit: 'readWrite' },
    buckets: {
      // Presigned uploads of evidence; audited links to evidence and campaign files; expert panel draws.
      evidence: { read: ['evidence/', 'campaigns/', 'panels/'], write: ['evidence/', 'panels/'] },
      // Presigned import uploads; links to import error reports and exports.
      work: { read: ['reports/', 'exports/'], write: ['uploads/imports/'] },
    },
    startsStateMachines: ['launchCampaign', 'closeCampaign', 'exportEvidence'],
    placesLegalHolds: true,
    verifiesTokens: true,
    signsCursors: true,
  },
  objectCreated: {
    entry: 'functions/handlers/object-created.ts',
    description: 'S3 object-created notifications: starts imports, verifies evidence',
    memoryMb: 512,
    timeoutSeconds: 60,
    tables: { main: 'readWrite', audit: 'readWrite' },
    buckets: { evidence: evidenceRead },
    startsStateMachines: ['importRegistry'],
    async: { retries: 2, maxEventAgeSeconds: 3600 },
  },
  sweeper: {
    entry: 'functions/handlers/sweeper.ts',
    description:
      'Scheduled sweeper: deadlines, recurring campaigns, stalled uploads, audit hash chains; one at a time',
    memoryMb: 512,
    // Shorter than the schedule's interval, and one instance at most: runs never overlap.
    timeoutSeconds: 240,
    tables: { main: 'readWrite', audit: 'readWrite' },
    buckets: { evidence: evidenceRead, work: { read: ['uploads/imports/'] } },
    startsStateMachines: ['launchCampaign', 'importRegistry'],
    // The next run comes with the schedule: a failed one is not retried, only recorded.
    async: { retries: 0, maxEventAgeSeconds: 300 },
    reservedConcurrency: 1,
  },
  preTokenGeneration: {
    entry: 'functions/handlers/pre-token-generation.ts',
    description: 'Cognito pre-token-generation trigger: puts role and scope into access tokens',
    memoryMb: 256,
    timeoutSeconds: 5,
    tables: {},
  },
  importPrepare: {
    entry: 'functions/handlers/workflow/import-prepare.ts',
    description: 'import-registry: read and validate the uploaded file, write batches',
    memoryMb: 2048,
    timeoutSeconds: 300,
    tables: { main: 'readWrite' },
    buckets: { work: { read: ['uploads/imports/'], write: ['work/imports/'] } },
  },
  importBatch: {
    entry: 'functions/handlers/workflow/import-batch.ts',
    description: 'import-registry: upsert one batch of rows',
    memoryMb: 1024,
    timeoutSeconds: 300,
    tables: { main: 'readWrite' },
    buckets: { work: { read: ['work/imports/'], write: ['work/imports/'] } },
  },
  importFinalize: {
    entry: 'functions/handlers/workflow/import-finalize.ts',
    description: 'import-registry: error report, region counts, completion',
    memoryMb: 1024,
    timeoutSeconds: 300,
    tables: { main: 'readWrite', audit: 'readWrite' },
    buckets: { work: { read: ['work/imports/'], write: ['reports/imports/'] } },
  },
  importFailed: {
    entry: 'functions/handlers/workflow/import-failed.ts',
    description: 'import-registry: record why an import failed',
    memoryMb: 256,
    timeoutSeconds: 30,
    tables: { main: 'readWrite', audit: 'readWrite' },
  },
  launchPlan: {
    entry: 'functions/handlers/workflow/launch-plan.ts',
    description: 'launch-campaign: targets, sample, batch files',
    memoryMb: 2048,
    timeoutSeconds: 300,
    tables: { main: 'readWrite' },
    buckets: { evidence: { write: ['campaigns/'] }, work: { write: ['work/launch/'] } },
  },
  launchBatch: {
    entry: 'functions/handlers/workflow/launch-batch.ts',
    description: 'launch-campaign: create the missing inspections of one batch',
    memoryMb: 1024,
    timeoutSeconds: 300,
    tables: { main: 'readWrite' },
    buckets: { work: { read: ['work/launch/'], write: ['work/launch/'] } },
  },
  launchFinalize: {
    entry: 'functions/handlers/workflow/launch-finalize.ts',
    description: 'launch-campaign: exact counts per county and inspector, then activate the campaign',
    memoryMb: 1024,
    timeoutSeconds: 300,
    tables: { main: 'readWrite', audit: 'readWrite' },
    buckets: { work: { read: ['work/launch/'] } },
  },
  launchFailed: {
    entry: 'functions/handlers/workflow/launch-failed.ts',
    description: 'launch-campaign: record why a launch failed',
    memoryMb: 256,
    timeoutSeconds: 30,
    tables: { main: 'readWrite', audit: 'readWrite' },
  },
  closeStatistics: {
    entry: 'functions/handlers/workflow/close-statistics.ts',
    description: 'close-campaign: final statistics per region',
    memoryMb: 1024,
    timeoutSeconds: 300,
    tables: { main: 'readWrite' },
    buckets: { evidence: { write: ['campaigns/'] } },
  },
  closeSeal: {
    entry: 'functions/handlers/workflow/close-seal.ts',
    description: 'close-campaign: legal holds, evidence manifest and its SHA-256, audit chain head, closed',
    memoryMb: 2048,
    timeoutSeconds: 900,
    tables: { main: 'readWrite', audit: 'readWrite' },
    buckets: { evidence: { write: ['campaigns/'] } },
    placesLegalHolds: true,
  },
  closeFailed: {
    entry: 'functions/handlers/workflow/close-failed.ts',
    description: 'close-campaign: record why sealing failed; the campaign stays active',
    memoryMb: 256,
    timeoutSeconds: 30,
    tables: { main: 'readWrite', audit: 'readWrite' },
  },
  exportBundle: {
    entry: 'functions/handlers/workflow/export-bundle.ts',
    description: 'export-evidence: the ZIP of files, manifest.json and audit events',
    memoryMb: 2048,
    timeoutSeconds: 900,
    tables: { main: 'readWrite', audit: 'read' },
    buckets: { evidence: evidenceRead, work: { write: ['exports/'] } },
  },
  exportFailed: {
    entry: 'functions/handlers/workflow/export-failed.ts',
    description: 'export-evidence: record why an export failed',
    memoryMb: 256,
    timeoutSeconds: 30,
    tables: { main: 'readWrite' },
  },
} as const satisfies Record<string, FunctionDeclaration>;
export type FunctionName = keyof typeof functions;

// Compile-time check: every substitution names a declared function.
type SubstitutedFunction = {
  [M in StateMachineName]: (typeof stateMachines)[M]['substitutions'][keyof (typeof stateMachines)[M]['substitutions']];
}[StateMachineName];
const _substitutionsNameFunctions: Record<SubstitutedFunction, FunctionDeclaration> = functions;
void _substitutionsNameFunctions;

/** The sweeper runs on this schedule in AWS and on this interval locally (unless told otherwise). */
export const schedules = {
  sweeper: { function: 'sweeper', everyMinutes: 5 },
} as const satisfies Record<string, { function: FunctionName; everyMinutes: number }>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/schools/{id}`. */
  readonly path: string;
  /** `jwt` routes need a valid bearer token, which the API function verifies; `public` ones do not. */
  readonly auth: 'jwt' | 'public';
}

/** Every HTTP route. All are served by the `api` function. */
export const routes = [
  { method: 'GET', path: '/health', auth: 'public' },
  { method: 'GET', path: '/openapi.json', auth: 'public' },
  { method: 'GET', path: '/me', auth: 'jwt' },
  { method: 'GET', path: '/regions/{code}', auth: 'jwt' },
  { method: 'GET', path: '/schools', auth: 'jwt' },
  { method: 'GET', path: '/schools/{id}', auth: 'jwt' },
  { method: 'GET', path: '/inspectors', auth: 'jwt' },
  { method: 'GET', path: '/inspectors/{id}', auth: 'jwt' },
  { method: 'GET', path: '/zones/{id}', auth: 'jwt' },
  { method: 'GET', path: '/groups', auth: 'jwt' },
  { method: 'GET', path: '/groups/{id}', auth: 'jwt' },
  { method: 'GET', path: '/principals', auth: 'jwt' },
  { method: 'POST', path: '/imports', auth: 'jwt' },
  { method: 'GET', path: '/imports/{id}', auth: 'jwt' },
  { method: 'GET', path: '/templates', auth: 'jwt' },
  { method: 'POST', path: '/templates', auth: 'jwt' },
  { method: 'GET', path: '/templates/{id}', auth: 'jwt' },
  { method: 'POST', path: '/campaigns', auth: 'jwt' },
  { method: 'GET', path: '/campaigns', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}', auth: 'jwt' },
  { method: 'PATCH', path: '/campaigns/{id}', auth: 'jwt' },
  { method: 'POST', path: '/campaigns/{id}/launch', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/launch', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/progress', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/preview', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/sample', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/sealed', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/re-evaluation', auth: 'jwt' },
  { method: 'GET', path: '/kindergartens/due', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/report', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/actions', auth: 'jwt' },
  { method: 'POST', path: '/campaigns/{id}/actions', auth: 'jwt' },
  { method: 'GET', path: '/inspections', auth: 'jwt' },
  { method: 'GET', path: '/inspections/{id}', auth: 'jwt' },
  { method: 'PUT', path: '/inspections/{id}/self-assessment', auth: 'jwt' },
  { method: 'PUT', path: '/inspections/{id}/findings', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/report', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/feedback/acknowledge', auth: 'jwt' },
  { method: 'PUT', path: '/inspections/{id}/rectifications/{rid}', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/rectifications/{rid}/review', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/actions', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/self-assessment/return', auth: 'jwt' },
  { method: 'GET', path: '/inspections/{id}/submissions', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/rectifications/{rid}/return', auth: 'jwt' },
  { method: 'PUT', path: '/inspections/{id}/team', auth: 'jwt' },
  { method: 'POST', path: '/campaigns/{id}/teams', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/inspections', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/ranking', auth: 'jwt' },
  { method: 'POST', path: '/campaigns/{id}/ranking/publish', auth: 'jwt' },
  { method: 'GET', path: '/inspectors/{id}/workload', auth: 'jwt' },
  { method: 'POST', path: '/campaigns/{id}/panels', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/panels', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/team/replacements', auth: 'jwt' },
  { method: 'GET', path: '/schools/{id}/history', auth: 'jwt' },
  { method: 'GET', path: '/schools/{id}/rectifications', auth: 'jwt' },
  { method: 'POST', path: '/inspections/{id}/evidence', auth: 'jwt' },
  { method: 'GET', path: '/inspections/{id}/evidence', auth: 'jwt' },
  { method: 'GET', path: '/evidence/{id}', auth: 'jwt' },
  { method: 'GET', path: '/inspections/{id}/self-assessment/prefill', auth: 'jwt' },
  { method: 'GET', path: '/campaigns/{id}/burden', auth: 'jwt' },
  { method: 'GET', path: '/schools/{id}/burden', auth: 'jwt' },
  { method: 'GET', path: '/audit/evidence', auth: 'jwt' },
  { method: 'GET', path: '/audit/events', auth: 'jwt' },
  { method: 'GET', path: '/audit/campaigns/{id}/verify', auth: 'jwt' },
  { method: 'POST', path: '/campaigns/{id}/close', auth: 'jwt' },
  { method: 'POST', path: '/audit/exports', auth: 'jwt' },
  { method: 'GET', path: '/audit/exports/{id}', auth: 'jwt' },
] as const satisfies readonly RouteDeclaration[];

type DeclaredRoute = (typeof routes)[number];
/** `GET /schools/{id}`: the key API Gateway puts in `event.routeKey`. */
export type RouteKey = DeclaredRoute extends infer R
  ? R extends { method: infer M extends string; path: infer P extends string }
    ? `${M} ${P}`
    : never
  : never;
export const routeKey = (r: RouteDeclaration): string => `${r.method} ${r.path}`;

/** Largest request body the API accepts (API Gateway's own limit is 10 MB). */
export const maxRequestBodyBytes = 1024 * 1024;

/**
 * Bearer tokens: Cognito access tokens in AWS, the dev issuer's locally, both
 * verified by the API function itself (so that every refusal is problem+json).
 * Role and scope travel in claims of dudao's own: `scope` is OAuth's list of
 * scopes, which Cognito fills and API Gateway reads.
 */
export const auth = {
  roleClaim: 'dudao:role',
  scopeClaim: 'dudao:scope',
  nameClaim: 'dudao:name',
  /** Environment of a function that verifies tokens. */
  issuerEnvVar: 'JWT_ISSUER',
  jwksUrlEnvVar: 'JWT_JWKS_URL',
  clientIdsEnvVar: 'JWT_CLIENT_IDS',
  /** The local dev issuer's `iss` and app client, fixed so tokens survive restarts. */
  localIssuer: 'https://dev-issuer.dudao.local',
  localClientId: 'dudao-local',
} as const;

/**
 * CORS of the HTTP API: only the portal's origin (given at deploy, or by the
 * local portal server) may call it from a browser. API Gateway answers the
 * preflight itself; the local server does the same from this declaration.
 */
export const apiCors = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['authorization', 'content-type', 'accept-language'],
  exposeHeaders: ['x-request-id', 'content-disposition'],
  maxAgeSeconds: 600,
} as const;
