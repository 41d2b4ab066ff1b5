import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PortalContentStack, PortalStack } from './stacks/portal-stack.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

/**
 * The dudao CDK app: stateful and stateless stacks, checked by cdk-nag's AWS
 * Solutions rules on every synth (`nag: false` skips them, for callers that
 * only read the templates). Stacks are environment-agnostic, so
 * `cdk synth` needs no credentials; `cdk deploy` takes the account and region
 * of the caller's AWS profile.
 *
 * Context: `corsOrigins` (comma-separated) are further origins allowed to use
 * presigned upload and download URLs from a browser (the portal's own
 * CloudFront origin always is); `cognitoDomainPrefix` the hosted sign-in
 * domain's prefix (default `dudao-<account>`).
 */
/** A list from CDK context: `-c name=a,b` on the command line, or a JSON array in cdk.json. */
const contextList = (app: App, name: string): string[] => {
  const value: unknown = app.node.tryGetContext(name);
  if (value === undefined || value === '') return [];
  return Array.isArray(value)
    ? value.map(String)
    : String(value)
        .split(',')
        .map((v) => v.trim());
};

export const buildApp = (props: AppProps = {}, opts: { nag?: boolean } = {}) => {
  const app = new App(props);
  // The portal's origin comes first: the buckets' and the API's CORS and Cognito's redirect allow it.
  const portal = new PortalStack(app, 'DudaoPortal', {
    description: 'dudao: portal hosting (S3 + CloudFront, origin access control)',
  });
  const stateful = new StatefulStack(app, 'DudaoStateful', {
    description: 'dudao: tables, evidence and work buckets',
    corsOrigins: [...contextList(app, 'corsOrigins'), portal.origin],
  });
  const cognitoDomainPrefix: unknown = app.node.tryGetContext('cognitoDomainPrefix');
  const stateless = new StatelessStack(app, 'DudaoStateless', {
    description: 'dudao: API, functions, workflows',
    stateful: stateful.exported,
    portalOrigin: portal.origin,
    ...(typeof cognitoDomainPrefix === 'string' ? { cognitoDomainPrefix } : {}),
  });
  const portalContent = new PortalContentStack(app, 'DudaoPortalContent', {
    description: 'dudao: the portal files and config.json',
    portal,
    apiUrl: stateless.api.apiEndpoint,
    cognito: {
      domain: `${stateless.signInDomain!.domainName}.auth.${stateless.region}.amazoncognito.com`,
      clientId: stateless.userPoolClient.userPoolClientId,
    },
  });
  if (opts.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, portal, stateful, stateless, portalContent };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
