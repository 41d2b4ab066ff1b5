import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';

/**
 * Cognito pre-token-generation trigger (event version 2): copies the user's
 * `custom:role` and `custom:scope` attributes into the access token as the
 * `role` and `scope` claims the API reads. (Locally the dev issuer signs
 * tokens with these claims directly.)
 */
export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  const attributes = event.request.userAttributes;
  const claims: Record<string, string> = {};
  if (attributes['custom:role']) claims.role = attributes['custom:role'];
  if (attributes['custom:scope']) claims.scope = attributes['custom:scope'];
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: claims },
      accessTokenGeneration: { claimsToAddOrOverride: claims },
    },
  };
  return event;
};
