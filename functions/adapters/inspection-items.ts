import type { Inspection } from '#core/inspection';

/**
 * Inspections in the `main` table, sharded by county wherever a campaign fans out:
 *
 * | index | pk                               | sk                         | serves                         |
 * |-------|----------------------------------|----------------------------|--------------------------------|
 * | table | INSPECTION#<id>                  | INSPECTION                 | one inspection                 |
 * | gsi1  | CINSP#<campaign>#<county>        | <target id>                | a campaign's inspections by county, recounts |
 * | gsi2  | ASSIGNEE#<inspector>             | <campaign>#<id>            | an inspector's work list       |
 * | gsi3  | TARGET#<school or county>        | <campaign>                 | a school's history             |
 * | gsi4  | ACTIVATE                         | <updated>#<id>             | reports whose rectifications wait to be activated (sparse) |
 */
export const inspectionKey = (id: string) => ({ pk: `INSPECTION#${id}`, sk: 'INSPECTION' });

export const inspectionItem = (inspection: Inspection & { activation?: unknown }) => ({
  ...inspectionKey(inspection.id),
  type: 'inspection',
  ...inspection,
  gsi1pk: `CINSP#${inspection.campaignId}#${inspection.regionCode}`,
  gsi1sk: inspection.targetId,
  ...(inspection.assigneeId
    ? { gsi2pk: `ASSIGNEE#${inspection.assigneeId}`, gsi2sk: `${inspection.campaignId}#${inspection.id}` }
    : {}),
  gsi3pk: `TARGET#${inspection.targetId}`,
  gsi3sk: inspection.campaignId,
  ...(inspection.activation
    ? { gsi4pk: 'ACTIVATE', gsi4sk: `${inspection.updatedAt}#${inspection.id}` }
    : {}),
});
