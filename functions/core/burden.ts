import { type Actor, isAdmin } from './actor.ts';
import type { Campaign } from './campaign.ts';
import { ForbiddenError, NotFoundError, say } from './errors.ts';
import type { Inspection } from './inspection.ts';
import type { InspectionListQuery } from './office-views.ts';

/**
 * What supervision asked of a school (减负): per inspection, the fields it
 * filled (one per indicator entry of a self-assessment, not counting the
 * registry facts it was never asked for; one per rectification plan and one
 * per completion), the files it uploaded (each arrived upload, stored or
 * quarantined) and the files it reused (links to a file it had stored
 * before). Only what the inspected school itself did counts: its inspectors'
 * uploads are their work, not its burden.
 *
 * The counters are ADDed in the same transaction as the write that causes
 * them (the submission, the verdict on an arrival, the link), on the
 * inspection's burden item and on its campaign's county item: nothing is
 * recomputed by scan.
 */
export interface BurdenCounts {
  fields: number;
  uploaded: number;
  reused: number;
}
export type BurdenDelta = Partial<BurdenCounts>;

export const noBurden = (): BurdenCounts => ({ fields: 0, uploaded: 0, reused: 0 });

/** What a burden counter concerns: the inspection, its campaign, school and county. */
export interface BurdenTarget {
  inspectionId: string;
  campaignId: string;
  targetId: string;
  regionCode: string;
}

const sum = (items: readonly BurdenCounts[]): BurdenCounts =>
  items.reduce(
    (t, b) => ({
      fields: t.fields + b.fields,
      uploaded: t.uploaded + b.uploaded,
      reused: t.reused + b.reused,
    }),
    noBurden(),
  );

/** Share of files reused among files given (uploaded + reused), in percent; null when none. */
export const reuseRate = (b: BurdenCounts): number | null =>
  b.uploaded + b.reused === 0 ? null : Math.round((b.reused / (b.uploaded + b.reused)) * 10_000) / 100;

export interface BurdenPorts {
  campaigns(ids: readonly string[]): Promise<Campaign[]>;
  /** The office's list of a campaign's inspections in a region (office-views.ts), one page. */
  campaignInspections(
    actor: Actor,
    campaignId: string,
    q: Pick<InspectionListQuery, 'region' | 'cursor' | 'limit'>,
  ): Promise<{
    region: string;
    items: { id: string; targetId: string; targetName?: string; regionCode: string; townCode?: string }[];
    cursor?: string;
  }>;
  /** Burden items of these inspections (absent: nothing asked yet). */
  ofInspections(ids: readonly string[]): Promise<Map<string, BurdenCounts>>;
  /** The campaign's per-county totals under a region prefix. */
  campaignTotals(campaignId: string, countyPrefix: string): Promise<BurdenCounts[]>;
  /** A school as the actor may see it (NotFoundError otherwise). */
  visibleSchool(actor: Actor, schoolId: string): Promise<{ id: string; name: string; regionCode: string }>;
  /** Every inspection of the school, across campaigns (gsi3). */
  inspectionsOf(schoolId: string): Promise<Inspection[]>;
}

export const createBurdenViews = (ports: BurdenPorts) => ({
  /**
   * Per school of the campaign in a region (one page of the office's list,
   * its region rules and cursor), and the campaign's totals there from the
   * county items (none for a town: sum its rows).
   */
  async campaign(actor: Actor, campaignId: string, q: { region?: string; cursor?: string; limit: number }) {
    if (!(isAdmin(actor) || actor.role === 'auditor'))
      throw new ForbiddenError(
        say(
          '负担报告仅供督导机构和审计人员查阅。',
          'The burden report is read by supervision offices and auditors.',
        ),
      );
    const page = await ports.campaignInspections(actor, campaignId, q);
    const counts = await ports.ofInspections(page.items.map((i) => i.id));
    const items = page.items.map((i) => {
      const b = counts.get(i.id) ?? noBurden();
      return {
        inspectionId: i.id,
        schoolId: i.targetId,
        schoolName: i.targetName ?? null,
        regionCode: i.regionCode,
        ...(i.townCode ? { townCode: i.townCode } : {}),
        ...b,
      };
    });
    // Counties and wider: the county items. A town has no item of its own: its rows are its totals.
    const totals =
      page.region.length > 6 ? undefined : sum(await ports.campaignTotals(campaignId, page.region));
    return {
      campaignId,
      region: page.region,
      ...(totals ? { totals: { ...totals, reuseRate: reuseRate(totals) } } : {}),
      items,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  },

  /** What every campaign asked of one school: the school itself, or the offices over it. */
  async school(actor: Actor, schoolId: string) {
    const overseer = isAdmin(actor) || actor.role === 'auditor';
    if (!(overseer || actor.role === 'school'))
      throw new ForbiddenError(
        say(
          '学校负担仅供本校、其上级督导机构和审计人员查阅。',
          'The burden of a school is read by the school, its offices and auditors.',
        ),
      );
    const school = await ports.visibleSchool(actor, schoolId);
    if (actor.role === 'school' && actor.scope !== school.id)
      throw new NotFoundError(say(`未找到学校 ${schoolId}。`, `School ${schoolId} not found.`));
    if (overseer && !school.regionCode.startsWith(actor.scope))
      throw new NotFoundError(say(`未找到学校 ${schoolId}。`, `School ${schoolId} not found.`));
    const inspections = await ports.inspectionsOf(schoolId);
    const counts = await ports.ofInspections(inspections.map((i) => i.id));
    const campaigns = new Map(
      (await ports.campaigns(inspections.map((i) => i.campaignId))).map((c) => [c.id, c]),
    );
    const entries = inspections
      .map((i) => {
        const c = campaigns.get(i.campaignId);
        return {
          campaignId: i.campaignId,
          inspectionId: i.id,
          title: c?.title ?? null,
          templateId: i.templateId,
          window: c?.window ?? null,
          ...(counts.get(i.id) ?? noBurden()),
        };
      })
      .sort((a, b) => (b.window?.start ?? '').localeCompare(a.window?.start ?? ''));
    const totals = sum(entries);
    return {
      schoolId: school.id,
      schoolName: school.name,
      totals: { ...totals, reuseRate: reuseRate(totals) },
      campaigns: entries,
    };
  },
});
export type BurdenViews = ReturnType<typeof createBurdenViews>;
