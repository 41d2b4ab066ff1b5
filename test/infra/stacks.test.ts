import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app';
import {
  auth,
  type BucketName,
  buckets,
  cursorKeyEnvVar,
  type FunctionDeclaration,
  type FunctionName,
  functions,
  routes,
  schedules,
  stateMachines,
  tables,
} from '#infra/resources';

/**
 * What an operator checks in the synthesized templates. Bundling is skipped
 * (`aws:cdk:bundling-stacks: []`): these tests look at resources, not code.
 */
const noBundling = (context: Record<string, unknown> = {}) => ({
  context: { 'aws:cdk:bundling-stacks': [], ...context },
  outdir: mkdtempSync(join(tmpdir(), 'dudao-cdk-')),
});
const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const declared = Object.entries(functions) as [FunctionName, FunctionDeclaration][];

let stateful: Template;
let stateless: Template;
beforeAll(() => {
  const built = buildApp(noBundling());
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
});

describe('stateful stack', () => {
  it('has every declared table with its keys, indexes, PITR, deletion protection and TTL', () => {
    stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', Object.keys(tables).length);
    for (const table of Object.values(tables)) {
      stateful.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
            ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' }] : []),
          ],
          GlobalSecondaryIndexes: table.indexes.map((index) =>
            Match.objectLike({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
              ],
            }),
          ),
          Replicas: [
            Match.objectLike({
              DeletionProtectionEnabled: true,
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            }),
          ],
          ...('ttlAttribute' in table
            ? { TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }
            : {}),
        }),
      });
    }
  });

  it('keeps evidence versioned under Object Lock (GOVERNANCE, 6 years), private, encrypted, logged, TLS only', () => {
    stateful.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: buckets.evidence.retention.days } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: Match.anyValue(),
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      }),
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('keeps scratch files and exports in a work bucket without retention, where each prefix expires', () => {
    const [, work] = Object.entries(stateful.findResources('AWS::S3::Bucket')).find(([id]) =>
      id.startsWith('WorkBucket'),
    )!;
    expect(work.Properties.ObjectLockEnabled).toBeUndefined();
    const rules = work.Properties.LifecycleConfiguration.Rules as {
      Prefix?: string;
      ExpirationInDays?: number;
    }[];
    for (const [prefix, days] of Object.entries(buckets.work.expiry)) {
      expect(rules).toContainEqual(expect.objectContaining({ Prefix: prefix, ExpirationInDays: days }));
    }
    // Nothing the evidence bucket keeps is ever under an expiring prefix.
    for (const prefix of Object.keys(buckets.work.expiry)) {
      for (const kept of ['evidence/', 'campaigns/']) expect(kept.startsWith(prefix)).toBe(false);
    }
  });

  it('allows browsers from the portal’s origin and the configured ones only', () => {
    const corsOf = (template: Template) =>
      Object.values(template.findResources('AWS::S3::Bucket'))
        .filter((b) => b.Properties.CorsConfiguration)
        .map((b) => b.Properties.CorsConfiguration.CorsRules[0].AllowedOrigins);
    // The portal's CloudFront origin, imported from the portal stack.
    const portalOrigin = {
      'Fn::Join': [
        '',
        ['https://', { 'Fn::ImportValue': expect.stringMatching(/^DudaoPortal:.*DomainName/) }],
      ],
    };
    expect(corsOf(stateful)).toEqual([[portalOrigin], [portalOrigin]]);
    const configured = Template.fromStack(
      buildApp(noBundling({ corsOrigins: 'https://portal.dudao.example.cn' }), { nag: false }).stateful,
    );
    expect(corsOf(configured)).toEqual([
      ['https://portal.dudao.example.cn', portalOrigin],
      ['https://portal.dudao.example.cn', portalOrigin],
    ]);
  });
});

