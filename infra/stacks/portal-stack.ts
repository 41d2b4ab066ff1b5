import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AssetHashType,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';

const repoRoot = resolve(import.meta.dirname, '../..');
const portalDir = join(repoRoot, 'portal');

/**
 * Where the portal lives in AWS: a private bucket read only by CloudFront
 * (origin access control), HTTPS only, security headers, every unknown path
 * answered with index.html (a single-page app). Deployed first: its origin is
 * what the API's CORS, the buckets' CORS and the Cognito app client allow.
 */
export class PortalStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution>.cloudfront.net` */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const logs = new Bucket(this, 'PortalLogBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, 'PortalBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'bucket/',
      // Built files only: a deployment writes them all again.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    const uncached = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
    };
    this.distribution = new Distribution(this, 'PortalDistribution', {
      comment: 'dudao portal',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      // Written at each deployment, read at each start: never cached.
      additionalBehaviors: { '/config.json': uncached, '/index.html': uncached, '/sw.js': uncached },
      // The app's own routes (/campaigns/…) are files nowhere: index.html answers them.
      errorResponses: [403, 404].map((status) => ({
        httpStatus: status,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Inspectors and offices sign in wherever they are; the API refuses anyone without a Cognito token, so a geographic restriction would protect nothing.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static files only; the API behind its own origin is throttled and verifies every token. A WAF web ACL can be attached per deployment.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; a custom domain comes with its own certificate and TLSv1.2_2021.',
      },
    );
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }
}

export interface PortalContentProps extends StackProps {
  readonly portal: PortalStack;
  readonly apiUrl: string;
  readonly cognito: { domain: string; clientId: string };
}

/**
 * The portal's files and its `config.json` (API URL, Cognito domain, app
 * client, redirect URI), deployed after the API exists. The files are built
 * by the local Vite at synth (never Docker), from the portal's sources.
 */
export class PortalContentStack extends Stack {
  constructor(scope: Construct, id: string, props: PortalContentProps) {
    super(scope, id, props);
    const site = Source.asset(portalDir, {
      assetHashType: AssetHashType.SOURCE,
      exclude: ['dist', 'node_modules'],
      bundling: {
        image: DockerImage.fromRegistry('none'),
        local: {
          tryBundle(outputDir: string) {
            const vite = join(repoRoot, 'node_modules/vite/bin/vite.js');
            const built = spawnSync(
              process.execPath,
              [
                vite,
                'build',
                '--config',
                'portal/vite.config.ts',
                '--logLevel',
                'warn',
                '--outDir',
                outputDir,
              ],
              { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } },
            );
            if (built.status !== 0) throw new Error('vite build of the portal failed');
            if (!existsSync(join(outputDir, 'index.html')) && existsSync(join(portalDir, 'dist/index.html')))
              cpSync(join(portalDir, 'dist'), outputDir, { recursive: true });
            return true;
          },
        },
      },
    });
    const origin = props.portal.origin;
    const deployment = new BucketDeployment(this, 'PortalFiles', {
      destinationBucket: props.portal.bucket,
      sources: [
        site,
        Source.jsonData('config.json', {
          apiUrl: props.apiUrl,
          auth: {
            mode: 'cognito',
            domain: props.cognito.domain,
            clientId: props.cognito.clientId,
            redirectUri: `${origin}/callback`,
          },
        }),
      ],
      distribution: props.portal.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    for (const child of this.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge(
          {
            id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
            reason:
              'CDK-provided custom resource that copies the built portal into its bucket; its role is fixed by CDK.',
          },
          ...[
            'Action::s3:GetObject*',
            'Action::s3:GetBucket*',
            'Action::s3:List*',
            'Action::s3:DeleteObject*',
            'Action::s3:Abort*',
            'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
            `Resource::${props.portal.stackName}:ExportsOutputFnGetAttPortalBucketF34416C0ArnA469082A/*`,
            'Resource::*',
          ].map((finding) => ({
            id: `AwsSolutions-IAM5[${finding}]`,
            reason:
              'CDK-provided deployment: it reads its asset from the CDK asset bucket, replaces every object of the portal bucket and invalidates the distribution (CloudFront invalidations take no resource), which is its whole job, at deploy time only.',
          })),
          {
            id: 'AwsSolutions-L1',
            reason: 'CDK pins the runtime of its deployment function; it runs at deploy time only.',
          },
        );
      }
    }
    void deployment;
  }
}
