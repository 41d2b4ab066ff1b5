import { DescribeExecutionCommand, paginateGetExecutionHistory } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type FunctionName, tables } from '#infra/resources';
import { importFile } from '#local/demo/seed';
import { type FaultDrill, faultItem } from '#local/faults';
import { apiUrl, call, tokenFor } from './api.ts';
import { testSfn as sfn, testDb } from './aws.ts';
import { waitFor } from './wait.ts';

/** Helpers for tests that create and launch campaigns through the API. */

/**
 * A campaign window from today (China's date) for `days` days, so that the
 * phases' deadlines lie ahead: a test's campaign owes nothing late unless the
 * test says so (with explicit deadlines), and the deadline sweep has nothing
 * of it to mark.
 */
export const upcomingWindow = (days = 90) => {
  const today = new Date(Date.now() + 8 * 3_600_000);
  const end = new Date(today.getTime() + days * 86_400_000);
  return { start: today.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
};

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

/** Names of the states an execution entered (Map iterations included), in history order. */
export const statesEntered = async (executionArn: string): Promise<string[]> => {
  const names: string[] = [];
  const pages = paginateGetExecutionHistory(
    { client: sfn, pageSize: 1000 },
    { executionArn, includeExecutionData: false },
  );
  for await (const page of pages) {
    for (const event of page.events ?? []) {
      if (event.type?.endsWith('StateEntered')) names.push(event.stateEnteredEventDetails?.name ?? '');
    }
  }
  return names;
};

/**
 * A failure drill (infra/local/faults.ts): the next `times` invocations of `fn`
 * whose event matches `drill` fail, before doing anything or after doing their
 * work. Returns a reader of how many failures the drill has left.
 */
export const injectFault = async (
  fn: FunctionName,
  drill: FaultDrill,
  times: number,
  when: 'before' | 'after' = 'before',
) => {
  const item = faultItem(fn, drill, times, when);
  await testDb.send(new PutCommand({ TableName: process.env[tables.main.envVar], Item: item }));
  return async () =>
    (
      await testDb.send(
        new GetCommand({ TableName: process.env[tables.main.envVar], Key: { pk: item.pk, sk: item.sk } }),
      )
    ).Item?.remaining as number;
};

/**
 * A county with a few primary schools in one zone of one responsible
 * inspector, and an active campaign over it (template start-of-term unless given).
 */
export const activeCountyCampaign = async (opts: {
  county: string;
  town: string;
  schoolIds: string[];
  inspectorId: string;
  templateId?: string;
}) => {
  const office = await tokenFor('county_admin', opts.county, { subject: `office-${opts.county}` });
  const api = { apiUrl: apiUrl(), token: office, timeoutMs: 60_000 };
  const header =
    'school_id,name,kind,region_code,town_code,ownership,students,teachers,principal_name,principal_term_start';
  const rows = opts.schoolIds.map(
    (id, i) => `${id},第${i + 1}小学,primary,${opts.county},${opts.town},public,800,50,刘一,2021-09-01`,
  );
  await importFile(api, 'schools', 's.csv', `${header}\r\n${rows.join('\r\n')}\r\n`);
  await importFile(
    api,
    'inspectors',
    'i.csv',
    `inspector_id,name,kind,region_code,phone\r\n${opts.inspectorId},督学,responsible,${opts.county},13900000009\r\n`,
  );
  await importFile(
    api,
    'zones',
    'z.csv',
    `zone_id,region_code,inspector_id,school_id\r\n${opts.schoolIds.map((id) => `Z${opts.county},${opts.county},${opts.inspectorId},${id}`).join('\r\n')}\r\n`,
  );
  const campaign = await createCampaign(office, {
    templateId: opts.templateId ?? 'start-of-term',
    title: `${opts.county} 督导`,
    scope: opts.county,
    window: upcomingWindow(),
  });
  const done = await launchAndWait(office, campaign.id);
  if (done.status !== 'SUCCEEDED') throw new Error(`launch ${done.status}`);
  return { office, campaignId: campaign.id };
};
