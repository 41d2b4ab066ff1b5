import { config } from './config.ts';
import i18n from './i18n.ts';

/** Who is signed in: the bearer token and what it says (role, scope, name). */
export interface Session {
  token: string;
  role: string;
  scope: string;
  name?: string;
  expiresAt: number;
}

const key = 'dudao.session';

const claims = (token: string): Record<string, unknown> => {
  const part = token.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<
    string,
    unknown
  >;
};

export const sessionFromToken = (token: string): Session => {
  const c = claims(token);
  return {
    token,
    role: String(c['dudao:role'] ?? ''),
    scope: String(c['dudao:scope'] ?? ''),
    ...(typeof c['dudao:name'] === 'string' ? { name: c['dudao:name'] } : {}),
    expiresAt: Number(c.exp ?? 0) * 1000,
  };
};

export const currentSession = (): Session | undefined => {
  const raw = localStorage.getItem(key);
  if (!raw) return undefined;
  const session = JSON.parse(raw) as Session;
  return session.expiresAt > Date.now() ? session : undefined;
};

export const saveSession = (token: string): Session => {
  const session = sessionFromToken(token);
  localStorage.setItem(key, JSON.stringify(session));
  return session;
};

export const signOut = () => localStorage.removeItem(key);

// --- Local cloud: demo personas, tokens from the dev issuer (served by the local portal server only).

export interface Persona {
  id: string;
  role: string;
  scope: string;
  name: string;
  title: { zh: string; en: string };
}

export const localPersonas = async (): Promise<Persona[]> => {
  const r = await fetch('/local/personas');
  if (!r.ok) throw new Error(`/local/personas answered ${r.status}`);
  return (await r.json()) as Persona[];
};

export const localSignIn = async (persona: string): Promise<Session> => {
  const r = await fetch('/local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ persona }),
  });
  if (!r.ok) throw new Error(`/local/token answered ${r.status}`);
  return saveSession(((await r.json()) as { token: string }).token);
};

// --- AWS: Cognito's authorization-code flow with PKCE (no implicit flow, no client secret).

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export const cognitoSignIn = async () => {
  const auth = config().auth;
  if (auth.mode !== 'cognito') return;
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem('dudao.pkce', JSON.stringify({ verifier, state }));
  const url = new URL(`https://${auth.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: auth.redirectUri,
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.toString());
};

/** On the redirect back: exchanges the code (with the PKCE verifier) for tokens. */
export const cognitoCallback = async (search: string): Promise<Session> => {
  const auth = config().auth;
  if (auth.mode !== 'cognito') throw new Error('not signed in through Cognito');
  const params = new URLSearchParams(search);
  const saved = JSON.parse(sessionStorage.getItem('dudao.pkce') ?? '{}') as {
    verifier?: string;
    state?: string;
  };
  sessionStorage.removeItem('dudao.pkce');
  const code = params.get('code');
  if (!code || !saved.verifier || params.get('state') !== saved.state)
    throw new Error(i18n.t('auth.stateMismatch'));
  const r = await fetch(`https://${auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code,
      redirect_uri: auth.redirectUri,
      code_verifier: saved.verifier,
    }).toString(),
  });
  if (!r.ok) throw new Error(i18n.t('auth.tokenRefused', { status: r.status }));
  return saveSession(((await r.json()) as { access_token: string }).access_token);
};
