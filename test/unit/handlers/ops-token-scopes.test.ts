import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { OPS_GROUPS, OPS_SCOPES, opsScopesToSuppress } from '../../../definitions/api-routes.js';
import { handler } from '../../../functions/handlers/ops-token-scopes.js';

/** A version-2 pre-token-generation event as Cognito sends it for a hosted-UI sign-in. */
function signIn(groups: string[]): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'us-east-1',
    userPoolId: 'us-east-1_example',
    userName: 'ops-person',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'people-client' },
    request: {
      userAttributes: { sub: '1', email: 'ops@example.com' },
      groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: undefined },
      scopes: [OPS_SCOPES.read, OPS_SCOPES.write, 'openid'],
    },
    response: { claimsAndScopeOverrideDetails: {} },
  } as PreTokenGenerationV2TriggerEvent;
}

describe('who may act: ops.write in the access token of ops-writers only', () => {
  it('keeps both scopes for a writer, and drops ops.write for a reader or a person in no group', () => {
    expect(opsScopesToSuppress([OPS_GROUPS.writers])).toEqual([]);
    expect(opsScopesToSuppress([OPS_GROUPS.readers, OPS_GROUPS.writers])).toEqual([]);
    expect(opsScopesToSuppress([OPS_GROUPS.readers])).toEqual([OPS_SCOPES.write]);
    expect(opsScopesToSuppress([])).toEqual([OPS_SCOPES.write]);
  });

  it('answers Cognito with the scopes to suppress from the access token', async () => {
    const context = { functionName: 'ops-token-scopes', awsRequestId: 'r-1' } as Context;

    const reader = await handler(signIn([OPS_GROUPS.readers]), context);
    const writer = await handler(signIn([OPS_GROUPS.writers]), context);

    expect(reader.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: { scopesToSuppress: [OPS_SCOPES.write] },
    });
    expect(writer.response.claimsAndScopeOverrideDetails).toEqual({ accessTokenGeneration: { scopesToSuppress: [] } });
  });
});