describe('stateless stack', () => {
  const lambdaOf = (name: FunctionName) =>
    Object.entries(stateless.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith(`${pascal(name)}Function`),
    )!;
  const statementsOf = (name: FunctionName) => {
    const roleId = lambdaOf(name)[1].Properties.Role['Fn::GetAtt'][0] as string;
    return Object.values(stateless.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
  };

  it('has one Node.js 22 function per declared function, sized as declared', () => {
    const lambdas = stateless.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs22.x' },
    });
    expect(Object.keys(lambdas)).toHaveLength(declared.length);
    for (const [name, declaration] of declared) {
      expect(lambdaOf(name)[1].Properties, name).toMatchObject({
        Description: declaration.description,
        MemorySize: declaration.memoryMb,
        Timeout: declaration.timeoutSeconds,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('tells each function exactly the tables, buckets and workflows it is declared to use, and no others', () => {
    const kinds: string[] = [
      ...Object.values(tables).map((t) => t.envVar),
      ...Object.values(buckets).map((b) => b.envVar),
      ...Object.values(stateMachines).map((m) => m.envVar),
    ];
    for (const [name, declaration] of declared) {
      const env = Object.keys(lambdaOf(name)[1].Properties.Environment?.Variables ?? {});
      const expected = [
        ...Object.keys(declaration.tables).map((t) => tables[t as keyof typeof tables].envVar),
        ...Object.keys(declaration.buckets ?? {}).map((b) => buckets[b as BucketName].envVar),
        ...(declaration.startsStateMachines ?? []).map((m) => stateMachines[m].envVar),
      ];
      expect(env.filter((v) => kinds.includes(v)).sort(), name).toEqual(expected.sort());
      const verifies = [auth.issuerEnvVar, auth.jwksUrlEnvVar, auth.clientIdsEnvVar].every((v) =>
        env.includes(v),
      );
      expect(verifies, name).toBe(declaration.verifiesTokens === true);
      expect(env.includes(cursorKeyEnvVar), name).toBe(declaration.signsCursors === true);
    }
  });

  it('grants S3 object access by declared prefix only, never a whole bucket', () => {
    for (const [name, declaration] of declared) {
      const s3 = statementsOf(name).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
      const objectResources = s3
        .filter((s) => ![s.Action].flat().includes('s3:ListBucket'))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r));
      for (const resource of objectResources) expect(resource, name).not.toMatch(/BucketArn"\]},"\/\*"/);
      const prefixes = [
        ...Object.values(declaration.buckets ?? {}).flatMap((g) => [...(g.read ?? []), ...(g.write ?? [])]),
        // Legal holds go on evidence files.
        ...(declaration.placesLegalHolds ? buckets.evidence.notificationPrefixes : []),
      ];
      for (const resource of objectResources) {
        expect(
          prefixes.some((p) => resource.includes(`/${p}*`)),
          `${name}: ${resource}`,
        ).toBe(true);
      }
    }
  });

  it('has one state machine per declaration, invoking its step functions, with an alarm on failed and timed-out executions', () => {
    stateless.resourceCountIs('AWS::StepFunctions::StateMachine', Object.keys(stateMachines).length);
    for (const machine of Object.values(stateMachines)) {
      stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        DefinitionSubstitutions: Object.fromEntries(
          Object.keys(machine.substitutions).map((k) => [k, Match.anyValue()]),
        ),
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
      });
    }
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const alarms = stateless.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/States', MetricName: metric },
      });
      expect(Object.keys(alarms), metric).toHaveLength(Object.keys(stateMachines).length);
    }
  });

  it('gives every asynchronously invoked function an on-failure queue with an alarm on its depth', () => {
    const asyncFunctions = declared.filter(([, d]) => d.async);
    expect(asyncFunctions.map(([n]) => n).sort()).toEqual(['objectCreated', 'sweeper']);
    for (const [name, declaration] of asyncFunctions) {
      const [fnId] = lambdaOf(name);
      const [queueId] = Object.entries(stateless.findResources('AWS::SQS::Queue')).find(([id]) =>
        id.startsWith(`${pascal(name)}Failures`),
      )!;
      stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        MaximumRetryAttempts: declaration.async!.retries,
        MaximumEventAgeInSeconds: declaration.async!.maxEventAgeSeconds,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      });
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 1,
        AlarmActions: [Match.anyValue()],
      });
    }
  });

  it('runs the sweeper on its schedule, one at a time: concurrency 1 and a timeout shorter than the interval', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${schedules.sweeper.everyMinutes} minutes)`,
    });
    expect(lambdaOf('sweeper')[1].Properties).toMatchObject({ ReservedConcurrentExecutions: 1 });
    expect(functions.sweeper.timeoutSeconds).toBeLessThan(schedules.sweeper.everyMinutes * 60);
  });

  it('routes every declared route to the API function, which verifies tokens itself (no JWT authorizer)', () => {
    const declaredRoutes = stateless.findResources('AWS::ApiGatewayV2::Route');
    const byKey = new Map(
      Object.values(declaredRoutes).map((r) => [r.Properties.RouteKey as string, r.Properties]),
    );
    for (const route of routes) {
      const found = byKey.get(`${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      expect(found!.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    expect(byKey.has('$default')).toBe(true);
    expect(byKey.size).toBe(routes.length + 1);
    stateless.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.anyValue() });
  });

  it('sends each bucket’s declared upload prefixes to the objectCreated function', () => {
    const configured = Object.values(stateless.findResources('Custom::S3BucketNotifications')).flatMap(
      (n) => n.Properties.NotificationConfiguration.LambdaFunctionConfigurations as { Filter: unknown }[],
    );
    const prefixes = configured.map(
      (c) => (c.Filter as { Key: { FilterRules: { Value: string }[] } }).Key.FilterRules[0]!.Value,
    );
    expect(prefixes.sort()).toEqual(
      Object.values(buckets)
        .flatMap((b) => [...b.notificationPrefixes])
        .sort(),
    );
  });

  it('puts role and scope into Cognito access tokens', () => {
    stateless.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: Match.anyValue() } },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'role' }), Match.objectLike({ Name: 'scope' })]),
    });
  });
});

