import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AccountRecovery,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { DudaoFunction } from '../constructs/dudao-function.ts';
import {
  apiCors,
  type BucketGrant,
  type BucketName,
  buckets,
  cursorKeyEnvVar,
  type FunctionDeclaration,
  type FunctionName,
  functions,
  objectLockEnvVar,
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
  /**
   * The portal's origin (`https://<distribution>.cloudfront.net`): the only
   * origin the API's CORS allows, and where Cognito sends people back after
   * signing in. Without it: no CORS, no hosted sign-in.
   */
  readonly portalOrigin?: string;
  /** Prefix of the Cognito hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`); default `dudao-<account>`. */
  readonly cognitoDomainPrefix?: string;
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
  readonly userPoolClient: UserPoolClient;
  /** The hosted sign-in domain, when the stack has a portal. */
  readonly signInDomain?: UserPoolDomain;
  readonly alarmTopic: Topic;
  /** On-failure destinations of the asynchronously invoked functions. */
  readonly failureQueues: Partial<Record<FunctionName, Queue>> = {};

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'dudao alarms',
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
    });
    const alarmOn = (alarm: Alarm) => alarm.addAlarmAction(new SnsAction(this.alarmTopic));

    this.functions = Object.fromEntries(
      (Object.entries(functions) as [FunctionName, FunctionDeclaration][]).map(([name, declaration]) => {
        const fn = new DudaoFunction(this, `${pascal(name)}`, declaration);
        for (const [table, access] of Object.entries(declaration.tables) as [
          TableName,
          'read' | 'readWrite',
        ][]) {
          fn.bindTable(props.stateful.tables[table], tables[table], access);
        }
        for (const [bucket, grant] of Object.entries(declaration.buckets ?? {}) as [
          BucketName,
          BucketGrant,
        ][]) {
          fn.bindBucket(props.stateful.buckets[bucket], grant, buckets[bucket].envVar);
        }
        if (declaration.placesLegalHolds) {
          fn.allowLegalHolds(
            props.stateful.buckets.evidence,
            buckets.evidence.notificationPrefixes[0],
            objectLockEnvVar,
          );
        }
        if (declaration.async) {
          // What S3 or EventBridge could not deliver after Lambda's retries lands here, and raises an alarm.
          const failures = new Queue(this, `${pascal(name)}Failures`, {
            encryption: QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            retentionPeriod: Duration.days(14),
          });
          Validations.of(failures).acknowledge({
            id: 'AwsSolutions-SQS3',
            reason: 'This queue is itself the on-failure destination of an asynchronously invoked function.',
          });
          fn.fn.configureAsyncInvoke({
            retryAttempts: declaration.async.retries,
            maxEventAge: Duration.seconds(declaration.async.maxEventAgeSeconds),
            onFailure: new SqsDestination(failures),
          });
          alarmOn(
            failures
              .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) })
              .createAlarm(this, `${pascal(name)}FailuresAlarm`, {
                alarmDescription: `Events ${name} failed to handle after its retries are waiting in its failure queue.`,
                threshold: 1,
                evaluationPeriods: 1,
                comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treatMissingData: TreatMissingData.NOT_BREACHING,
              }),
          );
          this.failureQueues[name] = failures;
        }
        return [name, fn];
      }),
    ) as Record<FunctionName, DudaoFunction>;
    alarmOn(
      this.functions.api.fn
        .metricErrors({ period: Duration.minutes(5) })
        .createAlarm(this, 'ApiErrorsAlarm', {
          alarmDescription: 'The API function failed (a 5xx) at least 5 times in 5 minutes.',
          threshold: 5,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

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
        for (const [metric, what] of [
          [machine.metricFailed({ period: Duration.minutes(5) }), 'failed'],
          [machine.metricTimedOut({ period: Duration.minutes(5) }), 'timed out'],
        ] as const) {
          alarmOn(
            metric.createAlarm(this, `${pascal(name)}${what === 'failed' ? 'Failed' : 'TimedOut'}Alarm`, {
              alarmDescription: `An execution of ${declared.file} ${what}.`,
              threshold: 1,
              evaluationPeriods: 1,
              comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              treatMissingData: TreatMissingData.NOT_BREACHING,
            }),
          );
        }
        return [name, machine];
      }),
    ) as Record<StateMachineName, StateMachine>;

    for (const [name, declaration] of Object.entries(functions) as [FunctionName, FunctionDeclaration][]) {
      for (const machine of declaration.startsStateMachines ?? []) {
        this.functions[name].bindStateMachine(this.stateMachines[machine], stateMachines[machine].envVar);
      }
    }

    this.userPool = this.buildUserPool();
    // The portal signs in with the authorization-code flow and PKCE (a public client: no secret, no implicit flow).
    const portalOrigin = props.portalOrigin;
    const client = this.userPool.addClient('PortalClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: portalOrigin
        ? {
            flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
            scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
            callbackUrls: [`${portalOrigin}/callback`],
            logoutUrls: [`${portalOrigin}/`],
          }
        : { flows: { authorizationCodeGrant: false, implicitCodeGrant: false, clientCredentials: false } },
    });
    this.userPoolClient = client;
    if (portalOrigin) {
      this.signInDomain = this.userPool.addDomain('SignIn', {
        cognitoDomain: { domainPrefix: props.cognitoDomainPrefix ?? `dudao-${this.account}` },
      });
    }
    this.api = this.buildApi(portalOrigin);
    // Seals pagination cursors. Replacing it (a redeploy of this stack from scratch) only ends open cursors.
    const cursorKey = new Secret(this, 'CursorKey', {
      description: 'dudao: HMAC key of pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(cursorKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only makes pagination cursors tamper-evident; rotating it would end open cursors and protects nothing else.',
    });
    for (const [name, declaration] of Object.entries(functions) as [FunctionName, FunctionDeclaration][]) {
      if (declaration.verifiesTokens) {
        this.functions[name].trustTokensFrom(this.userPool.userPoolProviderUrl, [client.userPoolClientId]);
      }
      // Resolved by CloudFormation at deploy time (a dynamic reference): the function reads no secret at run time.
      if (declaration.signsCursors) {
        this.functions[name].fn.addEnvironment(cursorKeyEnvVar, cursorKey.secretValue.unsafeUnwrap());
      }
    }

    // The buckets live in the stateful stack; importing them here keeps the
    // notifications (and their custom resource) in this stack, with no cycle.
    for (const name of Object.keys(buckets) as BucketName[]) {
      const uploads = Bucket.fromBucketAttributes(this, `${pascal(name)}BucketRef`, {
        bucketArn: props.stateful.buckets[name].arn,
        bucketName: props.stateful.buckets[name].name,
      });
      for (const prefix of buckets[name].notificationPrefixes) {
        uploads.addEventNotification(
          EventType.OBJECT_CREATED,
          new LambdaDestination(this.functions.objectCreated.fn),
          { prefix },
        );
      }
    }

    for (const [name, schedule] of Object.entries(schedules)) {
      new Rule(this, `${pascal(name)}Schedule`, {
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        // A missed tick is not made up: the next one comes within minutes.
        targets: [
          new LambdaFunction(this.functions[schedule.function].fn, {
            retryAttempts: 2,
            maxEventAge: Duration.minutes(schedule.everyMinutes),
          }),
        ],
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    if (this.signInDomain) new CfnOutput(this, 'SignInUrl', { value: this.signInDomain.baseUrl() });
    for (const [name, bucket] of Object.entries(props.stateful.buckets)) {
      new CfnOutput(this, `${pascal(name)}BucketName`, { value: bucket.name });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
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

  /**
   * The HTTP API: every declared route (and `$default`) goes to the API
   * function, which verifies bearer tokens itself, so that a missing or bad
   * token is answered with problem+json like every other refusal, and the
   * same code verifies tokens locally and in AWS. No JWT authorizer.
   */
  private buildApi(portalOrigin: string | undefined): HttpApi {
    const integration = new HttpLambdaIntegration('ApiIntegration', this.functions.api.fn);
    const api = new HttpApi(this, 'HttpApi', {
      description: 'dudao: education supervision campaigns',
      createDefaultStage: false,
      defaultIntegration: integration,
      // Browsers may call it from the portal's origin only (API Gateway answers the preflight itself).
      ...(portalOrigin
        ? {
            corsPreflight: {
              allowOrigins: [portalOrigin],
              allowMethods: apiCors.allowMethods.map((m) => CorsHttpMethod[m]),
              allowHeaders: [...apiCors.allowHeaders],
              exposeHeaders: [...apiCors.exposeHeaders],
              maxAge: Duration.seconds(apiCors.maxAgeSeconds),
            },
          }
        : {}),
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
    for (const route of routes) {
      api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    for (const child of api.node.children) {
      if (child.node.id === 'DefaultRoute' || routes.some((r) => child.node.id === routeId(r))) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The API function verifies the bearer token of every jwt route itself (Cognito keys, issuer, client, expiry), so every refusal is problem+json; /health, /openapi.json and $default are public by design.',
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
  }
}
