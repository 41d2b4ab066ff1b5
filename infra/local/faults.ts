import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type FunctionName, functions } from '#infra/resources';
import { TransientError } from '#lib/workflow-errors';
import type { FaultCheck } from './functions.ts';

/**
 * Failure drills for tests, injected by the local runtime (never by the
 * functions themselves). A drill is an item in the `main` table:
 *
 *   { pk: 'FAULT#<function>', sk: <drill id>, remaining: n, when: 'before' | 'after',
 *     effect?: 'fail' | 'hang', where?: { <field>: <value>, … }, contains?: <text> }
 *
 * The next `n` invocations of that function whose event has those top-level
 * fields (`where`) and contains that text as JSON (`contains`) are hit:
 * `before` the handler runs, or `after` it has done its work. Each hit uses
 * one of `remaining` (a conditional update, so concurrent invocations never
 * take more than `n`); the drills cost one query per invocation while they
 * are switched on.
 *
 * - `fail` (the default): the invocation fails with a TransientError, as a
 *   crash before the work, or a timeout or a lost response after it, would.
 * - `hang`: the invocation first records on the drill item that it is hanging
 *   (`hungAt`, `hungPid`: which process), then never returns, until the
 *   function's timeout ends it as Lambda would (`Sandbox.Timedout`). A test
 *   polls for `hungAt` to know the step is stuck exactly there, and kills the
 *   process (`kill -9`) to prove the step survives dying at that point.
 */
export interface FaultDrill {
  readonly where?: Readonly<Record<string, unknown>>;
  readonly contains?: string;
}
export type FaultTiming = 'before' | 'after';
export type FaultEffect = 'fail' | 'hang';

export const faultItem = (
  fn: FunctionName,
  drill: FaultDrill,
  times: number,
  when: FaultTiming,
  effect: FaultEffect = 'fail',
) => ({
  pk: `FAULT#${fn}`,
  // A failing drill keeps the id it always had: a test switches one off by writing it again with 0.
  sk: effect === 'fail' ? JSON.stringify(drill) : `hang ${when} ${JSON.stringify(drill)}`,
  ...drill,
  remaining: times,
  when,
  effect,
});

const applies = (drill: FaultDrill, event: unknown) => {
  const fields = (event ?? {}) as Record<string, unknown>;
  return (
    Object.entries(drill.where ?? {}).every(([k, v]) => fields[k] === v) &&
    (drill.contains === undefined || JSON.stringify(event).includes(drill.contains))
  );
};

/** What Lambda reports when a function runs past its timeout. */
class TimedOutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

export const faultDrills = (table: string): FaultCheck => {
  // Not built through the functions' client factory: the drills are the local runtime's, not a function's.
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return async (fn, event, when) => {
    const drills = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `FAULT#${fn}` },
      }),
    );
    for (const drill of drills.Items ?? []) {
      if ((drill.when ?? 'before') !== when || !applies(drill as FaultDrill, event)) continue;
      const hang = drill.effect === 'hang';
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: drill.pk, sk: drill.sk },
            UpdateExpression: hang
              ? 'ADD remaining :minus SET hungAt = :now, hungPid = :pid'
              : 'ADD remaining :minus',
            ConditionExpression: 'remaining > :zero',
            ExpressionAttributeValues: {
              ':minus': -1,
              ':zero': 0,
              ...(hang ? { ':now': new Date().toISOString(), ':pid': process.pid } : {}),
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
      if (!hang) throw new TransientError(`failure drill: ${fn} ${when} its work (${String(drill.sk)})`);
      const seconds = functions[fn].timeoutSeconds;
      // Only the timeout ends the wait (a killed process ends it sooner); the timer keeps no process alive.
      await new Promise<never>((_, reject) => {
        setTimeout(() => reject(new TimedOutError(seconds)), seconds * 1000).unref();
      });
    }
  };
};