describe('portal stacks', () => {
  let portal: Template;
  let content: Template;
  let outdir: string;
  beforeAll(() => {
    const props = noBundling();
    outdir = props.outdir;
    const built = buildApp(props);
    portal = Template.fromStack(built.portal);
    content = Template.fromStack(built.portalContent);
  });

  it('serves the portal from a private bucket through CloudFront with origin access control, HTTPS only', () => {
    portal.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    portal.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    portal.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        // The app's routes are answered by index.html.
        CustomErrorResponses: Match.arrayWith([
          Match.objectLike({ ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html' }),
        ]),
        CacheBehaviors: Match.arrayWith([Match.objectLike({ PathPattern: '/config.json' })]),
        Logging: Match.anyValue(),
      }),
    });
    const buckets = Object.values(portal.findResources('AWS::S3::Bucket'));
    for (const b of buckets)
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    // Only CloudFront reads the bucket, for this distribution.
    portal.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      }),
    });
  });

  it('writes config.json at deploy with the API URL and the Cognito sign-in (domain, client, redirect)', () => {
    const deployments = Object.values(content.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const props = deployments[0]!.Properties;
    // The built files, and config.json with the values other stacks export, filled in at deploy.
    expect(props.SourceObjectKeys).toHaveLength(2);
    const configAsset = join(outdir, `asset.${String(props.SourceObjectKeys[1]).replace(/\.zip$/, '')}`);
    const config = JSON.parse(readFileSync(join(configAsset, 'config.json'), 'utf8'));
    const markers = props.SourceMarkers[1] as Record<string, unknown>;
    const imported = (marker: string) => JSON.stringify(markers[marker]);
    expect(imported(config.apiUrl)).toMatch(/DudaoStateless:.*HttpApi.*ApiEndpoint/);
    expect(config.auth.mode).toBe('cognito');
    expect(imported(config.auth.clientId)).toMatch(/DudaoStateless:.*PortalClient/);
    expect(config.auth.domain).toMatch(
      /^<<marker:0xbaba:\d+>>\.auth\.<<marker:0xbaba:\d+>>\.amazoncognito\.com$/,
    );
    expect(config.auth.redirectUri).toMatch(/^https:\/\/<<marker:0xbaba:\d+>>\/callback$/);
    expect(props.DestinationBucketName).toEqual({
      'Fn::ImportValue': expect.stringMatching(/^DudaoPortal:.*PortalBucket/),
    });
    expect(props.DistributionPaths).toEqual(['/*']);
  });

  it('signs people in with the authorization-code flow and PKCE only (a public client, no implicit flow)', () => {
    stateless.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
      CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
    });
    const clients = Object.values(stateless.findResources('AWS::Cognito::UserPoolClient'));
    for (const c of clients) expect(c.Properties.AllowedOAuthFlows).not.toContain('implicit');
    stateless.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('lets browsers call the API from the portal’s origin only', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [
          { 'Fn::Join': ['', ['https://', { 'Fn::ImportValue': Match.stringLikeRegexp('^DudaoPortal:') }]] },
        ],
        AllowHeaders: ['authorization', 'content-type', 'accept-language'],
      }),
    });
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('finds nothing unacknowledged in the app, and every acknowledgement answers a finding', () => {
    // cdk-nag consults a construct's acknowledgements only for a finding: record which ones it used.
    const pack = NagPack.prototype as unknown as {
      isAcknowledged(resource: IConstruct, ruleId: string): boolean;
    };
    const original = pack.isAcknowledged;
    const used = new Set<string>();
    pack.isAcknowledged = function (resource, ruleId) {
      for (let node: IConstruct | undefined = resource; node; node = node.node.scope) {
        const acknowledged = node.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.keys(m.data as object).map((k) => k.replace(/^annotation::/i, '')));
        if (acknowledged.includes(ruleId)) used.add(`${node.node.path} ${ruleId}`);
      }
      return original.call(this, resource, ruleId);
    };
    try {
      const { app } = buildApp(noBundling());
      expect(() => app.synth()).not.toThrow();
      const acknowledgements = app.node
        .findAll()
        .flatMap((node) =>
          node.node.metadata
            .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .flatMap((m) =>
              Object.keys(m.data as object).map(
                (k) => `${node.node.path} ${k.replace(/^annotation::/i, '')}`,
              ),
            ),
        );
      // Only cdk-nag's (CDK's own CloudFormation validation acknowledges some of its warnings itself).
      const ours = acknowledgements.filter((a) => a.split(' ')[1]!.startsWith('AwsSolutions-'));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.filter((a) => !used.has(a))).toEqual([]);
    } finally {
      pack.isAcknowledged = original;
    }
  });

  it('would fail the synth on a finding (the check is live)', () => {
    const { app } = buildApp(noBundling());
    new Bucket(new Stack(app, 'Careless'), 'UnloggedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|AwsSolutions-S10|Validation failed/);
  });
});
