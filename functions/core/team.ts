import type { Template } from './template.ts';

/**
 * How a template's inspections get their teams: `zone`, the school's
 * responsible inspector at launch (today's default); `office`, set by the
 * office (PUT /inspections/{id}/team, POST /campaigns/{id}/teams); `panel`,
 * an expert panel drawn by POST /campaigns/{id}/panels.
 */
export type TeamMode = 'zone' | 'office' | 'panel';

export const teamModeOf = (template: Template): TeamMode =>
  ((template as { team?: { mode?: TeamMode } }).team?.mode ?? 'zone') as TeamMode;
