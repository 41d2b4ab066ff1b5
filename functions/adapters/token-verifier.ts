import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

/**
 * Verifies bearer tokens as API Gateway's JWT authorizer would, inside the
 * function: signature by the issuer's published keys (fetched once, cached,
 * refetched for an unknown key id), issuer, expiry, an access token
 * (`token_use`) of one of the accepted app clients (`client_id`). Cognito
 * access tokens carry no `aud`; the local dev issuer's tokens are shaped alike.
 *
 * Resolves undefined for a token that fails any check (the caller answers
 * 401); throws when the keys cannot be fetched (a 5xx: not the caller's fault).
 */
export const createTokenVerifier = (config: {
  issuer: string;
  jwksUrl: string;
  clientIds: readonly string[];
}) => {
  const keys = createRemoteJWKSet(new URL(config.jwksUrl), {
    timeoutDuration: 3000,
    cooldownDuration: 30_000,
  });
  return async (token: string): Promise<JWTPayload | undefined> => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        algorithms: ['RS256', 'ES256'],
      });
      if (payload.token_use !== 'access') return undefined;
      if (typeof payload.client_id !== 'string' || !config.clientIds.includes(payload.client_id))
        return undefined;
      return payload;
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) throw error;
      if (error instanceof errors.JOSEError) return undefined;
      // A token so malformed that decoding fails outright.
      if (error instanceof TypeError && !/fetch/i.test(error.message)) return undefined;
      throw error;
    }
  };
};
export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
