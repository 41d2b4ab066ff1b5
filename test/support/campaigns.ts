import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/aws-clients';
import { tables } from '#infra/resources';
import { call } from './api.ts';
import { waitFor } from './wait.ts';

/** Helpers for tests that create and launch campaigns through the API. */
const sfn = new SFNClient({});

export interface CampaignView {
  id: string;
  status: string;
  version: number;
  samplingSeed: string;
  launch?: { executionArn?: string; targets?: number; created?: number };
}

export const createCampaign = async (token: string, body: Record<string, unknown>) => {
  const r = await call<CampaignView>('POST', '/campaigns', { token, body });
  if (r.status !== 201) throw new Error(`POST /campaigns answered ${r.status}: ${r.text}`);
  return r.body;
};

/** Launches and waits for the execution to end; returns its description. */
export const launchAndWait = async (token: string, campaignId: string) => {
  const r = await call<{ executionArn: string }>('POST', `/campaigns/${campaignId}/launch`, { token });
  if (r.status !== 202) throw new Error(`launch answered ${r.status}: ${r.text}`);
  return waitForExecution(r.body.executionArn);
};

export const waitForExecution = (executionArn: string) =>
  waitFor(
    async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    },
    { timeoutMs: 120_000, intervalMs: 200, what: `execution ${executionArn} to end` },
  );

/** Names of the states an execution entered, in order. */
export const statesEntered = async (executionArn: string) =>
  ((await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? []).map(
    (e) => e.stateEnteredEventDetails?.name,
  );

/** Makes the next `times` runs of a workflow step fail with a TransientError (functions/lib/faults.ts). */
export const injectFault = (point: string, times: number) =>
  documentClient.send(
    new PutCommand({
      TableName: process.env[tables.main.envVar],
      Item: { pk: `FAULT#${point}`, sk: 'FAULT', remaining: times },
    }),
  );
