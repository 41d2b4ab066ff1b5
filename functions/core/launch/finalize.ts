import { mapLimited } from '#lib/concurrency';
import { logger } from '#lib/logger';
import { nextWindow } from '../campaign.ts';
import { currentRun } from '../campaign-runs.ts';
import { type InspectionStatus, inspectionStatuses } from '../inspection.ts';
import { scratchKeys } from '../storage.ts';
import type { BatchResult, LaunchBatch, LaunchInput, LaunchPorts } from './ports.ts';

/**
 * Step 3 of launch-campaign.
 *
 * Primary course: read every batch's result; set each county's inspections
 * per status and each inspector's load exactly from the batches' tallies
 * (the live counters may be short after a batch was retried); make the
 * campaign active and, if it recurs, due for its next occurrence.
 *
 * No inspection is read again: every count comes from key reads the batches
 * made, never from an index that may lag behind the writes. Nothing else
 * changes inspections while the campaign is `launching`, so the tallies are
 * exact; once it is active, a retried or re-run finalize changes nothing.
 */
export const finalizeLaunch =
  (ports: LaunchPorts) => async (input: LaunchInput & { targets: number; batches: LaunchBatch[] }) => {
    const campaign = await currentRun(ports.campaigns, 'launch', input);
    // Done already (this step is being retried after it finished, or the execution re-run): the campaign
    // has been active since and inspections have moved on, so its counters must not be set back.
    if (campaign.status !== 'launching') {
      return {
        campaignId: campaign.id,
        targets: input.targets,
        inspections: campaign.launch?.created ?? 0,
        createdNow: 0,
        unassignable: campaign.launch?.unassignable ?? 0,
      };
    }
    const results = await mapLimited(input.batches, 8, (b) =>
      ports.scratch.readJson<BatchResult>(
        scratchKeys.launchWork(campaign.id, input.execution, `result-${b.batch}.json`),
      ),
    );

    const counties = new Map<string, Record<InspectionStatus, number>>();
    const loads = new Map<string, number>();
    for (const result of results) {
      for (const [county, byStatus] of Object.entries(result.tally)) {
        const counts =
          counties.get(county) ??
          (Object.fromEntries(inspectionStatuses.map((s) => [s, 0])) as Record<InspectionStatus, number>);
        for (const [status, n] of Object.entries(byStatus)) counts[status as InspectionStatus] += n ?? 0;
        counties.set(county, counts);
      }
      for (const [inspector, n] of Object.entries(result.loads))
        loads.set(inspector, (loads.get(inspector) ?? 0) + n);
    }
    await mapLimited([...counties], 8, ([county, counts]) =>
      ports.counters.setStatusCounts(campaign.id, county, counts),
    );
    await ports.counters.setLoads(campaign.id, loads);

    const inspections = [...counties.values()].reduce(
      (sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0),
      0,
    );
    const unassignable = [...counties.values()].reduce((sum, counts) => sum + counts.unassigned, 0);
    const activated = await ports.campaigns.updateLaunch(
      campaign.id,
      input.execution,
      { finishedAt: ports.now(), targets: input.targets, created: inspections, unassignable },
      {
        status: 'active',
        onlyFrom: 'launching',
        ...(campaign.recurrence ? { nextStart: nextWindow(campaign.window, campaign.recurrence).start } : {}),
        audit: {
          campaignId: campaign.id,
          entityId: campaign.id,
          regionCode: campaign.scope,
          action: 'launch_finished',
          actor: 'system:launch-campaign',
          at: ports.now(),
          details: { execution: input.execution, targets: input.targets, inspections, unassignable },
        },
      },
    );
    const createdNow = results.reduce((sum, r) => sum + r.created, 0);
    logger.info('launch finished', {
      campaignId: campaign.id,
      targets: input.targets,
      inspections,
      createdNow,
      unassignable,
      activated,
    });
    return { campaignId: campaign.id, targets: input.targets, inspections, createdNow, unassignable };
  };
