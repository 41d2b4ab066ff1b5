import { createCampaignStore } from '#adapters/campaign-store';
import { createLaunchStore } from '#adapters/launch-store';
import type { ObjectStore } from '#adapters/object-store';
import { createTemplateStore } from '#adapters/template-store';
import type { LaunchPorts } from '#core/launch/ports';
import { notGranted } from './files.ts';
import type { Tables } from './tables.ts';

/** The launch-campaign steps' ports over DynamoDB and the buckets the step is granted. */
export const launchPorts = (
  tables: Tables & { audit?: string },
  files: { archive?: ObjectStore; scratch?: ObjectStore },
): LaunchPorts => {
  const store = createLaunchStore(tables.db, tables.main);
  return {
    campaigns: createCampaignStore(tables.db, tables.main, tables.audit),
    templates: createTemplateStore(tables.db, tables.main),
    schoolsOfCounty: store.schoolsOfCounty,
    currentTermsOfCounty: store.currentTermsOfCounty,
    groupsOfCounty: store.groupsOfCounty,
    gradedTargets: store.gradedTargets,
    archive: files.archive ?? notGranted('the evidence bucket'),
    scratch: files.scratch ?? notGranted('the work bucket'),
    counters: store.counters,
    inspections: store.inspections,
    inspectors: store.inspectors,
    now: () => new Date().toISOString(),
  };
};
