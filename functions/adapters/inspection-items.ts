import { createHash } from 'node:crypto';
import type { Inspection } from '#core/inspection';
import { partyOf, teamMembers } from '#core/inspection';

/**
 * Inspections in the `main` table, sharded by county wherever a campaign fans out:
 *
 * | item       | index | pk                          | sk                          | serves                                   |
 * |------------|-------|-----------------------------|-----------------------------|------------------------------------------|
 * | inspection | table | INSPECTION#<id>             | INSPECTION                  | one inspection                           |
 * |            | gsi1  | CINSP#<campaign>#<county>   | <target id>                 | a campaign's inspections by county, recounts |
 * |            | gsi2  | CDUE#<campaign>#<county>    | <dueAt or ~>#<target id>    | the office's list, by earliest owed deadline |
 * |            | gsi3  | TARGET#<party>              | <campaign>                  | a party's inspections and history        |
 * |            | gsi4  | ACTIVATE                    | <updated>#<id>              | reports whose rectifications wait to be activated (sparse) |
 * |            | gsi5  | WATCH#<shard>               | <nextCheckAt>#<id>          | the deadline sweep (sparse)              |
 * | member     | table | INSPECTION#<id>             | MEMBER#<inspector>          | the team, one item per member            |
 * |            | gsi2  | ASSIGNEE#<inspector>        | <campaign>#<id>             | an inspector's work list (lead and members) |
 *
 * Inspections that owe nothing sort last in gsi2 (`~` follows every digit).
 */
export const watchShards = 8;
const shardOf = (id: string) => createHash('sha256').update(id).digest()[0]! % watchShards;

export const inspectionKey = (id: string) => ({ pk: `INSPECTION#${id}`, sk: 'INSPECTION' });
export const memberKey = (inspectionId: string, inspectorId: string) => ({
  pk: `INSPECTION#${inspectionId}`,
  sk: `MEMBER#${inspectorId}`,
});
export const dueIndexKey = (campaignId: string, county: string) => `CDUE#${campaignId}#${county}`;
export const noDeadline = '~';

export const inspectionItem = (inspection: Inspection & { activation?: unknown }) => ({
  ...inspectionKey(inspection.id),
  type: 'inspection',
  ...inspection,
  gsi1pk: `CINSP#${inspection.campaignId}#${inspection.regionCode}`,
  gsi1sk: inspection.targetId,
  gsi2pk: dueIndexKey(inspection.campaignId, inspection.regionCode),
  gsi2sk: `${inspection.dueAt ?? noDeadline}#${inspection.targetId}`,
  // By the party that answers for it (a school, a government, a group's lead school): what it lists.
  gsi3pk: `TARGET#${partyOf(inspection)}`,
  gsi3sk: inspection.campaignId,
  ...(inspection.activation
    ? { gsi4pk: 'ACTIVATE', gsi4sk: `${inspection.updatedAt}#${inspection.id}` }
    : {}),
  ...(inspection.nextCheckAt
    ? { gsi5pk: `WATCH#${shardOf(inspection.id)}`, gsi5sk: `${inspection.nextCheckAt}#${inspection.id}` }
    : {}),
});

/** One member of the team: it puts the inspection on the inspector's work list. */
export const memberItem = (
  inspection: Pick<Inspection, 'id' | 'campaignId' | 'regionCode'>,
  inspectorId: string,
  role: 'lead' | 'member',
) => ({
  ...memberKey(inspection.id, inspectorId),
  type: 'member',
  inspectionId: inspection.id,
  campaignId: inspection.campaignId,
  regionCode: inspection.regionCode,
  inspectorId,
  role,
  gsi2pk: `ASSIGNEE#${inspectorId}`,
  gsi2sk: `${inspection.campaignId}#${inspection.id}`,
});

/** The member items of an inspection's team as it stands. */
export const memberItems = (inspection: Inspection) =>
  teamMembers(inspection).map((id, i) => memberItem(inspection, id, i === 0 ? 'lead' : 'member'));
