import { failRun } from './campaign-runs.ts';
import { campaigns } from './close-context.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of close-campaign: the campaign goes back to active and may be closed again. */
export const fail = failRun(campaigns, 'close', 'active');

export const handler = stepHandler(fail);
