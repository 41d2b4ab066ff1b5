import { createHash } from 'node:crypto';
import { type Actor, isAdmin } from './actor.ts';
import { type Campaign, overlapsScope, readsCampaign } from './campaign.ts';
import { ConflictError, ForbiddenError, NotFoundError, say } from './errors.ts';
import type { Inspection, Team } from './inspection.ts';
import { inspectionTransitions } from './inspection-commit.ts';
import type { AuditEvent, InspectionPorts } from './inspection-service.ts';
import { limits } from './limits.ts';
import {
  drawPanels,
  type Panel,
  type PanelInspection,
  type PoolExpert,
  panelDrawMethod,
  panelReplacementMethod,
  type ReplacementReason,
  replaceMember,
  requiredSpecialties,
} from './panels.ts';
import { countiesUnder } from './regions.ts';
import { availableOn, type Inspector, type SchoolKind } from './registry.ts';
import { panelKeys } from './storage.ts';
import type { createTeamService } from './team-service.ts';

export interface PanelPorts extends InspectionPorts {
  teams: Pick<ReturnType<typeof createTeamService>, 'applyDrawn'>;
  /** Every inspector of these kinds in the counties (the pool), whole. */
  pool(counties: readonly string[], kinds: readonly Inspector['kind'][]): Promise<Inspector[]>;
  /** The kind of each school. */
  schoolKinds(schoolIds: readonly string[]): Promise<Map<string, SchoolKind>>;
  loads(campaignId: string, inspectorIds: readonly string[]): Promise<Map<string, number>>;
  unassigned(
    campaignId: string,
    q: { counties: readonly string[]; cursor?: string; limit: number },
  ): Promise<{ items: Inspection[]; cursor?: string }>;
  /** The evidence bucket (Object Lock): the record of each draw, for auditors. */
  archive: { writeJson(key: string, value: unknown): Promise<void> };
  presignDownload(key: string, fileName: string): Promise<string>;
  draws: {
    put(draw: PanelDraw, audit: AuditEvent): Promise<void>;
    list(campaignId: string): Promise<PanelDraw[]>;
  };
  logAccess(event: AuditEvent): Promise<void>;
}

/** One draw of a campaign's panels: what an auditor needs to redraw it and to find its record. */
export interface PanelDraw {
  id: string;
  campaignId: string;
  region: string;
  seed: string;
  method: { version: number; zh: string; en: string };
  at: string;
  by: string;
  drawn: number;
  unfilled: { inspectionId: string; reason: string; missingSpecialties: string[] }[];
  /** The record in the evidence bucket: inputs (pool, loads, inspections, rule) and result. */
  key: string;
  sha256: string;
}

/**
 * The seed of a campaign's panel draws: derived from the seed stored at the
 * campaign's creation (the one its sample uses), so it is fixed before anyone
 * sees who is in the pool, and every draw of the campaign can be redone.
 */
export const panelSeedOf = (campaign: Pick<Campaign, 'samplingSeed' | 'id'>) =>
  createHash('sha256').update(`${campaign.samplingSeed}:panels:${campaign.id}`).digest('hex');

const poolExpert = (i: Inspector, day: string): PoolExpert => ({
  id: i.id,
  kind: i.kind,
  regionCode: i.regionCode,
  homeSchoolId: i.homeSchoolId,
  specialties: i.specialties ?? [],
  available: availableOn(i, day),
  conflicts: i.conflicts ?? [],
});

/** Where the campaign's visit falls (China's date): the day availability is judged for. */
const visitDay = (inspection: Inspection) =>
  new Date(Date.parse(inspection.deadlines.on_site ?? inspection.createdAt) + 8 * 3_600_000)
    .toISOString()
    .slice(0, 10);

/**
 * Expert panels (评估专家组) for the inspections of templates whose team is a
 * panel: drawn by the office from the experts and full-time inspectors of its
 * region, reproducibly from the campaign's seed (see panels.ts for the method);
 * each draw's inputs and result kept in the evidence bucket and audited;
 * replacements of one member recorded with the reason.
 */
