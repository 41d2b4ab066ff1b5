import { ulid } from 'ulid';
import { createCampaignStore } from '#adapters/campaign-store';
import { createInspectionStore } from '#adapters/inspection-store';
import { createTemplateStore } from '#adapters/template-store';
import { createInspectionService } from '#core/inspection-service';

/** The inspection use cases wired to DynamoDB (shared by the API and the sweeper). */
export const inspectionWiring = (tables: { main: string; audit: string }) => {
  const store = createInspectionStore(tables);
  const campaigns = createCampaignStore(tables.main);
  const templates = createTemplateStore(tables.main);
  const service = createInspectionService({
    store,
    campaign: (id) => campaigns.get(id),
    template: (id, version) => templates.get(id, version),
    now: () => new Date().toISOString(),
    newId: ulid,
  });
  return { service, store, campaigns, templates };
};
