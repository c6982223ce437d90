import type { BadEventKind } from './bad-events.js';
import { BAD_EVENT_KINDS } from './bad-events.js';
import { shuffled } from './distributions.js';
import { InvalidSimulationOptionError } from './errors.js';
import { createRandom } from './random.js';
import { deriveSeed } from './seeds.js';

export const SCENARIO_NAMES = [
  'steady',
  'flash-sale',
  'black-friday',
  'bot-attack',
  'bad-events',
  'sustained-shift',
  'scarce-stock',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One category's traffic multiplied for a while: a flash sale, or a sustained shift in demand. */
export interface FlashSale {
  readonly category: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly multiplier: number;
}

/** Bot sessions hammering a few products with views and cart adds, never buying. */
export interface BotAttack {
  readonly productIds: readonly string[];
  /** Bot sessions running at once; each is replaced by a fresh session id when it ends. */
  readonly sessions: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Each bot session's events are this far apart (uniform), far faster than a person clicks. */
  readonly minGapMs: number;
  readonly maxGapMs: number;
  /** How long one bot session lasts before the bot rotates to a new session id. */
  readonly sessionMs: number;
}

/** A share of extra, broken records sent alongside the shoppers' valid events. */
export interface BadEventMix {
  /** Bad records per valid shopper event. */
  readonly share: number;
  readonly kinds: readonly BadEventKind[];
}

/**
 * What a scenario changes about the traffic, as functions of the offset (ms) from the run's start.
 * The multipliers scale session arrivals; the model keeps the shape of each session unchanged.
 */
export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** Multiplier of every category's arrivals. */
  trafficMultiplier(offsetMs: number): number;
  /** Extra multiplier of one category's arrivals. */
  categoryMultiplier(category: string, offsetMs: number): number;
  /** An upper bound of trafficMultiplier × categoryMultiplier over the run (arrivals are thinned from it). */
  readonly peakMultiplier: number;
  readonly flashSale: FlashSale | null;
  /** A category's demand doubled for hours (sustained-shift), shaped like a flash sale. */
  readonly shift: FlashSale | null;
  /**
   * The share of the usual deliveries the supplier makes (see replenishment.ts): 1, except in
   * scarce-stock, where shoppers want more than the shop can restock.
   */
  readonly supplyShare: number;
  readonly bots: BotAttack | null;
  readonly badEvents: BadEventMix | null;
}

export interface ScenarioParameters {
  /** The run's length, used to fit ramps into short runs. @default null (open-ended) */
  readonly durationMs?: number | null;
  readonly flashSale?: {
    /** @default a category picked by the seed */
    readonly category?: string;
    /** @default 20 */
    readonly startSeconds?: number;
    /** @default 180 */
    readonly durationSeconds?: number;
    /** @default 10 */
    readonly multiplier?: number;
  };
  readonly blackFriday?: {
    /**
     * When the ramp begins. A backtest begins it an hour in, once the policy has baselines, as a live
     * shop has on the day. @default 0
     */
    readonly startSeconds?: number;
    /** Time to climb from ×1 to ×low. @default min(60, a quarter of the run after the start) */
    readonly rampSeconds?: number;
    /** @default 10 */
    readonly low?: number;
    /** @default 20 */
    readonly high?: number;
    /** After the ramp, traffic swings between low and high with this period. @default 120 */
    readonly periodSeconds?: number;
  };
  readonly botAttack?: {
    /** @default 3 products picked by the seed */
    readonly productIds?: readonly string[];
    /** @default 6 */
    readonly sessions?: number;
    /** @default 10 */
    readonly startSeconds?: number;
    /** Mean events per minute of each bot session; gaps vary ±25 % around it. @default 300 */
    readonly eventsPerMinute?: number;
    /** @default 60 */
    readonly sessionSeconds?: number;
  };
  readonly badEvents?: {
    /** @default 0.1 */
    readonly share?: number;
    /** @default every kind */
    readonly kinds?: readonly BadEventKind[];
  };
  readonly sustainedShift?: {
    /** @default a category picked by the seed */
    readonly category?: string;
    /** @default 3600 (an hour of usual demand first) */
    readonly startSeconds?: number;
    /** @default 7200 */
    readonly durationSeconds?: number;
    /** @default 2 */
    readonly multiplier?: number;
  };
  readonly scarceStock?: {
    /** Share of the usual deliveries that arrive. @default 0.6 */
    readonly supplyShare?: number;
  };
}

