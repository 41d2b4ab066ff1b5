import { type FunctionName, functions } from '#infra/resources';
import { localAccount, localRegion } from './functions.ts';

/**
 * Reading the synthesized CloudFormation templates as the local cloud: the
 * resources a function's template refers to (tables, buckets, state
 * machines, the user pool…) resolved to what stands in for them locally.
 */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}
export interface Templates {
  stateful: Template;
  stateless: Template;
}
/** An intrinsic (or a plain string) → its local value; throws on one it cannot resolve. */
export type Resolve = (value: unknown) => string;

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** The Lambda function a declaration became (its logical id starts with the declaration's name). */
export const declaredFunction = (templates: Templates, name: FunctionName) => {
  const found = Object.entries(templates.stateless.Resources).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(`${pascal(name)}Function`),
  );
  if (!found) throw new Error(`the synthesized app has no function ${name}`);
  return found;
};

/** Declared functions whose logical id starts with the declaration key, and which keys are left over. */
export const undeclaredFunctions = (templates: Templates): string[] =>
  Object.entries(templates.stateless.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id]) => id)
    .filter(
      (id) =>
        !(Object.keys(functions) as FunctionName[]).some((name) => id.startsWith(`${pascal(name)}Function`)),
    );

/**
 * A resolver for the templates' intrinsics: `Ref`, `Fn::GetAtt`,
 * `Fn::ImportValue` (through the stateful stack's exports), `Fn::Join` and
 * the pseudo parameters. `attribute(logicalId, attr)` says what a resource (or
 * one of its attributes) is locally; an unresolvable value is returned as
 * `unresolved:…` (`strict: false`, e.g. IAM resources no local call can hit)
 * or throws (`strict: true`).
 */
export const cfnResolver = (
  templates: Templates,
  attribute: (logicalId: string, attr: string | undefined) => string | undefined,
  opts: { strict: boolean },
): Resolve => {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': localRegion,
    'AWS::AccountId': localAccount,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const exports = new Map<string, unknown>();
  for (const output of Object.values(templates.stateful.Outputs ?? {}))
    if (output.Export) exports.set(output.Export.Name, output.Value);
  const unresolved = (what: unknown) => {
    if (opts.strict) throw new Error(`cannot resolve ${JSON.stringify(what)} locally`);
    return `unresolved:${JSON.stringify(what)}`;
  };
  const resolve: Resolve = (value) => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if ('Ref' in v) return pseudo[v.Ref as string] ?? attribute(v.Ref as string, undefined) ?? unresolved(v);
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      return attribute(id, attr) ?? unresolved(v);
    }
    if ('Fn::ImportValue' in v) {
      const exported = exports.get(resolve(v['Fn::ImportValue']));
      return exported === undefined ? unresolved(v) : resolve(exported);
    }
    if ('Fn::Join' in v) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    return unresolved(v);
  };
  return resolve;
};
