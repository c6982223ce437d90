import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { OPS_SCOPES } from '../../definitions/api-routes.js';
import type { OpsUserPool } from './ops-user-pool.js';

export interface OpsAppClientsProps {
  readonly opsUsers: OpsUserPool;
  /**
   * Where the sign-in pages may send a signed-in person back with the authorization code: the
   * dashboard's URL, and any loopback URL of a command-line tool. The first one is the sign-out
   * landing page too.
   */
  readonly callbackUrls: readonly string[];
}

/**
 * The app clients of the ops user pool, whose access tokens the ops API's JWT authorizer accepts:
 *
 * - `people`: ops people signing in on Cognito's pages (authorization code grant; a public client,
 *   as a browser page or a CLI can keep no secret, so it must use PKCE);
 * - `machine`: scripts and automation with no person behind them (client credentials grant, with a
 *   client secret kept in Cognito; read it with `aws cognito-idp describe-user-pool-client`).
 *
 * Both may ask for both ops scopes. Tokens live an hour; people's refresh tokens a working day.
 */
export class OpsAppClients extends Construct {
  public readonly people: cognito.UserPoolClient;
  public readonly machine: cognito.UserPoolClient;

  public constructor(scope: Construct, id: string, props: OpsAppClientsProps) {
    super(scope, id);
    const { userPool, scopes } = props.opsUsers;
    const opsScopes = [scopes[OPS_SCOPES.read], scopes[OPS_SCOPES.write]];
    if (props.callbackUrls.length === 0) throw new Error('OpsAppClients: at least one callback URL is needed');

    // In this construct's stack, not the pool's: the dashboard URL would otherwise make the stacks
    // depend on each other.
    this.people = new cognito.UserPoolClient(this, 'People', {
      userPool,
      generateSecret: false,
      // Sign-in on Cognito's pages only (where MFA and threat protection apply): no direct password
      // or SRP flow from the client; refreshing tokens is all that is left.
      authFlows: { userSrp: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, ...opsScopes],
        callbackUrls: [...props.callbackUrls],
        logoutUrls: [props.callbackUrls[0] as string],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    this.machine = new cognito.UserPoolClient(this, 'Machine', {
      userPool,
      generateSecret: true,
      authFlows: { userSrp: false },
      oAuth: { flows: { clientCredentials: true }, scopes: opsScopes },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
    });
  }

  /** Both clients: the audience of the ops API's JWT authorizer. */
  public get all(): cognito.UserPoolClient[] {
    return [this.people, this.machine];
  }
}
