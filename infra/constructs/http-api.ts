import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  API_SURFACES,
  type ApiSurface,
  apiRoutes,
  type RouteKey,
  routeKeys,
  splitRouteKey,
  storefrontCors,
} from '../../definitions/api-routes.js';
import { ACCESS_LOG_FIELDS, HTTP_API_DEFAULTS } from './http-api-defaults.js';

/**
 * Why each surface may have routes without authorization (route table scope `null`), as the cdk-nag
 * acknowledgement of those routes says it. A public route of a surface not listed here fails synth.
 */
export const PUBLIC_SURFACE_REASONS: Partial<Record<ApiSurface, string>> = {
  storefront:
    'Public by design: shoppers read current prices anonymously, as the storefront pages show them. ' +
    'The routes are GET only, their function may only GetItem/BatchGetItem the products table, and ' +
    'the stage throttles every route.',
  dashboard:
    'Public by design: the ops dashboard page and its scripts are static files holding no data. Every ' +
    'byte of data the page shows it fetches from the ops routes, which need a Cognito access token ' +
    '(JWT authorizer) with the ops scopes.',
};

export interface ClickpriceHttpApiProps {
  /** The Lambda function behind each surface of the route table. */
  readonly functions: Readonly<Record<ApiSurface, lambda.IFunction>>;
  /** Authorizes every route that has a scope (the ops routes); the route's scope is required of the token. */
  readonly authorizer: apigwv2.IHttpRouteAuthorizer;
  /**
   * The storefront's browser origin (`https://shop.example`): the one origin CORS preflights are
   * answered for.
   */
  readonly storefrontOrigin: string;
  /** @default HTTP_API_DEFAULTS.throttle (apiThrottling of definitions/api-routes.ts) */
  readonly throttle?: apigwv2.ThrottleSettings;
  /** @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * What the server-error alarm does when it fires (an SNS topic, for instance).
   *
   * @default - none: the alarm changes state and shows on the console, nobody is notified
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * clickprice's HTTP API, built from the route table (definitions/api-routes.ts): one Lambda integration
 * per surface, every route of the table and no other, the ops routes behind the JWT authorizer with
 * their scope, the others explicitly public. One `$default` stage, deployed automatically, with
 * throttling on every route and JSON access logs in a log group of its own, encrypted with a key of
 * its own and kept for a bounded time; an alarm when the API keeps answering 5xx.
 */
export class ClickpriceHttpApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  /** Every route of the table, by route key. */
  public readonly routes: Readonly<Record<RouteKey, apigwv2.HttpRoute>>;
  public readonly accessLogs: logs.LogGroup;
  public readonly accessLogKey: kms.Key;
  public readonly serverErrors: cloudwatch.Alarm;
  public readonly clientErrorRate: cloudwatch.Alarm;
  public readonly latency: cloudwatch.Alarm;

