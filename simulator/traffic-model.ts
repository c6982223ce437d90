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

/**
 * The stock a purchase draws from: the order system. `take` reserves the units and says whether
 * there were enough; a product without them does not sell (the shopper finds it sold out at payment).
 */
export interface StockSource {
  take(productId: string, quantity: number): boolean;
}

/** Unlimited stock: what the model uses when no stock source is given. */
const UNLIMITED_STOCK: StockSource = { take: () => true };

export interface TrafficModelOptions {
  readonly seed: number;
  /** Simulated time (epoch ms) of the run's start; nothing earlier is emitted. */
  readonly startTime: number;
  /** Target rate of valid shopper events per second at multiplier 1 (bots and bad records come on top). */
  readonly eventsPerSecond: number;
  readonly catalogue: readonly CatalogueProduct[];
  /** @default the base prices */
  readonly prices?: PriceSource;
  /** @default unlimited */
  readonly stock?: StockSource;
  /**
   * Write each record's JSON (`data`). A consumer that reads the events themselves (the backtest)
   * can skip it: it is a third of the model's time. Bad records are always encoded. @default true
   */
  readonly encode?: boolean;
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
  /**
   * The session's own generator: every choice of its walk draws from it, so a session does the same
   * whatever other sessions do, and two runs that differ only in prices differ only in what is bought
   * (common random numbers: a backtest compares policies on the very same shoppers).
   */
  random: Random = NO_RANDOM;
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

/** Placeholder until a session is given its generator at arrival. */
const NO_RANDOM: Random = createRandom(0);

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

  constructor(
    catalogue: readonly CatalogueProduct[],
    seed: number,
    private readonly zipfExponent: number,
    categoryExponent: number,
  ) {
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

  /** The product's share of product views at multiplier 1: its category's share times its share in it. */
  viewShareOf(productId: string): number {
    const index = this.indexOf(productId);
    const category = this.categories.indexOf(this.product(index).category);
    const ranked = this.productsByCategory[category] as readonly number[];
    const totalShare = this.categoryShares.reduce((sum, share) => sum + share, 0);
    const weights = zipfWeights(ranked.length, this.zipfExponent);
    return ((this.categoryShares[category] as number) / totalShare) * (weights[ranked.indexOf(index)] as number);
  }
}

/**
 * The shopper's walk through the funnel, one step at a time. It holds no clock: the caller passes
 * the moment and schedules the session again after the step's gap.
 */
class ShopperWalk {
  /** Units shoppers wanted but could not buy (sold out), and how many purchases that was. */
  lostUnits = 0;
  lostPurchases = 0;

  constructor(
    private readonly store: Storefront,
    private readonly funnel: FunnelConfig,
    private readonly prices: PriceSource,
    private readonly scenario: Scenario,
    private readonly stock: StockSource,
  ) {}

