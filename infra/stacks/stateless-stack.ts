import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  StringAttribute,
  UserPool,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { DudaoFunction } from '../constructs/dudao-function.ts';
import {
  bucket,
  type FunctionDeclaration,
  type FunctionName,
  functions,
  routes,
  type StateMachineName,
  schedules,
  stateMachines,
  type TableName,
  tables,
} from '../resources.ts';
import type { StatefulExports } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  /** What the stateful stack exports (see StatefulStack.exported). */
  readonly stateful: StatefulExports;
}

const repoRoot = resolve(import.meta.dirname, '../..');
/** Construct id CDK gives an HTTP API route: `GET--schools--{id}`. */
const routeId = (r: { method: string; path: string }) => `${r.method}${r.path.replace(/\//g, '--')}`;
const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/**
 * Everything that can be redeployed at will: functions, workflows, the HTTP
 * API, the user pool, the S3 notification and the schedules. All of it is
 * generated from infra/resources.ts.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<FunctionName, DudaoFunction>;
  readonly stateMachines: Record<StateMachineName, StateMachine>;
  readonly api: HttpApi;
  readonly userPool: UserPool;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    this.functions = Object.fromEntries(
      (Object.entries(functions) as [FunctionName, FunctionDeclaration][]).map(([name, declaration]) => {
        const fn = new DudaoFunction(this, `${pascal(name)}`, declaration);
        for (const [table, access] of Object.entries(declaration.tables) as [
          TableName,
          'read' | 'readWrite',
        ][]) {
          fn.bindTable(props.stateful.tables[table], tables[table], access);
        }
        if (declaration.bucket) fn.bindBucket(props.stateful.bucket, declaration.bucket, bucket.envVar);
        if (declaration.placesLegalHolds) fn.allowLegalHolds(props.stateful.bucket, bucket.objectLockEnvVar);
        return [name, fn];
      }),
    ) as Record<FunctionName, DudaoFunction>;

    this.stateMachines = Object.fromEntries(
      (Object.keys(stateMachines) as StateMachineName[]).map((name) => {
        const declared = stateMachines[name];
        const steps = Object.entries(declared.substitutions).map(
          ([placeholder, fn]) => [placeholder, this.functions[fn as FunctionName].fn] as const,
        );
        const machine = new StateMachine(this, `${pascal(name)}StateMachine`, {
          // Inline, not an S3 asset: the template shows exactly the file the local cloud runs.
          definitionBody: DefinitionBody.fromString(readFileSync(resolve(repoRoot, declared.file), 'utf8')),
          definitionSubstitutions: Object.fromEntries(
            steps.map(([placeholder, fn]) => [placeholder, fn.functionArn]),
          ),
          tracingEnabled: true,
          logs: {
            destination: new LogGroup(this, `${pascal(name)}Logs`, {
              retention: RetentionDays.ONE_YEAR,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
            level: LogLevel.ALL,
            includeExecutionData: true,
          },
        });
        // Exactly these functions (grantInvoke would add `<arn>:*` for every version).
        machine.addToRolePolicy(
          new PolicyStatement({
            actions: ['lambda:InvokeFunction'],
            resources: steps.map(([, fn]) => fn.functionArn),
          }),
        );
        Validations.of(machine.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'Step Functions log delivery and X-Ray actions support no resource-level permissions.',
        });
        return [name, machine];
      }),
    ) as Record<StateMachineName, StateMachine>;

    for (const [name, declaration] of Object.entries(functions) as [FunctionName, FunctionDeclaration][]) {
      for (const machine of declaration.startsStateMachines ?? []) {
        this.functions[name].bindStateMachine(this.stateMachines[machine], stateMachines[machine].envVar);
      }
    }

    this.userPool = this.buildUserPool();
    const client = this.userPool.addClient('PortalClient', {
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
    });
    this.api = this.buildApi(client.userPoolClientId);

    // The bucket lives in the stateful stack; importing it here keeps the
    // notification (and its custom resource) in this stack, with no cycle.
    const uploads = Bucket.fromBucketAttributes(this, 'EvidenceBucketRef', {
      bucketArn: props.stateful.bucket.arn,
      bucketName: props.stateful.bucket.name,
    });
    for (const prefix of bucket.notificationPrefixes) {
      uploads.addEventNotification(
        EventType.OBJECT_CREATED,
        new LambdaDestination(this.functions.objectCreated.fn),
        {
          prefix,
        },
      );
    }

    for (const [name, schedule] of Object.entries(schedules)) {
      new Rule(this, `${pascal(name)}Schedule`, {
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        targets: [new LambdaFunction(this.functions[schedule.function].fn)],
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    new CfnOutput(this, 'EvidenceBucketName', { value: props.stateful.bucket.name });
    for (const [name, table] of Object.entries(props.stateful.tables)) {
      new CfnOutput(this, `${pascal(name)}TableName`, { value: table.name });
    }
    for (const [name, machine] of Object.entries(this.stateMachines)) {
      new CfnOutput(this, `${pascal(name)}StateMachineArn`, { value: machine.stateMachineArn });
    }
    this.acknowledgeNotificationHandler();
  }

  private buildUserPool(): UserPool {
    const pool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      customAttributes: {
        role: new StringAttribute({ mutable: true, minLen: 4, maxLen: 32 }),
        scope: new StringAttribute({ mutable: true, minLen: 2, maxLen: 32 }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.functions.preTokenGeneration.fn,
      LambdaVersion.V2_0,
    );
    return pool;
  }

  private buildApi(audience: string): HttpApi {
    const api = new HttpApi(this, 'HttpApi', {
      description: 'dudao: education supervision campaigns',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('DefaultIntegration', this.functions.api.fn),
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'ApiAccessLogs', {
            retention: RetentionDays.ONE_YEAR,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
      },
    });
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', this.userPool.userPoolProviderUrl, {
      jwtAudience: [audience],
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.functions.api.fn);
    for (const route of routes) {
      api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.auth === 'jwt' ? { authorizer } : {}),
      });
    }
    for (const child of api.node.children) {
      const isPublic =
        child.node.id === 'DefaultRoute' ||
        routes.some((r) => r.auth === 'public' && child.node.id === routeId(r));
      if (isPublic) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Public by design: /health and /openapi.json for monitoring and portals, and $default so unknown routes get the API’s own 404 problem+json.',
        });
      }
    }
    return api;
  }

  /** CDK's singleton that configures S3 notifications. */
  private acknowledgeNotificationHandler() {
    const handler = this.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (!handler) return;
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK-provided custom resource that sets the bucket notification at deploy time; its role is fixed by CDK.',
    });
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CDK-provided custom resource: s3:PutBucketNotification is granted by CDK on the bucket it configures.',
    });
  }
}
