import { failRun } from './campaign-runs.ts';
import { campaigns } from './launch-context.ts';
import { stepHandler } from './step-handler.ts';

/** Catch path of launch-campaign: the campaign may be launched again, which creates only what is missing. */
export const fail = failRun(campaigns, 'launch', 'launch_failed');

export const handler = stepHandler(fail);
