import {
  auth,
  type BucketDeclaration,
  type BucketName,
  buckets,
  cursorKeyEnvVar,
  type FunctionName,
  functions,
  objectLockEnvVar,
  type StateMachineName,
  stateMachines,
  type TableName,
  tables,
} from '#infra/resources';
import { requireEnv } from '#lib/env';

type Declared<N extends FunctionName> = (typeof functions)[N];
type TablesOf<N extends FunctionName> = keyof Declared<N>['tables'] & TableName;
type BucketsOf<N extends FunctionName> =
  Declared<N> extends { buckets: infer B } ? keyof B & BucketName : never;
type MachinesOf<N extends FunctionName> =
  Declared<N> extends { startsStateMachines: readonly (infer M)[] } ? M & StateMachineName : never;

/**
 * A function's own environment, as its declaration in infra/resources.ts
 * promises it (CDK sets exactly these variables, with the grants that go
 * with them). A composition root can only ask for what its function is
 * declared to use (a type error otherwise), and every value it asks for must
 * be set (an error naming the variable at cold start otherwise).
 */
export const environmentOf = <N extends FunctionName>(name: N) => ({
  table: (table: TablesOf<N>): string => requireEnv(tables[table].envVar),
  bucket: (bucket: BucketsOf<N>): string =>
    requireEnv((buckets as Record<BucketName, BucketDeclaration>)[bucket].envVar),
  stateMachine: (machine: MachinesOf<N>): string => requireEnv(stateMachines[machine].envVar),
  /** Whether the evidence bucket has Object Lock (set only for functions that place legal holds). */
  objectLock: (): boolean =>
    (functions[name] as { placesLegalHolds?: boolean }).placesLegalHolds === true &&
    requireEnv(objectLockEnvVar) === 'on',
  /** The key that seals pagination cursors (functions that sign cursors). */
  cursorKey: (): Buffer => {
    const key = Buffer.from(requireEnv(cursorKeyEnvVar), 'base64');
    if (key.length < 32) throw new Error(`${cursorKeyEnvVar} must hold at least 32 bytes (base64)`);
    return key;
  },
  /** Where bearer tokens come from (functions that verify tokens). */
  tokens: () => ({
    issuer: requireEnv(auth.issuerEnvVar),
    jwksUrl: requireEnv(auth.jwksUrlEnvVar),
    clientIds: requireEnv(auth.clientIdsEnvVar).split(','),
  }),
});
