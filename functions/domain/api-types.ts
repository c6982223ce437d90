/**
 * The JSON the clickprice HTTP API answers with: the contract between the handlers
 * (functions/handlers/storefront-api.ts, ops-api.ts), the typed clients, the ops CLI and the ops
 * dashboard. Money is integer cents of `currency`; instants are ISO-8601 UTC with milliseconds.
 */

import type { RedriveOutcome, StreamConsumer } from './dead-letters.js';
import type {
  FastPathMetrics,
  GlueRunView,
  HealthStatus,
  MappingView,
  PathHealth,
  PIPELINE_THRESHOLDS,
  RichPathProgress,
} from './pipeline-health.js';
import type { PriceChange } from './price-change.js';
import type { Freeze } from './product.js';

export type { Freeze, PriceChange };

/** Every error answer: `error` is a stable code, `field` names the input at fault (4xx). */
export interface ApiError {
  readonly error: string;
  readonly message: string;
  readonly field?: string;
  readonly requestId?: string;
}

// ---- storefront (public) ----------------------------------------------------------------------

/** GET /prices/{productId} (ETag `"<productId>@<version>"`, Cache-Control: public, max-age=5). */
export interface PriceView {
  readonly productId: string;
  readonly price: number;
  readonly currency: string;
  readonly version: number;
  readonly updatedAt: string;
  /** The lowest price in effect during the 30 days before the current price took effect. */
  readonly lowest30d: number;
}

/** GET /prices?ids=a,b,c (at most 100 ids; duplicates answered once, in first-seen order). */
export interface PriceBatch {
  readonly prices: PriceView[];
  /** Requested ids with no product: reported, never silently dropped. */
  readonly unknown: string[];
}

// ---- ops (JWT with scope clickprice/ops.read; actions clickprice/ops.write) -----------------------

/** Demand counted by the fast path over the last 15 minutes, the current one included (sums). */
export interface RecentDemand {
  /** First minute included (ISO, minute precision). */
  readonly since: string;
  readonly minutes: number;
  readonly views: number;
  readonly carts: number;
  readonly purchases: number;
}

/** One product as ops see it. */
export interface ProductSummary {
  readonly productId: string;
  readonly name: string;
  readonly category: string;
  readonly currency: string;
  readonly price: number;
  readonly basePrice: number;
  readonly floor: number;
  readonly ceiling: number;
  readonly inventory: number;
  readonly version: number;
  readonly lowest30d: number;
  /** The freeze in force, or null (never frozen, unfrozen, or its `until` has passed). */
  readonly freeze: Freeze | null;
  readonly updatedAt: string;
  readonly lastChangeAt: string | null;
  /** The newest history row of the product (any action), or null. */
  readonly lastChange: PriceChange | null;
  readonly demand: RecentDemand;
  /** Recent prices for a sparkline, oldest first: [changedAt, newPrice] of the last ≤ 20 price rows. */
  readonly sparkline: [string, number][];
}

/** GET /ops/products?category=&limit=&cursor= */
export interface ProductPage {
  readonly products: ProductSummary[];
  readonly nextCursor: string | null;
}

/** GET /ops/products/{productId}/history?from=&to=&limit=&cursor= (newest first). */
export interface HistoryPage {
  readonly productId: string;
  readonly changes: PriceChange[];
  readonly nextCursor: string | null;
}

/** GET /ops/products/{productId}/price-at?at= */
export interface PriceAt {
  readonly productId: string;
  readonly at: string;
  readonly price: number;
  readonly currency: string;
}

/** One aggregate window (rich path) of one product. */
export interface DemandWindow {
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly views: number;
  readonly carts: number;
  readonly purchases: number;
  readonly units: number;
  readonly revenue: number;
}

/** One minute of fast-path counters of one product. */
export interface DemandMinute {
  readonly minute: string;
  readonly views: number;
  readonly carts: number;
  readonly purchases: number;
}

/** GET /ops/products/{productId}/demand?from=&to= (both series oldest first). */
export interface DemandSeries {
  readonly productId: string;
  readonly from: string;
  readonly to: string;
  readonly windows: DemandWindow[];
  readonly minutes: DemandMinute[];
}

/** GET /ops/changes?minutes=&limit= : the live feed, newest first, every product and config rows. */
export interface ChangeFeed {
  readonly since: string;
  readonly changes: PriceChange[];
}

/** One quarantined record: why, where in the stream, and its raw bytes. */
export interface QuarantinedRecord {
  readonly quarantineId: string;
  readonly source: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly arrivedAt: string;
  readonly quarantinedAt: string;
  readonly reason: string;
  /** The first 256 KB when `truncated`; the whole record is then at `rawLocation`. */
  readonly rawBase64: string;
  readonly rawBytes: number;
  readonly truncated: boolean;
  /** `s3://bucket/key` (locally `file://…`) of a record too big for its item. */
  readonly rawLocation?: string;
}

/** GET /ops/quarantine?day=YYYY-MM-DD&limit= (day defaults to today, UTC). */
export interface QuarantinePage {
  readonly day: string;
  readonly records: QuarantinedRecord[];
}

/** GET /ops/config */
export interface PricingConfigView {
  readonly killSwitch: boolean;
  readonly shadowMode: boolean;
  readonly version: number;
  /** The rest of the policy's config, as stored (thresholds, steps, cooldowns). */
  readonly config: Record<string, unknown>;
}

// ---- ops requests: query strings and action bodies ---------------------------------------------

