import { type Actor, isAdmin } from './actor.ts';
import { officeChain } from './audit-chain.ts';
import {
  type Campaign,
  type CampaignClose,
  type CampaignInput,
  type CampaignLaunch,
  type CampaignPatch,
  type CampaignStatus,
  launchableFrom,
  nextOccurrence,
  readsCampaign,
} from './campaign.ts';
import { ConflictError, ForbiddenError, NotFoundError, say, ValidationError } from './errors.ts';
import type { AuditEvent } from './inspection-service.ts';
import { ancestorsOf, childrenOf, findRegion } from './regions.ts';
import type { Page } from './registry-ports.ts';
import { grades, inspectionPhases, type Template, type TemplateInput, templateSchema } from './template.ts';
import { quantitativeKinds } from './verdicts.ts';

/** Counts of one county's inspections of a campaign, kept by the launch and by every transition. */
export interface CountyProgress {
  countyCode: string;
  targets: number;
  byStatus: Record<string, number>;
  /** Everything else counted per county: overdue, e_<escalation>, g_<grade>, p_<indicator>, r_total, r_passed, score_sum, scored, not_graded, v_<indicator>_<verdict>. */
  counters: Record<string, number>;
}

/** The audit event a campaign change is committed with (see AuditEvent). */
export type CampaignAudit = AuditEvent;

export interface CampaignStore {
  /** Creates the campaign and its audit event, atomically. */
  create(campaign: Campaign, audit: CampaignAudit): Promise<void>;
  get(id: string): Promise<Campaign | undefined>;
  list(query: {
    scopePrefix: string;
    status?: CampaignStatus;
    cursor?: string;
    limit: number;
  }): Promise<Page<Campaign>>;
  /** Replaces the campaign if its stored version is `expectedVersion` (else ConflictError), with its audit event. */
  save(campaign: Campaign, expectedVersion: number, audit: CampaignAudit): Promise<void>;
  progress(campaignId: string, countyPrefix: string): Promise<CountyProgress[]>;
  /** Active recurring campaigns whose next occurrence starts on or before `date`. */
  dueRecurrences(date: string): Promise<Campaign[]>;
  /** Occurrences created by the scheduler and not launched yet. */
  pendingOccurrences(): Promise<Campaign[]>;
  /** Creates the occurrence and marks the parent done, atomically, with the occurrence's audit event; false if it already exists. */
  spawn(parent: Campaign, occurrence: Campaign, audit: CampaignAudit): Promise<boolean>;
  /**
   * Updates fields of the launch `execution` (and optionally the status);
   * false when a newer launch has taken over the campaign.
   */
  updateLaunch(
    id: string,
    execution: string,
    launch: Partial<CampaignLaunch>,
    change?: RunChange,
  ): Promise<boolean>;
  /** The same for the close `execution`. */
  updateClose(
    id: string,
    execution: string,
    close: Partial<CampaignClose>,
    change?: RunChange,
  ): Promise<boolean>;
}

/** What a run may change besides its own record; `onlyFrom` makes the change conditional on the status. */
export interface RunChange {
  status?: CampaignStatus;
  onlyFrom?: CampaignStatus;
  nextStart?: string;
  /** The audit event of the change (a status a run moves the campaign to). */
  audit?: AuditEvent;
}

/** Who publishes a template: the office (region) that first published its id. Built-ins have none. */
export interface TemplateOwner {
  scope: string;
  subject: string;
}

export interface TemplateStore {
  /** The highest version, or the given one. */
  get(id: string, version?: number): Promise<Template | undefined>;
  /** The latest version of every template, each with its owner (none for a built-in). */
  list(): Promise<(Template & { owner?: TemplateOwner })[]>;
  /** Whether `id` is a built-in template, which no office changes. */
  isBuiltIn(id: string): boolean;
  /** The office that owns a stored template id, if any office published it. */
  ownerOf(id: string): Promise<TemplateOwner | undefined>;
  /** Stores a new version with its audit event; ConflictError if that version exists. */
  put(template: Template, owner: TemplateOwner, audit: AuditEvent): Promise<void>;
}

