import { z } from 'zod';
import { roles } from '#core/actor';
import type { AuditService } from '#core/audit-service';
import type { BurdenViews } from '#core/burden';
import { type Campaign, campaignStatuses, recurrences } from '#core/campaign';
import type { CampaignFiles } from '#core/campaign-files';
import type { CampaignService } from '#core/campaign-service';
import { evidenceStatuses, evidenceTypes } from '#core/evidence';
import type { EvidenceService } from '#core/evidence-service';
import type { ExportService } from '#core/export-service';
import type { Health } from '#core/health';
import type { createImportRequests } from '#core/import-requests';
import { importKinds, importStatuses } from '#core/imports';
import { inspectionStatuses, teamSources } from '#core/inspection';
import { severities } from '#core/inspection-input';
import type { InspectionService } from '#core/inspection-service';
import type { OfficeViews } from '#core/office-views';
import type { PanelService } from '#core/panel-service';
import { replacementReasonSchema } from '#core/panels';
import {
  groupKinds,
  inspectorKinds,
  ownerships,
  schoolKinds,
  specialties,
  specialtyLabels,
} from '#core/registry';
import type { RegistryService } from '#core/registry-service';
import type { SelfAssessmentPrefill } from '#core/self-assessment-prefill';
import type { TeamService } from '#core/team-service';
import { grades, indicatorKinds, inspectionPhases, phases } from '#core/template';
import { type IndicatorVerdict, verdicts } from '#core/verdicts';

/**
 * The success bodies of the API, as zod schemas (their JSON Schemas are in
 * GET /openapi.json, and test/support/contract.ts checks every response of
 * the test suite against them).
 *
 * Each schema is tied to the type the core returns by `fits<T>()(schema)`:
 * it does not compile unless every value of T is a valid output of the
 * schema, so the core cannot add or change a field without the contract.
 *
 * `z.object` is closed (no other fields, `additionalProperties: false`).
 * `z.looseObject` is open, only where the core legitimately carries
 * open-ended data: an inspection record (its stored report, feedback and
 * workflow fields are `Record<string, unknown>`, see InspectionRecord), a
 * template (indicators, phases and grading as templateSchema defines them),
 * audit event `details`, progress counters keyed by grade, phase or escalation.
 */

/** Compile-time: every T is an output of the schema (the rest parameter is demanded otherwise). */
export const fits =
  <T>() =>
  <S extends z.ZodType>(schema: S, ..._mismatch: [T] extends [z.output<S>] ? [] : [never]): S =>
    schema;

// biome-ignore lint/suspicious/noExplicitAny: any function's resolved return type.
type Returns<F> = F extends (...args: any[]) => Promise<infer R> ? R : never;

const iso = z.string().describe('ISO 8601');
const counts = z.record(z.string(), z.number());
const bilingual = z.object({ zh: z.string(), en: z.string() });
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional().describe('pass it to get the next page') });
const download = z.object({ url: z.string(), expiresInSeconds: z.number() });
const upload = z.object({
  method: z.literal('PUT'),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  expiresInSeconds: z.number(),
});

// ---- campaigns and templates

