import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, type ITableV2, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type IBucket,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { bucket, type KeyDeclaration, type TableName, tables } from '../resources.ts';

const attribute = (key: KeyDeclaration) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * What must outlive every deployment: the tables and the evidence bucket.
 * Everything here is retained when the stack is deleted.
 */
export class StatefulStack extends Stack {
  readonly tables: Record<TableName, ITableV2>;
  readonly evidenceBucket: IBucket;
  /**
   * Names and ARNs exported under stable names (`<stack>:<Thing>`), so that
   * the stateless stack's policies render predictably (cdk-nag findings about
   * them can be acknowledged precisely) and neither stack pins the other's
   * logical ids.
   */
  readonly exported: StatefulExports;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // TableV2 (AWS::DynamoDB::GlobalTable) can gain replicas later without a replacement.
    this.tables = Object.fromEntries(
      (Object.keys(tables) as TableName[]).map((name) => {
        const declared = tables[name];
        const table = new TableV2(this, `${name[0]!.toUpperCase()}${name.slice(1)}Table`, {
          partitionKey: attribute(declared.partitionKey),
          ...(declared.sortKey ? { sortKey: attribute(declared.sortKey) } : {}),
          billing: Billing.onDemand(),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: true,
          encryption: TableEncryptionV2.awsManagedKey(),
          removalPolicy: RemovalPolicy.RETAIN,
          ...('ttlAttribute' in declared ? { timeToLiveAttribute: declared.ttlAttribute } : {}),
          globalSecondaryIndexes: declared.indexes.map((index) => ({
            indexName: index.name,
            partitionKey: attribute(index.partitionKey),
            ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
          })),
        });
        return [name, table];
      }),
    ) as unknown as Record<TableName, ITableV2>;

    const accessLogs = new Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365 * 7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the evidence bucket; logging it into itself would loop.',
    });

    const evidenceBucket = new Bucket(this, 'EvidenceBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      // GOVERNANCE, not COMPLIANCE: legal holds and audits need the lock, while
      // an authorised operator can still correct a wrongly locked object.
      objectLockDefaultRetention: ObjectLockRetention.governance(
        Duration.days(bucket.objectLockRetentionDays),
      ),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      cors: [
        {
          allowedMethods: [HttpMethods.GET, HttpMethods.PUT, HttpMethods.HEAD],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.evidenceBucket = evidenceBucket;

    const exportAs = (value: string, name: string) =>
      this.exportValue(value, { name: `${this.stackName}:${name}` });
    this.exported = {
      tables: Object.fromEntries(
        (Object.keys(tables) as TableName[]).map((name) => [
          name,
          {
            name: exportAs(this.tables[name].tableName, `${name}TableName`),
            arn: exportAs(this.tables[name].tableArn, `${name}TableArn`),
          },
        ]),
      ) as StatefulExports['tables'],
      bucket: {
        name: exportAs(evidenceBucket.bucketName, 'EvidenceBucketName'),
        arn: exportAs(evidenceBucket.bucketArn, 'EvidenceBucketArn'),
        exportName: `${this.stackName}:EvidenceBucketArn`,
      },
    };
  }
}

export interface StatefulExports {
  readonly tables: Record<TableName, { name: string; arn: string }>;
  readonly bucket: { name: string; arn: string; exportName: string };
}
