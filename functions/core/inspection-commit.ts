import type { Actor } from './actor.ts';
import type { BurdenDelta } from './burden.ts';
import type { Campaign } from './campaign.ts';
import { deadlineTracking, overdueDeltas } from './deadlines.ts';
import { ConflictError, NotFoundError, say } from './errors.ts';
import { type Inspection, type InspectionStatus, teamMembers } from './inspection.ts';
import type {
  InspectionParts,
  InspectionPorts,
  Proposal,
  Rectification,
  Submission,
  Transition,
} from './inspection-service.ts';
import { visibleRectifications } from './inspection-service.ts';
import { authorize, type Command, canRead, type Performer } from './lifecycle.ts';
import type { Template } from './template.ts';

export type Loaded = Awaited<ReturnType<ReturnType<typeof inspectionTransitions>['load']>>;

/** What one change writes besides the inspection itself. */
export interface Change {
  status: InspectionStatus;
  fields?: Record<string, unknown>;
  parts?: InspectionParts;
  submissions?: Submission[];
  rectifications?: Rectification[];
  activation?: Transition['activation'];
  counters?: Record<string, number>;
  /** Per team member of this campaign (LOAD items): visits, closed, late_<phase>… */
  loads?: Record<string, Record<string, number>>;
  proposals?: Proposal[];
  /** What the change asked of the school (burden.ts): added to its counters in the same transaction. */
  burden?: BurdenDelta;
  evaluated?: Transition['evaluated'];
  details?: Record<string, unknown>;
}

/** Counter deltas for a status move (per-county progress item). */
const move = (from: InspectionStatus, to: InspectionStatus): Record<string, number> =>
  from === to ? {} : { [`n_${from}`]: -1, [`n_${to}`]: 1 };

const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
};

/**
 * The one way an inspection changes: load it as the actor may see it, check
 * the command against the lifecycle, then commit the new state with its parts,
 * team, counters and audit event in one transaction, conditional on the
 * version that was read. Every writer (commands, team changes, the deadline
 * sweep) goes through here, so the derived fields (deadline tracking, the
 * work lists, the counters) can never disagree with the inspection.
 */
export const inspectionTransitions = (ports: InspectionPorts) => {
  const { store } = ports;

  const loadAny = async (id: string) => {
    const record = await store.get(id);
    if (!record) return undefined;
    const campaign = await ports.campaign(record.inspection.campaignId);
    if (!campaign) return undefined;
    const template = await ports.template(campaign.templateId, campaign.templateVersion);
    if (!template) throw new Error(`template ${campaign.templateId}@${campaign.templateVersion} missing`);
    return { ...record, rectifications: visibleRectifications(record), campaign, template };
  };

  const load = async (actor: Actor, id: string) => {
    const loaded = await loadAny(id);
    if (!loaded || !canRead(actor, loaded.inspection, loaded.template))
      throw new NotFoundError(say(`未找到督导 ${id}。`, `Inspection ${id} not found.`));
    return loaded;
  };

  const requireActive = (campaign: Campaign) => {
    if (campaign.status !== 'active')
      throw new ConflictError(
        say(
          `活动的状态为 ${campaign.status}，不在进行中。`,
          `The campaign is ${campaign.status}, not active.`,
        ),
      );
  };

  const begin = async (
    command: Command,
    actor: Actor,
    id: string,
    version: number,
  ): Promise<Awaited<ReturnType<typeof load>> & { performer: Performer }> => {
    const loaded = await load(actor, id);
    requireActive(loaded.campaign);
    const performer = authorize(command, actor, loaded.inspection, version, {
      hasSelfAssessment: loaded.template.phases.some((p) => p.phase === 'self_assessment'),
      selfAssessmentLate: loaded.inspection.late?.self_assessment !== undefined,
    });
    return { ...loaded, performer };
  };

  const commit = async (
    action: string,
    subject: string,
    loaded: { inspection: Inspection & Record<string, unknown>; template: Template; campaign: Campaign },
    change: Change,
  ) => {
    const now = ports.now();
    const before = loaded.inspection;
    const next = {
      ...before,
      ...change.fields,
      status: change.status,
      version: before.version + 1,
      updatedAt: now,
    };
    const tracking = deadlineTracking(next, loaded.template, now);
    // Deadlines bite while the campaign runs; a closing or closed campaign's inspections are not watched.
    if (loaded.campaign.status !== 'active') delete tracking.nextCheckAt;
    const inspection = { ...next, ...tracking };
    for (const key of ['dueAt', 'overdue', 'nextCheckAt'] as const)
      if (inspection[key] === undefined) delete inspection[key];
    const counters = add(
      add({ ...move(before.status, change.status) }, overdueDeltas(before, inspection, loaded.template)),
      change.counters ?? {},
    );
    // The team's work-list entries and loads follow the team.
    const was = teamMembers(before);
    const is = teamMembers(inspection);
    const loads: Record<string, Record<string, number>> = {};
    for (const [member, deltas] of Object.entries(change.loads ?? {})) loads[member] = { ...deltas };
    const count = (member: string, delta: number) => {
      loads[member] = add(loads[member] ?? {}, { assigned: delta });
    };
    for (const m of is.filter((m) => !was.includes(m))) count(m, 1);
    for (const m of was.filter((m) => !is.includes(m))) count(m, -1);
    await store.commit({
      inspection,
      expected: { version: before.version, status: before.status },
      ...(change.parts ? { parts: change.parts } : {}),
      ...(change.submissions ? { submissions: change.submissions } : {}),
      ...(change.activation ? { activation: change.activation } : {}),
      rectifications: change.rectifications ?? [],
      counters,
      ...(was.join() !== is.join()
        ? { members: { put: is, remove: was.filter((m) => !is.includes(m)) } }
        : {}),
      loads,
      proposals: change.proposals ?? [],
      ...(change.burden ? { burden: change.burden } : {}),
      ...(change.evaluated ? { evaluated: change.evaluated } : {}),
      audit: {
        campaignId: before.campaignId,
        entityId: before.id,
        regionCode: before.regionCode,
        action,
        actor: subject,
        at: now,
        details: { from: before.status, to: change.status, ...change.details },
      },
    });
    return inspection;
  };

  return { load, loadAny, begin, commit, requireActive };
};