export const campaignSchema = fits<Campaign>()(
  z.object({
    id: z.string(),
    templateId: z.string(),
    templateVersion: z.number(),
    title: z.string(),
    scope: z.string(),
    window: z.object({ start: z.string(), end: z.string() }),
    overrides: z
      .object({
        phases: z.array(z.object({ phase: z.enum(phases), days: z.number() })).optional(),
        samplingPercent: z.number().optional(),
        deadlines: z.partialRecord(z.enum(phases), z.string()).optional(),
      })
      .optional(),
    recurrence: z.enum(recurrences).optional(),
    status: z.enum(campaignStatuses),
    version: z.number(),
    createdBy: z.string(),
    createdAt: iso,
    updatedAt: iso,
    samplingSeed: z.string(),
    basedOn: z
      .array(z.string())
      .optional()
      .describe('a re-evaluation: the campaigns whose graded targets it samples'),
    seriesId: z.string().optional(),
    occurrence: z.number().optional(),
    nextStart: z.string().optional(),
    nextOccurrenceCreated: z.boolean().optional(),
    launch: z
      .object({
        attempt: z.number(),
        execution: z.string(),
        executionArn: z.string().optional(),
        startedAt: iso,
        finishedAt: iso.optional(),
        targets: z.number().optional(),
        population: z.number().optional(),
        samplingPercent: z.number().optional(),
        created: z.number().optional(),
        unassignable: z.number().optional(),
        error: z.string().optional(),
      })
      .optional(),
    close: z
      .object({
        attempt: z.number(),
        execution: z.string(),
        executionArn: z.string().optional(),
        by: z.string(),
        startedAt: iso,
        finishedAt: iso.optional(),
        statisticsKey: z.string().optional(),
        manifest: z
          .object({
            key: z.string(),
            sha256: z.string(),
            sha256Key: z.string(),
            files: z.number(),
            bytes: z.number(),
          })
          .optional(),
        chain: z.object({ linked: z.number(), head: z.string() }).optional(),
        legalHolds: z.number().optional(),
        error: z.string().optional(),
      })
      .optional(),
  }),
);
export const campaignPageSchema = fits<Returns<CampaignService['list']>>()(pageOf(campaignSchema));
/** The campaign with its launch or close just started (202). */
const started = z.object({
  campaignId: z.string(),
  status: z.enum(campaignStatuses),
  executionArn: z.string(),
  attempt: z.number(),
});
export const campaignStartedSchema = fits<Returns<CampaignService['launch']>>()(started);
export const campaignClosingSchema = fits<Returns<CampaignService['close']>>()(
  started.extend({ status: z.literal('closing') }),
);

/** Open: indicators, phases, grading and escalation are what templateSchema (core/template.ts) validates. */
export const templateBodySchema = fits<Returns<CampaignService['template']>>()(
  z.looseObject({ id: z.string(), version: z.number(), title: bilingual }),
);
export const templateListSchema = z.object({
  items: fits<Returns<CampaignService['listTemplates']>>()(
    z.array(
      z.looseObject({
        id: z.string(),
        version: z.number(),
        title: bilingual,
        owner: z.string().optional().describe('the region code of the owner office'),
        builtIn: z.boolean().optional(),
      }),
    ),
  ),
});
export const storedTemplateSchema = fits<Returns<CampaignService['addTemplate']>>()(templateBodySchema);

export const launchStatusSchema = fits<Returns<CampaignService['launchStatus']>>()(
  z.object({
    campaignId: z.string(),
    campaignStatus: z.enum(campaignStatuses),
    attempt: z.number(),
    executionArn: z.string().nullable(),
    executionStatus: z.string(),
    startedAt: iso,
    finishedAt: iso.nullable(),
    region: z.string(),
    targets: z.number().nullable(),
    created: z.number(),
    unassignable: z.number(),
    error: z.string().optional(),
  }),
);

const progressFigures = z.object({
  targets: z.number(),
  inspections: z.number(),
  byStatus: counts,
  coverage: z.number(),
  overdue: z.number(),
  overdueByPhase: counts,
  lateByPhase: counts,
  returns: z.number(),
  escalations: counts,
});
export const progressSchema = fits<Returns<CampaignService['progress']>>()(
  z.object({
    campaignId: z.string(),
    region: z.object({ code: z.string(), name: z.string(), parents: z.array(z.string()) }),
    totals: progressFigures,
    children: z.array(progressFigures.extend({ code: z.string(), name: z.string() })),
  }),
);

