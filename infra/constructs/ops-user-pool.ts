import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { OPS_GROUPS, OPS_SCOPES, type OpsScope } from '../../definitions/api-routes.js';
import { HandlerFunction } from './handler-function.js';

/** `clickprice/ops.read` → resource server `clickprice`, scope `ops.read`. */
function splitScope(scope: OpsScope): { identifier: string; name: string } {
  const slash = scope.indexOf('/');
  return { identifier: scope.slice(0, slash), name: scope.slice(slash + 1) };
}

/** The resource server of the ops API: the part of every OPS_SCOPES value before the slash. */
export const OPS_RESOURCE_SERVER_ID = splitScope(OPS_SCOPES.read).identifier;

const SCOPE_DESCRIPTIONS = {
  [OPS_SCOPES.read]: 'Read products, price history, demand, quarantine and the pricing config',
  [OPS_SCOPES.write]: 'Change prices and the pricing config: freeze, bounds, manual price, rollback, switches',
} as const satisfies Record<OpsScope, string>;

export interface OpsUserPoolProps {
  /**
   * Removal policy of the user pool (the ops users and their MFA devices are state). `RETAIN` also
   * turns on deletion protection.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Prefix of the Cognito domain (`https://<prefix>.auth.<region>.amazoncognito.com`) that serves the
   * sign-in pages and the token endpoint. Prefixes are unique per region across all AWS accounts.
   */
  readonly domainPrefix: string;
}

/**
 * The people (and machines) who may use the ops API: a Cognito user pool that only administrators
 * add users to, with MFA required; the `clickprice` resource server whose scopes the ops routes ask
 * for (OPS_SCOPES); and the Cognito domain serving sign-in and tokens. The app clients live with the
 * API (see OpsAppClients), since the dashboard's sign-in redirect is the API's own URL.
 */
export class OpsUserPool extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly resourceServer: cognito.UserPoolResourceServer;
  public readonly domain: cognito.UserPoolDomain;
  /** The OAuth scope of each OPS_SCOPES value, for app clients to be allowed. */
  public readonly scopes: Readonly<Record<OpsScope, cognito.OAuthScope>>;
  /** `ops-readers` and `ops-writers` (OPS_GROUPS). */
  public readonly groups: Readonly<Record<keyof typeof OPS_GROUPS, cognito.CfnUserPoolGroup>>;
  /** The pre-token-generation trigger that gives ops.write to writers only. */
  public readonly tokenScopes: HandlerFunction;

  public constructor(scope: Construct, id: string, props: OpsUserPoolProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Ops users change live prices: administrators create them, nobody signs up.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // An authenticator app: no SMS, so no SNS role and no SMS spend.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection (compromised credentials, risky sign-ins) needs the Plus plan, billed per
      // monthly active user: a handful of ops people cost cents.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });

    const stray = Object.values(OPS_SCOPES).find((s) => splitScope(s).identifier !== OPS_RESOURCE_SERVER_ID);
    if (stray !== undefined) throw new Error(`OpsUserPool: ops scope ${stray} is not under ${OPS_RESOURCE_SERVER_ID}/`);
    const serverScopes = Object.fromEntries(
      Object.values(OPS_SCOPES).map((opsScope) => [
        opsScope,
        new cognito.ResourceServerScope({
          scopeName: splitScope(opsScope).name,
          scopeDescription: SCOPE_DESCRIPTIONS[opsScope],
        }),
      ]),
    ) as Record<OpsScope, cognito.ResourceServerScope>;
    this.resourceServer = this.userPool.addResourceServer('OpsApi', {
      identifier: OPS_RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'clickprice ops API',
      scopes: Object.values(serverScopes),
    });
    this.scopes = Object.fromEntries(
      Object.entries(serverScopes).map(([opsScope, serverScope]) => [
        opsScope,
        cognito.OAuthScope.resourceServer(this.resourceServer, serverScope as cognito.ResourceServerScope),
      ]),
    ) as Record<OpsScope, cognito.OAuthScope>;

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    // Who may act: only `ops-writers` get ops.write in their access token (ops-token-scopes.ts).
    this.groups = {
      readers: new cognito.CfnUserPoolGroup(this, 'Readers', {
        userPoolId: this.userPool.userPoolId,
        groupName: OPS_GROUPS.readers,
        description: 'Pricing ops who may read prices, history, demand and the config, and change nothing',
      }),
      writers: new cognito.CfnUserPoolGroup(this, 'Writers', {
        userPoolId: this.userPool.userPoolId,
        groupName: OPS_GROUPS.writers,
        description: 'Pricing ops who may also change prices and the config (ops.write)',
      }),
    };
    this.tokenScopes = new HandlerFunction(this, 'TokenScopes', {
      entry: fileURLToPath(new URL('../../functions/handlers/ops-token-scopes.ts', import.meta.url)),
      serviceName: 'ops-token-scopes',
      description: 'Drops ops.write from the access token of an ops person outside ops-writers',
      memorySize: 256,
      timeout: Duration.seconds(5),
    });
    this.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.tokenScopes.function,
      cognito.LambdaVersion.V2_0,
    );
  }
}
