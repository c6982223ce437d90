/**
 * The ops API's routes: each parses its request (path, query, body, the caller from the token),
 * calls the read model (OpsQueries), the ops actions (use-cases/ops-actions.ts) or the config store,
 * and answers the JSON of
 * functions/domain/api-types.ts. Bad input throws InvalidInputError naming the field, which the router
 * answers with 400.
 */
import * as z from 'zod/mini';
import type { SurfaceRouteKey } from '../../definitions/api-routes.js';
import { InvalidInputError } from '../domain/errors.js';
import { categorySlug, identifier, utcTimestamp } from '../domain/fields.js';
import type {
  BoundsRequest,
  ConfigToggleRequest,
  FreezeRequest,
  ManualPriceRequest,
  RollbackRequest,
  UnfreezeRequest,
} from '../domain/ops-requests.js';
import type { PriceChange } from '../domain/price-change.js';
import { toIso } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import type { OpsQueries } from '../store/ops-queries.js';
import type { PriceStore } from '../store/price-store.js';
import type { PricingConfigStore } from '../store/pricing-config-store.js';
import { OpsActions } from '../use-cases/ops-actions.js';
import { type HttpEvent, integerParameter, pathParameter, queryParameter } from './http/http-request.js';
import { type HttpResult, jsonResponse } from './http/http-response.js';
import type { RouteHandler } from './http/http-router.js';
import { actionBody, actorOf } from './http/ops-caller.js';

export interface OpsRouteDependencies {
  readonly queries: OpsQueries;
  readonly prices: PriceStore;
  readonly config: PricingConfigStore;
  /** The clock `forSeconds` counts from. @default Date.now */
  readonly clock?: () => number;
}

/** An action's body fields, unvalidated, with the actor from the token. */
type ActionInput = Record<string, unknown> & { readonly actor: string };

/** The longest freeze `forSeconds` may ask for: 90 days. */
export const MAX_FREEZE_SECONDS = 90 * 24 * 3600;

const NO_STORE = { 'cache-control': 'no-store' } as const;