const reportFigures = {
  reported: z.number(),
  averageScore: z.number().nullable(),
  grades: counts,
  rectifications: z.object({ total: z.number(), passed: z.number(), completionRate: z.number().nullable() }),
  problems: z.array(z.object({ indicatorId: z.string(), title: bilingual.nullable(), problems: z.number() })),
  /** Reported without a grade (nothing assessed, or a key indicator not assessed). */
  notGraded: z.number(),
  /** Per quantitative indicator: inspections met, not met, not assessed (none for score-only templates). */
  verdicts: z.array(
    z.object({
      indicatorId: z.string(),
      title: bilingual,
      met: z.number(),
      notMet: z.number(),
      notAssessed: z.number(),
    }),
  ),
};
export const reportSchema = fits<Returns<CampaignService['report']>>()(
  z.object({
    campaignId: z.string(),
    title: z.string(),
    region: z.object({ code: z.string(), name: z.string(), parents: z.array(z.string()) }),
    totals: progressFigures.extend(reportFigures),
    ranking: z.array(
      z.object({
        rank: z.number(),
        code: z.string(),
        name: z.string(),
        coverage: z.number(),
        ...reportFigures,
      }),
    ),
  }),
);

// ---- inspections

const auditEvent = z.object({
  campaignId: z.string(),
  entityId: z.string(),
  regionCode: z.string(),
  action: z.string(),
  actor: z.string(),
  at: iso,
  details: z.record(z.string(), z.unknown()).optional().describe('open: what the action carries'),
});
/** As stored: its sort key and, once linked into its chain, its place and hashes (audit-chain.ts). */
const chainFields = {
  chainId: z.string().optional(),
  seq: z.number().optional(),
  prevHash: z.string().optional(),
  hash: z.string().optional(),
};
const storedAuditEvent = auditEvent.extend({ sk: z.string(), ...chainFields });

const completion = z.object({ statement: z.string(), evidenceIds: z.array(z.string()), submittedAt: iso });
const rectification = z.object({
  id: z.string(),
  inspectionId: z.string(),
  campaignId: z.string(),
  regionCode: z.string(),
  indicatorId: z.string(),
  schoolId: z.string().optional().describe('督政: the school of the county this problem names (its work)'),
  problem: z.string(),
  severity: z.enum(severities),
  dueAt: iso,
  status: z.enum(['draft', 'open', 'planned', 'submitted', 'passed']),
  plan: z.string().optional(),
  completion: completion.optional(),
  reviews: z.array(
    z.object({ result: z.enum(['pass', 'fail']), comment: z.string(), by: z.string(), at: iso }),
  ),
  failedReviews: z.number(),
  returns: z.array(z.object({ reason: z.string(), by: z.string(), at: iso, completion })).optional(),
  overdueSince: iso.optional(),
});

