import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { ApiSurface, SurfaceRouteKey } from '../../../definitions/api-routes.js';
import { HttpError } from './http-error.js';
import type { HttpEvent } from './http-request.js';
import { clientErrorResponse, type HttpResult, internalErrorResponse } from './http-response.js';

export type RouteHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * One Lambda's HTTP entry point: dispatches on the route key API Gateway matched (the table must
 * cover exactly the surface's routes in definitions/api-routes.ts — the compiler checks), and turns what a
 * route throws into a JSON error answer. Client errors are logged at info, anything else at error
 * with the stack, answered with a bare 500. Each request counts as Requests, and as ClientErrors or
 * ServerErrors (metrics for alarms and dashboards).
 */
export function httpRouter<S extends ApiSurface>(
  routes: Record<SurfaceRouteKey<S>, RouteHandler>,
  runtime: { readonly logger: Logger; readonly metrics: Metrics },
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  const table: Record<string, RouteHandler> = routes;
  const { logger, metrics } = runtime;
  return async (event, context) => {
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    try {
      const route = Object.hasOwn(table, event.routeKey) ? table[event.routeKey] : undefined;
      if (route === undefined) throw new HttpError(404, 'not_found', `no route ${event.routeKey}`);
      return await route(event, context);
    } catch (error) {
      const answer = clientErrorResponse(error);
      // An HttpError may be a 5xx on purpose (a dependency that stays unavailable): answered as
      // such, but counted and logged as the server's failure, not the client's.
      if (answer !== null && answer.statusCode < 500) {
        metrics.addMetric('ClientErrors', MetricUnit.Count, 1);
        logger.info('request refused', {
          routeKey: event.routeKey,
          status: answer.statusCode,
          error: (error as Error).message,
        });
        return answer;
      }
      metrics.addMetric('ServerErrors', MetricUnit.Count, 1);
      logger.error('request failed', { routeKey: event.routeKey, error: error as Error });
      return answer ?? internalErrorResponse(context.awsRequestId);
    }
  };
}
