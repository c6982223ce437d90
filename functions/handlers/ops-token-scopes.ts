/**
 * The ops user pool's pre-token-generation trigger (version 2): drops `ops.write` from the access
 * token of a person outside `ops-writers`, whichever app client they signed in with. Cognito calls it
 * for people's tokens (hosted UI, refresh), not for client-credentials tokens.
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { opsScopesToSuppress } from '../../definitions/api-routes.js';
import { createInstrumentation, instrumented } from './instrumentation.js';

const instrumentation = createInstrumentation('ops-token-scopes');

async function scopes(event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> {
  const suppressed = opsScopesToSuppress(event.request.groupConfiguration.groupsToOverride ?? []);
  event.response = { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToSuppress: suppressed } } };
  return event;
}

export const handler = instrumented(scopes, instrumentation);
