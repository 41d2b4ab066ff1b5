import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

/**
 * The dudao CDK app: stateful and stateless stacks, checked by cdk-nag's AWS
 * Solutions rules on every synth (`nag: false` skips them, for callers that
 * only read the templates). Stacks are environment-agnostic, so
 * `cdk synth` needs no credentials; `cdk deploy` takes the account and region
 * of the caller's AWS profile.
 *
 * Context: `corsOrigins` (comma-separated) are the origins allowed to use
 * presigned upload and download URLs from a browser (the portal's).
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
  const stateful = new StatefulStack(app, 'DudaoStateful', {
    description: 'dudao: tables, evidence and work buckets',
    corsOrigins: contextList(app, 'corsOrigins'),
  });
  const stateless = new StatelessStack(app, 'DudaoStateless', {
    description: 'dudao: API, functions, workflows',
    stateful: stateful.exported,
  });
  if (opts.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