export function opsRoutes(deps: OpsRouteDependencies): Record<SurfaceRouteKey<'ops'>, RouteHandler> {
  const { queries, config } = deps;
  const actions = new OpsActions(deps.prices);
  const clock = deps.clock ?? Date.now;

  /**
   * An action: the caller, the body's fields, the action, then the product as it now is. The
   * actions validate what they are given with the domain schemas (functions/domain/ops-requests.ts),
   * so a body of the wrong shape is refused there, naming the field.
   */
  const productAction =
    (fields: readonly string[], act: (productId: string, input: ActionInput) => Promise<PriceChange>): RouteHandler =>
    async (event) => {
      const productId = productIdOf(event);
      const actor = actorOf(event);
      const change = await act(productId, { ...actionBody(event, fields), actor });
      return ok({ change, product: await queries.productAfter(productId, change) });
    };

  const configAction =
    (toggle: (request: ConfigToggleRequest) => Promise<PriceChange>): RouteHandler =>
    async (event) => {
      const actor = actorOf(event);
      const change = await toggle({ ...actionBody(event, ['reason', 'enabled']), actor } as ConfigToggleRequest);
      return ok({ change, config: await queries.pricingConfig() });
    };

  return {
    'GET /ops/products': async (event) =>
      ok(
        await queries.products({
          category: optional(event, 'category', categorySlug),
          limit: integerParameter(event, 'limit', { min: 1, max: 100, default: 50 }),
          cursor: queryParameter(event, 'cursor'),
        }),
      ),
    'GET /ops/products/{productId}': async (event) => ok(await queries.product(productIdOf(event))),
    'GET /ops/products/{productId}/history': async (event) =>
      ok(
        await queries.productHistory(productIdOf(event), {
          from: optional(event, 'from', utcTimestamp),
          to: optional(event, 'to', utcTimestamp),
          limit: integerParameter(event, 'limit', { min: 1, max: 500, default: 50 }),
          cursor: queryParameter(event, 'cursor'),
        }),
      ),
    'GET /ops/products/{productId}/price-at': async (event) => {
      const productId = productIdOf(event);
      const at = optional(event, 'at', utcTimestamp);
      if (at === undefined) throw new InvalidInputError('at', 'is required: the instant, ISO-8601 UTC');
      return ok(await queries.priceAt(productId, at));
    },
    'GET /ops/products/{productId}/demand': async (event) =>
      ok(
        await queries.demandSeries(productIdOf(event), {
          from: optional(event, 'from', utcTimestamp),
          to: optional(event, 'to', utcTimestamp),
        }),
      ),
    'GET /ops/changes': async (event) =>
      ok(
        await queries.changes(
          integerParameter(event, 'minutes', { min: 1, max: 7 * 24 * 60, default: 60 }),
          integerParameter(event, 'limit', { min: 1, max: 500, default: 100 }),
        ),
      ),
    'GET /ops/quarantine': async (event) =>
      ok(
        await queries.quarantine(
          optional(event, 'day', daySchema),
          integerParameter(event, 'limit', { min: 1, max: 500, default: 100 }),
        ),
      ),
    'GET /ops/config': async () => ok(await queries.pricingConfig()),

    'POST /ops/products/{productId}/freeze': productAction(['reason', 'until', 'forSeconds'], (id, input) => {
      const { forSeconds, ...rest } = input;
      if (forSeconds === undefined) return actions.freeze(id, rest as FreezeRequest);
      if (rest.until !== undefined && rest.until !== null) {
        throw new InvalidInputError('forSeconds', 'give until or forSeconds, not both');
      }
      const seconds = parseOrThrow(forSecondsSchema, { forSeconds }).forSeconds;
      return actions.freeze(id, { ...rest, until: toIso(clock() + seconds * 1000) } as FreezeRequest);
    }),
    'POST /ops/products/{productId}/unfreeze': productAction(['reason'], (id, input) =>
      actions.unfreeze(id, input as UnfreezeRequest),
    ),
    'PUT /ops/products/{productId}/bounds': productAction(['reason', 'floor', 'ceiling'], (id, input) =>
      actions.setBounds(id, input as BoundsRequest),
    ),
    'PUT /ops/products/{productId}/price': productAction(['reason', 'price'], (id, input) =>
      actions.setManualPrice(id, input as ManualPriceRequest),
    ),
    'POST /ops/products/{productId}/rollback': productAction(['reason', 'toChangeId'], (id, input) =>
      actions.rollback(id, input as RollbackRequest),
    ),
    'PUT /ops/config/kill-switch': configAction((request) => config.setKillSwitch(request)),
    'PUT /ops/config/shadow-mode': configAction((request) => config.setShadowMode(request)),
  };
}

const daySchema = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD'),
  z.refine((day) => !Number.isNaN(Date.parse(day)) && new Date(day).toISOString().startsWith(day), 'no such day'),
);

const forSecondsSchema = z.strictObject({ forSeconds: z.number().check(z.int(), z.gte(1), z.lte(MAX_FREEZE_SECONDS)) });

/** Ops answers reflect live state: never cached. */
function ok(body: unknown): HttpResult {
  return jsonResponse(200, body, NO_STORE);
}

/** The product id of the path, checked as an identifier (a `#` could forge a history key boundary). */
function productIdOf(event: HttpEvent): string {
  return parseOrThrow(z.object({ productId: identifier }), { productId: pathParameter(event, 'productId') }).productId;
}

/** A query parameter parsed by `schema`, or undefined when absent; a bad value is a 400 naming it. */
function optional<S extends z.ZodMiniType>(event: HttpEvent, name: string, schema: S): z.output<S> | undefined {
  const raw = queryParameter(event, name);
  if (raw === undefined) return undefined;
  return parseOrThrow(z.object({ [name]: schema }), { [name]: raw })[name] as z.output<S>;
}
