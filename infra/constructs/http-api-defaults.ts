/**
 * Defaults of clickprice's HTTP API, as plain data: {@link ClickpriceHttpApi} merges them with what
 * its caller passes. What the routes are and who may call them is definitions/api-routes.ts.
 */
import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { apiThrottling } from '../../definitions/api-routes.js';

/**
 * One access log line per request, as JSON (HTTP API `$context` variables). Every value is quoted:
 * API Gateway writes `-` for a variable without a value (no integration on a 401, no authorizer on
 * a public route), which would be invalid JSON unquoted.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  // Why a token was refused (401/403 on an ops route), and which app client sent an accepted one.
  authorizerError: '$context.authorizer.error',
  clientId: '$context.authorizer.claims.client_id',
  errorMessage: '$context.error.message',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
} as const;

/** Settings of the API, its stage and its alarm that a caller may override. */
export const HTTP_API_DEFAULTS = {
  /** Every route of the stage: definitions/api-routes.ts says why these numbers. */
  throttle: { rateLimit: apiThrottling.rateLimit, burstLimit: apiThrottling.burstLimit },
  accessLogRetention: logs.RetentionDays.ONE_MONTH,
  /** 5xx answers per minute, in enough minutes of five, at which the server-error alarm fires. */
  serverErrorThreshold: 5,
  serverErrorEvaluationPeriods: 5,
  serverErrorDatapointsToAlarm: 3,
  /**
   * Share of requests answered 4xx, in %, at which the client-error alarm fires (with at least
   * clientErrorMinRequests requests in the minute): a storefront sending bad ids, or ops tokens expiring.
   */
  clientErrorRatePct: 10,
  clientErrorMinRequests: 20,
  /** p99 of the API's latency, in ms, at which the latency alarm fires: storefront reads answer in tens of ms. */
  latencyP99Ms: 1_000,
  alarmPeriod: Duration.minutes(1),
} as const;

/**
 * Where a storefront may be served from when no `-c storefrontOrigin=https://shop.example` is given:
 * a storefront under development on the developer's machine. A deployment for shoppers sets its own.
 */
export const DEFAULT_STOREFRONT_ORIGIN = 'http://localhost:3000';
