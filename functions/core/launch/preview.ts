import { type Actor, isAdmin } from '../actor.ts';
import { readsCampaign, sampleMethod } from '../campaign.ts';
import { ForbiddenError, NotFoundError, say } from '../errors.ts';
import { findRegion } from '../regions.ts';
import { plannedTargets } from './plan.ts';
import type { LaunchPorts } from './ports.ts';

/** What the preview reads: the campaign, its template, and the registry as the launch reads it. */
export type LaunchPreviewPorts = Pick<
  LaunchPorts,
  'campaigns' | 'templates' | 'schoolsOfCounty' | 'groupsOfCounty' | 'currentTermsOfCounty' | 'gradedTargets'
>;

/**
 * GET /campaigns/{id}/preview: before a launch, what it would create. The
 * targets by the template's rule (or a re-evaluation's graded population),
 * and where the campaign samples, the sample drawn from them with the
 * campaign's own seed, so the preview shows the draw the launch makes while
 * the registry stays as it is. Per county, population and targets. Writes nothing.
 */
export const createLaunchPreview = (ports: LaunchPreviewPorts) => ({
  async preview(actor: Actor, id: string) {
    if (!isAdmin(actor) && actor.role !== 'auditor')
      throw new ForbiddenError(
        say(
          '启动预览仅供督导机构和审计人员查阅。',
          'A launch preview is for supervision offices and auditors.',
        ),
      );
    const campaign = await ports.campaigns.get(id);
    if (!campaign || !readsCampaign(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${id}。`, `Campaign ${id} not found.`));
    const template = await ports.templates.get(campaign.templateId, campaign.templateVersion);
    if (!template)
      throw new NotFoundError(
        say(`未找到活动 ${id} 的模板 ${campaign.templateId}。`, `Template ${campaign.templateId} not found.`),
      );
    const { population, percent, targets } = await plannedTargets(ports, template, campaign);
    const perCounty = new Map<string, { population: number; targets: number }>();
    for (const t of population) {
      const c = perCounty.get(t.regionCode) ?? { population: 0, targets: 0 };
      perCounty.set(t.regionCode, { ...c, population: c.population + 1 });
    }
    for (const t of targets) perCounty.get(t.regionCode)!.targets++;
    return {
      campaignId: campaign.id,
      status: campaign.status,
      unit: template.target.unit,
      population: population.length,
      targets: targets.length,
      sampling: percent ? { percent, seed: campaign.samplingSeed, method: sampleMethod(percent) } : null,
      counties: [...perCounty]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, n]) => ({ code, name: findRegion(code)?.name ?? code, ...n })),
    };
  },
});
export type LaunchPreview = ReturnType<typeof createLaunchPreview>;
