import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
import { type BucketName, buckets, type KeyDeclaration, type TableName, tables } from '../resources.ts';

const attribute = (key: KeyDeclaration) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * What must outlive every deployment: the tables and the buckets (evidence
 * under Object Lock; work files that expire). Everything here is retained
 * when the stack is deleted.
 */
export class StatefulStack extends Stack {
  readonly tables: Record<TableName, ITableV2>;
  readonly buckets: Record<BucketName, IBucket>;
  /**
   * Names and ARNs exported under stable names (`<stack>:<Thing>`), so that
   * the stateless stack's policies render predictably (cdk-nag findings about
   * them can be acknowledged precisely) and neither stack pins the other's
   * logical ids.
   */
  readonly exported: StatefulExports;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const corsOrigins = props.corsOrigins ?? [];

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

    const secure = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;
    // Browsers (the portal) upload straight to presigned URLs and download from them.
    const cors = corsOrigins.length
      ? [
          {
            allowedMethods: [HttpMethods.GET, HttpMethods.PUT, HttpMethods.HEAD],
            allowedOrigins: [...corsOrigins],
            allowedHeaders: ['content-type', 'content-length', 'x-amz-checksum-sha256'],
            exposedHeaders: ['ETag'],
            maxAge: 3000,
          },
        ]
      : undefined;

    const evidence = buckets.evidence;
    this.buckets = {
      evidence: new Bucket(this, 'EvidenceBucket', {
        ...secure,
        serverAccessLogsPrefix: 'evidence/',
        versioned: true,
        objectLockEnabled: true,
        // See `buckets` in infra/resources.ts for why GOVERNANCE.
        objectLockDefaultRetention:
          evidence.retention.mode === 'GOVERNANCE'
            ? ObjectLockRetention.governance(Duration.days(evidence.retention.days))
            : ObjectLockRetention.compliance(Duration.days(evidence.retention.days)),
        ...(cors ? { cors } : {}),
      }),
      work: new Bucket(this, 'WorkBucket', {
        ...secure,
        serverAccessLogsPrefix: 'work/',
        lifecycleRules: [
          { abortIncompleteMultipartUploadAfter: Duration.days(2) },
          ...Object.entries(buckets.work.expiry).map(([prefix, days]) => ({
            prefix,
            expiration: Duration.days(days),
          })),
        ],
        ...(cors ? { cors } : {}),
      }),
    };

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
      buckets: Object.fromEntries(
        (Object.keys(buckets) as BucketName[]).map((name) => [
          name,
          {
            name: exportAs(this.buckets[name].bucketName, `${name}BucketName`),
            arn: exportAs(this.buckets[name].bucketArn, `${name}BucketArn`),
            exportName: `${this.stackName}:${name}BucketArn`,
          },
        ]),
      ) as StatefulExports['buckets'],
    };
  }
}

export interface ExportedBucket {
  readonly name: string;
  readonly arn: string;
  /** The export's name, as cdk-nag renders a policy resource built from it. */
  readonly exportName: string;
}
export interface StatefulExports {
  readonly tables: Record<TableName, { name: string; arn: string }>;
  readonly buckets: Record<BucketName, ExportedBucket>;
}

export interface StatefulStackProps extends StackProps {
  /**
   * Origins allowed to upload to and download from presigned URLs in a
   * browser (the portal's). Default: none (no CORS rule).
   */
  readonly corsOrigins?: readonly string[];
}
