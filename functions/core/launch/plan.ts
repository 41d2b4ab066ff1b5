import { mapLimited } from '#lib/concurrency';
import { logger } from '#lib/logger';
import { type Campaign, drawSample, sampleMethod, selectTargets, type Target } from '../campaign.ts';
import { currentRun } from '../campaign-runs.ts';
import { countiesUnder } from '../regions.ts';
import { archiveKeys, scratchKeys } from '../storage.ts';
import type { Template } from '../template.ts';
import type { LaunchBatch, LaunchInput, LaunchPorts } from './ports.ts';

/** Reads at most this many counties at once (each one partition of the school index). */
const countyConcurrency = 8;

/**
 * Step 1 of launch-campaign.
 *
 * Primary course: resolve the targets under the campaign's scope by the
 * template's rule; draw the sample from the seed stored on the campaign;
 * keep the population and the sample in the archive (an auditor redraws the
 * sample from them); cut the targets into batch files; set each county's
 * target count; pass batch descriptors on, never targets.
 *
 * Running it again for the same execution writes the same files and counts.
 */
export const planLaunch =
  (ports: LaunchPorts, opts: { batchSize: number }) =>
  async (input: LaunchInput): Promise<LaunchInput & { targets: number; batches: LaunchBatch[] }> => {
    const campaign = await currentRun(ports.campaigns, 'launch', input);
    const template = await ports.templates.get(campaign.templateId, campaign.templateVersion);
    if (!template) throw new Error(`template ${campaign.templateId}@${campaign.templateVersion} is gone`);

    const { population, percent, targets } = await plannedTargets(ports, template, campaign);

    // Both files carry the seed and the method, so the population alone redraws the sample
    // (npm run redraw-sample -- population.json sample.json).
    const snapshot = {
      campaignId: campaign.id,
      ...(campaign.basedOn ? { basedOn: campaign.basedOn } : {}),
      templateId: template.id,
      templateVersion: template.version,
      scope: campaign.scope,
      window: campaign.window,
      seed: campaign.samplingSeed,
      sampling: percent ? { percent, seed: campaign.samplingSeed, method: sampleMethod(percent) } : null,
    };
    await ports.archive.writeJson(archiveKeys.population(campaign.id), {
      ...snapshot,
      size: population.length,
      targets: population,
    });
    if (percent) {
      await ports.archive.writeJson(archiveKeys.sample(campaign.id), {
        ...snapshot,
        size: targets.length,
        targets,
      });
    }

    const batches: LaunchBatch[] = [];
    for (let i = 0; i * opts.batchSize < targets.length; i++) {
      const batch = i + 1;
      await ports.scratch.writeJson(
        scratchKeys.launchWork(campaign.id, input.execution, `batch-${batch}.json`),
        targets.slice(i * opts.batchSize, (i + 1) * opts.batchSize),
      );
      batches.push({ ...input, batch });
    }

    const perCounty = new Map<string, number>();
    for (const t of targets) perCounty.set(t.regionCode, (perCounty.get(t.regionCode) ?? 0) + 1);
    await mapLimited([...perCounty], countyConcurrency, ([county, n]) =>
      ports.counters.setTargets(campaign.id, county, n),
    );
    await ports.campaigns.updateLaunch(campaign.id, input.execution, {
      targets: targets.length,
      population: population.length,
      ...(percent ? { samplingPercent: percent } : {}),
    });
    logger.info('launch planned', {
      campaignId: campaign.id,
      population: population.length,
      targets: targets.length,
      batches: batches.length,
    });
    return { ...input, targets: targets.length, batches };
  };

/**
 * Who a launch inspects: the population (the template's rule under the scope,
 * or a re-evaluation's graded targets) and, where the campaign samples, the
 * sample drawn from it with the campaign's seed. The launch and its preview both ask here.
 */
export const plannedTargets = async (
  ports: Pick<
    LaunchPorts,
    'campaigns' | 'gradedTargets' | 'schoolsOfCounty' | 'groupsOfCounty' | 'currentTermsOfCounty'
  >,
  template: Template,
  campaign: Campaign,
): Promise<{ population: Target[]; percent: number | undefined; targets: Target[] }> => {
  const population = campaign.basedOn
    ? await reEvaluationPopulation(ports, campaign.basedOn)
    : await targetsByRule(
        ports,
        template,
        campaign,
        countiesUnder(campaign.scope).map((c) => c.code),
      );
  const percent = campaign.overrides?.samplingPercent ?? template.sampling?.percent;
  return {
    population,
    percent,
    targets: percent ? drawSample(population, percent, campaign.samplingSeed) : population,
  };
};

/** The template's target rule over the schools (or groups) of the campaign's counties. */
export const targetsByRule = async (
  ports: Pick<LaunchPorts, 'schoolsOfCounty' | 'groupsOfCounty' | 'currentTermsOfCounty'>,
  template: Template,
  campaign: Campaign,
  counties: readonly string[],
): Promise<Target[]> => {
  if (template.target.unit === 'group') {
    const groups = (await mapLimited(counties, countyConcurrency, ports.groupsOfCounty)).flat();
    return selectTargets(template, campaign, [], new Map(), groups);
  }
  // Town and county targets (督政) come from the region tree: the school index is not read for them.
  if (template.target.unit === 'town' || template.target.unit === 'county')
    return selectTargets(template, campaign, []);
  const schools = (await mapLimited(counties, countyConcurrency, ports.schoolsOfCounty)).flat();
  // The end-of-term rule reads the principals' current terms (the term records of each county).
  const currentTerms = template.target.principalTermEndsInCampaignYear
    ? new Map(
        (await mapLimited(counties, countyConcurrency, ports.currentTermsOfCounty))
          .flat()
          .map((t) => [t.schoolId, t]),
      )
    : new Map<string, { plannedEnd: string }>();
  return selectTargets(template, campaign, schools, currentTerms);
};

/**
 * A re-evaluation's population (复评): every target the campaigns it is based
 * on graded, county by county, each with the inspection and grade it had
 * there. Read at launch, so the stored population is what the sample was drawn from.
 */
export const reEvaluationPopulation = async (
  ports: Pick<LaunchPorts, 'campaigns' | 'gradedTargets'>,
  basedOn: readonly string[],
): Promise<Target[]> => {
  const population = new Map<string, Target>();
  for (const id of basedOn) {
    const based = await ports.campaigns.get(id);
    if (!based) throw new Error(`campaign ${id} this re-evaluation is based on is gone`);
    const counties = countiesUnder(based.scope).map((c) => c.code);
    const graded = (await mapLimited(counties, countyConcurrency, (c) => ports.gradedTargets(id, c))).flat();
    for (const t of graded) if (!population.has(t.id)) population.set(t.id, t);
  }
  return [...population.values()].sort((a, b) => a.id.localeCompare(b.id));
};
