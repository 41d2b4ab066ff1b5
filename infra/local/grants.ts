import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AnnouncedClient } from '#adapters/aws-clients';
import { type FunctionName, functions } from '#infra/resources';
import { declaredFunction, type Resolve, type Templates } from './cfn.ts';
import { currentFunction, localAccount, localRegion } from './functions.ts';

/**
 * IAM for the local cloud. Every function here shares one process and no IAM
 * applies, so a call a function is not granted would work locally and fail in
 * AWS. This closes that gap: every AWS call a function makes while one of its
 * invocations runs is checked against the statements its role has in the
 * synthesized CloudFormation template, resolved to the local resources, and
 * refused as AWS would refuse it (AccessDenied), before it is sent.
 *
 * The functions' clients are announced on the `dudao:aws-sdk-client`
 * diagnostics channel when they are built (functions/adapters/aws-clients.ts);
 * this module adds one middleware to each. Presigned URLs run the same
 * middleware, so presigning a PUT needs s3:PutObject, as in AWS. Calls made
 * outside any invocation (the local cloud itself, tests) are not checked.
 */
export interface Statement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}
export type FunctionGrants = Readonly<Record<FunctionName, readonly Statement[]>>;

/** The part of an SDK client's middleware stack used here (an initialize-step middleware). */
interface InitializeStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override: boolean },
  ): void;
}

/** An AWS call as IAM sees it. */
export interface Call {
  readonly fn: FunctionName;
  readonly action: string;
  readonly resource: string;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
const matches = (patterns: readonly string[], value: string) =>
  patterns.some((p) => glob(p.toLowerCase()).test(value.toLowerCase()));

export const isAllowed = (statements: readonly Statement[], action: string, resource: string): boolean =>
  statements.some((s) => matches(s.actions, action) && matches(s.resources, resource));

const tableArn = (name: string) => `arn:aws:dynamodb:${localRegion}:${localAccount}:table/${name}`;
type Input = Record<string, unknown>;

/** What IAM checks for one DynamoDB command: an action on a table or index, per item of a transaction. */
const dynamoCalls = (command: string, input: Input): { action: string; resource: string }[] => {
  const on = (action: string, table: unknown, index?: unknown) => ({
    action: `dynamodb:${action}`,
    resource: `${tableArn(String(table))}${index ? `/index/${String(index)}` : ''}`,
  });
  switch (command) {
    case 'TransactWriteItems':
      return (input.TransactItems as Input[]).flatMap((item) => {
        const [kind, request] = Object.entries(item)[0] as [string, Input];
        const action = {
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
        }[kind];
        return [on(action ?? kind, request.TableName)];
      });
    case 'TransactGetItems':
      return (input.TransactItems as { Get: Input }[]).map((item) => on('GetItem', item.Get.TableName));
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(input.RequestItems as Input).map((table) => on(command, table));
    case 'Query':
    case 'Scan':
      return [on(command, input.TableName, input.IndexName)];
    default:
      return [on(command, input.TableName)];
  }
};

const s3Actions: Record<string, string> = {
  HeadObject: 's3:GetObject',
  GetObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  DeleteObject: 's3:DeleteObject',
  PutObjectLegalHold: 's3:PutObjectLegalHold',
  GetObjectLegalHold: 's3:GetObjectLegalHold',
  HeadBucket: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
};
const s3Calls = (command: string, input: Input) => {
  const action = s3Actions[command] ?? `s3:${command}`;
  const onBucket = action === 's3:ListBucket';
  return [
    {
      action,
      resource: onBucket
        ? `arn:aws:s3:::${String(input.Bucket)}`
        : `arn:aws:s3:::${String(input.Bucket)}/${String(input.Key)}`,
    },
  ];
};

const sfnCalls = (command: string, input: Input) => [
  {
    action: `states:${command}`,
    resource: String(input.executionArn ?? input.stateMachineArn ?? '*'),
  },
];

/** The IAM action(s) and resource(s) of one SDK command. */
export const callsOf = (service: AnnouncedClient['service'], commandName: string, input: Input) => {
  const command = commandName.replace(/Command$/, '');
  if (service === 'dynamodb') return dynamoCalls(command, input);
  if (service === 's3') return s3Calls(command, input);
  return sfnCalls(command, input);
};

/** The error AWS answers a call no policy allows, shaped so the SDK callers see what they would in AWS. */
const accessDenied = (service: AnnouncedClient['service'], call: Call) => {
  const error = new Error(
    `User: arn:aws:sts::${localAccount}:assumed-role/dudao-${call.fn}/dudao-${call.fn} is not authorized to perform: ` +
      `${call.action} on resource: ${call.resource} because no identity-based policy allows the ${call.action} action`,
  ) as Error & { $metadata: { httpStatusCode: number }; $fault: 'client' };
  error.name = service === 's3' ? 'AccessDenied' : 'AccessDeniedException';
  error.$metadata = { httpStatusCode: service === 's3' ? 403 : 400 };
  error.$fault = 'client';
  return error;
};

/**
 * Checks every call of every announced client against `grants` from now on.
 * `seen` receives each distinct call (allowed or not); returns an unsubscribe.
 */
export const enforceGrants = (grants: FunctionGrants, seen?: (call: Call, allowed: boolean) => void) => {
  const listener = (message: unknown) => {
    const { service, client } = message as AnnouncedClient;
    (client.middlewareStack as unknown as InitializeStack).add(
      (next, context) => async (args) => {
        const fn = currentFunction.getStore();
        if (fn) {
          for (const c of callsOf(service, String(context.commandName), (args as { input: Input }).input)) {
            const call = { fn, ...c };
            const allowed = isAllowed(grants[fn] ?? [], call.action, call.resource);
            seen?.(call, allowed);
            if (!allowed) throw accessDenied(service, call);
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'dudaoLocalGrants', override: true },
    );
  };
  subscribe('dudao:aws-sdk-client', listener);
  return () => unsubscribe('dudao:aws-sdk-client', listener);
};

// ---- from the synthesized templates ---------------------------------------------

/**
 * Each function's IAM statements from the synthesized stateless template,
 * with every intrinsic resolved to the local resource it stands for.
 */
export const grantsFromTemplates = (templates: Templates, resolve: Resolve): FunctionGrants => {
  const list = (value: unknown) => (Array.isArray(value) ? value : [value]).map(resolve);
  const resources = Object.entries(templates.stateless.Resources);
  return Object.fromEntries(
    (Object.keys(functions) as FunctionName[]).map((name): [FunctionName, Statement[]] => {
      const [, fn] = declaredFunction(templates, name);
      const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      const statements = resources
        .filter(
          ([, r]) =>
            r.Type === 'AWS::IAM::Policy' &&
            (r.Properties?.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
        )
        .flatMap(
          ([, r]) => (r.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
        )
        .filter((s) => s.Effect === 'Allow')
        .map((s) => ({ actions: list(s.Action), resources: list(s.Resource) }));
      return [name, statements];
    }),
  ) as unknown as FunctionGrants;
};
