import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '#handlers/pre-token-generation';

/** A V2 pre-token-generation event as Cognito sends it (TokenGeneration_Authentication). */
const cognitoEvent = (userAttributes: Record<string, string>): PreTokenGenerationV2TriggerEvent =>
  ({
    version: '2',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'cn-northwest-1',
    userPoolId: 'cn-northwest-1_EXAMPLE',
    userName: 'county-office-320582',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
    request: {
      userAttributes: {
        sub: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
        'cognito:user_status': 'CONFIRMED',
        email_verified: 'true',
        email: 'office@example.cn',
        ...userAttributes,
      },
      groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: undefined },
      scopes: ['aws.cognito.signin.user.admin'],
    },
    response: { claimsAndScopeOverrideDetails: null },
  }) as unknown as PreTokenGenerationV2TriggerEvent;

describe('pre-token-generation trigger', () => {
  it('puts role, scope and name into both tokens as dudao claims, leaving OAuth scopes alone', async () => {
    const out = await handler(
      cognitoEvent({ 'custom:role': 'county_admin', 'custom:scope': '320582', name: '张家港市教育督导室' }),
    );
    const claims = {
      'dudao:role': 'county_admin',
      'dudao:scope': '320582',
      'dudao:name': '张家港市教育督导室',
    };
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: claims },
      accessTokenGeneration: { claimsToAddOrOverride: claims },
    });
    const access = out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration;
    expect(access?.claimsToAddOrOverride).not.toHaveProperty('scope');
    expect(access?.scopesToAdd ?? []).toEqual([]);
    expect(access?.scopesToSuppress ?? []).toEqual([]);
  });

  it('adds nothing for a user without the attributes (the API then answers 403)', async () => {
    const out = await handler(cognitoEvent({}));
    expect(out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride).toEqual(
      {},
    );
  });
});
