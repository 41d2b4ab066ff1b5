import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/aws-clients';
import { TransientError } from './workflow-errors.ts';

/**
 * Fault injection for failure drills and tests: with DUDAO_FAULT_INJECTION=1,
 * a step fails with a TransientError while an item `FAULT#<point>` in the main
 * table has `remaining` > 0 (each failure uses one). Unset in AWS: a no-op
 * with no I/O.
 */
const enabled = process.env.DUDAO_FAULT_INJECTION === '1';

export const maybeFail = async (table: string, point: string): Promise<void> => {
  if (!enabled) return;
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `FAULT#${point}`, sk: 'FAULT' },
        UpdateExpression: 'ADD remaining :minus',
        ConditionExpression: 'remaining > :zero',
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return;
    throw error;
  }
  throw new TransientError(`injected fault at ${point}`);
};
