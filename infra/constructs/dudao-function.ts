import { resolve } from 'node:path';
import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  type Access,
  auth,
  type BucketGrant,
  type FunctionDeclaration,
  type TableDeclaration,
} from '../resources.ts';
import type { ExportedBucket } from '../stacks/stateful-stack.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

const dynamoRead = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const dynamoWrite = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/**
 * One declared function: Node.js 22 on arm64, bundled by the local esbuild as
 * ESM with its dependencies (the AWS SDK included), with its own role and log group. Access is granted through the bind
 * helpers, which set the environment variable the code reads in the same
 * call, and name exact resources (a table and each of its indexes) rather
 * than wildcards.
 */
export class DudaoFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, declaration: FunctionDeclaration) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: logs only to its own group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: resolve(repoRoot, declaration.entry),
      handler: 'handler',
      description: declaration.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      ...(declaration.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: declaration.reservedConcurrency }
        : {}),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup,
      depsLockFilePath: resolve(repoRoot, 'package-lock.json'),
      projectRoot: repoRoot,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'dudao',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        // CommonJS dependencies call require(); ESM bundles need it defined.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        // Bundle the AWS SDK the tests ran with, rather than the runtime's own copy of another version.
        externalModules: [],
      },
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime dudao is built and tested for; moving to a newer one is a deliberate upgrade.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions.',
    });
  }

  /** Grants the table and every declared index, nothing else. */
  bindTable(table: { name: string; arn: string }, declared: TableDeclaration, access: Access): this {
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: access === 'readWrite' ? [...dynamoRead, ...dynamoWrite] : dynamoRead,
        resources: [table.arn, ...declared.indexes.map((index) => `${table.arn}/index/${index.name}`)],
      }),
    );
    this.fn.addEnvironment(declared.envVar, table.name);
    return this;
  }

  /**
   * Grants object access in one bucket by key prefix, and ListBucket when the
   * function reads (so a missing key is a 404, not a 403). Nothing outside
   * the declared prefixes.
   */
  bindBucket(bucket: ExportedBucket, grant: BucketGrant, envVar: string): this {
    const under = (prefix: string) => `${bucket.arn}/${prefix}*`;
    const acknowledge = (prefix: string) =>
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucket.exportName}/${prefix}*]`,
        reason:
          'Object keys are generated per upload and run under this prefix; the grant names the prefix only.',
      });
    if (grant.read?.length) {
      this.role.addToPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.arn] }));
      this.role.addToPolicy(
        new PolicyStatement({ actions: ['s3:GetObject'], resources: grant.read.map(under) }),
      );
      grant.read.forEach(acknowledge);
    }
    if (grant.write?.length) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: grant.write.map(under),
        }),
      );
      grant.write.filter((p) => !grant.read?.includes(p)).forEach(acknowledge);
    }
    this.fn.addEnvironment(envVar, bucket.name);
    return this;
  }

  /** Legal holds on evidence objects (问责); the bucket has Object Lock, so the handler may use it. */
  allowLegalHolds(bucket: ExportedBucket, prefix: string, envVar: string): this {
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['s3:PutObjectLegalHold'], resources: [`${bucket.arn}/${prefix}*`] }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucket.exportName}/${prefix}*]`,
      reason:
        'Holds go on the evidence files of a case, whose keys are generated per upload under this prefix.',
    });
    this.fn.addEnvironment(envVar, 'on');
    return this;
  }

  /** Where the bearer tokens this function verifies come from: a Cognito user pool and its app clients. */
  trustTokensFrom(issuer: string, clientIds: readonly string[]): this {
    this.fn.addEnvironment(auth.issuerEnvVar, issuer);
    this.fn.addEnvironment(auth.jwksUrlEnvVar, `${issuer}/.well-known/jwks.json`);
    this.fn.addEnvironment(auth.clientIdsEnvVar, clientIds.join(','));
    return this;
  }

  /** Start, describe (health) and follow the executions of a state machine. */
  bindStateMachine(stateMachine: StateMachine, envVar: string): this {
    stateMachine.grantStartExecution(this.fn);
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['states:DescribeStateMachine'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    const stack = Stack.of(this);
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
    );
    const logicalId = stack.resolve(
      stack.getLogicalId(stateMachine.node.defaultChild as CfnElement),
    ) as string;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${logicalId}.Name>:*]`,
      reason:
        'Execution names are generated per launch; the function follows executions of this one state machine.',
    });
    this.fn.addEnvironment(envVar, stateMachine.stateMachineArn);
    return this;
  }
}