  public constructor(scope: Construct, id: string, props: ClickpriceHttpApiProps) {
    super(scope, id);
    const defaults = HTTP_API_DEFAULTS;
    const stack = Stack.of(this);
    assertOrigin(props.storefrontOrigin);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      // A display name (API names need not be unique); the stack name carries the stage.
      apiName: stack.stackName,
      description: 'clickprice: storefront prices, the ops API and the ops dashboard',
      // The stage below: the default one takes no throttling or access log settings.
      createDefaultStage: false,
      // HTTP APIs answer preflights for the whole API, not per route. Only the storefront is called
      // cross-origin: the dashboard is served by this API and calls the ops routes same-origin. An
      // ops call from the storefront origin fails its preflight anyway, as `authorization` is not
      // an allowed header.
      corsPreflight: {
        allowOrigins: [props.storefrontOrigin],
        allowMethods: storefrontCors.allowMethods.map((method) => apigwv2.CorsHttpMethod[method]),
        allowHeaders: [...storefrontCors.allowHeaders],
        exposeHeaders: [...storefrontCors.exposeHeaders],
        maxAge: Duration.seconds(storefrontCors.maxAgeSeconds),
      },
    });

    this.accessLogKey = new kms.Key(this, 'AccessLogKey', {
      description: 'Encrypts the access logs of the clickprice HTTP API',
      enableKeyRotation: true,
    });
    // CloudWatch Logs encrypts with the key on the log group's behalf. The condition cannot name the
    // log group itself (the log group refers to the key: a cycle), so it names this account's and
    // region's log groups, as the CloudWatch Logs documentation does.
    this.accessLogKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? defaults.accessLogRetention,
      encryptionKey: this.accessLogKey,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      description: 'The one stage: every route throttled, every request logged',
      throttle: props.throttle ?? defaults.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integrations = Object.fromEntries(
      API_SURFACES.map((surface) => [
        surface,
        new HttpLambdaIntegration(`${surface}-integration`, props.functions[surface]),
      ]),
    ) as Record<ApiSurface, HttpLambdaIntegration>;
    const routes = {} as Record<RouteKey, apigwv2.HttpRoute>;
    for (const key of routeKeys) {
      routes[key] = this.addRoute(key, integrations[apiRoutes[key].surface], props.authorizer);
    }
    this.routes = routes;

    this.serverErrors = new cloudwatch.Alarm(this, 'ServerErrors', {
      alarmDescription:
        'The API keeps answering 5xx: a function throws, times out or is throttled (see the access log integrationError)',
      metric: this.api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: defaults.alarmPeriod }),
      threshold: defaults.serverErrorThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: defaults.serverErrorEvaluationPeriods,
      datapointsToAlarm: defaults.serverErrorDatapointsToAlarm,
      // No data means no requests, which is no error.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const perMinute = { statistic: cloudwatch.Stats.SUM, period: defaults.alarmPeriod };
    this.clientErrorRate = new cloudwatch.Alarm(this, 'ClientErrorRate', {
      alarmDescription:
        `More than ${defaults.clientErrorRatePct} % of requests answered 4xx: a caller sends bad requests or ` +
        'expired tokens (the access log names the route, status and authorizerError)',
      metric: new cloudwatch.MathExpression({
        // Percent of requests, only in minutes with enough of them to say anything.
        expression: `IF(requests >= ${defaults.clientErrorMinRequests}, 100 * clientErrors / requests, 0)`,
        usingMetrics: {
          clientErrors: this.api.metricClientError(perMinute),
          requests: this.api.metricCount(perMinute),
        },
        label: '4xx % of requests',
        period: defaults.alarmPeriod,
      }),
      threshold: defaults.clientErrorRatePct,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.latency = new cloudwatch.Alarm(this, 'Latency', {
      alarmDescription: `The API's p99 latency is over ${defaults.latencyP99Ms} ms: a function or a table is slow`,
      metric: this.api.metricLatency({ statistic: cloudwatch.Stats.percentile(99), period: defaults.alarmPeriod }),
      threshold: defaults.latencyP99Ms,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.serverErrors, this.clientErrorRate, this.latency]) {
      alarm.addAlarmAction(...(props.alarmActions ?? []));
    }
  }

  /** The stage's URL, `https://<api id>.execute-api.<region>.amazonaws.com/`, with the trailing slash. */
  public get url(): string {
    return this.stage.url;
  }

  private addRoute(
    key: RouteKey,
    integration: HttpLambdaIntegration,
    authorizer: apigwv2.IHttpRouteAuthorizer,
  ): apigwv2.HttpRoute {
    const { surface, scope } = apiRoutes[key];
    const { method, path } = splitRouteKey(key);
    const publicReason = scope === null ? PUBLIC_SURFACE_REASONS[surface] : undefined;
    if (scope === null && publicReason === undefined) {
      throw new Error(`ClickpriceHttpApi: route "${key}" has no scope, and the ${surface} surface is not public`);
    }
    const [route] = this.api.addRoutes({
      path,
      methods: [apigwv2.HttpMethod[method as keyof typeof apigwv2.HttpMethod]],
      integration,
      ...(scope === null
        ? { authorizer: new apigwv2.HttpNoneAuthorizer() }
        : { authorizer, authorizationScopes: [scope] }),
    });
    if (route === undefined) throw new Error(`ClickpriceHttpApi: no route was added for "${key}"`);
    if (publicReason !== undefined) {
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicReason });
    }
    return route;
  }
}

/** An origin is `scheme://host[:port]`: https, or http on the developer's own machine. */
function assertOrigin(origin: string): void {
  if (Token.isUnresolved(origin)) return;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    // reported below
  }
  const local = url?.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url === undefined || url.origin !== origin || !(url.protocol === 'https:' || local)) {
    throw new Error(
      `ClickpriceHttpApi: storefrontOrigin must be an origin (https://host[:port], or http on localhost), with no path or trailing slash; got ${JSON.stringify(origin)}`,
    );
  }
}
