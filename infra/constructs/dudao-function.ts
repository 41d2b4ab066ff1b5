import { resolve } from 'node:path';
import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Access, FunctionDeclaration, TableDeclaration } from '../resources.ts';

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
 * ESM, with its own role and log group. Access is granted through the bind
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

  bindBucket(
    bucket: { name: string; arn: string; exportName: string },
    access: Access,
    envVar: string,
  ): this {
    const objectActions = access === 'readWrite' ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'];
    this.role.addToPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.arn] }));
    this.role.addToPolicy(new PolicyStatement({ actions: objectActions, resources: [`${bucket.arn}/*`] }));
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucket.exportName}/*]`,
      reason: 'Object keys are generated per upload; the function reads and writes objects it names itself.',
    });
    this.fn.addEnvironment(envVar, bucket.name);
    return this;
  }

  /** Legal holds on evidence objects (问责); the bucket has Object Lock, so the handler may use it. */
  allowLegalHolds(bucket: { arn: string }, envVar: string): this {
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['s3:PutObjectLegalHold'], resources: [`${bucket.arn}/*`] }),
    );
    this.fn.addEnvironment(envVar, 'on');
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