export const createPanelService = (ports: PanelPorts) => {
  const { load, requireActive } = inspectionTransitions(ports);

  const campaignFor = async (actor: Actor, id: string) => {
    if (!isAdmin(actor))
      throw new ForbiddenError(
        say('只有督导机构可以抽取专家组。', 'Only supervision offices draw expert panels.'),
      );
    const campaign = await ports.campaign(id);
    if (!campaign || !overlapsScope(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${id}。`, `Campaign ${id} not found.`));
    const template = await ports.template(campaign.templateId, campaign.templateVersion);
    if (!template) throw new Error(`template ${campaign.templateId}@${campaign.templateVersion} missing`);
    if (template.team.mode !== 'panel' || !template.team.panel)
      throw new ConflictError(
        say(
          `模板 ${template.id} 不要求抽取专家组（其督导组方式为 ${template.team.mode}）。`,
          `Template ${template.id} does not ask for expert panels (its teams: ${template.team.mode}).`,
        ),
      );
    return { campaign, template, rule: template.team.panel };
  };

  const poolFor = async (actor: Actor, day: string) =>
    (
      await ports.pool(
        countiesUnder(actor.scope).map((c) => c.code),
        ['expert', 'full_time'],
      )
    ).map((i) => poolExpert(i, day));

  return {
    /**
     * POST /campaigns/{id}/panels: draws a panel for each inspection of the
     * office's region that has no team yet (at most 500 a call; the cursor goes
     * on), then sets each as the inspection's team.
     */
    async draw(actor: Actor, campaignId: string, q: { region?: string; cursor?: string }) {
      const { campaign, rule } = await campaignFor(actor, campaignId);
      requireActive(campaign);
      const region = q.region ?? (campaign.scope.length >= actor.scope.length ? campaign.scope : actor.scope);
      if (!region.startsWith(actor.scope))
        throw new ForbiddenError(
          say(`区划 ${region} 不在您的管辖范围内。`, `Region ${region} lies outside your region.`),
        );
      const counties = countiesUnder(region)
        .map((c) => c.code)
        .filter((c) => c.startsWith(campaign.scope));
      const page = await ports.unassigned(campaignId, {
        counties,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: limits.assignmentsPerRequest,
      });
      const kinds = await ports.schoolKinds(page.items.map((i) => i.targetId));
      const inspections: PanelInspection[] = page.items.flatMap((i) => {
        const kind = kinds.get(i.targetId);
        return kind ? [{ id: i.id, schoolId: i.targetId, schoolKind: kind, regionCode: i.regionCode }] : [];
      });
      const day = page.items[0] ? visitDay(page.items[0]) : new Date().toISOString().slice(0, 10);
      const experts = await poolFor(actor, day);
      const loads = await ports.loads(
        campaignId,
        experts.map((e) => e.id),
      );
      const seed = panelSeedOf(campaign);
      const result = drawPanels({ seed, rule, inspections, experts, loads });

      const now = ports.now();
      const id = ports.newId();
      const key = panelKeys.draw(campaignId, id);
      const record = {
        drawId: id,
        campaignId,
        region,
        seed,
        method: panelDrawMethod,
        rule,
        day,
        inspections,
        experts,
        loads: Object.fromEntries(loads),
        panels: result.panels,
        unfilled: result.unfilled,
      };
      await ports.archive.writeJson(key, record);
      const draw: PanelDraw = {
        id,
        campaignId,
        region,
        seed,
        method: panelDrawMethod,
        at: now,
        by: actor.subject,
        drawn: result.panels.length,
        unfilled: result.unfilled.map((u) => ({
          inspectionId: u.inspectionId,
          reason: u.reason,
          missingSpecialties: [...u.missingSpecialties],
        })),
        key,
        sha256: createHash('sha256').update(JSON.stringify(record)).digest('hex'),
      };
      await ports.draws.put(draw, {
        campaignId,
        entityId: campaignId,
        regionCode: region,
        action: 'draw_panels',
        actor: actor.subject,
        at: now,
        details: {
          drawId: id,
          seed,
          methodVersion: panelDrawMethod.version,
          drawn: draw.drawn,
          unfilled: draw.unfilled.length,
          key,
          sha256: draw.sha256,
        },
      });
      const byId = new Map(page.items.map((i) => [i.id, i]));
      let applied = 0;
      for (const panel of result.panels) {
        const loaded = await load(actor, panel.inspectionId);
        if (loaded.inspection.team || !byId.has(panel.inspectionId)) continue;
        const team = {
          lead: panel.lead,
          members: panel.members
            .filter((m) => m.inspectorId !== panel.lead)
            .map((m) => ({ inspectorId: m.inspectorId })),
        };
        const { changed } = await ports.teams.applyDrawn(actor, loaded, team, `panel draw ${id}`, {
          drawId: id,
        });
        if (changed) applied++;
      }
      return { ...draw, applied, ...(page.cursor ? { cursor: page.cursor } : {}) };
    },

    /** GET /campaigns/{id}/panels: the campaign's draws, each with an audited link to its record. */
    async draws(actor: Actor, campaignId: string, requestId: string) {
      const campaign = await ports.campaign(campaignId);
      if (!campaign || !readsCampaign(actor, campaign))
        throw new NotFoundError(say(`未找到活动 ${campaignId}。`, `Campaign ${campaignId} not found.`));
      const draws = (await ports.draws.list(campaignId)).filter(
        (d) => d.region.startsWith(actor.scope) || actor.scope.startsWith(d.region),
      );
      const items = [];
      for (const d of draws) {
        await ports.logAccess({
          campaignId,
          entityId: d.id,
          regionCode: d.region,
          action: 'download_panel_draw',
          actor: actor.subject,
          at: ports.now(),
          details: { key: d.key, requestId, role: actor.role },
        });
        items.push({
          ...d,
          record: {
            url: await ports.presignDownload(d.key, `panels-${campaignId}-${d.id}.json`),
            expiresInSeconds: 300,
          },
        });
      }
      return { campaignId, items };
    },

    /**
     * POST /inspections/{id}/team/replacements: one member of a drawn panel
     * leaves (declined, sick…) and is replaced by the rules of the draw; the
     * reason is kept on the team and in the audit event.
     */
    async replace(
      actor: Actor,
      inspectionId: string,
      input: { version: number; memberId: string; reason: ReplacementReason },
    ) {
      const loaded = await load(actor, inspectionId);
      if (!isAdmin(actor) || !loaded.inspection.regionCode.startsWith(actor.scope))
        throw new ForbiddenError(
          say(
            '只有学校的上级督导机构可以更换专家组成员。',
            'Only the office over the school replaces panel members.',
          ),
        );
      const { campaign, rule } = await campaignFor(actor, loaded.campaign.id);
      requireActive(campaign);
      if (loaded.inspection.version !== input.version)
        throw new ConflictError(
          say(
            `该督导当前为第 ${loaded.inspection.version} 版，而非第 ${input.version} 版：请重新读取。`,
            `The inspection is at version ${loaded.inspection.version}, not ${input.version}: reload it.`,
          ),
        );
      const team = loaded.inspection.team;
      if (team?.source !== 'panel')
        throw new ConflictError(say('该督导没有抽取的专家组。', 'The inspection has no drawn panel.'));
      const kind = (await ports.schoolKinds([loaded.inspection.targetId])).get(loaded.inspection.targetId);
      if (!kind)
        throw new NotFoundError(
          say(
            `未找到学校 ${loaded.inspection.targetId}。`,
            `School ${loaded.inspection.targetId} not found.`,
          ),
        );
      const experts = await poolFor(actor, visitDay(loaded.inspection));
      const byId = new Map(experts.map((e) => [e.id, e]));
      const required = requiredSpecialties(rule, kind);
      const memberIds = [team.lead, ...team.members.map((m) => m.inspectorId)];
      const panel: Panel = {
        inspectionId,
        lead: team.lead,
        members: memberIds.map((id) => {
          const e = byId.get(id);
          const specialties = e?.specialties ?? [];
          return {
            inspectorId: id,
            kind: e?.kind ?? 'expert',
            specialties,
            covers: required.filter((s) => specialties.includes(s)),
          };
        }),
        replacements: (team.replacements ?? []).map((r) => ({ out: r.out, in: r.in, reason: r.reason })),
      };
      const loads = await ports.loads(
        campaign.id,
        experts.map((e) => e.id),
      );
      const result = replaceMember({
        seed: panelSeedOf(campaign),
        rule,
        panel,
        inspection: {
          id: inspectionId,
          schoolId: loaded.inspection.targetId,
          schoolKind: kind,
          regionCode: loaded.inspection.regionCode,
        },
        memberId: input.memberId,
        reason: input.reason,
        experts,
        loads,
      });
      if (!result.ok) {
        if (result.reason === 'not_a_member')
          throw new NotFoundError(
            say(`${input.memberId} 不在此专家组中。`, `${input.memberId} is not on this panel.`),
          );
        throw new ConflictError(
          say(
            `没有专家可以替换 ${input.memberId}：${result.reason}。`,
            `No expert can replace ${input.memberId}: ${result.reason}.`,
          ),
          [
            ...result.missingSpecialties.map((s) => ({
              path: 'specialties',
              message: say(`没有符合条件的专家具备 ${s}`, `nobody eligible has ${s}`),
            })),
          ],
        );
      }
      const next = {
        lead: result.panel.lead,
        members: result.panel.members
          .filter((m) => m.inspectorId !== result.panel.lead)
          .map((m) => ({ inspectorId: m.inspectorId })),
      };
      const replacements: NonNullable<Team['replacements']> = [
        ...(team.replacements ?? []),
        { ...result.replacement, at: ports.now(), by: actor.subject },
      ];
      const { inspection } = await ports.teams.applyDrawn(
        actor,
        loaded,
        next,
        `${input.reason.code}${input.reason.note ? `: ${input.reason.note}` : ''}`,
        { ...(team.drawId ? { drawId: team.drawId } : {}), replacements },
      );
      return { inspection, replacement: result.replacement, method: panelReplacementMethod };
    },
  };
};
export type PanelService = ReturnType<typeof createPanelService>;