/** GET /ops/products query: `limit` 1–100 (default 50); products come in table order, not sorted. */
export interface ProductListQuery {
  readonly category?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** GET /ops/products/{productId}/history query: `from`/`to` inclusive; `limit` 1–500 (default 50). */
export interface HistoryQuery {
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  /** The `nextCursor` of the previous page, sent with the same `from` and `to`. */
  readonly cursor?: string;
}

/** GET /ops/products/{productId}/demand query: `to` defaults to now, `from` to 60 min before `to`; at most 25 h. */
export interface DemandQuery {
  readonly from?: string;
  readonly to?: string;
}

/** GET /ops/changes query: `minutes` 1–10080 (default 60), `limit` 1–500 (default 100). */
export interface ChangeFeedQuery {
  readonly minutes?: number;
  readonly limit?: number;
}

/** GET /ops/quarantine query: `day` YYYY-MM-DD (default today, UTC), `limit` 1–500 (default 100). */
export interface QuarantineQuery {
  readonly day?: string;
  readonly limit?: number;
}

/**
 * POST /ops/products/{id}/freeze: until an instant, for a number of seconds (1 to 90 days), or, with
 * neither, until an explicit unfreeze. Not both.
 */
export type FreezeBody =
  | { readonly reason: string; readonly until?: string | null; readonly forSeconds?: never }
  | { readonly reason: string; readonly forSeconds: number; readonly until?: never };

export interface UnfreezeBody {
  readonly reason: string;
}

export interface BoundsBody {
  readonly reason: string;
  readonly floor: number;
  readonly ceiling: number;
}

export interface ManualPriceBody {
  readonly reason: string;
  readonly price: number;
}

export interface RollbackBody {
  readonly reason: string;
  /** The `changeId` of the change to undo: the price returns to that change's `oldPrice`. */
  readonly toChangeId: string;
}

export interface ConfigToggleBody {
  readonly reason: string;
  readonly enabled: boolean;
}

/**
 * Every action answers 200 with the history row it wrote and the state after it:
 * POST /ops/products/{id}/freeze {reason, until?} | {reason, forSeconds?}
 * POST /ops/products/{id}/unfreeze {reason}
 * PUT  /ops/products/{id}/bounds {reason, floor, ceiling}
 * PUT  /ops/products/{id}/price {reason, price}
 * POST /ops/products/{id}/rollback {reason, toChangeId}
 * The actor is the token's user (`username` claim, else `sub`); a body that names an actor is a 400.
 */
export interface ProductActionResult {
  readonly change: PriceChange;
  readonly product: ProductSummary;
}

/** PUT /ops/config/kill-switch {reason, enabled} and PUT /ops/config/shadow-mode {reason, enabled}. */
export interface ConfigActionResult {
  readonly change: PriceChange;
  readonly config: PricingConfigView;
}

// ---- dashboard ------------------------------------------------------------------------------------

/** Where the dashboard signs people in: served as `sign-in-config.js` (functions/handlers/dashboard-sign-in.ts). */
export interface SignInConfig {
  /** The ops user pool's domain, serving /oauth2/authorize, /oauth2/token, /oauth2/revoke and /logout. */
  readonly authority: string;
  /** The people app client: authorization code grant, public, PKCE. */
  readonly clientId: string;
  /** What the page asks for; a person outside ops-writers gets ops.read only (ops-token-scopes.ts). */
  readonly scopes: readonly string[];
}

// ---- pipeline health (GET /ops/pipeline) and control ---------------------------------------------

export type {
  FastPathMetrics,
  GlueRunView,
  HealthStatus,
  MappingView,
  RedriveOutcome,
  RichPathProgress,
  StreamConsumer,
};

/** A restart of the Glue job asked for by ops: stop the active run, then start a new one once it has stopped. */
export interface GlueRestart {
  readonly requestedAt: string;
  readonly requestedBy: string;
  readonly reason: string;
  /** `stopping`: waiting for the old run to stop; `done`: a new run was started; `failed`: see `error`. */
  readonly state: 'stopping' | 'done' | 'failed';
  readonly stoppingRunIds: readonly string[];
  readonly newRunId: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

/** GET /ops/pipeline: each path's health, with the numbers behind it and the thresholds. */
export interface PipelineHealth {
  readonly checkedAt: string;
  readonly status: HealthStatus;
  readonly richPath: PathHealth & {
    readonly jobName: string;
    readonly run: GlueRunView | null;
    /** The latest restart ops asked for, if any. */
    readonly restart: GlueRestart | null;
    /** Its last committed batch, and how old the newest record it committed is (null before the first). */
    readonly lastBatch: RichPathProgress | null;
    readonly lagSeconds: number | null;
  };
  readonly fastPath: PathHealth & {
    readonly quarantinedLastHour: number;
    /** Null when it could not be read (the why says so). */
    readonly mapping: MappingView | null;
    readonly metrics: FastPathMetrics | null;
  };
  readonly thresholds: typeof PIPELINE_THRESHOLDS;
}

/** POST /ops/pipeline/dlq/redrive: each dead letter's outcome, and the audit row. */
export interface DlqRedriveAnswer {
  readonly consumer: StreamConsumer;
  readonly outcomes: readonly RedriveOutcome[];
  readonly change: PriceChange;
}

/** POST /ops/pipeline/glue/restart: 202 while the old run stops, 200 once a new one started. */
export interface GlueRestartAnswer {
  readonly restart: GlueRestart;
  readonly change: PriceChange;
}
