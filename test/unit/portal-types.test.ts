import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { portalTypes, schemaFile } from '#scripts/portal-types';

describe('the portal API types', () => {
  it('match the OpenAPI document the API serves (run `npm run portal:types` after changing routes or schemas)', async () => {
    const committed = readFileSync(schemaFile, 'utf8');
    const generated = await portalTypes();
    expect(committed === generated, 'portal/src/api/schema.d.ts is stale: run `npm run portal:types`').toBe(
      true,
    );
  }, 30_000);

  it('describe the routes the portal calls', async () => {
    const generated = await portalTypes();
    for (const path of ['"/me"', '"/campaigns"', '"/inspections/{id}/findings"', '"/audit/exports"'])
      expect(generated).toContain(path);
  }, 30_000);
});
