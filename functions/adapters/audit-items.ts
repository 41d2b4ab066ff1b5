import { createHash } from 'node:crypto';
import type { AuditEvent } from '#core/inspection-service';

/**
 * Audit events in the `audit` table: pk CAMPAIGN#<campaign>, sk <at>#<entity>#<discriminator>.
 * A new event also sits in the sparse `pendingLink` index (sharded by
 * campaign) until the linker gives it its place in the campaign's hash chain.
 */
export const linkShards = 8;
export const linkShardOf = (campaignId: string) =>
  createHash('sha256').update(campaignId).digest()[0]! % linkShards;

/**
 * The event's key: its time, its entity and a discriminator, by default a
 * digest of what it says. Two different facts about one entity in the same
 * millisecond get two keys; the same fact recorded again (a retried step)
 * gets the same key, so a conditional put records it once.
 */
export const auditEventItem = (event: AuditEvent, n?: number | string) => {
  const discriminator =
    n ??
    createHash('sha256')
      .update(JSON.stringify([event.action, event.actor, event.details ?? null]))
      .digest('hex')
      .slice(0, 12);
  const sk = `${event.at}#${event.entityId}#${discriminator}`;
  return {
    pk: `CAMPAIGN#${event.campaignId}`,
    sk,
    ...event,
    pendingLink: `PENDING#${linkShardOf(event.campaignId)}`,
    pendingSort: `${event.campaignId}#${sk}`,
  };
};

/** An audit item as the API shows it: keys and link bookkeeping removed, chain fields kept. */
export const toAuditEvent = ({
  pk: _pk,
  pendingLink: _l,
  pendingSort: _s,
  ...event
}: Record<string, unknown>) => event as unknown as AuditEvent & { sk: string; seq?: number; hash?: string };
