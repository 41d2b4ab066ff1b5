import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { auth, routes } from '#infra/resources';
import { devIssuerKeyFile } from '#local/dev-issuer';
import { apiUrl, call, tokenFor } from '#test/support/api';

const expectProblem = (r: { status: number; headers: Headers; body: unknown }, status: number) => {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  expect(r.body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\//),
    detail: expect.any(String),
  });
  expect(JSON.stringify(r.body)).not.toMatch(/\s+at\s+\S+:\d+:\d+/); // no stack trace
};

describe('GET /health', () => {
  it('tells anyone only whether it is up', async () => {
    const r = await call('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    for (const token of [await tokenFor('school', '3205820001'), 'not-a-token']) {
      expect((await call('GET', '/health', { token })).body).toEqual({ status: 'ok' });
    }
  });

  it('reports every local service as ok, with its endpoint, to an office', async () => {
    const r = await call('GET', '/health', { token: await tokenFor('province_admin', '32') });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'ok',
      services: {
        dynamodb: { status: 'ok', endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
        s3: { status: 'ok', endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
        stepfunctions: { status: 'ok', endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
      },
    });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GET /openapi.json', () => {
  it('describes every declared route as OpenAPI 3.1', async () => {
    const r = await call<{ openapi: string; paths: Record<string, Record<string, { security: unknown[] }>> }>(
      'GET',
      '/openapi.json',
    );
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const route of routes) {
      const op = r.body.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!.security).toEqual(route.auth === 'jwt' ? [{ bearer: [] }] : []);
    }
  });
});

describe('GET /me', () => {
  it('returns the identity, role and scope of the token', async () => {
    const token = await tokenFor('county_admin', '320582', { subject: 'zhang.san' });
    const r = await call('GET', '/me', { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ subject: 'zhang.san', role: 'county_admin', scope: '320582' });
  });

  it('answers 401 without a token, with a malformed one, a forged one and an expired one', async () => {
    expectProblem(await call('GET', '/me'), 401);
    expectProblem(await call('GET', '/me', { token: 'not-a-jwt' }), 401);
    const valid = await tokenFor('school', '3205820001');
    const [header, payload] = valid.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ role: 'province_admin', scope: '32' })).toString('base64url')}.${valid.split('.')[2]}`;
    expect(payload).toBeDefined();
    expectProblem(await call('GET', '/me', { token: forged }), 401);
    expectProblem(
      await call('GET', '/me', { token: await tokenFor('school', '3205820001', { ttlSeconds: -60 }) }),
      401,
    );
  });

  it('verifies tokens as in AWS: another issuer’s key, another app client, an ID token are all 401', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const sign = (claims: Record<string, unknown>, key = privateKey) =>
      new SignJWT({
        token_use: 'access',
        client_id: auth.localClientId,
        'dudao:role': 'province_admin',
        'dudao:scope': '32',
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'someone-else' })
        .setIssuer(auth.localIssuer)
        .setSubject('intruder')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
    expectProblem(await call('GET', '/me', { token: await sign({}) }), 401);
    // Claims right, signature right, but not an access token of dudao's app client.
    const issued = await tokenFor('province_admin', '32');
    const [, payload] = issued.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
      token_use: 'access',
      client_id: auth.localClientId,
      'dudao:role': 'province_admin',
      'dudao:scope': '32',
    });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).not.toHaveProperty('scope');
  });

  it('reads role and scope from dudao’s claims only, never from OAuth’s `scope`', async () => {
    // Signed by the dev issuer's own key: a valid token, but role and scope in the old claims.
    const keys = JSON.parse(readFileSync(devIssuerKeyFile(inject('cloud').dataDir), 'utf8'));
    const token = await new SignJWT({
      token_use: 'access',
      client_id: auth.localClientId,
      role: 'province_admin',
      scope: '32',
    })
      .setProtectedHeader({ alg: 'ES256', kid: keys.kid })
      .setIssuer(auth.localIssuer)
      .setSubject('old-claims')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(await importJWK(keys.privateJwk, 'ES256'));
    expectProblem(await call('GET', '/me', { token }), 403);
  });

  it('answers 403 to a valid token whose role is unknown', async () => {
    expectProblem(await call('GET', '/me', { token: await tokenFor('janitor' as never, '32') }), 403);
  });
});

describe('bad requests', () => {
  it('answers a request target no URL parser accepts with 400, not a crash', async () => {
    const { port } = new URL(apiUrl());
    const response = await new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '//[/health', method: 'GET' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }),
        );
      });
      req.on('error', reject);
      req.end();
    });
    expect(response).toMatchObject({ status: 400, type: 'application/problem+json' });
    expect(response.body).not.toMatch(/\s+at\s+\S+:\d+:\d+/);
  });

  it('answers an unknown route with 404 problem+json', async () => {
    expectProblem(await call('GET', '/no/such/route'), 404);
  });

  it('answers a known path with the wrong method with 405', async () => {
    expectProblem(await call('DELETE', '/health'), 405);
  });

  it('answers malformed JSON with 400 and a non-JSON content type with 415', async () => {
    const token = await tokenFor('county_admin', '320582');
    const headers = { 'content-type': 'application/json' };
    expectProblem(await call('POST', '/imports', { token, rawBody: '{"kind": "schools",', headers }), 400);
    expectProblem(
      await call('POST', '/imports', {
        token,
        rawBody: 'kind=schools',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    expectProblem(await call('POST', '/imports', { token, rawBody: '[1,2,3]', headers }), 400);
    expectProblem(await call('POST', '/imports', { token }), 400);
  });

  it('answers an oversize body with 413 before it reaches the handler', async () => {
    const token = await tokenFor('province_admin', '32');
    expectProblem(await call('POST', '/me', { token, rawBody: Buffer.alloc(11 * 1024 * 1024, 120) }), 413);
  });
});
