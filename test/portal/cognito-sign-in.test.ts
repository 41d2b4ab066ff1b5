import { createHash } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tokenFor } from '#test/support/api';
import { launchBrowser, newContext, persona, portalUrl } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const domain = 'dudao-test.auth.ap-east-1.amazoncognito.com';
const clientId = 'portal-client-id';

/**
 * The portal as it is deployed: `config.json` says Cognito (as the portal
 * stack writes it), and the browser meets Cognito's two OAuth endpoints. There
 * is no Cognito here, so this browser context answers for `https://<domain>`
 * the way Cognito's hosted UI does: `/oauth2/authorize` shows a sign-in page
 * that sends the browser back to the redirect URI with a code and the state;
 * `/oauth2/token` gives the tokens for that code only when the PKCE verifier
 * hashes (S256) to the challenge the authorize request carried. The portal's
 * own code (auth.ts, the callback page) runs unchanged; what this cannot show
 * is Cognito itself (its pre-token-generation claims are tested on the handler).
 */
const asDeployed = async (context: BrowserContext) => {
  const seen: { authorize?: URL; token?: URLSearchParams } = {};
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const accessToken = await tokenFor('county_admin', persona('county').scope, { subject: 'cognito-user' });
  await context.route(portalUrl('/config.json'), (route) =>
    route.fulfill({
      json: {
        apiUrl: inject('cloud').apiUrl,
        auth: { mode: 'cognito', domain, clientId, redirectUri: portalUrl('/callback') },
      },
    }),
  );
  await context.route(`https://${domain}/oauth2/authorize*`, (route) => {
    const url = new URL(route.request().url());
    seen.authorize = url;
    const code = `code-${codes.size + 1}`;
    codes.set(code, {
      challenge: url.searchParams.get('code_challenge') ?? '',
      redirectUri: url.searchParams.get('redirect_uri') ?? '',
    });
    const back = new URL(url.searchParams.get('redirect_uri') ?? '');
    back.search = new URLSearchParams({ code, state: url.searchParams.get('state') ?? '' }).toString();
    return route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><title>Sign in</title><main><a href="${back}">Sign in as the county office</a></main></html>`,
    });
  });
  await context.route(`https://${domain}/oauth2/token`, async (route) => {
    const form = new URLSearchParams(route.request().postData() ?? '');
    seen.token = form;
    const issued = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    const verified =
      issued !== undefined &&
      form.get('grant_type') === 'authorization_code' &&
      form.get('client_id') === clientId &&
      form.get('redirect_uri') === issued.redirectUri &&
      createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url') === issued.challenge;
    return route.fulfill({
      status: verified ? 200 : 400,
      headers: { 'access-control-allow-origin': new URL(portalUrl('/')).origin },
      json: verified
        ? { access_token: accessToken, id_token: 'unused', token_type: 'Bearer', expires_in: 3600 }
        : { error: 'invalid_grant' },
    });
  });
  return seen;
};

describe('signing in to the deployed portal (Cognito, authorization code + PKCE)', () => {
  it('goes to the hosted sign-in with a code request and an S256 challenge, and buys the token with the verifier', async () => {
    const context = await newContext(browser);
    const seen = await asDeployed(context);
    const page = await context.newPage();
    await page.goto(portalUrl('/'));
    await page.getByRole('button', { name: '使用统一身份认证登录' }).click();
    await page.getByRole('link', { name: 'Sign in as the county office' }).click();
    // Back in the portal, signed in: the office's campaigns, read from the API with the token Cognito gave.
    await page.getByRole('heading', { name: '督导项目' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/campaigns');

    const authorize = seen.authorize!.searchParams;
    expect(authorize.get('response_type')).toBe('code');
    expect(authorize.get('client_id')).toBe(clientId);
    expect(authorize.get('redirect_uri')).toBe(portalUrl('/callback'));
    expect(authorize.get('code_challenge_method')).toBe('S256');
    expect(authorize.get('state')).toMatch(/^[\w-]{16,}$/);
    // A public client: the verifier proves who asked, no secret travels.
    expect(seen.token!.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(seen.token!.has('client_secret')).toBe(false);
    await context.close();
  });

  it('refuses a callback whose state is not the one it sent (a forged sign-in link)', async () => {
    const context = await newContext(browser);
    const seen = await asDeployed(context);
    const page = await context.newPage();
    await page.goto(portalUrl('/'));
    await page.getByRole('button', { name: '使用统一身份认证登录' }).click();
    await page.getByRole('link', { name: 'Sign in as the county office' }).waitFor();
    await page.goto(portalUrl('/callback?code=code-1&state=forged'));
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('state');
    // No token was asked for, and nobody is signed in.
    expect(seen.token).toBeUndefined();
    await page.goto(portalUrl('/'));
    await page.getByRole('button', { name: '使用统一身份认证登录' }).waitFor();
    await context.close();
  });
});