/** Open: the stored record carries the report, feedback and workflow fields as open data (InspectionRecord). */
const inspection = z.object({
  id: z.string(),
  campaignId: z.string(),
  templateId: z.string(),
  targetId: z.string(),
  targetName: z.string(),
  regionCode: z.string(),
  townCode: z.string().optional(),
  partyId: z
    .string()
    .optional()
    .describe('who answers for the target: a school, a government, a group’s lead'),
  namedSchools: z.array(z.string()).optional().describe('督政: schools named in its rectifications'),
  basedOn: z
    .object({ campaignId: z.string(), inspectionId: z.string(), grade: z.string(), reportedOn: z.string() })
    .optional()
    .describe('a re-evaluation: where its target was graded before'),
  status: z.enum(inspectionStatuses),
  assigneeId: z.string().optional(),
  team: z
    .object({
      lead: z.string(),
      members: z.array(z.object({ inspectorId: z.string(), indicatorIds: z.array(z.string()).optional() })),
      source: z.enum(teamSources),
      setAt: iso,
      setBy: z.string(),
      drawId: z.string().optional(),
      replacements: z
        .array(
          z.object({
            out: z.string(),
            in: z.string(),
            reason: replacementReasonSchema,
            at: iso,
            by: z.string(),
          }),
        )
        .optional(),
    })
    .optional(),
  deadlines: z.partialRecord(z.enum(phases), iso),
  late: z.partialRecord(z.enum(inspectionPhases), iso).optional(),
  overdue: z.array(z.enum(inspectionPhases)).optional(),
  dueAt: iso.optional(),
  nextCheckAt: iso.optional(),
  version: z.number(),
  createdAt: iso,
  updatedAt: iso,
});
const inspectionRecord = inspection.loose();
/** An indicator's verdict (functions/core/verdicts.ts): met, not met or not assessed. */
const verdictSchema = fits<IndicatorVerdict>()(
  z.object({
    indicatorId: z.string(),
    kind: z.enum(indicatorKinds),
    verdict: z.enum(verdicts),
    value: z.union([z.number(), z.boolean()]).optional(),
    unit: z.string().optional(),
    reference: z.number().optional(),
    threshold: z.number().optional(),
    missing: z.enum(['value', 'reference']).optional(),
  }),
);
export const inspectionSchema = fits<Returns<InspectionService['get']>>()(
  inspectionRecord.extend({
    rectifications: z.array(rectification),
    template: z.looseObject({ id: z.string(), version: z.number(), title: bilingual }),
    timeline: z.array(auditEvent.extend({ sk: z.string().optional(), ...chainFields })).optional(),
    verdicts: z.array(verdictSchema).optional(),
    selfAssessmentVerdicts: z.array(verdictSchema).optional(),
  }),
);
/** What a command on an inspection answers: the inspection as it is now (open, like the record). */
export const inspectionAfterSchema = inspectionRecord;
/** Items as the indexes store them: the record's open fields (report, feedback) included. */
// The type says Inspection[]: checked against the closed schema, served open (the records' extras).
fits<Returns<InspectionService['list']>>()(pageOf(inspection));
export const inspectionPageSchema = pageOf(inspectionRecord);
export const submissionsSchema = fits<Returns<InspectionService['submissions']>>()(
  z.object({
    items: z.array(
      z.object({
        kind: z.literal('selfAssessment'),
        n: z.number(),
        value: z.looseObject({ indicators: z.array(z.unknown()), submittedAt: iso, by: z.string() }),
      }),
    ),
  }),
);
export const historySchema = fits<Returns<InspectionService['history']>>()(
  z.object({
    schoolId: z.string(),
    inspections: z.array(
      z.object({
        inspectionId: z.string(),
        campaignId: z.string(),
        templateId: z.string(),
        status: z.enum(inspectionStatuses),
        grade: z.enum(grades).nullable(),
        score: z.number().nullable(),
        openRectifications: z.array(
          z.object({ id: z.string(), indicatorId: z.string(), dueAt: z.string(), status: z.string() }),
        ),
      }),
    ),
  }),
);
/** The recorded action: its id, campaign and the input as given (one of actionSchema's kinds). */
export const actionRecordSchema = fits<Returns<InspectionService['recordAction']>>()(
  z.looseObject({
    id: z.string(),
    campaignId: z.string(),
    type: z.string(),
    legalHolds: z
      .union([z.object({ files: z.number(), placed: z.number() }), z.object({ deferred: z.string() })])
      .optional(),
  }),
);
export const proposalsSchema = z.object({
  items: fits<Returns<InspectionService['proposals']>>()(
    z.array(
      z.object({
        campaignId: z.string(),
        type: z.string(),
        inspectionId: z.string(),
        rectificationId: z.string().optional(),
        phase: z.string().optional(),
        reason: z.string(),
        regionCode: z.string(),
        at: iso,
        status: z.string(),
        actionId: z.string().optional(),
      }),
    ),
  ),
});

// ---- evidence

export const evidenceSchema = z.object({
  id: z.string(),
  inspectionId: z.string(),
  campaignId: z.string(),
  targetId: z.string(),
  regionCode: z.string(),
  indicatorId: z.string().optional(),
  key: z.string(),
  fileName: z.string(),
  contentType: z.enum(Object.keys(evidenceTypes) as [keyof typeof evidenceTypes]),
  size: z.number(),
  sha256: z.string(),
  capturedAt: z.string().optional(),
  uploader: z.string(),
  createdAt: iso,
  status: z.enum(evidenceStatuses),
  verifiedAt: iso.optional(),
  reason: z.string().optional(),
  detected: z.object({ mime: z.string(), size: z.number(), sha256: z.string() }).optional(),
  uploaderRole: z.enum(roles).optional(),
  kind: z.enum(['upload', 'link']).optional(),
  linkOf: z.object({ evidenceId: z.string(), inspectionId: z.string(), campaignId: z.string() }).optional(),
});
const evidenceView = evidenceSchema.extend({ linked: z.boolean(), originalId: z.string().optional() });
/** Announce: a new upload, or a link to a file the school already stored (no upload). */
type Announced = Returns<EvidenceService['requestUpload']>;
export const announcedSchema = fits<
  Announced extends infer A ? (A extends unknown ? Omit<A, 'created'> : never) : never
