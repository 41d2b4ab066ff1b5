import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvidenceQuery } from '#core/audit-service';
import type { BurdenDelta } from '#core/burden';
import type { Evidence } from '#core/evidence';
import type { AuditEvent } from '#core/inspection-service';
import { auditEventItem } from './audit-items.ts';
import { burdenUpdates } from './burden-store.ts';
import { campaignKey } from './campaign-store.ts';
import { batchGet } from './dynamo-batch.ts';
import { beginsWith, conditions, equals, queryAll, queryPage, within } from './dynamo-query.ts';

type ArchiveQuery = Omit<AuditEvidenceQuery, 'region'> & { regionPrefix: string };

/**
 * Evidence records in `main`:
 *
 * | index | pk                          | sk                 | serves                           |
 * |-------|-----------------------------|--------------------|----------------------------------|
 * | table | EVIDENCE#<id>               | EVIDENCE           | one record                       |
 * | gsi1  | INSPEVID#<inspection>       | <created>#<id>     | an inspection's evidence         |
 * | gsi2  | CEVID#<campaign>            | <county>#<created>#<id> | auditor: campaign, region prefix |
 * | gsi3  | SEVID#<school>              | <created>#<id>     | auditor: a school's evidence     |
 * | gsi4  | PENDINGEVID#<shard>         | <created>#<id>     | sweeper: still pending (sparse)  |
 * | gsi5  | SHA#<school>#<sha256>       | <created>#<id>     | collect once: a school's stored originals by content (sparse) |
 *
 * | link guard | pk EVLINK#<inspection>#<sha256> | sk EVLINK | the one link of a file per inspection |
 *
 * A link (kind `link`) is an evidence record of its own, indexed like any
 * other but never in gsi5: only stored originals are linked to.
 * By uploader, the archive reads the uploader's `request_evidence_upload`
 * events (audit table, byActor) and then the records they name.
 */
const key = (id: string) => ({ pk: `EVIDENCE#${id}`, sk: 'EVIDENCE' });
/** Pending announcements spread over this many partitions of gsi4 (uploads come in bursts). */
const pendingShards = 8;
const pendingShard = (id: string) => createHash('sha256').update(id).digest()[0]! % pendingShards;
const item = (e: Evidence) => ({
  ...key(e.id),
  type: 'evidence',
  ...e,
  gsi1pk: `INSPEVID#${e.inspectionId}`,
  gsi1sk: `${e.createdAt}#${e.id}`,
  gsi2pk: `CEVID#${e.campaignId}`,
  gsi2sk: `${e.regionCode}#${e.createdAt}#${e.id}`,
  gsi3pk: `SEVID#${e.targetId}`,
  gsi3sk: `${e.createdAt}#${e.id}`,
  ...(e.status === 'pending'
    ? { gsi4pk: `PENDINGEVID#${pendingShard(e.id)}`, gsi4sk: `${e.createdAt}#${e.id}` }
    : {}),
  ...(e.status === 'stored' && e.kind !== 'link'
    ? { gsi5pk: contentKey(e.targetId, e.detected?.sha256 ?? e.sha256), gsi5sk: `${e.createdAt}#${e.id}` }
    : {}),
});
const contentKey = (schoolId: string, sha256: string) => `SHA#${schoolId}#${sha256}`;
const linkGuardKey = (inspectionId: string, sha256: string) => ({
  pk: `EVLINK#${inspectionId}#${sha256}`,
  sk: 'EVLINK',
});
/** At most this many stored originals of one content are looked at (the oldest first). */
const originalsRead = 10;
const strip = ({
  pk: _a,
  sk: _b,
  type: _t,
  gsi1pk: _c,
  gsi1sk: _d,
  gsi2pk: _e,
  gsi2sk: _f,
  gsi3pk: _g,
  gsi3sk: _h,
  gsi4pk: _i,
  gsi4sk: _j,
  gsi5pk: _k,
  gsi5sk: _l,
  ...rest
}: Record<string, unknown>) => rest as unknown as Evidence;

/** A transaction's check that the campaign is not closing or closed (no evidence after its manifest). */
const campaignNotSealed = (table: string, campaignId: string) => ({
  ConditionCheck: {
    TableName: table,
    Key: campaignKey(campaignId),
    ConditionExpression: 'NOT #status IN (:closing, :closed)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':closing': 'closing', ':closed': 'closed' },
  },
});

