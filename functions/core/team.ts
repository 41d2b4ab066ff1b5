import type { Template } from './template.ts';

/**
 * How a template's inspections get their teams: `zone`, the school's
 * responsible inspector at launch (the default); `office`, set by the office
 * (PUT /inspections/{id}/team, POST /campaigns/{id}/teams); `panel`, an
 * expert panel drawn by POST /campaigns/{id}/panels (see panels.ts).
 */
export type TeamMode = Template['team']['mode'];

export const teamModeOf = (template: Pick<Template, 'team'>): TeamMode => template.team.mode;
