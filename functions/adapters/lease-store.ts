import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

/**
 * A named lease in `main` (pk LEASE#<name>, sk LEASE): at most one holder
 * until it is released or its time runs out (a holder that died leaves it to
 * expire). Conditional writes make two acquirers race safely.
 */
export const createLease = (db: DynamoDBDocumentClient, table: string, name: string) => {
  const key = { pk: `LEASE#${name}`, sk: 'LEASE' };
  return {
    async acquire(holder: string, until: Date): Promise<boolean> {
      try {
        await db.send(
          new PutCommand({
            TableName: table,
            Item: { ...key, holder, until: until.toISOString(), acquiredAt: new Date().toISOString() },
            ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': new Date().toISOString() },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async release(holder: string): Promise<void> {
      try {
        await db.send(
          new DeleteCommand({
            TableName: table,
            Key: key,
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': holder },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
};
