import { z } from 'zod';
import type { Actor } from './actor.ts';
import { archiveReader, narrowRegion } from './audit-service.ts';
import { type Campaign, overlapsScope } from './campaign.ts';
import { NotFoundError, say } from './errors.ts';
import type { AuditEvent } from './inspection-service.ts';

/** An evidence export: a slice of a campaign's archive bundled as a ZIP by export-evidence. */
export const exportRequestSchema = z
  .object({
    campaignId: z.string().min(1).max(80),
    region: z
      .string()
      .regex(/^\d{2}(\d{2}){0,2}$/, 'a region code of 2, 4 or 6 digits')
      .optional(),
    schoolId: z
      .string()
      .regex(/^\d{10}$/, 'a 10-digit school code')
      .optional(),
  })
  .strict();
export type ExportRequest = z.infer<typeof exportRequestSchema>;

export interface EvidenceExport {
  id: string;
  campaignId: string;
  /** Region prefix of the slice: the asked region narrowed to the requester's scope. */
  region: string;
  schoolId?: string;
  status: 'running' | 'ready' | 'failed';
  requestedBy: string;
  requestedAt: string;
  finishedAt?: string;
  key?: string;
  bytes?: number;
  sha256?: string;
  files?: number;
  events?: number;
  mismatches?: number;
  error?: string;
}

export interface ExportPorts {
  campaign(id: string): Promise<Campaign | undefined>;
  exports: {
    create(e: EvidenceExport, audit: AuditEvent): Promise<void>;
    get(id: string): Promise<EvidenceExport | undefined>;
  };
  start(exportId: string): Promise<{ executionArn: string }>;
  presignDownload(key: string, fileName: string): Promise<string>;
  logAccess(event: AuditEvent): Promise<void>;
  newId(): string;
  now(): string;
}

export const createExportService = (ports: ExportPorts) => ({
  async request(actor: Actor, input: ExportRequest) {
    archiveReader(actor);
    const campaign = await ports.campaign(input.campaignId);
    if (!campaign || !overlapsScope(actor, campaign))
      throw new NotFoundError(
        say(`未找到活动 ${input.campaignId}。`, `Campaign ${input.campaignId} not found.`),
      );
    const region = narrowRegion(actor, input.region);
    const record: EvidenceExport = {
      id: ports.newId(),
      campaignId: campaign.id,
      region,
      ...(input.schoolId ? { schoolId: input.schoolId } : {}),
      status: 'running',
      requestedBy: actor.subject,
      requestedAt: ports.now(),
    };
    await ports.exports.create(record, {
      campaignId: campaign.id,
      entityId: record.id,
      regionCode: region,
      action: 'request_export',
      actor: actor.subject,
      at: record.requestedAt,
      details: { region, ...(input.schoolId ? { schoolId: input.schoolId } : {}), role: actor.role },
    });
    const { executionArn } = await ports.start(record.id);
    return { ...record, executionArn };
  },

  /** The export's status; once ready, a short-lived link (every link handed out is audited). */
  async get(actor: Actor, id: string, requestId: string) {
    archiveReader(actor);
    const record = await ports.exports.get(id);
    if (!record?.region.startsWith(actor.scope))
      throw new NotFoundError(say(`未找到导出 ${id}。`, `Export ${id} not found.`));
    if (record.status !== 'ready' || !record.key) return record;
    await ports.logAccess({
      campaignId: record.campaignId,
      entityId: record.id,
      regionCode: record.region,
      action: 'download_export',
      actor: actor.subject,
      at: ports.now(),
      details: { key: record.key, requestId, role: actor.role },
    });
    return {
      ...record,
      download: {
        url: await ports.presignDownload(record.key, `evidence-${record.campaignId}-${record.id}.zip`),
        expiresInSeconds: 300,
      },
    };
  },
});
export type ExportService = ReturnType<typeof createExportService>;