>()(
  z.union([
    z.object({ id: z.string(), status: z.enum(evidenceStatuses), linked: z.literal(false), upload }),
    z.object({
      id: z.string(),
      status: z.enum(evidenceStatuses),
      linked: z.literal(true),
      evidence: evidenceView,
      upload: z.null(),
    }),
  ]),
);
export const evidenceListSchema = fits<Returns<EvidenceService['list']>>()(
  z.object({ items: z.array(evidenceView) }),
);
export const evidenceDownloadSchema = fits<Returns<EvidenceService['download']>>()(
  evidenceView.extend({ download }),
);

// ---- audit and exports

export const auditEvidencePageSchema = fits<Returns<AuditService['evidence']>>()(pageOf(evidenceSchema));
export const auditEventPageSchema = fits<Returns<AuditService['events']>>()(pageOf(storedAuditEvent));
export const verificationSchema = fits<Returns<AuditService['verify']>>()(
  z.object({
    campaignId: z.string(),
    intact: z.boolean(),
    complete: z.boolean(),
    linked: z.number(),
    head: z.string(),
    unlinked: z.number(),
    verified: z.object({ fromSeq: z.number(), throughSeq: z.number(), startHash: z.string() }),
    cursor: z.string().optional(),
    brokenAt: z.object({ seq: z.number(), sk: z.string(), reason: z.string() }).optional(),
  }),
);
const evidenceExport = z.object({
  id: z.string(),
  campaignId: z.string(),
  region: z.string(),
  schoolId: z.string().optional(),
  status: z.enum(['running', 'ready', 'failed']),
  requestedBy: z.string(),
  requestedAt: iso,
  finishedAt: iso.optional(),
  key: z.string().optional(),
  bytes: z.number().optional(),
  sha256: z.string().optional(),
  files: z.number().optional(),
  events: z.number().optional(),
  mismatches: z.number().optional(),
  error: z.string().optional(),
});
export const exportStartedSchema = fits<Returns<ExportService['request']>>()(
  evidenceExport.extend({ executionArn: z.string() }),
);
export const exportSchema = fits<Returns<ExportService['get']>>()(
  evidenceExport.extend({ download: download.optional() }),
);

// ---- registry and imports

export const schoolSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(schoolKinds),
  ownership: z.enum(ownerships),
  regionCode: z.string(),
  townCode: z.string(),
  students: z.number(),
  teachers: z.number(),
  principalName: z.string(),
  principalTermStart: z.string(),
  groupId: z.string().optional(),
  lastEvaluatedOn: z
    .string()
    .optional()
    .describe('day of its last evaluation report (kindergartens: the 5-year cycle)'),
  lastEvaluation: z
    .object({ campaignId: z.string(), inspectionId: z.string(), grade: z.string() })
    .optional()
    .describe('the evaluation that report concluded'),
});
export const groupSchema = z.object({
  groupId: z.string(),
  name: z.string(),
  kind: z.enum(groupKinds).describe('group 集团, alliance 联盟'),
  regionCode: z.string().describe("the lead school's county"),
  leadSchoolId: z.string(),
  memberSchoolIds: z.array(z.string()).describe('every member, the lead included'),
});
export const specialtyCodes = `${specialties.map((s) => `${s} ${specialtyLabels[s]}`).join(', ')}`;
export const inspectorSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(inspectorKinds),
  regionCode: z.string(),
  phone: z.string().optional().describe('never shown to school users'),
  specialties: z.array(z.enum(specialties)).describe(`专业领域: ${specialtyCodes}`),
  homeSchoolId: z.string().optional().describe('the school the inspector works at'),
  available: z.boolean(),
  unavailableUntil: z.string().optional().describe('not available before this day (with `available: false`)'),
  conflicts: z
    .array(z.string())
    .optional()
    .describe('schools the inspector declared a conflict of interest with; never shown to school users'),
});

