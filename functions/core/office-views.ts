import { type Actor, isAdmin } from './actor.ts';
import { type Campaign, checkCampaignRegion, readsCampaign } from './campaign.ts';
import { NotFoundError, say } from './errors.ts';
import type { Inspection, InspectionStatus } from './inspection.ts';
import { teamMembers } from './inspection.ts';
import type { InspectionStore } from './inspection-service.ts';
import { countiesUnder } from './regions.ts';
import type { Grade, InspectionPhase } from './template.ts';
import { type IndicatorVerdict, quantitativeKinds, type Verdict } from './verdicts.ts';

export interface InspectorLoad {
  campaignId: string;
  assigned: number;
  visits: number;
  closed: number;
  late: Partial<Record<InspectionPhase, number>>;
}

export interface OfficeViewPorts {
  store: Pick<InspectionStore, 'byAssignee'> & {
    campaignInspections(
      campaignId: string,
      q: {
        counties: readonly string[];
        townCode?: string;
        status?: string;
        grade?: string;
        overdue?: string;
        cursor?: string;
        limit: number;
      },
    ): Promise<{ items: Inspection[]; cursor?: string }>;
  };
  campaign(id: string): Promise<Campaign | undefined>;
  campaigns(ids: readonly string[]): Promise<Campaign[]>;
  inspector(id: string): Promise<{ id: string; name: string; kind: string; regionCode: string } | undefined>;
  /** The inspector's load items, newest campaign first. */
  loadsOf(
    inspectorId: string,
    q: { cursor?: string; limit: number },
  ): Promise<{ items: InspectorLoad[]; cursor?: string }>;
  /** Schools in the inspector's zones (责任区). */
  zoneSchools(inspectorId: string): Promise<number>;
}

export type OverdueFilter = 'now' | 'any' | InspectionPhase;

export interface InspectionListQuery {
  region?: string;
  status?: InspectionStatus;
  overdue?: OverdueFilter;
  assignee?: string;
  grade?: Grade;
  cursor?: string;
  limit: number;
}

/** One row of the office's list: who is inspected, where it stands, with whom, and what is late. */
export const inspectionRow = (i: Inspection & Record<string, unknown>) => {
  const report = i.report as
    | { grade?: Grade | null; score?: number | null; verdicts?: IndicatorVerdict[] }
    | undefined;
  return {
    id: i.id,
    targetId: i.targetId,
    targetName: i.targetName,
    partyId: i.partyId ?? i.targetId,
    regionCode: i.regionCode,
    ...(i.townCode ? { townCode: i.townCode } : {}),
    status: i.status,
    lead: i.team?.lead ?? i.assigneeId ?? null,
    members: teamMembers(i),
    dueAt: i.dueAt ?? null,
    overdue: i.overdue ?? [],
    late: i.late ?? {},
    grade: report?.grade ?? null,
    score: report?.score ?? null,
    /** The report's verdicts of quantitative indicators (达标/未达标/未评估); none before the report. */
    verdicts: Object.fromEntries(
      (report?.verdicts ?? [])
        .filter((v) => quantitativeKinds.includes(v.kind))
        .map((v) => [v.indicatorId, v.verdict]),
    ) as Record<string, Verdict>,
    version: i.version,
    updatedAt: i.updatedAt,
  };
};
export type InspectionRow = ReturnType<typeof inspectionRow>;

/**
 * What offices look at below the counts: a campaign's inspections down to the
 * school, filtered and ordered by the deadline they owe, and an inspector's
 * workload. Served by indexes only (see inspection-items.ts, campaign-store.ts).
 */
