import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { auth } from '#infra/resources';

/**
 * The local stand-in for Cognito: an ES256 key pair kept in the data folder,
 * so tokens stay valid across restarts of the same stack and `npm run token`
 * can sign without a running server.
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
  /** Verified claims, or undefined for a missing, malformed, expired or foreign token. */
  verify(token: string): Promise<JWTPayload | undefined>;
}

export const devIssuer = async (dataDir: string): Promise<DevIssuer> => {
  const keys = await loadOrCreateKeys(dataDir);
  const privateKey = await importJWK(keys.privateJwk, algorithm);
  const publicKey = await importJWK(keys.publicJwk, algorithm);
  return {
    issue: async ({ role, scope, subject, name, ttlSeconds = 12 * 3600 }) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ role, scope, token_use: 'access', ...(name ? { name } : {}) })
        .setProtectedHeader({ alg: algorithm, kid: keys.kid })
        .setIssuer(auth.localIssuer)
        .setAudience(auth.audience)
        .setSubject(subject ?? `${role}:${scope}`)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer: auth.localIssuer,
          audience: auth.audience,
          algorithms: [algorithm],
        });
        return payload;
      } catch {
        return undefined;
      }
    },
  };
};