export const createEvidenceStore = (db: DynamoDBDocumentClient, tables: { main: string; audit: string }) => ({
  /**
   * The record and its audit event, in one transaction that also checks the
   * campaign is not sealed (so no upload slips in after its manifest): false if it is.
   */
  async create(evidence: Evidence, audit: AuditEvent) {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tables.main,
                Item: item(evidence),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: tables.audit, Item: auditEventItem(audit) } },
            campaignNotSealed(tables.main, evidence.campaignId),
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      if (reasons?.[2]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  },

  /**
   * A link record with its audit event and burden, once per inspection and
   * content (the guard item): `linked`, or the link that exists already
   * (`existing`), or `sealed` when the campaign is closing or closed.
   */
  async link(
    link: Evidence,
    audit: AuditEvent,
    burden: BurdenDelta,
  ): Promise<{ outcome: 'linked' } | { outcome: 'existing'; evidenceId: string } | { outcome: 'sealed' }> {
    const guard = linkGuardKey(link.inspectionId, link.sha256);
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tables.main,
                Item: { ...guard, type: 'evidence_link_guard', evidenceId: link.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tables.main,
                Item: item(link),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            campaignNotSealed(tables.main, link.campaignId),
            { Put: { TableName: tables.audit, Item: auditEventItem(audit) } },
            ...burdenUpdates(tables.main, link, burden),
          ],
        }),
      );
      return { outcome: 'linked' };
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        const found = (
          await db.send(new GetCommand({ TableName: tables.main, Key: guard, ConsistentRead: true }))
        ).Item;
        if (found) return { outcome: 'existing', evidenceId: String(found.evidenceId) };
      }
      if (reasons?.[2]?.Code === 'ConditionalCheckFailed') return { outcome: 'sealed' };
      throw error;
    }
  },

  /** The link of this content on this inspection, if one was made. */
  async linkOn(inspectionId: string, sha256: string): Promise<string | undefined> {
    const found = (
      await db.send(
        new GetCommand({
          TableName: tables.main,
          Key: linkGuardKey(inspectionId, sha256),
          ConsistentRead: true,
        }),
      )
    ).Item;
    return found ? String(found.evidenceId) : undefined;
  },

  /** The school's stored originals of this content, oldest first (gsi5; bounded). */
  storedOriginals: async (schoolId: string, sha256: string) =>
    (
      await queryPage(
        db,
        {
          TableName: tables.main,
          IndexName: 'gsi5',
          KeyConditionExpression: 'gsi5pk = :pk',
          ExpressionAttributeValues: { ':pk': contentKey(schoolId, sha256) },
        },
        { limit: originalsRead },
        strip,
      )
    ).items,

  /** The records of these ids that exist (BatchGet, strongly consistent). */
  many: async (ids: readonly string[]) =>
    (await batchGet(db, tables.main, [...new Set(ids)].map(key), { consistent: true })).map(strip),

  async get(id: string): Promise<Evidence | undefined> {
    const found = (
      await db.send(new GetCommand({ TableName: tables.main, Key: key(id), ConsistentRead: true }))
    ).Item;
    return found ? strip(found) : undefined;
  },

  byInspection: async (inspectionId: string) =>
    (
      await queryAll(db, {
        TableName: tables.main,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `INSPEVID#${inspectionId}` },
      })
    ).map(strip),

  /** Announcements made before `before` that are still pending, oldest first (gsi4, every shard). */
  async pendingBefore(before: string): Promise<Evidence[]> {
    const shards = await Promise.all(
      Array.from({ length: pendingShards }, (_, shard) =>
        queryAll(db, {
          TableName: tables.main,
          IndexName: 'gsi4',
          KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk < :before',
          ExpressionAttributeValues: { ':pk': `PENDINGEVID#${shard}`, ':before': before },
        }),
      ),
    );
    return shards
      .flat()
      .map(strip)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  },

  /** Records the verdict once: false when the record was already settled (a duplicate or late event). */
  async settle(
    evidence: Evidence,
    verdict: Pick<Evidence, 'status' | 'reason' | 'detected' | 'verifiedAt'>,
    audit: AuditEvent,
    burden?: BurdenDelta,
  ) {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tables.main,
                Item: item({ ...evidence, ...verdict }),
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':pending': 'pending' },
              },
            },
            { Put: { TableName: tables.audit, Item: auditEventItem(audit) } },
            ...burdenUpdates(tables.main, evidence, burden),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  },

  /** The auditor's archive query, through the campaign, school or uploader index. */
  async archive(q: ArchiveQuery) {
    const common = [
      q.indicatorId !== undefined && equals('indicatorId', q.indicatorId),
      q.status !== undefined && equals('status', q.status),
    ];
    if (q.campaignId) {
      // A county code fixes the sort key's prefix, so the time range joins the key.
      const county = q.regionPrefix.length === 6;
      return queryPage(
        db,
        {
          TableName: tables.main,
          IndexName: 'gsi2',
          ...conditions(
            [
              equals('gsi2pk', `CEVID#${q.campaignId}`),
              county
                ? within('gsi2sk', `${q.regionPrefix}#${q.from ?? ''}`, `${q.regionPrefix}#${q.to ?? '9999'}`)
                : beginsWith('gsi2sk', q.regionPrefix),
            ],
            [
              ...common,
              !county && (q.from !== undefined || q.to !== undefined) && within('createdAt', q.from, q.to),
              q.schoolId !== undefined && equals('targetId', q.schoolId),
              q.uploader !== undefined && equals('uploader', q.uploader),
            ],
          ),
        },
        q,
        strip,
      );
    }
    if (q.schoolId) {
      return queryPage(
        db,
        {
          TableName: tables.main,
          IndexName: 'gsi3',
          ...conditions(
            [equals('gsi3pk', `SEVID#${q.schoolId}`), within('gsi3sk', q.from, q.to)],
            [
              ...common,
              beginsWith('regionCode', q.regionPrefix),
              q.uploader !== undefined && equals('uploader', q.uploader),
            ],
          ),
        },
        q,
        strip,
      );
    }
    const announced = await queryPage(
      db,
      {
        TableName: tables.audit,
        IndexName: 'byActor',
        ...conditions(
          [equals('actor', q.uploader), within('at', q.from, q.to)],
          [equals('action', 'request_evidence_upload'), beginsWith('regionCode', q.regionPrefix)],
        ),
      },
      q,
      (event) => ({ pk: `EVIDENCE#${event.entityId as string}`, sk: 'EVIDENCE' }),
    );
    const records = (await batchGet(db, tables.main, announced.items)).map(strip);
    const wanted = records.filter(
      (e) =>
        (q.indicatorId === undefined || e.indicatorId === q.indicatorId) &&
        (q.status === undefined || e.status === q.status),
    );
    return { ...announced, items: wanted.sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
  },

  async logAccess(audit: AuditEvent) {
    try {
      await db.send(
        new PutCommand({
          TableName: tables.audit,
          Item: auditEventItem(audit),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
});
export type EvidenceStore = ReturnType<typeof createEvidenceStore>;
