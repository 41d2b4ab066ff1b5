import { createHash } from 'node:crypto';
import { mapLimited } from '#lib/concurrency';
import { currentRun } from '../campaign-runs.ts';
import { archiveEntry, type Evidence } from '../evidence.ts';
import { archiveKeys } from '../storage.ts';
import type { CloseInput, SealPorts } from './ports.ts';

/** One line of the evidence manifest (JSON Lines, in the archive's index order). */
const manifestLine = (e: Evidence, held: boolean) => JSON.stringify({ ...archiveEntry(e), legalHold: held });

/**
 * Step 2 of close-campaign.
 *
 * Primary course: place legal holds on the stored evidence of inspections
 * that reached accountability (问责); write the evidence manifest and its
 * SHA-256 (in `sha256sum` format) to the archive; append the sealing event
 * and link the campaign's audit chain, whose head is recorded on the campaign
 * with everything else; then the campaign is closed.
 *
 * Every part is idempotent: a hold is placed again, the manifest rewritten
 * with the same content, the sealing event's key is fixed by the close.
 */
export const sealCampaign = (ports: SealPorts) => async (input: CloseInput) => {
  const campaign = await currentRun(ports.campaigns, 'close', input);
  const close = campaign.close!;

  const accountable = new Set(
    (await ports.proposals(campaign.id))
      .filter((p) => p.type === 'accountability' && p.status === 'recorded' && p.inspectionId !== '-')
      .map((p) => p.inspectionId),
  );
  const all = await ports.evidenceOf(campaign.id, campaign.scope);
  const held = all.filter((e) => accountable.has(e.inspectionId) && e.status === 'stored');
  const holds = await mapLimited(held, 8, (e) => ports.legalHold(e.key));
  const heldIds = new Set(held.map((e) => e.id));

  const manifest = all.map((e) => `${manifestLine(e, heldIds.has(e.id))}\n`).join('');
  const sha256 = createHash('sha256').update(manifest).digest('hex');
  const key = archiveKeys.sealed(campaign.id, 'evidence-manifest.jsonl');
  const sha256Key = `${key}.sha256`;
  await ports.archive.write(key, manifest, 'application/x-ndjson');
  // sha256sum's format, so `sha256sum -c` checks a downloaded copy.
  await ports.archive.write(sha256Key, `${sha256}  evidence-manifest.jsonl\n`, 'text/plain');

  await ports.audit.recordOnce({
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
  await ports.audit.linkCampaign(campaign.id);
  const chain = await ports.audit.head(campaign.id);

  const sealed = {
    finishedAt: ports.now(),
    manifest: { key, sha256, sha256Key, files: all.length, bytes: Buffer.byteLength(manifest) },
    chain,
    legalHolds: holds.filter((h) => h === 'placed').length,
  };
  await ports.campaigns.updateClose(campaign.id, input.execution, sealed, {
    status: 'closed',
    onlyFrom: 'closing',
  });
  return { campaignId: campaign.id, ...sealed };
};
