import type { Actor } from './actor.ts';
import { type Campaign, checkCampaignRegion, readsCampaign } from './campaign.ts';
import type { CountyProgress } from './campaign-service.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Inspection } from './inspection.ts';
import { countiesUnder, findRegion } from './regions.ts';
import type { Grade } from './template.ts';
import { say } from './text.ts';

/**
 * The re-evaluation report (市级复评): a campaign based on its counties'
 * evaluations sampled what they graded (see launch/plan.ts); here, per
 * sampled target, the grade the county gave next to the one the city gives,
 * and per county the share of compared targets whose grades differ. The
 * per-county figures are counters the city's reports add (`rv_compared`,
 * `rv_differ`, see inspection-service issueReport), so they cost one read.
 */
export interface ReEvaluationPorts {
  campaign(id: string): Promise<Campaign | undefined>;
  campaignInspections(
    campaignId: string,
    q: { counties: readonly string[]; cursor?: string; limit: number },
  ): Promise<{ items: Inspection[]; cursor?: string }>;
  progress(campaignId: string, countyPrefix: string): Promise<CountyProgress[]>;
}

export interface ReEvaluationRow {
  inspectionId: string;
  targetId: string;
  targetName: string;
  countyCode: string;
  countyName: string;
  /** The county's grade and the inspection that gave it. */
  countyGrade: string | null;
  countyInspectionId: string | null;
  /** The city's grade, once its report is issued. */
  cityGrade: Grade | null;
  /** Whether the two differ; null until both exist. */
  differs: boolean | null;
}

export interface CountyDeviation {
  countyCode: string;
  countyName: string;
  sampled: number;
  /** Sampled targets the city has graded. */
  compared: number;
  differing: number;
  /** differing / compared, in percent (two decimals); null before any is compared. */
  differingShare: number | null;
}

const share = (differing: number, compared: number) =>
  compared === 0 ? null : Math.round((differing / compared) * 10_000) / 100;

/** A county's figures from its progress counters. */
export const deviationOf = (county: CountyProgress): CountyDeviation => {
  const compared = county.counters.rv_compared ?? 0;
  const differing = county.counters.rv_differ ?? 0;
  return {
    countyCode: county.countyCode,
    countyName: findRegion(county.countyCode)?.name ?? county.countyCode,
    sampled: county.targets,
    compared,
    differing,
    differingShare: share(differing, compared),
  };
};

/** One row of the report: the county's grade (kept on the inspection at the draw) next to the city's. */
export const reEvaluationRow = (i: Inspection & { report?: { grade?: Grade } }): ReEvaluationRow => {
  const countyGrade = i.basedOn?.grade ?? null;
  const cityGrade = i.report?.grade ?? null;
  return {
    inspectionId: i.id,
    targetId: i.targetId,
    targetName: i.targetName,
    countyCode: i.regionCode,
    countyName: findRegion(i.regionCode)?.name ?? i.regionCode,
    countyGrade,
    countyInspectionId: i.basedOn?.inspectionId ?? null,
    cityGrade,
    differs: countyGrade && cityGrade ? countyGrade !== cityGrade : null,
  };
};

export const createReEvaluationReport =
  (ports: ReEvaluationPorts) =>
  async (actor: Actor, id: string, q: { region?: string; cursor?: string; limit: number }) => {
    const campaign = await ports.campaign(id);
    if (!campaign || !readsCampaign(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${id}。`, `Campaign ${id} not found.`));
    if (!campaign.basedOn)
      throw new NotFoundError(
        say(
          `活动 ${id} 不是复评（没有 basedOn）。`,
          `Campaign ${id} is not a re-evaluation (it has no basedOn).`,
        ),
      );
    if (!['active', 'closing', 'closed'].includes(campaign.status))
      throw new ConflictError(
        say(
          `活动 ${id} 尚未启动（${campaign.status}）：样本在启动时抽取。`,
          `Campaign ${id} is ${campaign.status}: its sample is drawn at launch.`,
        ),
      );
    const region = q.region ?? (campaign.scope.length >= actor.scope.length ? campaign.scope : actor.scope);
    if (region.length > 6)
      throw new NotFoundError(say(`未找到区划 ${region}。`, `Region ${region} not found.`));
    checkCampaignRegion(actor, campaign, region);
    const counties = countiesUnder(region)
      .map((c) => c.code)
      .filter((c) => c.startsWith(campaign.scope));
    const [page, progress] = await Promise.all([
      ports.campaignInspections(id, {
        counties,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit,
      }),
      ports.progress(id, region),
    ]);
    const perCounty = progress
      .filter((c) => c.targets > 0)
      .map(deviationOf)
      .sort((a, b) => a.countyCode.localeCompare(b.countyCode));
    const compared = perCounty.reduce((n, c) => n + c.compared, 0);
    const differing = perCounty.reduce((n, c) => n + c.differing, 0);
    return {
      campaignId: id,
      title: campaign.title,
      basedOn: campaign.basedOn,
      region,
      items: page.items.map(reEvaluationRow),
      ...(page.cursor ? { cursor: page.cursor } : {}),
      counties: perCounty,
      totals: {
        sampled: perCounty.reduce((n, c) => n + c.sampled, 0),
        compared,
        differing,
        differingShare: share(differing, compared),
      },
    };
  };
export type ReEvaluationReport = ReturnType<typeof createReEvaluationReport>;
