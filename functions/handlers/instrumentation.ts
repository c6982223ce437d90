/**
 * Logs and metrics of every clickprice Lambda, with no AWS SDK client: a handler that reads no table
 * (the dashboard's files) imports this module alone, so its bundle carries no SDK.
 *
 * There is no tracer library. The functions run with active tracing, so Lambda records each
 * invocation's segment (init, invocation, overhead) and the logger stamps every line with its trace
 * id; per-call SDK subsegments would need the X-Ray SDK, which cost each bundle about 125 KB and its
 * cold start the load of a CommonJS tree of async hooks (npm run bench -- bundles measures both).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/** What every handler sets up once per execution environment (cold start), not per invocation. */
export interface HandlerInstrumentation {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function createInstrumentation(serviceName: string): HandlerInstrumentation {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: 'clickprice', serviceName }),
  };
}

/** A handler with the Powertools middlewares every clickprice Lambda runs under. */
export function instrumented<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  instrumentation: HandlerInstrumentation,
) {
  return middy(handler).use(injectLambdaContext(instrumentation.logger)).use(logMetrics(instrumentation.metrics));
}