type Imports = ReturnType<typeof createImportRequests>;
export const importCreatedSchema = fits<Returns<Imports['create']>>()(
  z.object({ id: z.string(), status: z.enum(importStatuses), upload }),
);
export const importSchema = fits<Returns<Imports['get']>>()(
  z.object({
    id: z.string(),
    kind: z.enum(importKinds),
    status: z.enum(importStatuses),
    fileName: z.string(),
    scope: z.string(),
    createdBy: z.string(),
    createdAt: iso,
    updatedAt: iso,
    counts: z
      .object({
        read: z.number(),
        created: z.number(),
        updated: z.number(),
        unchanged: z.number(),
        rejected: z.number(),
      })
      .nullable(),
    warnings: z.array(z.string()),
    error: z.string().optional(),
    errorReportUrl: z.string().optional(),
  }),
);
export const regionSchema = fits<Returns<RegistryService['region']>>()(
  z.looseObject({ code: z.string(), name: z.string() }),
);
export const inspectorDetailSchema = fits<Returns<RegistryService['inspector']>>()(
  z.looseObject({ id: z.string(), name: z.string() }),
);
export const zoneSchema = fits<Returns<RegistryService['zone']>>()(
  z.object({
    id: z.string(),
    regionCode: z.string(),
    inspectorId: z.string(),
    schoolIds: z.array(z.string()).readonly(),
    inspector: inspectorSchema.optional(),
    schools: z.array(schoolSchema),
  }),
);

// ---- teams, panels, workload, burden