/** What a scenario may pick from: the catalogue's categories and products. */
export interface ScenarioCatalogue {
  readonly categories: readonly string[];
  readonly productIds: readonly string[];
}

/** A catalogue's categories and products, as a scenario picks from them. */
export function scenarioCatalogueOf(
  products: readonly { readonly productId: string; readonly category: string }[],
): ScenarioCatalogue {
  return {
    categories: [...new Set(products.map((product) => product.category))],
    productIds: products.map((product) => product.productId),
  };
}

const SECOND = 1_000;

function requirePositive(value: number, what: string): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new InvalidSimulationOptionError(`${what} must be positive, got ${value}`);
  return value;
}

function steadyParts() {
  return {
    trafficMultiplier: () => 1,
    categoryMultiplier: () => 1,
    peakMultiplier: 1,
    flashSale: null,
    shift: null,
    supplyShare: 1,
    bots: null,
    badEvents: null,
  };
}

interface BoostOptions {
  readonly category?: string;
  readonly startSeconds?: number;
  readonly durationSeconds?: number;
  readonly multiplier?: number;
}

/** A category's traffic multiplied from a start for a while; the seed picks the category unless given. */
function boostOf(
  name: 'flash-sale' | 'sustained-shift',
  catalogue: ScenarioCatalogue,
  seed: number,
  options: BoostOptions,
  defaults: Required<Omit<BoostOptions, 'category'>>,
): FlashSale {
  const categories = [...catalogue.categories].sort();
  const category = options.category ?? createRandom(deriveSeed(seed, name)).pick(categories);
  if (!categories.includes(category)) {
    throw new InvalidSimulationOptionError(
      `${name} category "${category}" is not in the catalogue; choose one of ${categories.join(', ')}`,
    );
  }
  const startMs = (options.startSeconds ?? defaults.startSeconds) * SECOND;
  const durationMs = requirePositive(options.durationSeconds ?? defaults.durationSeconds, `${name} duration`) * SECOND;
  const multiplier = requirePositive(options.multiplier ?? defaults.multiplier, `${name} multiplier`);
  return { category, startMs, endMs: startMs + durationMs, multiplier };
}

/** Scenario parts for one category boosted: its multiplier while the boost lasts, the peak it reaches. */
function boostedParts(boost: FlashSale) {
  const inBoost = (offsetMs: number) => offsetMs >= boost.startMs && offsetMs < boost.endMs;
  return {
    categoryMultiplier: (category: string, offsetMs: number) =>
      category === boost.category && inBoost(offsetMs) ? boost.multiplier : 1,
    peakMultiplier: Math.max(1, boost.multiplier),
  };
}

function botAttackOf(catalogue: ScenarioCatalogue, seed: number, params: ScenarioParameters): BotAttack {
  const options = params.botAttack ?? {};
  const known = new Set(catalogue.productIds);
  const productIds =
    options.productIds ??
    shuffled([...catalogue.productIds].sort(), createRandom(deriveSeed(seed, 'bot-targets'))).slice(0, 3);
  const unknown = productIds.filter((productId) => !known.has(productId));
  if (productIds.length === 0 || unknown.length > 0) {
    throw new InvalidSimulationOptionError(
      productIds.length === 0
        ? 'bot-attack needs at least one product to attack'
        : `bot-attack products not in the catalogue: ${unknown.join(', ')}`,
    );
  }
  const eventsPerMinute = requirePositive(options.eventsPerMinute ?? 300, 'bot events per minute');
  const meanGapMs = 60_000 / eventsPerMinute;
  return {
    productIds,
    sessions: requirePositive(options.sessions ?? 6, 'bot sessions'),
    startMs: (options.startSeconds ?? 10) * SECOND,
    endMs: Number.POSITIVE_INFINITY,
    minGapMs: meanGapMs * 0.75,
    maxGapMs: meanGapMs * 1.25,
    sessionMs: requirePositive(options.sessionSeconds ?? 60, 'bot session length') * SECOND,
  };
}

function badEventsOf(params: ScenarioParameters): BadEventMix {
  const share = params.badEvents?.share ?? 0.1;
  if (!(share > 0 && share <= 1))
    throw new InvalidSimulationOptionError(`bad-event share must be in (0, 1], got ${share}`);
  const kinds = params.badEvents?.kinds ?? BAD_EVENT_KINDS;
  if (kinds.length === 0) throw new InvalidSimulationOptionError('bad-events needs at least one kind');
  return { share, kinds };
}

