import type { Actor } from '../actor.ts';
import type { Campaign } from '../campaign.ts';
import { currentRun } from '../campaign-runs.ts';
import { archiveKeys } from '../storage.ts';
import type { CloseInput, ClosePorts } from './ports.ts';

/** The office that runs the campaign, as whom its final report is computed. */
export const officeOf = (campaign: Campaign): Actor => ({
  subject: 'system:close-campaign',
  role:
    campaign.scope.length === 2
      ? 'province_admin'
      : campaign.scope.length === 4
        ? 'city_admin'
        : 'county_admin',
  scope: campaign.scope,
});

/**
 * Step 1 of close-campaign.
 *
 * Primary course: compute the campaign's report as its office sees it
 * (grades, problems, rectification, ranking) and every county's counters,
 * freeze them into `sealed/statistics.json` in the archive, and record the
 * file on the campaign. Running it again rewrites the same figures.
 */
export const computeFinalStatistics =
  (ports: ClosePorts & { report(office: Actor, campaignId: string, region: string): Promise<unknown> }) =>
  async (input: CloseInput) => {
    const campaign = await currentRun(ports.campaigns, 'close', input);
    const key = archiveKeys.sealed(campaign.id, 'statistics.json');
    await ports.archive.writeJson(key, {
      campaignId: campaign.id,
      title: campaign.title,
      scope: campaign.scope,
      computedAt: ports.now(),
      report: await ports.report(officeOf(campaign), campaign.id, campaign.scope),
      counties: await ports.campaigns.progress(campaign.id, ''),
    });
    await ports.campaigns.updateClose(campaign.id, input.execution, { statisticsKey: key });
    return { ...input, statisticsKey: key };
  };
