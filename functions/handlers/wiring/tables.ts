import type { DynamoDBDocumentClient } from '#adapters/aws-clients';

/** The DynamoDB side of a composition root: its document client and the tables it is granted. */
export interface Tables {
  readonly db: DynamoDBDocumentClient;
  readonly main: string;
}
export interface TablesWithAudit extends Tables {
  readonly audit: string;
}