  /** The time until the session acts again: always two draws, whether or not it is a long pause. */
  private gap(meanMs: number, random: Random): number {
    if (random.chance(this.funnel.longPause)) {
      return LONG_PAUSE_MS.min + random.next() * (LONG_PAUSE_MS.max - LONG_PAUSE_MS.min);
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
    gapMs = this.gap(meanGapMs, session.random),
  ): Step {
    const newSession = session.expired;
    // A pause past the inactivity timeout ends the session: the next step opens a new one.
    session.expired = gapMs >= this.funnel.inactivityTimeoutMs;
    return { type, product, quantity, price, newSession, gapMs };
  }

  private quantity(session: ShopperSession): number {
    const draw = session.random.next();
    return draw < 0.85 ? 1 : draw < 0.95 ? 2 : 3;
  }

  /** The session's next event, or null when the shopper has left. */
  next(session: ShopperSession, offsetMs: number): Step | null {
    const { funnel, store } = this;
    const random = session.random;
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
            const quantity = this.quantity(session);
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
            // The same draws whatever is bought (a uniform, then the gap's), so the session's later
            // steps do not depend on the prices it met.
            const decides = random.next();
            const gapMs = this.gap(MEAN_GAP_MS.betweenPurchases, random);
            if (decides >= purchaseProbability(funnel, product.basePrice, price)) continue;
            if (this.stock.take(product.productId, line.quantity)) {
              return this.step(session, 'purchase', line.product, 0, line.quantity, price, gapMs);
            }
            this.lostUnits += line.quantity;
            this.lostPurchases++;
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
  /** Purchases that found the product sold out, and the units they wanted (warm-up included). */
  readonly lostPurchases: number;
  readonly lostUnits: number;
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
  /** Seeds each session's own generator (see ShopperSession.random). */
  private readonly sessionSeed: number;
  private readonly botRandom: Random;
  private readonly encode: boolean;
  /** Per minute at multiplier 1: sessions arriving, product views per session, units bought per view. */
  private readonly calibration: { sessionsPerMinute: number; viewsPerSession: number; unitsPerView: number };
  private readonly badRandom: Random;
  private readonly runTag: string;
  private readonly timestamps = new TimestampFormatter();
  private readonly startTime: number;
  /** Candidate arrivals per ms at the scenario's peak. */
  private readonly peakArrivalsPerMs: number;
  private nextArrivalAt: number;
  private sessionCount = 0;
  private shopperArrivals = 0;
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
    this.sessionSeed = deriveSeed(seed, 'shoppers');
    this.botRandom = createRandom(deriveSeed(seed, 'bots'));
    this.badRandom = createRandom(deriveSeed(seed, 'bad-events'));
    this.encode = options.encode ?? true;
    this.walk = new ShopperWalk(this.store, this.funnel, this.prices, this.scenario, options.stock ?? UNLIMITED_STOCK);
    const measured = this.calibrate(seed, basePrices);
    this.eventsPerSession = measured.eventsPerSession;
    this.calibration = {
      sessionsPerMinute: (options.eventsPerSecond * 60) / measured.eventsPerSession,
      viewsPerSession: measured.viewsPerSession,
      unitsPerView: measured.unitsPerView,
    };
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
    return {
      sessions: this.sessions,
      botSessions: this.botSessions,
      lostPurchases: this.walk.lostPurchases,
      lostUnits: this.walk.lostUnits,
    };
  }

  /**
   * The ground truth of demand: how many times its usual rate the product's shoppers arrive at
   * `offsetMs` into the run (the scenario's traffic times its category's multiplier).
   */
  trueMultiplier(productId: string, offsetMs: number): number {
    const category = this.store.product(this.store.indexOf(productId)).category;
    return this.scenario.trafficMultiplier(offsetMs) * this.scenario.categoryMultiplier(category, offsetMs);
  }

  /**
   * Units of the product shoppers buy per minute at multiplier 1 and its base price, from its share
   * of product views and the funnel as calibrated: what a merchant plans stock with.
   */
  expectedUnitsPerMinute(productId: string): number {
    return this.expectedViewsPerMinute(productId) * this.calibration.unitsPerView;
  }

  /** Views of the product per minute at multiplier 1: its baseline, as the ground truth knows it. */
  expectedViewsPerMinute(productId: string): number {
    const { sessionsPerMinute, viewsPerSession } = this.calibration;
    return sessionsPerMinute * viewsPerSession * this.store.viewShareOf(productId);
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

  /**
   * Measures events per session, product views per session and units bought per view by walking
   * sessions of private generators at base prices, with unlimited stock.
   */
  private calibrate(
    seed: number,
    basePrices: PriceSource,
  ): { eventsPerSession: number; viewsPerSession: number; unitsPerView: number } {
    const calibrationSeed = deriveSeed(seed, 'calibration');
    const walk = new ShopperWalk(this.store, this.funnel, basePrices, this.scenario, UNLIMITED_STOCK);
    let events = 0;
    let views = 0;
    let units = 0;
    for (let index = 0; index < CALIBRATION_SESSIONS; index++) {
      const session = new ShopperSession(0, null, 'direct', 'mobile', '');
      session.random = createRandom(mixSeed(calibrationSeed, index));
      session.category = this.store.pickCategory(session.random, this.scenario, 0);
      for (let step = walk.next(session, 0); step !== null; step = walk.next(session, 0)) {
        events++;
        if (step.type === 'product_view') views++;
        if (step.type === 'purchase') units += step.quantity;
      }
    }
    return {
      eventsPerSession: events / CALIBRATION_SESSIONS,
      viewsPerSession: views / CALIBRATION_SESSIONS,
      unitsPerView: views === 0 ? 0 : units / views,
    };
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
      // Numbered among shoppers only, so bots (which take session ids too) change no shopper's draws.
      session.random = createRandom(mixSeed(this.sessionSeed, this.shopperArrivals++));
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
      event.searchQuery = searchQueryFor(this.store.product(step.product), session.random);
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
      data: this.encode || this.scenario.badEvents !== null ? JSON.stringify(event) : '',
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
      data: this.encode ? JSON.stringify(event) : '',
      event,
      order: null,
    };
  }
}

/** A session's seed: the run's shopper seed mixed with the session's number. */
function mixSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ index, 0x9e3779b1) ^ Math.imul(index + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
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
