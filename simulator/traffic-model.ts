import type { EventType } from '../functions/domain/click-event.js';
import type { Order } from '../functions/domain/order.js';
import { toIso } from '../functions/domain/time.js';
import { makeBadRecord } from './bad-events.js';
import { exponential, shuffled, WeightedSampler, zipfWeights } from './distributions.js';
import { InvalidSimulationOptionError } from './errors.js';
import { EventQueue } from './event-queue.js';
import { type FunnelConfig, funnelConfig, LONG_PAUSE_MS, MEAN_GAP_MS, purchaseProbability } from './funnel.js';
import { createRandom, type Random } from './random.js';
import type { SimulatedClickEvent, SimulatedRecord } from './records.js';
import { buildScenario, type Scenario } from './scenarios.js';
import { deriveSeed } from './seeds.js';
import {
  BOT_USER_AGENTS,
  DEVICE_WEIGHTS,
  type DeviceType,
  TRAFFIC_SOURCE_WEIGHTS,
  type TrafficSource,
  USER_AGENTS,
  USER_POOL_SIZE,
} from './shopper-profiles.js';

/** A product as the simulator shops for it. */
export interface CatalogueProduct {
  readonly productId: string;
  readonly category: string;
  readonly name: string;
  readonly currency: string;
  /** Cents; elasticity compares the current price with it. */
  readonly basePrice: number;
}

/** The current price of a product in cents, as the storefront shows it. */
export interface PriceSource {
  priceOf(productId: string): number;
}

export interface TrafficModelOptions {
  readonly seed: number;
  /** Simulated time (epoch ms) of the run's start; nothing earlier is emitted. */
  readonly startTime: number;
  /** Target rate of valid shopper events per second at multiplier 1 (bots and bad records come on top). */
  readonly eventsPerSecond: number;
  readonly catalogue: readonly CatalogueProduct[];
  /** @default the base prices */
  readonly prices?: PriceSource;
  /** @default steady */
  readonly scenario?: Scenario;
  readonly funnel?: Partial<FunnelConfig>;
  /** Popularity within a category: the product of rank k is viewed ∝ 1/k^s. @default 1.1 */
  readonly zipfExponent?: number;
  /** Popularity of categories, gentler than of products. @default 0.5 */
  readonly categoryZipfExponent?: number;
  /**
   * Sessions are simulated from this long before the start without being emitted, so the run opens
   * with the steady-state mix of sessions already under way instead of an empty store. @default 5 min
   */
  readonly warmupMs?: number;
}

