import type { CampaignRunInput } from '../campaign-runs.ts';
import type { CampaignStore } from '../campaign-service.ts';
import type { Evidence } from '../evidence.ts';
import type { AuditEvent, Proposal } from '../inspection-service.ts';
import type { FileStore } from '../storage.ts';

/** Input of every close-campaign step. */
export type CloseInput = CampaignRunInput;

export interface ClosePorts {
  campaigns: Pick<CampaignStore, 'get' | 'updateClose' | 'progress'>;
  /** Where the sealed record is kept (under retention). */
  archive: FileStore;
  now(): string;
}

export interface SealPorts extends ClosePorts {
  proposals(campaignId: string): Promise<(Proposal & { status: string })[]>;
  /** Every evidence record of the campaign, in the archive's order. */
  evidenceOf(campaignId: string, regionPrefix: string): Promise<Evidence[]>;
  legalHold(key: string): Promise<'placed' | 'unsupported'>;
  audit: {
    /** Appends an event whose key is fixed by its content, once however often it is recorded. */
    recordOnce(event: AuditEvent): Promise<void>;
    /** Links the campaign's pending events into its hash chain. */
    linkCampaign(campaignId: string): Promise<number>;
    head(campaignId: string): Promise<{ linked: number; head: string }>;
  };
}
