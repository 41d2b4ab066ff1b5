import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/api-server';

/** The local API's CORS, as API Gateway's with `corsPreflight` for the portal's origin only. */
const portal = 'http://localhost:8080';
let api: LocalApi;
let invoked = 0;
beforeAll(async () => {
  api = await startLocalApi({
    port: 0,
    corsOrigins: [portal],
    invoke: async () => {
      invoked++;
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    },
  });
});
afterAll(() => api.stop());

describe('the local API from a browser', () => {
  it('answers the portal’s preflight itself, before any route', async () => {
    const before = invoked;
    const r = await fetch(`${api.url}/inspections/x/findings`, {
      method: 'OPTIONS',
      headers: {
        origin: portal,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(portal);
    expect(r.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(r.headers.get('access-control-allow-headers')).toBe('authorization,content-type,accept-language');
    expect(invoked).toBe(before);
  });

  it('lets the portal read responses, and no other origin', async () => {
    const ours = await fetch(`${api.url}/me`, { headers: { origin: portal } });
    expect(ours.headers.get('access-control-allow-origin')).toBe(portal);
    expect(ours.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const other = await fetch(`${api.url}/me`, { headers: { origin: 'https://elsewhere.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${api.url}/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
