import { z } from 'zod';
import type { Actor } from './actor.ts';
import { type Campaign, checkCampaignRegion, readsCampaign } from './campaign.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.ts';
import type { Inspection } from './inspection.ts';
import type { Proposal } from './inspection-service.ts';
import { countiesUnder, findRegion } from './regions.ts';
import { type Grade, grades, type Template } from './template.ts';
import { say } from './text.ts';

/**
 * Rankings of 督政 campaigns (GET /campaigns/{id}/ranking): the towns of a
 * county, or the counties of a city, by the score of their reports, with the
 * change from last year's campaign of the same template over the same scope.
 *
 * - Ties share a rank (competition ranking: 90, 90, 80 rank 1, 1, 3); targets
 *   not reported yet are listed after, unranked.
 * - The ranking is `final` once every target of the region has a report.
 * - Incentive list (表彰): the targets graded `excellent` (the template's own
 *   threshold, not a fixed top N: every government that earns the grade is
 *   commended, however many). Their reports proposed the incentive already
 *   (issue_report); the list here is the ranking's view of those proposals.
 * - The lowest: once the ranking is final and its scores differ, the targets
 *   sharing the lowest rank are proposed for an interview (约谈). Reading the
 *   ranking only shows that; the office publishes it (POST
 *   /campaigns/{id}/ranking/publish, 排名通报), which records each proposal
 *   once (the escalation policy's proposal, as a late rectification gets):
 *   the office then records the interview with POST /campaigns/{id}/actions
 *   (type interview, naming the government's leader) and it reads `recorded`.
 */
export const rankingLevels = { town: 'county', county: 'city' } as const;

export interface RankEntry {
  inspectionId: string;
  targetId: string;
  name: string;
  status: string;
  score: number | null;
  grade: Grade | null;
}