export const createOfficeViews = (ports: OfficeViewPorts) => {
  const readable = async (actor: Actor, id: string) => {
    const campaign = await ports.campaign(id);
    if (!campaign || !readsCampaign(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${id}。`, `Campaign ${id} not found.`));
    return campaign;
  };

  return {
    /**
     * "Which schools of my county are late, and with whom": the campaign's
     * inspections in a region (any level, default the narrower of the office
     * and the campaign), by earliest owed deadline. `overdue=now` is what is
     * overdue now, `any` what was ever late, a phase what was late in it.
     * With `assignee`, that inspector's inspections of the campaign.
     */
    async campaignInspections(actor: Actor, campaignId: string, q: InspectionListQuery) {
      const campaign = await readable(actor, campaignId);
      const region = q.region ?? (campaign.scope.length >= actor.scope.length ? campaign.scope : actor.scope);
      checkCampaignRegion(actor, campaign, region);
      const county = region.length > 6 ? region.slice(0, 6) : undefined;
      const counties = county
        ? [county]
        : countiesUnder(region)
            .map((c) => c.code)
            .filter((c) => c.startsWith(campaign.scope));
      const page = q.assignee
        ? await ports.store
            .byAssignee(q.assignee, { campaignId, ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit })
            .then((p) => ({
              ...p,
              items: p.items
                .filter(
                  (i) => (i.townCode ?? i.regionCode).startsWith(region) || i.regionCode.startsWith(region),
                )
                .filter((i) => !q.status || i.status === q.status)
                .filter((i) => !q.grade || (i as { report?: { grade?: string } }).report?.grade === q.grade)
                .filter(
                  (i) =>
                    !q.overdue ||
                    (q.overdue === 'now'
                      ? (i.overdue?.length ?? 0) > 0
                      : q.overdue === 'any'
                        ? Object.keys(i.late ?? {}).length > 0
                        : i.late?.[q.overdue] !== undefined),
                )
                .sort((a, b) => (a.dueAt ?? '~').localeCompare(b.dueAt ?? '~')),
            }))
        : await ports.store.campaignInspections(campaignId, {
            counties,
            ...(county ? { townCode: region } : {}),
            ...(q.status ? { status: q.status } : {}),
            ...(q.grade ? { grade: q.grade } : {}),
            ...(q.overdue ? { overdue: q.overdue } : {}),
            ...(q.cursor ? { cursor: q.cursor } : {}),
            limit: q.limit,
          });
      const items = page.items.map((i) => inspectionRow(i as Inspection & Record<string, unknown>));
      return { campaignId, region, items, ...(page.cursor ? { cursor: page.cursor } : {}) };
    },

    /**
     * An inspector's workload: per campaign, inspections assigned, visits made,
     * inspections closed and still open, phases late; for monthly campaigns
     * (双减 visits) the month's coverage — visits done against the schools
     * assigned — the basis of 责任督学履职 assessment.
     */
    async workload(actor: Actor, inspectorId: string, q: { cursor?: string; limit: number }) {
      const inspector = await ports.inspector(inspectorId);
      const visible =
        inspector &&
        (actor.role === 'inspector'
          ? actor.scope === inspector.id
          : (isAdmin(actor) || actor.role === 'auditor') && inspector.regionCode.startsWith(actor.scope));
      if (!inspector || !visible)
        throw new NotFoundError(say(`未找到督学 ${inspectorId}。`, `Inspector ${inspectorId} not found.`));
      const page = await ports.loadsOf(inspectorId, q);
      const campaigns = new Map(
        (await ports.campaigns(page.items.map((l) => l.campaignId))).map((c) => [c.id, c]),
      );
      const entries = page.items.map((l) => {
        const c = campaigns.get(l.campaignId);
        return {
          campaignId: l.campaignId,
          title: c?.title ?? null,
          templateId: c?.templateId ?? null,
          window: c?.window ?? null,
          recurrence: c?.recurrence ?? null,
          assigned: l.assigned,
          visits: l.visits,
          closed: l.closed,
          open: Math.max(0, l.assigned - l.closed),
          late: l.late,
        };
      });
      const months = entries
        .filter((e) => e.recurrence === 'monthly' && e.window)
        .map((e) => ({
          month: e.window!.start.slice(0, 7),
          campaignId: e.campaignId,
          schools: e.assigned,
          visited: e.visits,
          missed: e.late.on_site ?? 0,
          coverage: e.assigned === 0 ? null : Math.round((e.visits / e.assigned) * 10_000) / 100,
        }));
      return {
        inspector: {
          id: inspector.id,
          name: inspector.name,
          kind: inspector.kind,
          regionCode: inspector.regionCode,
        },
        zoneSchools: await ports.zoneSchools(inspectorId),
        totals: {
          assigned: entries.reduce((n, e) => n + e.assigned, 0),
          visits: entries.reduce((n, e) => n + e.visits, 0),
          open: entries.reduce((n, e) => n + e.open, 0),
        },
        campaigns: entries,
        months,
        ...(page.cursor ? { cursor: page.cursor } : {}),
      };
    },
  };
};
export type OfficeViews = ReturnType<typeof createOfficeViews>;
