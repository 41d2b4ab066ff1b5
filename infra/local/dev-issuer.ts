import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { auth } from '#infra/resources';

/**
 * The local stand-in for Cognito: an ES256 key pair kept in the data folder,
 * so tokens stay valid across restarts of the same stack and `npm run token`
 * can sign without a running server. Tokens are shaped like Cognito access
 * tokens (`token_use: access`, `client_id`, no `aud`) with dudao's own claims
 * for role, scope and name, exactly what the pre-token-generation trigger puts
 * into them in AWS. The API verifies them with the same code as in AWS, from
 * the keys `serve()` publishes like Cognito's `/.well-known/jwks.json`.
 */
export interface TokenRequest {
  role: string;
  scope: string;
  subject?: string;
  name?: string;
  /** Lifetime in seconds; default 12 h. Negative values make expired tokens (tests). */
  ttlSeconds?: number;
}

interface KeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

const algorithm = 'ES256';
export const devIssuerKeyFile = (dataDir: string): string => join(dataDir, 'dev-issuer.json');

const loadOrCreateKeys = async (dataDir: string): Promise<KeyFile> => {
  const file = devIssuerKeyFile(dataDir);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  const keys: KeyFile = {
    kid: `dev-${Date.now().toString(36)}`,
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
};

export interface DevIssuer {
  issue(request: TokenRequest): Promise<string>;
  /** The public keys as a JWK Set. */
  jwks(): { keys: JWK[] };
  /** Serves the keys at `<url>/.well-known/jwks.json` on loopback (and the OpenID configuration). */
  serve(port?: number): Promise<{ url: string; jwksUrl: string; stop(): Promise<void> }>;
}

export const devIssuer = async (dataDir: string): Promise<DevIssuer> => {
  const keys = await loadOrCreateKeys(dataDir);
  const privateKey = await importJWK(keys.privateJwk, algorithm);
  const jwks = () => ({ keys: [{ ...keys.publicJwk, kid: keys.kid, alg: algorithm, use: 'sig' }] });
  return {
    jwks,
    issue: async ({ role, scope, subject, name, ttlSeconds = 12 * 3600 }) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        token_use: 'access',
        client_id: auth.localClientId,
        [auth.roleClaim]: role,
        [auth.scopeClaim]: scope,
        ...(name ? { [auth.nameClaim]: name } : {}),
      })
        .setProtectedHeader({ alg: algorithm, kid: keys.kid })
        .setIssuer(auth.localIssuer)
        .setSubject(subject ?? `${role}:${scope}`)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
    serve: async (port = 0) => {
      const server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        const body =
          path === '/.well-known/jwks.json'
            ? jwks()
            : path === '/.well-known/openid-configuration'
              ? { issuer: auth.localIssuer, jwks_uri: `${url}/.well-known/jwks.json` }
              : undefined;
        res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body ?? { message: 'Not found' }));
      });
      server.keepAliveTimeout = 1000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        url,
        jwksUrl: `${url}/.well-known/jwks.json`,
        stop: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  };
};
