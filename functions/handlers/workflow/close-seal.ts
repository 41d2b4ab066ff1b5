import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { auditEventItem } from '#adapters/audit-items';
import { createAuditStore } from '#adapters/audit-store';
import { documentClient as db } from '#adapters/aws-clients';
import { createEvidenceStore } from '#adapters/evidence-store';
import { createInspectionStore } from '#adapters/inspection-store';
import { archiveEntry, type Evidence } from '#core/evidence';
import type { AuditEvent } from '#core/inspection-service';
import { tables } from '#infra/resources';
import { mapLimited } from '#lib/concurrency';
import { requireEnv } from '#lib/env';
import { maybeFail } from '#lib/faults';
import { allPages } from '#lib/pages';
import { type CloseInput, campaigns, currentClose, mainTable, objects, sealedKey } from './close-context.ts';
import { stepHandler } from './step-handler.ts';

const auditTable = requireEnv(tables.audit.envVar);
const audit = createAuditStore(auditTable);
const evidenceStore = createEvidenceStore({ main: mainTable, audit: auditTable });
const inspections = createInspectionStore({ main: mainTable, audit: auditTable });

/** One line of the evidence manifest (JSON Lines, in the archive's index order). */
const manifestLine = (e: Evidence, held: boolean) => JSON.stringify({ ...archiveEntry(e), legalHold: held });

/** Appends an audit event once (its key is fixed by the close), however often the step runs. */
const recordOnce = async (event: AuditEvent) => {
  try {
    await db.send(
      new PutCommand({
        TableName: auditTable,
        Item: auditEventItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/**
 * Step 2 of close-campaign: legal holds on the evidence of inspections that
 * reached accountability (问责); the evidence manifest and its SHA-256; the
 * sealing event linked into the audit chain, whose head is recorded on the
 * campaign with everything else. Then the campaign is closed.
 */
export const seal = async (input: CloseInput) => {
  const campaign = await currentClose(input);
  const close = campaign.close!;

  const accountable = new Set(
    (await inspections.proposals(campaign.id))
      .filter((p) => p.type === 'accountability' && p.status === 'recorded' && p.inspectionId !== '-')
      .map((p) => p.inspectionId),
  );
  const all = await allPages((cursor) =>
    evidenceStore.archive({ campaignId: campaign.id, regionPrefix: campaign.scope, limit: 500, cursor }),
  );
  const held = all.filter((e) => accountable.has(e.inspectionId) && e.status === 'stored');
  const holds = await mapLimited(held, 8, (e) => objects.legalHold(e.key));
  const heldIds = new Set(held.map((e) => e.id));

  const manifest = all.map((e) => `${manifestLine(e, heldIds.has(e.id))}\n`).join('');
  const sha256 = createHash('sha256').update(manifest).digest('hex');
  const key = sealedKey(campaign.id, 'evidence-manifest.jsonl');
  const sha256Key = `${key}.sha256`;
  await objects.write(key, manifest, 'application/x-ndjson');
  // sha256sum's format, so `sha256sum -c` checks a downloaded copy.
  await objects.write(sha256Key, `${sha256}  evidence-manifest.jsonl\n`, 'text/plain');

  await recordOnce({
    campaignId: campaign.id,
    entityId: campaign.id,
    regionCode: campaign.scope,
    action: 'seal_campaign',
    actor: close.by,
    at: close.startedAt,
    details: {
      execution: input.execution,
      manifestKey: key,
      manifestSha256: sha256,
      files: all.length,
      legalHolds: held.length,
    },
  });
  await audit.linkCampaign(campaign.id);
  const chain = await audit.head(campaign.id);

  const sealed = {
    finishedAt: new Date().toISOString(),
    manifest: { key, sha256, sha256Key, files: all.length, bytes: Buffer.byteLength(manifest) },
    chain,
    legalHolds: holds.filter((h) => h === 'placed').length,
  };
  // Failure drills: dying here leaves everything written but the campaign not yet closed.
  await maybeFail(mainTable, `close-seal:${campaign.id}`);
  await campaigns.updateClose(campaign.id, input.execution, sealed, { status: 'closed' });
  return { campaignId: campaign.id, ...sealed };
};

export const handler = stepHandler(seal);