export interface Previous {
  campaignId: string;
  rank: number | null;
  score: number | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Ranks entries by score, highest first; equal scores share a rank and the
 * next rank skips (1, 1, 3). Unscored entries come last, by target id, with
 * rank null. `previous` (target id → last year's rank and score) gives the
 * change: `rank` is last year's rank minus this year's (positive: moved up),
 * `score` this year's minus last year's; null when either is missing.
 */
export const rank = (entries: readonly RankEntry[], previous: ReadonlyMap<string, Previous> = new Map()) => {
  const scored = entries
    .filter((e) => e.score !== null)
    .sort((a, b) => b.score! - a.score! || a.targetId.localeCompare(b.targetId));
  const unscored = entries
    .filter((e) => e.score === null)
    .sort((a, b) => a.targetId.localeCompare(b.targetId));
  const ranks = new Map<string, number>();
  scored.forEach((e, i) => {
    const before = scored[i - 1];
    ranks.set(e.targetId, before && before.score === e.score ? ranks.get(before.targetId)! : i + 1);
  });
  return [...scored, ...unscored].map((e) => {
    const r = ranks.get(e.targetId) ?? null;
    const last = previous.get(e.targetId) ?? null;
    return {
      ...e,
      rank: r,
      previous: last,
      change: {
        rank: r !== null && last?.rank != null ? last.rank - r : null,
        score: e.score !== null && last?.score != null ? round2(e.score - last.score) : null,
      },
    };
  });
};
export type RankedRow = ReturnType<typeof rank>[number];

/** The targets the ranking proposes an interview for: those sharing the lowest rank, when scores differ. */
export const lowest = (rows: readonly RankedRow[]): RankedRow[] => {
  const ranked = rows.filter((r) => r.rank !== null);
  if (ranked.length < 2) return [];
  const worst = Math.max(...ranked.map((r) => r.rank!));
  if (worst === 1) return [];
  return ranked.filter((r) => r.rank === worst);
};

const gradeSchema = z.enum(grades).nullable();
export const rankingSchema = z.object({
  campaignId: z.string(),
  templateId: z.string(),
  region: z.string().describe('the county (towns ranked) or city (counties ranked)'),
  level: z.enum(['town', 'county']).describe('what is ranked'),
  final: z.boolean().describe('every target of the region has a report'),
  published: z
    .boolean()
    .describe('the office published the final ranking: its interview proposals are recorded (GET …/actions)'),
  previousCampaignId: z
    .string()
    .nullable()
    .describe("last year's campaign of the same template over the same scope, if any"),
  items: z.array(
    z.object({
      inspectionId: z.string(),
      targetId: z.string(),
      name: z.string(),
      status: z.string(),
      score: z.number().nullable(),
      grade: gradeSchema,
      rank: z.number().int().positive().nullable().describe('ties share a rank; null: not reported yet'),
      previous: z
        .object({ campaignId: z.string(), rank: z.number().nullable(), score: z.number().nullable() })
        .nullable(),
      change: z.object({
        rank: z.number().int().nullable().describe("last year's rank minus this year's: positive moved up"),
        score: z.number().nullable().describe("this year's score minus last year's"),
      }),
    }),
  ),
  incentives: z
    .array(z.object({ inspectionId: z.string(), targetId: z.string(), name: z.string(), score: z.number() }))
    .describe('表彰: the targets graded excellent'),
  proposals: z
    .array(
      z.object({
        type: z.literal('interview'),
        inspectionId: z.string(),
        targetId: z.string(),
        name: z.string(),
        reason: z.string(),
      }),
    )
    .describe(
      '约谈 proposed for the lowest (once the ranking is final); POST …/ranking/publish records them, POST /campaigns/{id}/actions the interview',
    ),
});
export type Ranking = z.infer<typeof rankingSchema>;

export interface RankingPorts {
  campaign(id: string): Promise<Campaign | undefined>;
  template(id: string, version: number): Promise<Template | undefined>;
  /** Campaigns whose scope starts with the prefix, a page at a time, newest first. */
  campaigns(q: {
    scopePrefix: string;
    cursor?: string;
    limit: number;
  }): Promise<{ items: Campaign[]; cursor?: string }>;
  /** A campaign's inspections in some counties (the index of the office's list). */
  campaignInspections(
    campaignId: string,
    q: { counties: readonly string[]; cursor?: string; limit: number },
  ): Promise<{ items: Inspection[]; cursor?: string }>;
  /** Records a proposal once (false if it existed). */
  propose(proposal: Proposal): Promise<boolean>;
  /** The campaign's recorded proposals. */
  proposals(campaignId: string): Promise<readonly Pick<Proposal, 'type' | 'inspectionId'>[]>;
  now(): string;
}

/** At most this many pages of campaigns are read to find last year's (newest first). */
const campaignPages = 20;

export const createRankingService = (ports: RankingPorts) => {
  const entriesOf = async (campaignId: string, region: string, level: 'town' | 'county') => {
    const counties = countiesUnder(region).map((c) => c.code);
    const items: Inspection[] = [];
    let cursor: string | undefined;
    do {
      const page = await ports.campaignInspections(campaignId, {
        counties,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items
      .filter((i) =>
        level === 'town'
          ? i.townCode !== undefined && i.targetId === i.townCode
          : i.targetId === i.regionCode,
      )
      .filter((i) => i.targetId.startsWith(region))
      .map((i): RankEntry => {
        const report = (i as Inspection & { report?: { score?: number; grade?: Grade } }).report;
        return {
          inspectionId: i.id,
          targetId: i.targetId,
          name: i.targetName,
          status: i.status,
          score: report?.score ?? null,
          grade: report?.grade ?? null,
        };
      });
  };

  /** Last year's campaign of the same template over the same scope (the newest such, launched). */
  const lastYears = async (campaign: Campaign): Promise<Campaign | undefined> => {
    const year = String(Number(campaign.window.start.slice(0, 4)) - 1);
    let cursor: string | undefined;
    for (let n = 0; n < campaignPages; n++) {
      const page = await ports.campaigns({
        scopePrefix: campaign.scope,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      const found = page.items
        .filter(
          (c) =>
            c.id !== campaign.id &&
            c.templateId === campaign.templateId &&
            c.scope === campaign.scope &&
            c.window.start.startsWith(year) &&
            ['active', 'closing', 'closed'].includes(c.status),
        )
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (found) return found;
      cursor = page.cursor;
      if (!cursor) return undefined;
    }
    return undefined;
  };

  /** The ranking as the scores make it; `published` as the recorded proposals say. Writes nothing. */
  const compute = async (actor: Actor, campaignId: string, q: { region?: string }) => {
    const campaign = await ports.campaign(campaignId);
    if (!campaign || !readsCampaign(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${campaignId}。`, `Campaign ${campaignId} not found.`));
    const template = await ports.template(campaign.templateId, campaign.templateVersion);
    if (!template)
      throw new NotFoundError(
        say(`未找到模板 ${campaign.templateId}。`, `Template ${campaign.templateId} not found.`),
      );
    const unit = template.target.unit;
    if (unit !== 'town' && unit !== 'county')
      throw new ValidationError(
        say(
          `排名只针对乡镇或县：模板 ${template.id} 督导的是${unit === 'school' ? '学校' : '集团'}。`,
          `Rankings rank towns or counties: template ${template.id} inspects ${unit === 'school' ? 'schools' : 'school groups'}.`,
        ),
        [{ path: 'path.id', message: say('不是对乡镇或县的活动', 'not a campaign of towns or counties') }],
      );
    const parentLevel = rankingLevels[unit];
    const region = q.region ?? campaign.scope;
    const found = findRegion(region);
    if (!found) throw new NotFoundError(say(`未找到区划 ${region}。`, `Region ${region} not found.`));
    if (found.level !== parentLevel)
      throw new ValidationError(
        say(
          `${unit === 'town' ? '乡镇' : '区县'}排名须在${parentLevel === 'county' ? '区县' : '城市'}范围内：请用 region= 指定。`,
          `A ranking of ${unit}s is over a ${parentLevel}: name one with region=.`,
        ),
        [
          {
            path: 'query.region',
            message: `a ${parentLevel} code (${parentLevel === 'county' ? 6 : 4} digits)`,
          },
        ],
      );
    checkCampaignRegion(actor, campaign, region);

    const entries = await entriesOf(campaign.id, region, unit);
    const last = await lastYears(campaign);
    const previous = new Map<string, Previous>();
    if (last) {
      for (const row of rank(await entriesOf(last.id, region, unit)))
        previous.set(row.targetId, { campaignId: last.id, rank: row.rank, score: row.score });
    }
    const items = rank(entries, previous);
    const final = items.length > 0 && items.every((r) => r.score !== null);
    const proposals = final
      ? lowest(items).map((r) => ({
          type: 'interview' as const,
          inspectionId: r.inspectionId,
          targetId: r.targetId,
          name: r.name,
          reason: `lowest in the ranking of ${region} (rank ${r.rank} of ${items.length}, score ${r.score})`,
        }))
      : [];
    const recorded = final
      ? new Set(
          (await ports.proposals(campaign.id))
            .filter((p) => p.type === 'interview')
            .map((p) => p.inspectionId),
        )
      : new Set<string>();
    const ranking: Ranking = {
      campaignId: campaign.id,
      templateId: campaign.templateId,
      region,
      level: unit,
      final,
      published: final && proposals.every((p) => recorded.has(p.inspectionId)),
      previousCampaignId: last?.id ?? null,
      items,
      incentives: items
        .filter((r) => r.grade === 'excellent')
        .map((r) => ({
          inspectionId: r.inspectionId,
          targetId: r.targetId,
          name: r.name,
          score: r.score!,
        })),
      proposals,
    };
    return { campaign, ranking };
  };

  return {
    /** GET /campaigns/{id}/ranking: offices and auditors over the region. */
    async ranking(actor: Actor, campaignId: string, q: { region?: string }): Promise<Ranking> {
      return (await compute(actor, campaignId, q)).ranking;
    },

    /**
     * POST /campaigns/{id}/ranking/publish (排名通报): an office over the
     * region publishes the final ranking, which records the interview
     * proposals of the lowest, once each (publishing again changes nothing).
     */
    async publish(actor: Actor, campaignId: string, q: { region?: string }): Promise<Ranking> {
      const { campaign, ranking } = await compute(actor, campaignId, q);
      if (!actor.role.endsWith('_admin'))
        throw new ForbiddenError(
          say('排名由督导室通报。', 'A ranking is published by a supervision office.'),
        );
      if (!ranking.final)
        throw new ConflictError(
          say(
            '排名尚未确定：还有对象未出具报告，全部报告后才能通报。',
            'The ranking is not final: some targets have no report yet; publish it once all have one.',
          ),
        );
      for (const p of ranking.proposals)
        await ports.propose({
          campaignId: campaign.id,
          type: 'interview',
          inspectionId: p.inspectionId,
          reason: p.reason,
          regionCode: p.targetId.slice(0, 6),
          at: ports.now(),
        });
      return { ...ranking, published: true };
    },
  };
};
export type RankingService = ReturnType<typeof createRankingService>;