/**
 * Builds a scenario. `seed` picks defaults (the flash-sale category, the attacked products), so a
 * seed reproduces the scenario as well as the traffic.
 */
export function buildScenario(
  name: ScenarioName,
  catalogue: ScenarioCatalogue,
  seed: number,
  params: ScenarioParameters = {},
): Scenario {
  switch (name) {
    case 'steady':
      return { name, description: 'steady traffic at the given rate', ...steadyParts() };
    case 'flash-sale': {
      const sale = boostOf(name, catalogue, seed, params.flashSale ?? {}, {
        startSeconds: 20,
        durationSeconds: 180,
        multiplier: 10,
      });
      return {
        ...steadyParts(),
        name,
        description: `${sale.category} traffic ×${sale.multiplier} from ${sale.startMs / SECOND} s for ${(sale.endMs - sale.startMs) / SECOND} s`,
        ...boostedParts(sale),
        flashSale: sale,
      };
    }
    case 'sustained-shift': {
      const shift = boostOf(name, catalogue, seed, params.sustainedShift ?? {}, {
        startSeconds: 3_600,
        durationSeconds: 7_200,
        multiplier: 2,
      });
      return {
        ...steadyParts(),
        name,
        description: `${shift.category} demand ×${shift.multiplier} from ${shift.startMs / SECOND / 60} min for ${(shift.endMs - shift.startMs) / SECOND / 60} min, then back`,
        ...boostedParts(shift),
        shift,
      };
    }
    case 'scarce-stock': {
      const supplyShare = params.scarceStock?.supplyShare ?? 0.6;
      if (!(supplyShare > 0 && supplyShare <= 1)) {
        throw new InvalidSimulationOptionError(`scarce-stock supply share must be in (0, 1], got ${supplyShare}`);
      }
      return {
        ...steadyParts(),
        name,
        description: `steady traffic; the supplier delivers ${Math.round(supplyShare * 100)} % of the usual restock`,
        supplyShare,
      };
    }
    case 'black-friday': {
      const options = params.blackFriday ?? {};
      const low = requirePositive(options.low ?? 10, 'black-friday low multiplier');
      const high = requirePositive(options.high ?? 20, 'black-friday high multiplier');
      if (high < low) throw new InvalidSimulationOptionError('black-friday high multiplier must be >= low');
      const startMs = (options.startSeconds ?? 0) * SECOND;
      if (!(startMs >= 0)) throw new InvalidSimulationOptionError('black-friday start must be >= 0 seconds');
      const runMs = params.durationMs ?? null;
      const durationMs = runMs === null ? null : Math.max(0, runMs - startMs);
      const rampMs = (options.rampSeconds ?? Math.min(60, durationMs === null ? 60 : durationMs / SECOND / 4)) * SECOND;
      const periodMs = requirePositive(options.periodSeconds ?? 120, 'black-friday period') * SECOND;
      const trafficMultiplier = (runOffsetMs: number) => {
        const offsetMs = runOffsetMs - startMs;
        if (offsetMs <= 0) return 1;
        if (offsetMs < rampMs) return 1 + ((low - 1) * offsetMs) / rampMs;
        // Waves of shoppers between low and high, starting at low where the ramp ended.
        return low + ((high - low) * (1 - Math.cos((2 * Math.PI * (offsetMs - rampMs)) / periodMs))) / 2;
      };
      return {
        ...steadyParts(),
        name,
        description: `${startMs > 0 ? `from ${startMs / SECOND} s, ` : ''}all traffic ramps to ×${low} over ${rampMs / SECOND} s, then swings between ×${low} and ×${high}`,
        trafficMultiplier,
        peakMultiplier: high,
      };
    }
    case 'bot-attack': {
      const bots = botAttackOf(catalogue, seed, params);
      return {
        ...steadyParts(),
        name,
        description: `${bots.sessions} bot sessions flood ${bots.productIds.join(', ')} from ${bots.startMs / SECOND} s`,
        bots,
      };
    }
    case 'bad-events': {
      const badEvents = badEventsOf(params);
      return {
        ...steadyParts(),
        name,
        description: `steady traffic plus ${badEvents.share * 100} % bad records (${badEvents.kinds.join(', ')})`,
        badEvents,
      };
    }
  }
}