/** Starts (idempotently, by execution name) and describes a campaign workflow. */
export interface WorkflowStarter {
  start(campaignId: string, execution: string): Promise<{ executionArn: string }>;
  describe(executionArn: string): Promise<{ status: string; error?: string } | undefined>;
}

export interface CampaignPorts {
  campaigns: CampaignStore;
  templates: TemplateStore;
  launcher: WorkflowStarter;
  closer: WorkflowStarter;
  newId(): string;
  newSeed(): string;
  now(): string;
}

/** Adds up county counters; coverage = inspected / targets, in percent. */
export const sumCounties = (list: readonly CountyProgress[]) => {
  const byStatus: Record<string, number> = {};
  const counters: Record<string, number> = {};
  let targets = 0;
  for (const c of list) {
    targets += c.targets;
    for (const [status, n] of Object.entries(c.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
    for (const [k, n] of Object.entries(c.counters)) counters[k] = (counters[k] ?? 0) + n;
  }
  const inspected = inspectedStatuses.reduce((a, s) => a + (byStatus[s] ?? 0), 0);
  const inspections = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const coverage = targets === 0 ? 0 : Math.round((inspected / targets) * 10_000) / 100;
  return { targets, inspections, byStatus, counters, coverage };
};

/** Statuses that count as "inspected" for coverage. */
export const inspectedStatuses = ['inspected', 'reported', 'rectifying', 'rectification_submitted', 'closed'];

const requireAdmin = (actor: Actor) => {
  if (!isAdmin(actor))
    throw new ForbiddenError(
      say('只有督导机构可以管理督导活动和模板。', 'Only supervision offices manage campaigns and templates.'),
    );
};

/** An office manages campaigns over its own region or below it. */
const manages = (actor: Actor, campaign: Pick<Campaign, 'scope'>) =>
  isAdmin(actor) && campaign.scope.startsWith(actor.scope);

/** An office may build campaigns on built-ins and on templates published by itself or an office above it. */
const usable = (actor: Actor, owner: TemplateOwner | undefined) =>
  !owner || actor.scope.startsWith(owner.scope);
/** Offices and auditors see those, and also templates published below them (to read the campaigns using them). */
const visible = (actor: Actor, owner: TemplateOwner | undefined) =>
  !owner || actor.scope.startsWith(owner.scope) || owner.scope.startsWith(actor.scope);

export const createCampaignService = (ports: CampaignPorts) => {
  const { campaigns, templates } = ports;

  /** The audit event of a change to a campaign, in the campaign's own chain. */
  const audited = (
    actor: Actor | 'scheduler',
    campaign: Campaign,
    action: string,
    details: Record<string, unknown> = {},
  ): CampaignAudit => ({
    campaignId: campaign.id,
    entityId: campaign.id,
    regionCode: campaign.scope,
    action,
    actor: actor === 'scheduler' ? 'system:scheduler' : actor.subject,
    at: ports.now(),
    details: { version: campaign.version, status: campaign.status, ...details },
  });

  const readable = async (actor: Actor, id: string): Promise<Campaign> => {
    const campaign = await campaigns.get(id);
    if (!campaign || !readsCampaign(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${id}。`, `Campaign ${id} not found.`));
    return campaign;
  };
  const manageable = async (actor: Actor, id: string): Promise<Campaign> => {
    requireAdmin(actor);
    const campaign = await readable(actor, id);
    if (!manages(actor, campaign))
      throw new ForbiddenError(
        say(
          `活动 ${id} 由 ${campaign.scope} 的督导机构负责。`,
          `Campaign ${id} is run by the office of ${campaign.scope}.`,
        ),
      );
    return campaign;
  };

  /**
   * A re-evaluation (复评) is based on launched campaigns of the same template,
   * each over a region strictly under its scope, no two overlapping (so each
   * target was graded by one of them): 400 naming each that is not.
   */
  const checkBasedOn = async (actor: Actor, input: CampaignInput) => {
    const ids = input.basedOn ?? [];
    const problems: { path: string; message: string }[] = [];
    const scopes: string[] = [];
    for (const [n, id] of ids.entries()) {
      const path = `body.basedOn.${n}`;
      const based = await campaigns.get(id);
      if (!based || !readsCampaign(actor, based)) problems.push({ path, message: `no campaign ${id}` });
      else if (based.templateId !== input.templateId)
        problems.push({
          path,
          message: `campaign ${id} is of template ${based.templateId}, not ${input.templateId}`,
        });
      else if (!based.scope.startsWith(input.scope) || based.scope === input.scope)
        problems.push({
          path,
          message: `campaign ${id} is over ${based.scope}, not a region under ${input.scope}`,
        });
      else if (!['active', 'closing', 'closed'].includes(based.status))
        problems.push({
          path,
          message: `campaign ${id} is ${based.status}: only launched campaigns are re-evaluated`,
        });
      else if (scopes.some((s) => s.startsWith(based.scope) || based.scope.startsWith(s)))
        problems.push({
          path,
          message: `campaign ${id} is over ${based.scope}, which another campaign named covers`,
        });
      else scopes.push(based.scope);
    }
    if (problems.length > 0)
      throw new ValidationError(
        say(
          '复评须基于其范围内已启动的同模板活动。',
          'A re-evaluation is based on launched campaigns of its template under its scope.',
        ),
        problems,
      );
  };

  /** Moves the campaign to `launching` (one launch at a time) and starts the workflow. */
  const launch = async (actor: Actor | 'scheduler', id: string) => {
    const campaign = actor === 'scheduler' ? await campaigns.get(id) : await manageable(actor, id);
    if (!campaign) throw new NotFoundError(say(`未找到活动 ${id}。`, `Campaign ${id} not found.`));
    if (!launchableFrom.includes(campaign.status)) {
      throw new ConflictError(
        say(
          `活动 ${id} 的状态为 ${campaign.status}：现在不能启动。`,
          `Campaign ${id} is ${campaign.status}: it cannot be launched now.`,
        ),
      );
    }
    const attempt = (campaign.launch?.attempt ?? 0) + 1;
    const execution = `launch-${id}-${attempt}`;
    const launching: Campaign = {
      ...campaign,
      status: 'launching',
      version: campaign.version + 1,
      updatedAt: ports.now(),
      launch: { attempt, execution, startedAt: ports.now() },
    };
    await campaigns.save(
      launching,
      campaign.version,
      audited(actor, launching, 'launch_campaign', { attempt, execution, from: campaign.status }),
    );
    const { executionArn } = await ports.launcher.start(id, execution);
    await campaigns.updateLaunch(id, execution, { executionArn });
    return { campaignId: id, status: launching.status, executionArn, attempt };
  };

  /**
   * Seals an active campaign: `closing` (one close at a time), then the
   * close-campaign workflow writes the final statistics and the evidence
   * manifest and sets it `closed`. A failed close leaves it active to retry.
   */
  const close = async (actor: Actor, id: string) => {
    const campaign = await manageable(actor, id);
    if (campaign.status !== 'active') {
      throw new ConflictError(
        say(
          `活动 ${id} 的状态为 ${campaign.status}：只有进行中的活动可以结束。`,
          `Campaign ${id} is ${campaign.status}: only an active campaign can be closed.`,
        ),
      );
    }
    const attempt = (campaign.close?.attempt ?? 0) + 1;
    const execution = `close-${id}-${attempt}`;
    const closing: Campaign = {
      ...campaign,
      status: 'closing',
      version: campaign.version + 1,
      updatedAt: ports.now(),
      close: { attempt, execution, by: actor.subject, startedAt: ports.now() },
    };
    await campaigns.save(
      closing,
      campaign.version,
      audited(actor, closing, 'close_campaign', { attempt, execution }),
    );
    const { executionArn } = await ports.closer.start(id, execution);
    await campaigns.updateClose(id, execution, { executionArn });
    return { campaignId: id, status: 'closing' as const, executionArn, attempt };
  };

  return {
    /** Built-ins and the templates the caller's office may use or must be able to read. */
    async listTemplates(actor: Actor) {
      const all = await templates.list();
      const readsAll = isAdmin(actor) || actor.role === 'auditor';
      return all
        .filter((t) => (readsAll ? visible(actor, t.owner) : !t.owner))
        .map(({ owner, ...t }) => ({ ...t, ...(owner ? { owner: owner.scope } : { builtIn: true }) }));
    },
    close,

    /** One template, as the list shows them: offices and auditors see what `visible` allows, others built-ins. */
    async template(actor: Actor, id: string) {
      const template = await templates.get(id);
      const owner = template ? await templates.ownerOf(id) : undefined;
      const readsAll = isAdmin(actor) || actor.role === 'auditor';
      if (!template || !(readsAll ? visible(actor, owner) : !owner))
        throw new NotFoundError(say(`未找到模板 ${id}。`, `Template ${id} not found.`));
      return template;
    },

    /**
     * Publishes a template, or the next version of one. A built-in is
     * read-only (publish your own, `basedOn` it); a stored template belongs to
     * the office that first published it, and only that office or one above it
     * publishes its next versions. Versions go up one at a time; a campaign keeps
     * the version it was created with.
     */
    async addTemplate(actor: Actor, input: TemplateInput) {
      requireAdmin(actor);
      const template = templateSchema.parse(input);
      if (templates.isBuiltIn(template.id)) {
        throw new ForbiddenError(
          say(
            `${template.id} 是内置模板，不能修改：请发布您自己的模板，并注明 basedOn: {id: '${template.id}', version}。`,
            `${template.id} is a built-in template and cannot be changed: publish your own template, with basedOn: {id: '${template.id}', version}.`,
          ),
        );
      }
      const owner = await templates.ownerOf(template.id);
      if (owner && !owner.scope.startsWith(actor.scope))
        throw new ForbiddenError(
          say(
            `模板 ${template.id} 属于 ${owner.scope} 的督导机构。`,
            `Template ${template.id} belongs to the office of ${owner.scope}.`,
          ),
        );
      const existing = await templates.get(template.id);
      const next = (existing?.version ?? 0) + 1;
      if (template.version !== next) {
        throw new ConflictError(
          existing
            ? say(
                `模板 ${template.id} 当前为第 ${existing.version} 版：请发布第 ${next} 版。`,
                `Template ${template.id} is at version ${existing.version}; publish version ${next}.`,
              )
            : say('新模板从第 1 版开始。', 'A new template starts at version 1.'),
        );
      }
      if (template.basedOn) {
        const base = await templates.get(template.basedOn.id, template.basedOn.version);
        if (!base || !visible(actor, await templates.ownerOf(template.basedOn.id))) {
          throw new ValidationError(
            say('所依据的模板不存在。', 'The template it is based on does not exist.'),
            [
              {
                path: 'body.basedOn',
                message: say(
                  `没有模板 ${template.basedOn.id} 的第 ${template.basedOn.version} 版`,
                  `no template ${template.basedOn.id} version ${template.basedOn.version}`,
                ),
              },
            ],
          );
        }
      }
      const publisher = owner ?? { scope: actor.scope, subject: actor.subject };
      await templates.put(template, publisher, {
        campaignId: officeChain(actor.scope),
        entityId: `template:${template.id}`,
        regionCode: actor.scope,
        action: 'publish_template',
        actor: actor.subject,
        at: ports.now(),
        details: {
          templateId: template.id,
          version: template.version,
          owner: publisher.scope,
          ...(template.basedOn ? { basedOn: template.basedOn } : {}),
        },
      });
      return template;
    },

    async create(actor: Actor, input: CampaignInput): Promise<Campaign> {
      requireAdmin(actor);
      if (!findRegion(input.scope)) {
        throw new ValidationError(say('活动范围不是一个区划。', 'The campaign scope is not a region.'), [
          {
            path: 'body.scope',
            message: say(
              `${input.scope} 不是 GB/T 2260 中的区划`,
              `${input.scope} is not a GB/T 2260 region`,
            ),
          },
        ]);
      }
      if (!input.scope.startsWith(actor.scope)) {
        throw new ForbiddenError(
          say('活动范围不是您所督导的区划。', 'The campaign scope is not a region you supervise.'),
          [
            {
              path: 'body.scope',
              message: say(`须为 ${actor.scope} 或其下级区划`, `must be ${actor.scope} or a region under it`),
            },
          ],
        );
      }
      const template = await templates.get(input.templateId);
      if (!template || !usable(actor, await templates.ownerOf(input.templateId))) {
        throw new ValidationError(say('未知的模板。', 'Unknown template.'), [
          {
            path: 'body.templateId',
            message: say(`没有模板 ${input.templateId}`, `no template ${input.templateId}`),
          },
        ]);
      }
      if (input.basedOn) await checkBasedOn(actor, input);
      const now = ports.now();
      // The template's recurrence is the default; `recurrence: null` makes a one-off of a recurring template.
      const { recurrence: asked, ...rest } = input;
      const recurrence = asked === null ? undefined : (asked ?? template.recurrence);
      const campaign: Campaign = {
        ...rest,
        ...(recurrence ? { recurrence } : {}),
        id: ports.newId(),
        templateVersion: template.version,
        status: 'draft',
        version: 1,
        createdBy: actor.subject,
        createdAt: now,
        updatedAt: now,
        samplingSeed: ports.newSeed(),
      };
      await campaigns.create(
        campaign,
        audited(actor, campaign, 'create_campaign', {
          templateId: template.id,
          templateVersion: template.version,
          ...(recurrence ? { recurrence, recurrenceFrom: asked ? 'campaign' : 'template' } : {}),
        }),
      );
      return campaign;
    },

    get: readable,

    async list(
      actor: Actor,
      query: { scope?: string; status?: CampaignStatus; cursor?: string; limit: number },
    ) {
      if (!isAdmin(actor) && actor.role !== 'auditor')
        throw new ForbiddenError(
          say('活动列表仅供督导机构和审计人员查阅。', 'Campaign lists are for offices and auditors.'),
        );
      const scope = query.scope ?? actor.scope;
      if (!scope.startsWith(actor.scope))
        throw new NotFoundError(say(`未找到区划 ${scope}。`, `Region ${scope} not found.`));
      return campaigns.list({
        scopePrefix: scope,
        ...(query.status ? { status: query.status } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
    },

    async update(actor: Actor, id: string, version: number, patch: CampaignPatch): Promise<Campaign> {
      const campaign = await manageable(actor, id);
      if (campaign.status !== 'draft')
        throw new ConflictError(
          say(
            `活动 ${id} 的状态为 ${campaign.status}：只有草稿可以修改。`,
            `Campaign ${id} is ${campaign.status}; only drafts change.`,
          ),
        );
      if (campaign.version !== version)
        throw new ConflictError(
          say(
            `活动 ${id} 当前为第 ${campaign.version} 版，而非第 ${version} 版。`,
            `Campaign ${id} is at version ${campaign.version}, not ${version}.`,
          ),
        );
      const { recurrence, ...rest } = patch;
      const updated: Campaign = { ...campaign, ...rest, version: version + 1, updatedAt: ports.now() };
      if (recurrence === null) delete updated.recurrence;
      else if (recurrence) updated.recurrence = recurrence;
      await campaigns.save(
        updated,
        version,
        audited(actor, updated, 'update_campaign', { changed: Object.keys(patch) }),
      );
      return updated;
    },

    launch,

    /**
     * The scheduler's part of recurring campaigns: create each due occurrence
     * exactly once (a conditional transaction), then launch every occurrence
     * that is still a draft. Safe to run any number of times.
     */
    async runRecurrences(today: string) {
      let created = 0;
      for (const parent of await campaigns.dueRecurrences(today)) {
        const occurrence = nextOccurrence(parent, ports.now(), ports.newSeed());
        const audit = audited('scheduler', occurrence, 'create_campaign', {
          seriesId: occurrence.seriesId,
          occurrence: occurrence.occurrence,
        });
        if (await campaigns.spawn(parent, occurrence, audit)) created++;
      }
      const launched: string[] = [];
      for (const occurrence of await campaigns.pendingOccurrences()) {
        if (occurrence.status !== 'draft') continue;
        try {
          await launch('scheduler', occurrence.id);
          launched.push(occurrence.id);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error; // another run got there first
        }
      }
      return { created, launched };
    },

    /** The launch as the caller's part of the region tree sees it: counts of its counties only. */
    async launchStatus(actor: Actor, id: string) {
      const campaign = await readable(actor, id);
      if (!campaign.launch)
        throw new NotFoundError(say(`活动 ${id} 尚未启动。`, `Campaign ${id} has not been launched.`));
      const execution = campaign.launch.executionArn
        ? await ports.launcher.describe(campaign.launch.executionArn)
        : undefined;
      const part = actor.scope.length > campaign.scope.length ? actor.scope : '';
      const counties = await campaigns.progress(id, part);
      const created = counties.reduce(
        (sum, c) => sum + Object.values(c.byStatus).reduce((a, b) => a + b, 0),
        0,
      );
      const targets = part
        ? counties.reduce((sum, c) => sum + c.targets, 0)
        : (campaign.launch.targets ?? null);
      const unassignable = part
        ? counties.reduce((sum, c) => sum + (c.byStatus.unassigned ?? 0), 0)
        : (campaign.launch.unassignable ?? 0);
      return {
        campaignId: id,
        campaignStatus: campaign.status,
        attempt: campaign.launch.attempt,
        executionArn: campaign.launch.executionArn ?? null,
        executionStatus: execution?.status ?? 'PENDING',
        startedAt: campaign.launch.startedAt,
        finishedAt: campaign.launch.finishedAt ?? null,
        region: part || campaign.scope,
        targets,
        created,
        unassignable,
        ...(campaign.launch.error ? { error: campaign.launch.error } : {}),
      };
    },

    /**
     * The campaign report of a region: grade distribution, common problems by
     * indicator, rectification completion, and the ranking of child regions —
     * all from the per-county counters.
     */
    async report(actor: Actor, id: string, region?: string) {
      const progress = await this.progress(actor, id, region);
      const campaign = await campaigns.get(id);
      const template = await templates.get(campaign!.templateId, campaign!.templateVersion);
      const code = progress.region.code;
      const counties = await campaigns.progress(id, code);
      // Quantitative indicators' verdicts: met and not met as reported, every other inspection not assessed.
      const quantitative = (template?.indicators ?? []).filter((i) => quantitativeKinds.includes(i.kind));
      const figures = (list: CountyProgress[]) => {
        const { counters, inspections } = sumCounties(list);
        const scored = counters.scored ?? 0;
        const rTotal = counters.r_total ?? 0;
        return {
          reported: scored + (counters.not_graded ?? 0),
          /** Reports with nothing assessed: no score, no grade. */
          notGraded: counters.not_graded ?? 0,
          verdicts: quantitative.map((i) => {
            const met = counters[`v_${i.id}_met`] ?? 0;
            const notMet = counters[`v_${i.id}_not_met`] ?? 0;
            return {
              indicatorId: i.id,
              title: i.title,
              met,
              notMet,
              notAssessed: Math.max(0, inspections - met - notMet),
            };
          }),
          averageScore: scored === 0 ? null : Math.round(((counters.score_sum ?? 0) / scored) * 100) / 100,
          grades: Object.fromEntries(grades.map((g) => [g, counters[`g_${g}`] ?? 0])),
          rectifications: {
            total: rTotal,
            passed: counters.r_passed ?? 0,
            completionRate:
              rTotal === 0 ? null : Math.round(((counters.r_passed ?? 0) / rTotal) * 10_000) / 100,
          },
          problems: Object.entries(counters)
            .filter(([k]) => k.startsWith('p_'))
            .map(([k, n]) => {
              const indicator = template?.indicators.find((i) => i.id === k.slice(2));
              return { indicatorId: k.slice(2), title: indicator?.title ?? null, problems: n };
            })
            .sort((a, b) => b.problems - a.problems || a.indicatorId.localeCompare(b.indicatorId)),
        };
      };
      const ranking = progress.children
        .map((child) => ({
          code: child.code,
          name: child.name,
          coverage: child.coverage,
          ...figures(counties.filter((c) => c.countyCode.startsWith(child.code))),
        }))
        .sort((a, b) => (b.averageScore ?? -1) - (a.averageScore ?? -1) || a.code.localeCompare(b.code))
        .map((child, i) => ({ rank: i + 1, ...child }));
      return {
        campaignId: id,
        title: campaign!.title,
        region: progress.region,
        totals: { ...progress.totals, ...figures(counties) },
        ranking,
      };
    },

    /** Counts per status for each child region of `region` (default: the campaign's scope), and totals. */
    async progress(actor: Actor, id: string, region?: string) {
      const campaign = await readable(actor, id);
      const code = region ?? (campaign.scope.startsWith(actor.scope) ? campaign.scope : actor.scope);
      // The region must lie in the caller's region and overlap the campaign's.
      const overlaps = code.startsWith(campaign.scope) || campaign.scope.startsWith(code);
      if (!findRegion(code) || !code.startsWith(actor.scope) || !overlaps) {
        throw new NotFoundError(
          say(`本活动中未找到区划 ${code}。`, `Region ${code} not found in this campaign.`),
        );
      }
      const counties = await campaigns.progress(id, code.length >= 6 ? code.slice(0, 6) : code);
      const sum = (list: CountyProgress[]) => {
        const totals = sumCounties(list);
        return {
          targets: totals.targets,
          inspections: totals.inspections,
          byStatus: totals.byStatus,
          coverage: totals.coverage,
          /** Rectification items overdue (as before), and each phase overdue now and ever late. */
          overdue: totals.counters.overdue ?? 0,
          overdueByPhase: {
            ...Object.fromEntries(inspectionPhases.map((p) => [p, totals.counters[`overdue_${p}`] ?? 0])),
            rectification: totals.counters.overdue ?? 0,
          },
          lateByPhase: Object.fromEntries(
            inspectionPhases.map((p) => [p, totals.counters[`late_${p}`] ?? 0]),
          ),
          returns: totals.counters.returns ?? 0,
          escalations: Object.fromEntries(
            Object.entries(totals.counters)
              .filter(([k]) => k.startsWith('e_'))
              .map(([k, v]) => [k.slice(2), v]),
          ),
        };
      };
      const area = findRegion(code)!;
      const children =
        area.level === 'county' || area.level === 'town'
          ? []
          : childrenOf(code)
              .map((child) => ({
                code: child.code,
                name: child.name,
                ...sum(counties.filter((c) => c.countyCode.startsWith(child.code))),
              }))
              .filter((c) => c.targets > 0 || c.inspections > 0);
      return {
        campaignId: id,
        region: { code, name: area.name, parents: ancestorsOf(code).map((r) => r.code) },
        totals: sum(counties),
        children,
      };
    },
  };
};
export type CampaignService = ReturnType<typeof createCampaignService>;
