import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

/**
 * The dudao CDK app: stateful and stateless stacks, checked by cdk-nag's AWS
 * Solutions rules on every synth. Stacks are environment-agnostic, so
 * `cdk synth` needs no credentials; `cdk deploy` takes the account and region
 * of the caller's AWS profile.
 */
export const buildApp = (props: AppProps = {}) => {
  const app = new App(props);
  const stateful = new StatefulStack(app, 'DudaoStateful', {
    description: 'dudao: tables and evidence bucket',
  });
  const stateless = new StatelessStack(app, 'DudaoStateless', {
    description: 'dudao: API, functions, workflows',
    stateful: stateful.exported,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
