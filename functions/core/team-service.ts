import { type Actor, isAdmin } from './actor.ts';
import { type Campaign, inspectionId, overlapsScope } from './campaign.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type ProblemDetail,
  say,
  ValidationError,
} from './errors.ts';
import type { Inspection, Team, TeamMember, TeamSource } from './inspection.ts';
import { teamMembers } from './inspection.ts';
import { inspectionTransitions, type Loaded } from './inspection-commit.ts';
import type { InspectionPorts } from './inspection-service.ts';
import { limits } from './limits.ts';
import { countiesUnder } from './regions.ts';
import type { Assignment, BulkTeams, TeamInput, TeamRule } from './team-input.ts';

export interface TeamInspector {
  id: string;
  kind: 'responsible' | 'full_time' | 'expert';
  regionCode: string;
  name: string;
}

export interface TeamPorts extends InspectionPorts {
  /** Inspectors of the registry by id (those that exist). */
  inspectors(ids: readonly string[]): Promise<Map<string, TeamInspector>>;
  /** The zone's responsible inspector of each school in a zone. */
  zoneInspectors(schoolIds: readonly string[]): Promise<Map<string, string>>;
  /** Inspectors of a county of the given kinds. */
  countyInspectors(county: string, kinds: readonly TeamInspector['kind'][]): Promise<string[]>;
  /** Inspections each inspector carries in the campaign. */
  loads(campaignId: string, inspectorIds: readonly string[]): Promise<Map<string, number>>;
  /** The campaign's inspections without a team in these counties, in order, paged. */
  unassigned(
    campaignId: string,
    q: { counties: readonly string[]; cursor?: string; limit: number },
  ): Promise<{ items: Inspection[]; cursor?: string }>;
  /** Rows of a CSV (UTF-8 or GBK) or XLSX file, header first. */
  readTable(bytes: Uint8Array): Promise<string[][]>;
}

/** The columns of an assignment file: one row per team member (English header or its Chinese alias). */
export const assignmentColumns = {
  schoolId: ['school_id', '学校标识码'],
  inspectorId: ['inspector_id', '督学编号'],
  role: ['role', '角色'],
  indicators: ['indicators', '负责指标'],
} as const;
const leadWords = new Set(['lead', '组长']);
const memberWords = new Set(['member', '成员', '组员']);

const sameTeam = (a: Team | undefined, lead: string, members: readonly TeamMember[]) =>
  a !== undefined &&
  a.lead === lead &&
  JSON.stringify(a.members.map((m) => [m.inspectorId, m.indicatorIds ?? null])) ===
    JSON.stringify(members.map((m) => [m.inspectorId, m.indicatorIds ?? null]));

/**
 * Inspection teams (督导组): the office sets a team on one inspection, or on
 * many from a list, a spreadsheet or a rule. Each change is one transition
 * of the inspection (its work-list entries, the members' loads, the move out
 * of `unassigned` and the audit event together). Setting the team an
 * inspection already has changes nothing, so a bulk request can be repeated.
 */