export const teamsSetSchema = fits<Returns<TeamService['setTeams']>>()(
  z.object({
    applied: z.number(),
    unchanged: z.number(),
    unfilled: z
      .array(z.object({ schoolId: z.string(), reason: z.string() }))
      .optional()
      .describe('rules only'),
    cursor: z.string().optional().describe('rules only: where to go on'),
  }),
);
export const teamSetSchema = fits<Returns<TeamService['setTeam']>>()(inspectionRecord);
const method = z.object({ version: z.number(), zh: z.string(), en: z.string() });
const panelDraw = z.object({
  id: z.string(),
  campaignId: z.string(),
  region: z.string(),
  seed: z.string(),
  method,
  at: iso,
  by: z.string(),
  drawn: z.number(),
  unfilled: z.array(
    z.object({ inspectionId: z.string(), reason: z.string(), missingSpecialties: z.array(z.string()) }),
  ),
  key: z.string(),
  sha256: z.string(),
});
export const drawSchema = fits<Returns<PanelService['draw']>>()(
  panelDraw.extend({ applied: z.number(), cursor: z.string().optional() }),
);
export const drawsSchema = fits<Returns<PanelService['draws']>>()(
  z.object({ campaignId: z.string(), items: z.array(panelDraw.extend({ record: download })) }),
);
export const replacedSchema = fits<Returns<PanelService['replace']>>()(
  z.object({
    inspection: inspectionRecord,
    replacement: z.object({ out: z.string(), in: z.string(), reason: replacementReasonSchema }),
    method,
  }),
);
const lateCounts = z.partialRecord(z.enum(inspectionPhases), z.number());
export const workloadSchema = fits<Returns<OfficeViews['workload']>>()(
  z.object({
    inspector: z.object({ id: z.string(), name: z.string(), kind: z.string(), regionCode: z.string() }),
    zoneSchools: z.number(),
    totals: z.object({ assigned: z.number(), visits: z.number(), open: z.number() }),
    campaigns: z.array(
      z.object({
        campaignId: z.string(),
        title: z.string().nullable(),
        templateId: z.string().nullable(),
        window: z.object({ start: z.string(), end: z.string() }).nullable(),
        recurrence: z.enum(recurrences).nullable(),
        assigned: z.number(),
        visits: z.number(),
        closed: z.number(),
        open: z.number(),
        late: lateCounts,
      }),
    ),
    months: z.array(
      z.object({
        month: z.string(),
        campaignId: z.string(),
        schools: z.number(),
        visited: z.number(),
        missed: z.number(),
        coverage: z.number().nullable(),
      }),
    ),
    cursor: z.string().optional(),
  }),
);
export const officeInspectionsSchema = fits<Returns<OfficeViews['campaignInspections']>>()(
  z.object({
    campaignId: z.string(),
    region: z.string(),
    items: z.array(
      z.object({
        id: z.string(),
        targetId: z.string(),
        targetName: z.string(),
        regionCode: z.string(),
        townCode: z.string().optional(),
        status: z.enum(inspectionStatuses),
        lead: z.string().nullable(),
        members: z.array(z.string()),
        dueAt: iso.nullable(),
        overdue: z.array(z.enum(inspectionPhases)),
        late: z.partialRecord(z.enum(inspectionPhases), iso),
        grade: z.enum(grades).nullable(),
        score: z.number().nullable(),
        partyId: z.string().optional(),
        verdicts: z
          .record(z.string(), z.enum(verdicts))
          .describe('the reported quantitative verdicts, by indicator id'),
        version: z.number(),
        updatedAt: iso,
      }),
    ),
    cursor: z.string().optional(),
  }),
);
const burdenCounts = { fields: z.number(), uploaded: z.number(), reused: z.number() };
export const campaignBurdenSchema = fits<Returns<BurdenViews['campaign']>>()(
  z.object({
    campaignId: z.string(),
    region: z.string(),
    totals: z
      .object({ ...burdenCounts, reuseRate: z.number().nullable() })
      .optional()
      .describe('counties and wider'),
    items: z.array(
      z.object({
        inspectionId: z.string(),
        schoolId: z.string(),
        schoolName: z.string().nullable(),
        regionCode: z.string(),
        townCode: z.string().optional(),
        ...burdenCounts,
      }),
    ),
    cursor: z.string().optional(),
  }),
);
export const schoolBurdenSchema = fits<Returns<BurdenViews['school']>>()(
  z.object({
    schoolId: z.string(),
    schoolName: z.string(),
    totals: z.object({ ...burdenCounts, reuseRate: z.number().nullable() }),
    campaigns: z.array(
      z.object({
        campaignId: z.string(),
        inspectionId: z.string(),
        title: z.string().nullable(),
        templateId: z.string(),
        window: z.object({ start: z.string(), end: z.string() }).nullable(),
        ...burdenCounts,
      }),
    ),
  }),
);
/** Open inside: `draft` is a self-assessment body (selfAssessmentSchema), `registry` the school's facts. */
export const prefillSchema = fits<Returns<SelfAssessmentPrefill>>()(
  z.object({
    inspectionId: z.string(),
    templateId: z.string(),
    from: z.object({
      inspectionId: z.string(),
      campaignId: z.string(),
      submittedAt: iso,
      submission: z.number(),
    }),
    draft: z.looseObject({ version: z.number(), indicators: z.array(z.unknown()) }),
    evidence: z.array(z.unknown()),
    registry: z.looseObject({ source: z.string() }),
  }),
);

// ---- system

export const healthSchema = fits<Pick<Health, 'status'> | Health>()(
  z.object({
    status: z.enum(['ok', 'degraded']),
    services: z
      .record(
        z.string(),
        z.object({
          status: z.enum(['ok', 'down']),
          endpoint: z.string(),
          latencyMs: z.number().optional(),
          error: z.string().optional(),
        }),
      )
      .optional()
      .describe('offices only'),
  }),
);
/** The document itself: OpenAPI 3.1 (its own meta-schema is not repeated here). */
export const openApiSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.record(z.string(), z.unknown()),
});
export type CampaignFilesSample = Returns<CampaignFiles['sample']>;
export type CampaignFilesSealed = Returns<CampaignFiles['sealed']>;
