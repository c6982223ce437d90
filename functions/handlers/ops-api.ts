/**
 * The ops API's Lambda: pricing ops read products, history, demand, the change feed and quarantine,
 * and act on prices and the pricing config (routes in ./ops-api-routes.ts). API Gateway's JWT
 * authorizer has checked the token and the route's scope before this runs; the actor of every action
 * is the token's user.
 */
import { OpsQueries } from '../store/ops-queries.js';
import { PriceStore } from '../store/price-store.js';
import { PricingConfigStore } from '../store/pricing-config-store.js';
import { httpRouter } from './http/http-router.js';
import { instrumented } from './instrumentation.js';
import { opsRoutes } from './ops-api-routes.js';
import { createHandlerRuntime } from './runtime.js';

const runtime = createHandlerRuntime('ops-api');
const { documents, tableNames } = runtime;
// Ops must see a switch they just flipped, whichever execution environment answers: no config cache.
const config = new PricingConfigStore(documents, tableNames, { cacheTtlMs: 0 });
const prices = new PriceStore(documents, tableNames, { configStore: config });
const queries = new OpsQueries(documents, tableNames, prices, config);

export const handler = instrumented(httpRouter<'ops'>(opsRoutes({ queries, prices, config }), runtime), runtime);
