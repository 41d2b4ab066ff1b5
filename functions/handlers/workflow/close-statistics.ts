import { campaignService } from '../campaign-wiring.ts';
import {
  type CloseInput,
  campaigns,
  currentClose,
  mainTable,
  objects,
  officeOf,
  sealedKey,
} from './close-context.ts';
import { stepHandler } from './step-handler.ts';

/** Reports only: this step starts no workflow. */
const reports = campaignService(mainTable, {});

/**
 * Step 1 of close-campaign: the final statistics of every region under the
 * campaign (grades, problems, rectification, coverage, per county), frozen
 * into one JSON file next to the manifest.
 */
export const statistics = async (input: CloseInput) => {
  const campaign = await currentClose(input);
  const office = officeOf(campaign);
  const key = sealedKey(campaign.id, 'statistics.json');
  await objects.writeJson(key, {
    campaignId: campaign.id,
    title: campaign.title,
    scope: campaign.scope,
    computedAt: new Date().toISOString(),
    report: await reports.report(office, campaign.id, campaign.scope),
    counties: await campaigns.progress(campaign.id, ''),
  });
  await campaigns.updateClose(campaign.id, input.execution, { statisticsKey: key });
  return { ...input, statisticsKey: key };
};

export const handler = stepHandler(statistics);
