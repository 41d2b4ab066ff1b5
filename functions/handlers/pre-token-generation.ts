import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { auth } from '#infra/resources';

/**
 * Cognito pre-token-generation trigger (event version 2): puts the user's
 * `custom:role` and `custom:scope` attributes (and `name`, when set) into the
 * access and ID tokens as dudao's own claims, which the API verifies. OAuth's
 * `scope` claim is left to Cognito. Locally the dev issuer signs tokens with
 * the same claims.
 */
export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  const attributes = event.request.userAttributes;
  const claims: Record<string, string> = {};
  if (attributes['custom:role']) claims[auth.roleClaim] = attributes['custom:role'];
  if (attributes['custom:scope']) claims[auth.scopeClaim] = attributes['custom:scope'];
  if (attributes.name) claims[auth.nameClaim] = attributes.name;
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: claims },
      accessTokenGeneration: { claimsToAddOrOverride: claims },
    },
  };
  return event;
};
