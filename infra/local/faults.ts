import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FunctionName } from '#infra/resources';
import { TransientError } from '#lib/workflow-errors';
import type { FaultCheck } from './functions.ts';

/**
 * Failure drills for tests, injected by the local runtime (never by the
 * functions themselves). A drill is an item in the `main` table:
 *
 *   { pk: 'FAULT#<function>', sk: <drill id>, remaining: n, when: 'before' | 'after',
 *     where?: { <field>: <value>, … }, contains?: <text> }
 *
 * The next `n` invocations of that function whose event has those top-level
 * fields (`where`) and contains that text as JSON (`contains`) fail with a
 * TransientError: `before` the handler runs, or `after` it has done its work
 * (as a timeout or a lost response would). Each failure uses one; the drills
 * cost one query per invocation while they are switched on.
 */
export interface FaultDrill {
  readonly where?: Readonly<Record<string, unknown>>;
  readonly contains?: string;
}

export const faultItem = (fn: FunctionName, drill: FaultDrill, times: number, when: 'before' | 'after') => ({
  pk: `FAULT#${fn}`,
  sk: JSON.stringify(drill),
  ...drill,
  remaining: times,
  when,
});

const applies = (drill: FaultDrill, event: unknown) => {
  const fields = (event ?? {}) as Record<string, unknown>;
  return (
    Object.entries(drill.where ?? {}).every(([k, v]) => fields[k] === v) &&
    (drill.contains === undefined || JSON.stringify(event).includes(drill.contains))
  );
};

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
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: drill.pk, sk: drill.sk },
            UpdateExpression: 'ADD remaining :minus',
            ConditionExpression: 'remaining > :zero',
            ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
      throw new TransientError(`failure drill: ${fn} ${when} its work (${String(drill.sk)})`);
    }
  };
};