export const createTeamService = (ports: TeamPorts) => {
  const { load, loadAny, commit, requireActive } = inspectionTransitions(ports);

  const officeOver = (actor: Actor, inspection: Pick<Inspection, 'regionCode'>) => {
    if (!isAdmin(actor))
      throw new ForbiddenError(
        say('只有督导机构可以设置督导组。', 'Only supervision offices set inspection teams.'),
      );
    if (!inspection.regionCode.startsWith(actor.scope))
      throw new ForbiddenError(say('该督导不在您的管辖区域内。', 'The inspection lies outside your region.'));
  };

  /** Problems with the people and indicators a team names (paths under `at`). */
  const checkTeam = async (
    actor: Actor,
    loaded: Pick<Loaded, 'template'>,
    team: { lead: string; members: readonly TeamMember[] },
    at: string,
  ): Promise<{ people: ProblemDetail[]; indicators: ProblemDetail[] }> => {
    const ids = [team.lead, ...team.members.map((m) => m.inspectorId)];
    const found = await ports.inspectors(ids);
    const indicators = new Set(loaded.template.indicators.map((i) => i.id));
    const people: ProblemDetail[] = [];
    const problems: ProblemDetail[] = [];
    const person = (id: string, path: string) => {
      const inspector = found.get(id);
      if (!inspector?.regionCode.startsWith(actor.scope))
        people.push({ path, message: say(`您的区域内没有督学 ${id}`, `no inspector ${id} in your region`) });
    };
    person(team.lead, `${at}.lead`);
    team.members.forEach((m, n) => {
      person(m.inspectorId, `${at}.members.${n}.inspectorId`);
      (m.indicatorIds ?? []).forEach((i, k) => {
        if (!indicators.has(i))
          problems.push({
            path: `${at}.members.${n}.indicatorIds.${k}`,
            message: say(
              `不是模板 ${loaded.template.id} 的指标`,
              `not an indicator of ${loaded.template.id}`,
            ),
          });
      });
    });
    return { people, indicators: problems };
  };

  const apply = async (
    actor: Actor,
    loaded: Loaded,
    team: { lead: string; members: readonly TeamMember[] },
    source: TeamSource,
    reason?: string,
    panel: Pick<Team, 'drawId' | 'replacements'> = {},
  ) => {
    const { inspection } = loaded;
    if (inspection.status === 'closed')
      throw new ConflictError(
        say('已办结的督导保留原有督导组。', 'A closed inspection keeps the team it had.'),
      );
    if (sameTeam(inspection.team, team.lead, team.members)) return { inspection, changed: false };
    const next: Team = {
      lead: team.lead,
      members: team.members.map((m) => ({
        inspectorId: m.inspectorId,
        ...(m.indicatorIds ? { indicatorIds: m.indicatorIds } : {}),
      })),
      source,
      setAt: ports.now(),
      setBy: actor.subject,
      ...(panel.drawId ? { drawId: panel.drawId } : {}),
      ...(panel.replacements ? { replacements: panel.replacements } : {}),
    };
    const updated = await commit('set_team', actor.subject, loaded, {
      status: inspection.status === 'unassigned' ? 'assigned' : inspection.status,
      fields: { team: next, assigneeId: next.lead },
      details: {
        lead: next.lead,
        members: next.members.map((m) => m.inspectorId),
        source,
        ...(inspection.team ? { previous: teamMembers(inspection) } : {}),
        ...(reason ? { reason } : {}),
      },
    });
    return { inspection: updated, changed: true };
  };

  /** The campaign, as the office that may set its teams sees it. */
  const campaignFor = async (actor: Actor, campaignId: string): Promise<Campaign> => {
    if (!isAdmin(actor))
      throw new ForbiddenError(
        say('只有督导机构可以设置督导组。', 'Only supervision offices set inspection teams.'),
      );
    const campaign = await ports.campaign(campaignId);
    if (!campaign || !overlapsScope(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${campaignId}。`, `Campaign ${campaignId} not found.`));
    requireActive(campaign);
    return campaign;
  };

  /**
   * Sets the teams of a list of (school, team) assignments: every one is
   * checked before any is written (422 naming each problem), then each is
   * applied as its own transition against the version just read.
   */
  const applyAssignments = async (
    actor: Actor,
    campaign: Campaign,
    assignments: readonly Assignment[],
    source: TeamSource,
    pathOf: (n: number) => string,
  ) => {
    const loadedAll = await Promise.all(
      assignments.map((a) => loadAny(inspectionId(campaign.id, a.schoolId))),
    );
    const problems: ProblemDetail[] = [];
    for (const [n, a] of assignments.entries()) {
      const loaded = loadedAll[n];
      if (!loaded?.inspection.regionCode.startsWith(actor.scope)) {
        problems.push({
          path: `${pathOf(n)}.schoolId`,
          message: say(
            `本活动及您的区域内没有 ${a.schoolId} 的督导`,
            `no inspection of ${a.schoolId} in this campaign and your region`,
          ),
        });
        continue;
      }
      const found = await checkTeam(actor, loaded, a, pathOf(n));
      problems.push(...found.people, ...found.indicators);
    }
    if (problems.length > 0)
      throw new ValidationError(say('部分分配无法执行。', 'Some assignments cannot be made.'), problems);
    let applied = 0;
    let unchanged = 0;
    for (const [n, a] of assignments.entries()) {
      let loaded = loadedAll[n]!;
      for (let attempt = 0; ; attempt++) {
        try {
          const { changed } = await apply(actor, loaded, a, source);
          if (changed) applied++;
          else unchanged++;
          break;
        } catch (error) {
          // Changed since it was read (a command, another office): read it again once.
          if (!(error instanceof ConflictError) || attempt > 0) throw error;
          loaded = (await loadAny(loaded.inspection.id))!;
        }
      }
    }
    return { applied, unchanged };
  };

  /** Assignment rows of a spreadsheet, grouped by school; row errors name the file's own columns. */
  const assignmentsOfFile = async (file: { name: string; contentBase64: string }): Promise<Assignment[]> => {
    let rows: string[][];
    try {
      rows = await ports.readTable(Buffer.from(file.contentBase64, 'base64'));
    } catch (error) {
      throw new ValidationError(say('无法读取该文件。', 'The file cannot be read.'), [
        { path: 'body.file', message: (error as Error).message },
      ]);
    }
    const header = rows[0] ?? [];
    const column = (names: readonly string[]) => header.findIndex((h) => names.includes(h.trim()));
    const at = {
      schoolId: column(assignmentColumns.schoolId),
      inspectorId: column(assignmentColumns.inspectorId),
      role: column(assignmentColumns.role),
      indicators: column(assignmentColumns.indicators),
    };
    const missing = (['schoolId', 'inspectorId', 'role'] as const).filter((k) => at[k] < 0);
    if (missing.length > 0)
      throw new ValidationError(
        say('文件缺少必需的列。', 'The file lacks columns.'),
        missing.map((k) => ({
          path: 'body.file',
          message: say(
            `缺少列 ${assignmentColumns[k].join(' / ')}`,
            `no column ${assignmentColumns[k].join(' / ')}`,
          ),
        })),
      );
    const problems: ProblemDetail[] = [];
    const bySchool = new Map<string, { lead?: string; members: TeamMember[] }>();
    for (const [i, row] of rows.slice(1).entries()) {
      const line = i + 2;
      const cell = (k: keyof typeof at) => (at[k] >= 0 ? (row[at[k]] ?? '').trim() : '');
      const schoolId = cell('schoolId');
      const inspector = cell('inspectorId');
      const role = cell('role').toLowerCase();
      const where = (k: keyof typeof at) => `row ${line}, ${header[at[k]]}`;
      if (!/^\d{10}$|^\d{6}(\d{3})?$/.test(schoolId))
        problems.push({
          path: where('schoolId'),
          message: say(
            '须为 10 位学校标识码，或督政督导的 6 位县级、9 位乡镇区划代码',
            'a 10-digit school code, or the 6-digit county or 9-digit town of a 督政 inspection',
          ),
        });
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(inspector))
        problems.push({ path: where('inspectorId'), message: say('须为督学编号', 'an inspector id') });
      if (!leadWords.has(role) && !memberWords.has(role))
        problems.push({
          path: where('role'),
          message: say('须为“组长”或“成员”（lead / member）', '组长 / lead or 成员 / member'),
        });
      const team = bySchool.get(schoolId) ?? { members: [] };
      if (leadWords.has(role)) {
        if (team.lead)
          problems.push({
            path: where('role'),
            message: say(`${schoolId} 的第二位组长`, `a second lead for ${schoolId}`),
          });
        team.lead = inspector;
      } else if (memberWords.has(role)) {
        const indicators = cell('indicators')
          .split(/[、,，;；|\s]+/)
          .filter(Boolean);
        team.members.push({
          inspectorId: inspector,
          ...(indicators.length > 0 ? { indicatorIds: indicators } : {}),
        });
      }
      bySchool.set(schoolId, team);
    }
    for (const [schoolId, team] of bySchool)
      if (!team.lead)
        problems.push({
          path: 'body.file',
          message: say(`${schoolId} 没有组长`, `no lead (组长) for ${schoolId}`),
        });
    if (bySchool.size > limits.assignmentsPerRequest)
      problems.push({
        path: 'body.file',
        message: say(
          `每个文件最多 ${limits.assignmentsPerRequest} 所学校`,
          `at most ${limits.assignmentsPerRequest} schools a file`,
        ),
      });
    if (problems.length > 0)
      throw new ValidationError(
        say('文件中的部分行无法使用。', 'Some rows of the file cannot be used.'),
        problems.slice(0, 200),
      );
    return [...bySchool].map(([schoolId, team]) => ({ schoolId, lead: team.lead!, members: team.members }));
  };

  /** Picks teams by a rule for the inspections that have none, a page at a time. */
  const applyRule = async (
    actor: Actor,
    campaign: Campaign,
    rule: TeamRule,
    q: { region?: string; cursor?: string },
  ) => {
    const region = q.region ?? (campaign.scope.length >= actor.scope.length ? campaign.scope : actor.scope);
    if (!region.startsWith(actor.scope))
      throw new ForbiddenError(
        say(`区划 ${region} 不在您的管辖范围内。`, `Region ${region} lies outside your region.`),
      );
    const counties = countiesUnder(region)
      .map((c) => c.code)
      .filter((c) => c.startsWith(campaign.scope) || campaign.scope.startsWith(c));
    const page = await ports.unassigned(campaign.id, {
      counties,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      limit: limits.assignmentsPerRequest,
    });
    const schools = page.items.map((i) => i.targetId);
    const chosen = new Map<string, string[]>();
    if (rule.kind === 'zone') {
      for (const [school, inspector] of await ports.zoneInspectors(schools)) chosen.set(school, [inspector]);
    } else {
      const pools = new Map<string, { id: string; load: number }[]>();
      for (const county of [...new Set(page.items.map((i) => i.regionCode))]) {
        const ids = await ports.countyInspectors(county, rule.inspectorKinds);
        const loads = await ports.loads(campaign.id, ids);
        pools.set(
          county,
          ids.map((id) => ({ id, load: loads.get(id) ?? 0 })),
        );
      }
      for (const i of page.items) {
        const pool = pools.get(i.regionCode) ?? [];
        pool.sort((a, b) => a.load - b.load || a.id.localeCompare(b.id));
        const team = pool.slice(0, rule.size);
        if (team.length === 0) continue;
        for (const m of team) m.load++;
        chosen.set(
          i.targetId,
          team.map((m) => m.id),
        );
      }
    }
    const assignments: Assignment[] = [...chosen].map(([schoolId, [lead, ...members]]) => ({
      schoolId,
      lead: lead!,
      members: members.map((inspectorId) => ({ inspectorId })),
    }));
    const result = await applyAssignments(actor, campaign, assignments, 'rule', (n) => `rule.${n}`);
    return {
      ...result,
      unfilled: schools
        .filter((s) => !chosen.has(s))
        .map((schoolId) => ({
          schoolId,
          reason:
            rule.kind === 'zone' ? 'the school is in no zone' : 'no inspector of these kinds in its county',
        })),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  };

  return {
    /** PUT /inspections/{id}/team: the office sets one inspection's team. */
    async setTeam(actor: Actor, id: string, input: TeamInput) {
      const loaded = await load(actor, id);
      officeOver(actor, loaded.inspection);
      requireActive(loaded.campaign);
      if (loaded.inspection.version !== input.version)
        throw new ConflictError(
          say(
            `该督导当前为第 ${loaded.inspection.version} 版，而非第 ${input.version} 版：请重新读取。`,
            `The inspection is at version ${loaded.inspection.version}, not ${input.version}: reload it.`,
          ),
        );
      const problems = await checkTeam(actor, loaded, input, 'body');
      if (problems.people.length > 0)
        throw new NotFoundError(
          say('此处列出的部分督学未找到。', 'Some inspectors named here were not found.'),
          problems.people,
        );
      if (problems.indicators.length > 0)
        throw new ValidationError(
          say('此处列出的部分指标不在模板中。', 'Some indicators named here are not in the template.'),
          problems.indicators,
        );
      return (await apply(actor, loaded, input, 'office', input.reason)).inspection;
    },

    /** POST /campaigns/{id}/teams: many teams at once, from a list, a file or a rule. */
    async setTeams(actor: Actor, campaignId: string, input: BulkTeams) {
      const campaign = await campaignFor(actor, campaignId);
      if ('rule' in input) return applyRule(actor, campaign, input.rule, input);
      if ('assignments' in input)
        return applyAssignments(actor, campaign, input.assignments, 'office', (n) => `body.assignments.${n}`);
      const assignments = await assignmentsOfFile(input.file);
      return applyAssignments(
        actor,
        campaign,
        assignments,
        'file',
        (n) => `file, ${assignments[n]!.schoolId}`,
      );
    },

    /** For the panel draw: apply a drawn team (source `panel`). */
    applyDrawn: async (
      actor: Actor,
      loaded: Loaded,
      team: { lead: string; members: TeamMember[] },
      reason: string,
      panel: Pick<Team, 'drawId' | 'replacements'>,
    ) => apply(actor, loaded, team, 'panel', reason, panel),
  };
};
export type TeamService = ReturnType<typeof createTeamService>;
