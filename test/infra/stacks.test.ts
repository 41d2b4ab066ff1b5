import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app';
import { bucket, functions, routes, schedules, stateMachines, tables } from '#infra/resources';

/**
 * What an operator checks in the synthesized templates. Bundling is skipped
 * (`aws:cdk:bundling-stacks: []`): these tests look at resources, not code.
 */
const noBundling = () => ({
  context: { 'aws:cdk:bundling-stacks': [] },
  outdir: mkdtempSync(join(tmpdir(), 'dudao-cdk-')),
});

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

  it('keeps evidence in a versioned, object-locked, private, encrypted, logged bucket reachable only over TLS', () => {
    stateful.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: Match.anyValue() } },
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
});

describe('stateless stack', () => {
  it('has one Node.js 22 function per declared function, sized as declared, told where its tables are', () => {
    const lambdas = stateless.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs22.x' },
    });
    expect(Object.keys(lambdas)).toHaveLength(Object.keys(functions).length);
    for (const declared of Object.values(functions)) {
      const found = Object.values(lambdas).find((l) => l.Properties.Description === declared.description);
      expect(found, declared.entry).toBeDefined();
      expect(found!.Properties).toMatchObject({
        MemorySize: declared.memoryMb,
        Timeout: declared.timeoutSeconds,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      const env = found!.Properties.Environment.Variables as Record<string, unknown>;
      for (const table of Object.keys(declared.tables))
        expect(env).toHaveProperty(tables[table as keyof typeof tables].envVar);
    }
  });

  it('has one state machine per declaration, invoking its step functions', () => {
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
  });

  it('routes every declared route, with the JWT authorizer exactly on the jwt routes', () => {
    const declared = stateless.findResources('AWS::ApiGatewayV2::Route');
    const byKey = new Map(
      Object.values(declared).map((r) => [r.Properties.RouteKey as string, r.Properties]),
    );
    for (const route of routes) {
      const found = byKey.get(`${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      expect(found!.AuthorizationType ?? 'NONE').toBe(route.auth === 'jwt' ? 'JWT' : 'NONE');
    }
    expect(byKey.has('$default')).toBe(true);
    expect(byKey.size).toBe(routes.length + 1);
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.anyValue() });
  });

  it('sends uploads to the objectCreated function and runs the sweeper on its schedule', () => {
    stateless.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: bucket.notificationPrefixes.map((prefix) =>
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
          }),
        ),
      },
    });
    stateless.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${schedules.sweeper.everyMinutes} minutes)`,
    });
  });

  it('puts role and scope into Cognito access tokens', () => {
    stateless.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: Match.anyValue() } },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'role' }), Match.objectLike({ Name: 'scope' })]),
    });
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('finds nothing unacknowledged in the app', () => {
    const { app } = buildApp(noBundling());
    expect(() => app.synth()).not.toThrow();
  });

  it('would fail the synth on a finding (the check is live)', () => {
    const { app } = buildApp(noBundling());
    new Bucket(new Stack(app, 'Careless'), 'UnloggedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|AwsSolutions-S10|Validation failed/);
  });
});