const Phase = {
  land: 0,
  browse: 1,
  consider: 2,
  next: 3,
  review: 4,
  checkout: 5,
  pay: 6,
  done: 7,
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

interface CartLine {
  readonly product: number;
  readonly quantity: number;
  readonly remove: boolean;
}

/** One shopper's session: who, on what, and where in the funnel. Products are catalogue indexes. */
class ShopperSession {
  sessionId = '';
  idPrefix = '';
  eventNo = 0;
  emitted = false;
  /** Set by a pause past the inactivity timeout: the next step opens a new session. */
  expired = false;
  phase: Phase = Phase.land;
  nextProduct = -1;
  searched = false;
  current = -1;
  lineIndex = 0;
  readonly cart: CartLine[] = [];

  constructor(
    public category: number,
    readonly userId: string | null,
    readonly trafficSource: TrafficSource,
    readonly deviceType: DeviceType,
    readonly userAgent: string,
  ) {}
}

class BotSession {
  sessionId = '';
  idPrefix = '';
  eventNo = 0;
  endsAt = 0;
  userAgent = '';
}

/** One funnel step the walk decided: the event to emit and how long until the session acts again. */
interface Step {
  readonly type: EventType;
  readonly product: number;
  readonly quantity: number;
  readonly gapMs: number;
  /** For purchases: the price the decision was made at, which the event and order carry. */
  readonly price: number;
  /** The step opens a new session (the shopper came back after the inactivity timeout). */
  readonly newSession: boolean;
}

/** A fixed set of weighted choices, drawn by a linear scan (a handful of options: faster than a search). */
class WeightedChoice<K extends string> {
  private readonly keys: readonly K[];
  private readonly cumulative: Float64Array;

  constructor(weights: Readonly<Record<K, number>>) {
    this.keys = Object.keys(weights) as K[];
    this.cumulative = new Float64Array(this.keys.length);
    let total = 0;
    this.keys.forEach((key, index) => {
      total += weights[key];
      this.cumulative[index] = total;
    });
  }

  pick(random: Random): K {
    const cumulative = this.cumulative;
    const target = random.next() * (cumulative[cumulative.length - 1] as number);
    for (let index = 0; index < cumulative.length - 1; index++) {
      if (target < (cumulative[index] as number)) return this.keys[index] as K;
    }
    return this.keys[this.keys.length - 1] as K;
  }
}

const deviceChoice = new WeightedChoice(DEVICE_WEIGHTS);
const trafficSourceChoice = new WeightedChoice(TRAFFIC_SOURCE_WEIGHTS);

/**
 * Canonical timestamps for simulated instants. Events come in time order, so consecutive ones share
 * the second: reusing its prefix is several times faster than Date#toISOString per event.
 */
class TimestampFormatter {
  private second = Number.NaN;
  private prefix = '';

  format(epochMs: number): string {
    const second = Math.floor(epochMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = toIso(second * 1000).slice(0, 20);
    }
    const millis = epochMs - second * 1000;
    return `${this.prefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  }
}

/** Catalogue, popularity and category weights: what the walk and the arrivals draw products from. */
class Storefront {
  readonly products: readonly CatalogueProduct[];
  readonly categories: readonly string[];
  readonly categoryShares: readonly number[];
  private readonly productsByCategory: readonly (readonly number[])[];
  private readonly samplers: readonly WeightedSampler[];
  private readonly ranks = new Map<string, number>();
  private readonly indexes = new Map<string, number>();
  /** Scratch space of pickCategory, reused so choosing a category allocates nothing. */
  private readonly categoryWeights: Float64Array;

  constructor(catalogue: readonly CatalogueProduct[], seed: number, zipfExponent: number, categoryExponent: number) {
    if (catalogue.length === 0) throw new InvalidSimulationOptionError('the catalogue is empty');
    this.products = [...catalogue].sort((a, b) => (a.productId < b.productId ? -1 : 1));
    this.products.forEach((product, index) => {
      this.indexes.set(product.productId, index);
    });
    this.categories = [...new Set(this.products.map((product) => product.category))].sort();
    const random = createRandom(deriveSeed(seed, 'popularity'));
    const categoryOrder = shuffled(this.categories, random);
    const categoryWeights = zipfWeights(categoryOrder.length, categoryExponent);
    this.categoryShares = this.categories.map((category) => categoryWeights[categoryOrder.indexOf(category)] as number);
    this.categoryWeights = new Float64Array(this.categories.length);
    // Which product of a category is its bestseller is the seed's choice, not the id order.
    this.productsByCategory = this.categories.map((category) =>
      shuffled(
        this.products.flatMap((product, index) => (product.category === category ? [index] : [])),
        random,
      ),
    );
    this.samplers = this.productsByCategory.map(
      (ranked) => new WeightedSampler(zipfWeights(ranked.length, zipfExponent)),
    );
    this.productsByCategory.forEach((ranked) => {
      ranked.forEach((productIndex, rank) => {
        this.ranks.set((this.products[productIndex] as CatalogueProduct).productId, rank + 1);
      });
    });
  }

  product(index: number): CatalogueProduct {
    return this.products[index] as CatalogueProduct;
  }

  /** A category, weighted by its share times the scenario's multiplier at that moment. */
  pickCategory(random: Random, scenario: Scenario, offsetMs: number): number {
    const weights = this.categoryWeights;
    let target = random.next() * this.categoryMixMultiplier(scenario, offsetMs);
    for (let index = 0; index < weights.length - 1; index++) {
      target -= weights[index] as number;
      if (target < 0) return index;
    }
    return weights.length - 1;
  }

  /**
   * The arrival-rate multiplier of the category mix at that moment (1 when no category is boosted);
   * leaves each category's weighted share in `categoryWeights` for pickCategory.
   */
  categoryMixMultiplier(scenario: Scenario, offsetMs: number): number {
    let total = 0;
    for (let index = 0; index < this.categories.length; index++) {
      const weight =
        (this.categoryShares[index] as number) *
        scenario.categoryMultiplier(this.categories[index] as string, offsetMs);
      this.categoryWeights[index] = weight;
      total += weight;
    }
    return total;
  }

  pickProduct(random: Random, category: number): number {
    const ranked = this.productsByCategory[category] as readonly number[];
    return ranked[(this.samplers[category] as WeightedSampler).sample(random)] as number;
  }

  /** The catalogue index of a product; throws for an unknown id, which a scenario has already refused. */
  indexOf(productId: string): number {
    const index = this.indexes.get(productId);
    if (index === undefined) throw new InvalidSimulationOptionError(`product ${productId} is not in the catalogue`);
    return index;
  }

  /** Popularity rank of a product inside its category (1 = bestseller). */
  rankOf(productId: string): number | undefined {
    return this.ranks.get(productId);
  }
}

/**
 * The shopper's walk through the funnel, one step at a time. It holds no clock: the caller passes
 * the moment and schedules the session again after the step's gap.
 */
class ShopperWalk {
  constructor(
    private readonly store: Storefront,
    private readonly funnel: FunnelConfig,
    private readonly random: Random,
    private readonly prices: PriceSource,
    private readonly scenario: Scenario,
  ) {}

  private gap(meanMs: number, session: ShopperSession): number {
    const random = this.random;
    if (random.chance(this.funnel.longPause)) {
      const pause = LONG_PAUSE_MS.min + random.next() * (LONG_PAUSE_MS.max - LONG_PAUSE_MS.min);
      if (pause >= this.funnel.inactivityTimeoutMs) session.expired = true;
      return pause;
    }
    return 50 + exponential(random, meanMs);
  }

  private step(
    session: ShopperSession,
    type: EventType,
    product: number,
    meanGapMs: number,
    quantity = 0,
    price = 0,
  ): Step {
    const newSession = session.expired;
    session.expired = false;
    return { type, product, quantity, price, newSession, gapMs: this.gap(meanGapMs, session) };
  }

  private quantity(): number {
    const draw = this.random.next();
    return draw < 0.85 ? 1 : draw < 0.95 ? 2 : 3;
  }

  /** The session's next event, or null when the shopper has left. */
  next(session: ShopperSession, offsetMs: number): Step | null {
    const { funnel, random, store } = this;
    if (session.expired && session.phase !== Phase.done) {
      // Back after the timeout: the store sees a new session, landing again, then carrying on.
      return this.step(session, 'page_view', -1, MEAN_GAP_MS.landing);
    }
    for (;;) {
      switch (session.phase) {
        case Phase.land:
          session.phase = random.chance(funnel.bounce) ? Phase.done : Phase.browse;
          return this.step(session, 'page_view', -1, MEAN_GAP_MS.landing);
        case Phase.browse: {
          if (session.nextProduct < 0) {
            if (random.chance(funnel.switchCategory)) {
              session.category = store.pickCategory(random, this.scenario, offsetMs);
            }
            session.nextProduct = store.pickProduct(random, session.category);
          }
          if (!session.searched && random.chance(funnel.search)) {
            session.searched = true;
            return this.step(session, 'search', session.nextProduct, MEAN_GAP_MS.search);
          }
          session.current = session.nextProduct;
          session.nextProduct = -1;
          session.searched = false;
          session.phase = Phase.consider;
          return this.step(session, 'product_view', session.current, MEAN_GAP_MS.productView);
        }
        case Phase.consider: {
          session.phase = Phase.next;
          const inCart = session.cart.some((line) => line.product === session.current);
          if (!inCart && random.chance(funnel.addToCart)) {
            const quantity = this.quantity();
            session.cart.push({ product: session.current, quantity, remove: random.chance(funnel.removeFromCart) });
            return this.step(session, 'add_to_cart', session.current, MEAN_GAP_MS.cartChange, quantity);
          }
          break;
        }
        case Phase.next:
          session.phase = random.chance(funnel.continueBrowsing) ? Phase.browse : Phase.review;
          break;
        case Phase.review: {
          const index = session.cart.findIndex((line) => line.remove);
          if (index >= 0) {
            const [line] = session.cart.splice(index, 1) as [CartLine];
            return this.step(session, 'remove_from_cart', line.product, MEAN_GAP_MS.cartChange, line.quantity);
          }
          if (session.cart.length === 0 || !random.chance(funnel.checkout)) {
            session.phase = Phase.done;
            break;
          }
          session.phase = Phase.checkout;
          session.lineIndex = 0;
          break;
        }
        case Phase.checkout: {
          const line = session.cart[session.lineIndex++] as CartLine;
          const last = session.lineIndex === session.cart.length;
          if (last) {
            session.phase = Phase.pay;
            session.lineIndex = 0;
          }
          const gap = last ? MEAN_GAP_MS.beforePayment : MEAN_GAP_MS.checkoutLine;
          return this.step(session, 'checkout_start', line.product, gap, line.quantity);
        }
        case Phase.pay: {
          while (session.lineIndex < session.cart.length) {
            const line = session.cart[session.lineIndex++] as CartLine;
            const product = store.product(line.product);
            const price = this.prices.priceOf(product.productId);
            if (random.chance(purchaseProbability(funnel, product.basePrice, price))) {
              return this.step(session, 'purchase', line.product, MEAN_GAP_MS.betweenPurchases, line.quantity, price);
            }
          }
          session.phase = Phase.done;
          break;
        }
        case Phase.done:
          return null;
      }
    }
  }
}

type Actor =
  | { readonly kind: 'shopper'; readonly session: ShopperSession }
  | { readonly kind: 'bot'; readonly session: BotSession };

/** Counts of what the model produced since the start (warm-up excluded). */
export interface TrafficModelStats {
  /** Shopper sessions that emitted at least one event. */
  readonly sessions: number;
  readonly botSessions: number;
}

const CALIBRATION_SESSIONS = 20_000;

/**
 * Clickstream traffic of a store, as a pure, seeded generator over simulated time: sessions arrive as
 * a Poisson process (thinned to follow the scenario's multipliers), each walks the funnel at its own
 * pace, and `next(until)` returns the records in time order. The same options give the same records,
 * whatever the wall clock does; only the price source can make runs differ.
 */
export class TrafficModel {
  readonly scenario: Scenario;
  readonly funnel: FunnelConfig;
  /** Valid shopper events per session, measured on the walk itself so the rate stays honest. */
  readonly eventsPerSession: number;
  private readonly store: Storefront;
  private readonly walk: ShopperWalk;
  private readonly prices: PriceSource;
  private readonly queue = new EventQueue<Actor>();
  private readonly pending: SimulatedRecord[] = [];
  private readonly arrivalRandom: Random;
  private readonly shopperRandom: Random;
  private readonly botRandom: Random;
  private readonly badRandom: Random;
  private readonly runTag: string;
  private readonly timestamps = new TimestampFormatter();
  private readonly startTime: number;
  /** Candidate arrivals per ms at the scenario's peak. */
  private readonly peakArrivalsPerMs: number;
  private nextArrivalAt: number;
  private sessionCount = 0;
  private sessions = 0;
  private botSessions = 0;

  constructor(options: TrafficModelOptions) {
    if (!(Number.isFinite(options.eventsPerSecond) && options.eventsPerSecond > 0)) {
      throw new InvalidSimulationOptionError(`the event rate must be positive, got ${options.eventsPerSecond}`);
    }
    const seed = options.seed;
    this.startTime = options.startTime;
    this.funnel = funnelConfig(options.funnel);
    this.store = new Storefront(
      options.catalogue,
      seed,
      options.zipfExponent ?? 1.1,
      options.categoryZipfExponent ?? 0.5,
    );
    this.scenario =
      options.scenario ?? buildScenario('steady', { categories: this.store.categories, productIds: [] }, seed, {});
    const basePrices = basePriceSource(this.store.products);
    this.prices = options.prices ?? basePriceSource(this.store.products);
    this.arrivalRandom = createRandom(deriveSeed(seed, 'arrivals'));
    this.shopperRandom = createRandom(deriveSeed(seed, 'shoppers'));
    this.botRandom = createRandom(deriveSeed(seed, 'bots'));
    this.badRandom = createRandom(deriveSeed(seed, 'bad-events'));
    this.walk = new ShopperWalk(this.store, this.funnel, this.shopperRandom, this.prices, this.scenario);
    this.eventsPerSession = this.calibrate(seed, basePrices);
    this.runTag = `${seed.toString(36)}-${Math.floor(options.startTime / 1000).toString(36)}`;
    this.peakArrivalsPerMs =
      (options.eventsPerSecond / this.eventsPerSession / 1000) * Math.max(1, this.scenario.peakMultiplier);
    this.nextArrivalAt = options.startTime - (options.warmupMs ?? 5 * 60_000);
    this.advanceArrival();
    this.scheduleBots();
  }

  /** Popularity rank of a product inside its category (1 = bestseller), for checking the Zipf shape. */
  popularityRank(productId: string): number | undefined {
    return this.store.rankOf(productId);
  }

  /** The categories and their shares of sessions at multiplier 1. */
  categoryShares(): Record<string, number> {
    return Object.fromEntries(
      this.store.categories.map((category, index) => [category, this.store.categoryShares[index] as number]),
    );
  }

  stats(): TrafficModelStats {
    return { sessions: this.sessions, botSessions: this.botSessions };
  }

  /**
   * Simulates the warm-up now (sessions before the start; nothing is emitted) instead of inside the
   * first call to next(), so a runner can time it apart from the run.
   */
  warmUp(): void {
    this.next(this.startTime - 0.001);
  }

  /** A lower bound of the next record's time (epoch ms); the runner sleeps until then. */
  peekTime(): number {
    if (this.pending.length > 0) return (this.pending[0] as SimulatedRecord).atMs;
    return Math.min(this.nextArrivalAt, this.queue.peekTime());
  }

  /** The next record due at or before `untilMs`, in time order; null when none is due yet. */
  next(untilMs: number = Number.POSITIVE_INFINITY): SimulatedRecord | null {
    for (;;) {
      const pending = this.pending.shift();
      if (pending) return pending;
      const queueAt = this.queue.peekTime();
      if (this.nextArrivalAt <= queueAt) {
        if (this.nextArrivalAt > untilMs) return null;
        this.arrive(this.nextArrivalAt);
        continue;
      }
      if (queueAt > untilMs) return null;
      const actor = this.queue.pop() as Actor;
      const record = actor.kind === 'shopper' ? this.stepShopper(actor, queueAt) : this.stepBot(actor.session, queueAt);
      if (record !== null) return record;
    }
  }

  /** Measures events per session by walking sessions of a private generator at base prices. */
  private calibrate(seed: number, basePrices: PriceSource): number {
    const random = createRandom(deriveSeed(seed, 'calibration'));
    const walk = new ShopperWalk(this.store, this.funnel, random, basePrices, this.scenario);
    let events = 0;
    for (let index = 0; index < CALIBRATION_SESSIONS; index++) {
      const session = new ShopperSession(
        this.store.pickCategory(random, this.scenario, 0),
        null,
        'direct',
        'mobile',
        '',
      );
      while (walk.next(session, 0) !== null) events++;
    }
    return events / CALIBRATION_SESSIONS;
  }

  private advanceArrival(): void {
    this.nextArrivalAt += exponential(this.arrivalRandom, 1 / this.peakArrivalsPerMs);
  }

  /** A candidate arrival from the peak-rate process, kept with probability rate(t) / peak (thinning). */
  private arrive(at: number): void {
    const random = this.arrivalRandom;
    const offset = Math.max(0, at - this.startTime);
    const multiplier =
      this.scenario.trafficMultiplier(offset) * this.store.categoryMixMultiplier(this.scenario, offset);
    const keep = random.next() * Math.max(1, this.scenario.peakMultiplier) < multiplier;
    if (keep) {
      const deviceType = deviceChoice.pick(random);
      const session = new ShopperSession(
        this.store.pickCategory(random, this.scenario, offset),
        random.chance(this.funnel.loggedIn) ? `u${random.int(1, USER_POOL_SIZE)}` : null,
        trafficSourceChoice.pick(random),
        deviceType,
        random.pick(USER_AGENTS[deviceType]),
      );
      this.assignSessionId(session);
      this.queue.push(at, { kind: 'shopper', session });
    }
    this.advanceArrival();
  }

  private assignSessionId(session: ShopperSession | BotSession): void {
    session.idPrefix = `${this.runTag}-${(this.sessionCount++).toString(36)}`;
    session.sessionId = `s-${session.idPrefix}`;
    session.eventNo = 0;
  }

  private stepShopper(actor: Actor & { kind: 'shopper' }, at: number): SimulatedRecord | null {
    const session = actor.session;
    const step = this.walk.next(session, Math.max(0, at - this.startTime));
    if (step === null) return null;
    if (step.newSession) {
      this.assignSessionId(session);
      session.emitted = false;
    }
    this.queue.push(at + step.gapMs, actor);
    if (at < this.startTime) {
      session.eventNo++;
      return null;
    }
    if (!session.emitted) {
      session.emitted = true;
      this.sessions++;
    }
    const record = this.shopperRecord(session, step, at);
    const badEvents = this.scenario.badEvents;
    if (badEvents !== null && this.badRandom.chance(badEvents.share)) {
      this.pending.push(makeBadRecord(this.badRandom.pick(badEvents.kinds), record, this.badRandom));
    }
    return record;
  }

  private shopperRecord(session: ShopperSession, step: Step, at: number): SimulatedRecord {
    const eventNo = (session.eventNo++).toString(36);
    const eventTime = this.timestamps.format(Math.floor(at));
    const event: SimulatedClickEvent = {
      eventId: `e-${session.idPrefix}-${eventNo}`,
      sessionId: session.sessionId,
    } as SimulatedClickEvent;
    if (session.userId !== null) event.userId = session.userId;
    event.eventType = step.type;
    let order: Order | null = null;
    if (step.type === 'page_view') {
      event.category = this.store.categories[session.category] as string;
    } else if (step.type === 'search') {
      event.searchQuery = searchQueryFor(this.store.product(step.product), this.shopperRandom);
    } else {
      const product = this.store.product(step.product);
      const price = step.type === 'purchase' ? step.price : this.prices.priceOf(product.productId);
      event.productId = product.productId;
      event.category = product.category;
      event.priceSeen = price;
      if (step.quantity > 0 && step.type !== 'checkout_start') event.quantity = step.quantity;
      if (step.type === 'purchase') {
        order = {
          orderId: `o-${session.idPrefix}-${eventNo}`,
          productId: product.productId,
          sessionId: session.sessionId,
          userId: session.userId,
          quantity: step.quantity,
          unitPrice: price,
          currency: product.currency,
          orderedAt: eventTime,
        };
      }
    }
    event.trafficSource = session.trafficSource;
    event.deviceType = session.deviceType;
    event.userAgent = session.userAgent;
    event.eventTime = eventTime;
    return {
      atMs: Math.floor(at),
      kind: 'valid',
      partitionKey: session.sessionId,
      data: JSON.stringify(event),
      event,
      order,
    };
  }

  private scheduleBots(): void {
    const bots = this.scenario.bots;
    if (bots === null) return;
    for (let slot = 0; slot < bots.sessions; slot++) {
      // Staggered so the bots do not fire in lockstep.
      const at = this.startTime + bots.startMs + (slot * bots.minGapMs) / bots.sessions;
      this.queue.push(at, { kind: 'bot', session: new BotSession() });
    }
  }

  private stepBot(session: BotSession, at: number): SimulatedRecord | null {
    const bots = this.scenario.bots;
    if (bots === null || at - this.startTime >= bots.endMs) return null;
    const random = this.botRandom;
    if (session.sessionId === '' || at >= session.endsAt) {
      // Bots rotate session ids to dodge per-session limits.
      this.assignSessionId(session);
      session.endsAt = at + bots.sessionMs;
      session.userAgent = random.pick(BOT_USER_AGENTS);
      this.botSessions++;
    }
    this.queue.push(at + bots.minGapMs + random.next() * (bots.maxGapMs - bots.minGapMs), { kind: 'bot', session });
    const productId = random.pick(bots.productIds);
    const product = this.store.product(this.store.indexOf(productId));
    const eventType = random.chance(0.6) ? 'product_view' : 'add_to_cart';
    const event: SimulatedClickEvent = {
      eventId: `e-${session.idPrefix}-${(session.eventNo++).toString(36)}`,
      sessionId: session.sessionId,
      eventType,
      productId,
      category: product.category,
      priceSeen: this.prices.priceOf(productId),
      ...(eventType === 'add_to_cart' ? { quantity: 1 } : {}),
      trafficSource: 'direct',
      deviceType: 'desktop',
      userAgent: session.userAgent,
      eventTime: this.timestamps.format(Math.floor(at)),
    };
    return {
      atMs: Math.floor(at),
      kind: 'bot',
      partitionKey: session.sessionId,
      data: JSON.stringify(event),
      event,
      order: null,
    };
  }
}

/** Base prices as the price source: what the model uses when no live prices are given. */
export function basePriceSource(products: readonly CatalogueProduct[]): PriceSource {
  const prices = new Map(products.map((product) => [product.productId, product.basePrice]));
  return { priceOf: (productId) => prices.get(productId) ?? 0 };
}

/** What a shopper types to find a product: its name, or just the kind of thing it is. */
function searchQueryFor(product: CatalogueProduct, random: Random): string {
  const name = product.name.toLowerCase();
  return random.chance(0.5) ? name : (name.split(' ').at(-1) as string);
}
