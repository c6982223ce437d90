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

type MetricsLogger = NonNullable<NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger']>;

/**
 * Metrics' own messages, through the handler's logger. An invocation that measured nothing (the
 * dashboard serving a file, a health read) is normal: that notice is debug, not a warning per request.
 */
function metricsLogger(logger: Logger): MetricsLogger {
  return {
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) => {
      const message = String(args[0]);
      if (message.startsWith('No application metrics to publish')) logger.debug(message);
      else logger.warn(message);
    },
    error: (...args: unknown[]) => logger.error(String(args[0])),
  };
}

export function createInstrumentation(serviceName: string): HandlerInstrumentation {
  const logger = new Logger({ serviceName });
  return { logger, metrics: new Metrics({ namespace: 'clickprice', serviceName, logger: metricsLogger(logger) }) };
}

/** A handler with the Powertools middlewares every clickprice Lambda runs under. */
export function instrumented<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  instrumentation: HandlerInstrumentation,
) {
  return middy(handler).use(injectLambdaContext(instrumentation.logger)).use(logMetrics(instrumentation.metrics));
}
