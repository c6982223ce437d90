/**
 * The price store of a backtest, in memory: products with their pricing state, one `decide` per
 * trigger, and every change applied the way applyDecision (functions/use-cases/) and PriceStore apply it (price, last change, the day's
 * count, the demand reference), recorded with its reason and evidence.
 */
import type { ReasonCode } from '../functions/domain/price-change.js';
import { changesTodayAt } from '../functions/domain/price-history.js';
import type { PricingConfig } from '../functions/domain/pricing-config.js';
import { decide, type PricedProduct, type PricingSignals } from '../functions/domain/pricing-policy.js';
import type { Product } from '../functions/domain/product.js';
import { toIso } from '../functions/domain/time.js';
import type { Market } from './market.js';

/** One price change of a backtest, as the price path and the judging of changes need it. */
export interface BacktestChange {
  readonly atMs: number;
  readonly productId: string;
  readonly oldPrice: number;
  readonly newPrice: number;
  readonly reasonCode: ReasonCode;
  readonly guardrail: string | null;
  readonly source: 'fast-path' | 'rich-path';
  readonly signals: Readonly<Record<string, number>>;
}

type ProductState = { -readonly [K in keyof PricedProduct]: PricedProduct[K] } & {
  changesToday: { day: string; count: number } | null;
};

export class PricingDesk {
  private readonly states = new Map<string, ProductState>();
  /** Each changed product's last change (epoch ms), which the fast path reads every second it is touched. */
  private readonly lastChanges = new Map<string, number>();
  readonly changes: BacktestChange[] = [];
  decisions = 0;

  constructor(
    products: readonly Product[],
    private readonly config: PricingConfig,
    private readonly market: Market,
    /** The run's start (epoch ms): deliveries are planned from it. */
    private readonly startTime: number,
  ) {
    for (const product of products) {
      this.states.set(product.productId, {
        productId: product.productId,
        category: product.category,
        price: product.price,
        basePrice: product.basePrice,
        floor: product.floor,
        ceiling: product.ceiling,
        inventory: 0,
        lastChangeAt: null,
        freeze: null,
        unitCost: product.unitCost ?? null,
        restockAt: null,
        demandReference: null,
        changesToday: null,
      });
    }
  }

  /** Until when (epoch ms) the product's last change holds it in its cooldown. */
  lastChangeMs(productId: string): number {
    return this.lastChanges.get(productId) ?? Number.NEGATIVE_INFINITY;
  }

  /** Runs the policy for one trigger and applies its decision; returns the change, if it made one. */
  decide(
    productId: string,
    at: string,
    source: BacktestChange['source'],
    signals: PricingSignals,
    decisionId: string,
  ): BacktestChange | null {
    const state = this.states.get(productId);
    if (state === undefined) return null;
    // What the products table would say: the stock now, and when the order system delivers next.
    state.inventory = this.market.inventoryOf(productId);
    const atMs = Date.parse(at);
    state.restockAt = toIso(this.startTime + this.market.nextDeliveryAfter(atMs - this.startTime));
    this.decisions++;
    const decision = decide(state, signals, this.config, at, {
      decisionId,
      changesToday: changesTodayAt(state.changesToday, at),
    });
    if (decision.kind !== 'change') return null;
    const change: BacktestChange = {
      atMs,
      productId,
      oldPrice: state.price,
      newPrice: decision.newPrice,
      reasonCode: decision.reasonCode,
      guardrail: decision.guardrail,
      source,
      signals: decision.signals,
    };
    state.price = decision.newPrice;
    state.lastChangeAt = at;
    this.lastChanges.set(productId, atMs);
    state.changesToday = { day: at.slice(0, 10), count: changesTodayAt(state.changesToday, at) + 1 };
    if (decision.reference.kind === 'set') state.demandReference = decision.reference.reference;
    if (decision.reference.kind === 'clear') state.demandReference = null;
    this.market.setPrice(productId, decision.newPrice);
    this.changes.push(change);
    return change;
  }
}
