import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '#infra/app';
import {
  type BucketName,
  buckets,
  type StateMachineName,
  stateMachines,
  type TableName,
  tables,
} from '#infra/resources';
import { cfnResolver, type Templates } from './cfn.ts';
import { localAccount, localRegion } from './functions.ts';
import { type FunctionGrants, grantsFromTemplates } from './grants.ts';

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

export interface LocalNames {
  tableName: (table: TableName) => string;
  bucketName: (bucket: BucketName) => string;
  stateMachine: (machine: StateMachineName) => { arn: string; name: string };
}

/** What each declared table, bucket and state machine of the templates is called in the local cloud. */
export const localAttribute =
  (local: LocalNames) =>
  (logicalId: string, attr: string | undefined): string | undefined => {
    const byPrefix = <K extends string>(keys: readonly K[], suffix: string) =>
      keys.find((k) => new RegExp(`^${pascal(k)}${suffix}[0-9A-F]{8}$`).test(logicalId));
    const table = byPrefix(Object.keys(tables) as TableName[], 'Table');
    if (table) {
      const name = local.tableName(table);
      return attr === 'Arn' ? `arn:aws:dynamodb:${localRegion}:${localAccount}:table/${name}` : name;
    }
    const bucket = byPrefix(Object.keys(buckets) as BucketName[], 'Bucket');
    if (bucket) return attr === 'Arn' ? `arn:aws:s3:::${local.bucketName(bucket)}` : local.bucketName(bucket);
    const machine = byPrefix(Object.keys(stateMachines) as StateMachineName[], 'StateMachine');
    if (machine) return attr === 'Name' ? local.stateMachine(machine).name : local.stateMachine(machine).arn;
    return undefined;
  };

/** The app's templates, synthesized without cdk-nag (and, unless `bundle`, without bundling). */
export const synthesizeTemplates = (opts: { outdir: string; bundle?: boolean }): Templates => {
  // Only the stacks whose templates are read here are bundled (the portal's files are not needed).
  const context = { 'aws:cdk:bundling-stacks': opts.bundle ? ['DudaoStateful', 'DudaoStateless'] : [] };
  const { app } = buildApp({ context, outdir: opts.outdir }, { nag: false });
  const assembly = app.synth();
  return {
    stateful: assembly.getStackByName('DudaoStateful').template,
    stateless: assembly.getStackByName('DudaoStateless').template,
  };
};

/**
 * Each function's IAM statements as the CDK app synthesizes them (bundling and
 * cdk-nag skipped: only the templates matter), resolved to the local cloud's
 * resources.
 */
export const synthesizedGrants = (local: LocalNames): FunctionGrants => {
  const outdir = mkdtempSync(join(tmpdir(), 'dudao-grants-'));
  try {
    const templates = synthesizeTemplates({ outdir });
    return grantsFromTemplates(templates, cfnResolver(templates, localAttribute(local), { strict: false }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};
