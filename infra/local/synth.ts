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
import { type FunctionGrants, grantsFromTemplates } from './grants.ts';

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/**
 * Each function's IAM statements as the CDK app synthesizes them (bundling and
 * cdk-nag skipped: only the templates matter), resolved to the local cloud's
 * resources: tables `dudao-<table>`, buckets and state machines by name.
 */
export const synthesizedGrants = (local: {
  tableName: (table: TableName) => string;
  bucketName: (bucket: BucketName) => string;
  stateMachine: (machine: StateMachineName) => { arn: string; name: string };
}): FunctionGrants => {
  const outdir = mkdtempSync(join(tmpdir(), 'dudao-grants-'));
  try {
    const { app } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] }, outdir }, { nag: false });
    const assembly = app.synth();
    const byPrefix = <K extends string>(keys: readonly K[], suffix: string, logicalId: string) =>
      keys.find((k) => new RegExp(`^${pascal(k)}${suffix}[0-9A-F]{8}$`).test(logicalId));
    return grantsFromTemplates(
      {
        stateful: assembly.getStackByName('DudaoStateful').template,
        stateless: assembly.getStackByName('DudaoStateless').template,
      },
      {
        table: (id) => {
          const table = byPrefix(Object.keys(tables) as TableName[], 'Table', id);
          return table && local.tableName(table);
        },
        bucket: (id) => {
          const bucket = byPrefix(Object.keys(buckets) as BucketName[], 'Bucket', id);
          return bucket && local.bucketName(bucket);
        },
        stateMachine: (id) => {
          const machine = byPrefix(Object.keys(stateMachines) as StateMachineName[], 'StateMachine', id);
          return machine && local.stateMachine(machine);
        },
      },
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};
