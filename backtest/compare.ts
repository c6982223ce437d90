/**
 * A backtest: the policy's run and the fixed-price run of one scenario and seed, judged against the
 * ground truth, summed up in one JSON-able summary.
 */
import { type PricingConfig, parametersFor } from '../functions/domain/pricing-config.js';
import type { Product } from '../functions/domain/product.js';
import { InvalidSimulationOptionError } from '../simulator/errors.js';
import type { ReplenishmentPlan } from '../simulator/replenishment.js';
import type { ScenarioName, ScenarioParameters } from '../simulator/scenarios.js';
import { DEMAND_REASONS, type Episode, judgeChanges } from './ground-truth.js';
import type { Economics } from './market.js';
import type { BacktestChange } from './pricing-desk.js';
import { type ArmResult, type BacktestOptions, type BacktestWorld, buildWorld, runArm } from './run-backtest.js';

export interface BacktestRequest {
  readonly scenario: ScenarioName;
  readonly hours: number;
  readonly seed: number;
  readonly catalogue: readonly Product[];
  readonly config: PricingConfig;
  /** Where the policy came from, for the summary: `defaults` or the file's path. */
  readonly policy: string;
  /** @default 100 */
  readonly rate?: number;
  readonly scenarioParameters?: ScenarioParameters;
  readonly replenishment?: Partial<ReplenishmentPlan>;
  /** Record every product's price this often, for a chart. @default none */
  readonly samplePricesEveryMinutes?: number;
  /** Also run the oracle yardstick (oracle-prices.ts). @default false */
  readonly oracle?: boolean;
}

/** When the flash sale, the bot attack and black friday begin in a backtest: after an hour, once baselines exist. */
export const BACKTEST_EVENT_START_SECONDS = 3_600;

/** The measure of following a real change: a price rising within 120 s of the event's start. */
const DETECTION_WINDOW_MS = 120_000;

/** How far back a change may look for the true change it answers: the longest span and a cooldown. */
const LOOKBACK_MS = 15 * 60_000;

export interface ArmSummary extends Economics {
  readonly changes: number;
  readonly changesByReason: Readonly<Record<string, number>>;
  readonly decisions: number;
  readonly seconds: number;
}

export interface BacktestSummary {
  readonly scenario: ScenarioName;
  readonly description: string;
  readonly seed: number;
  readonly hours: number;
  readonly rate: number;
  readonly products: number;
  readonly policy: string;
  readonly events: number;
  readonly clickprice: ArmSummary;
  readonly fixed: ArmSummary;
  /** The yardstick (oracle-prices.ts): what knowing the future earns; null when not run. */
  readonly oracle: ArmSummary | null;
  readonly profitDeltaPct: number;
  readonly oracleProfitDeltaPct: number | null;
  readonly revenueDeltaPct: number;
  readonly demand: {
    readonly demandDrivenChanges: number;
    readonly falseChanges: number;
    readonly falseByReason: Readonly<Record<string, number>>;
    readonly episodes: number;
    readonly detected: number;
    readonly missed: number;
    /** Episodes of products seen at least once a minute: the ones a detector can be asked to find. */
    readonly eligibleEpisodes: number;
    readonly eligibleDetected: number;
    readonly detectionDelaySeconds: {
      readonly median: number | null;
      readonly p90: number | null;
      readonly max: number | null;
    };
  };
  readonly flashSale: {
    readonly category: string;
    readonly eligibleProducts: number;
    readonly roseWithin120s: number;
    readonly recall: number | null;
    readonly demandChangesOutside: number;
  } | null;
  readonly botAttack: {
    readonly products: readonly string[];
    /** The highest price each attacked product reached, above its base, in steps of maxStepPct of base. */
    readonly maxStepsAboveBase: Readonly<Record<string, number>>;
    readonly heldToOneStep: boolean;
  } | null;
  /** Wall seconds of the policy's run per 24 simulated hours. */
  readonly secondsPer24h: number;
}

export interface BacktestResult {
  readonly summary: BacktestSummary;
  readonly world: BacktestWorld;
  readonly clickprice: ArmResult;
  readonly fixed: ArmResult;
  readonly oracle: ArmResult | null;
}

/** Runs the policy and fixed prices on the same shoppers, and judges the policy's changes. */
export async function runBacktest(request: BacktestRequest): Promise<BacktestResult> {
  const scenarioParameters: ScenarioParameters = {
    ...request.scenarioParameters,
    flashSale: { startSeconds: BACKTEST_EVENT_START_SECONDS, ...request.scenarioParameters?.flashSale },
    botAttack: { startSeconds: BACKTEST_EVENT_START_SECONDS, ...request.scenarioParameters?.botAttack },
    blackFriday: { startSeconds: BACKTEST_EVENT_START_SECONDS, ...request.scenarioParameters?.blackFriday },
  };
  const base: Omit<BacktestOptions, 'pricing'> = {
    scenario: request.scenario,
    scenarioParameters,
    hours: request.hours,
    seed: request.seed,
    catalogue: request.catalogue,
    rate: request.rate,
    config: request.config,
    replenishment: request.replenishment,
    samplePricesEveryMinutes: request.samplePricesEveryMinutes,
  };
  const world = buildWorld({ ...base, pricing: 'policy' });
  // A run that ends before its event begins, or within the 120 s a rise is given, would report the
  // event as missed, or as not there at all.
  const { flashSale, shift, bots } = world.scenario;
  const eventStartMs =
    flashSale?.startMs ??
    shift?.startMs ??
    bots?.startMs ??
    (request.scenario === 'black-friday' ? (scenarioParameters.blackFriday?.startSeconds ?? 0) * 1000 : undefined);
  if (eventStartMs !== undefined && eventStartMs + DETECTION_WINDOW_MS > world.durationMs) {
    const neededHours = Math.ceil(((eventStartMs + DETECTION_WINDOW_MS) / 3_600_000) * 100) / 100;
    throw new InvalidSimulationOptionError(
      `${request.scenario} begins ${eventStartMs / 1000} s into a backtest and is watched for ${DETECTION_WINDOW_MS / 1000} s; a run of ${request.hours} h ends before that (give at least ${neededHours} hours)`,
    );
  }
  const clickprice = await runArm({ ...base, pricing: 'policy' }, world);
  const fixed = await runArm({ ...base, pricing: 'fixed' }, buildWorld({ ...base, pricing: 'fixed' }));
  const oracle = request.oracle
    ? await runArm({ ...base, pricing: 'oracle' }, buildWorld({ ...base, pricing: 'oracle' }))
    : null;
  return { summary: summarise(request, world, clickprice, fixed, oracle), world, clickprice, fixed, oracle };
}

function summarise(
  request: BacktestRequest,
  world: BacktestWorld,
  clickprice: ArmResult,
  fixed: ArmResult,
  oracle: ArmResult | null,
): BacktestSummary {
  const { scenario, model, startTime, durationMs } = world;
  const products = request.catalogue.map((product) => ({
    productId: product.productId,
    baselineViewsPerMinute: model.expectedViewsPerMinute(product.productId),
  }));
  const judgement = judgeChanges(clickprice.changes, (id, offset) => model.trueMultiplier(id, offset), products, {
    startMs: startTime,
    durationMs,
    lookbackMs: LOOKBACK_MS,
  });
  const detected = judgement.episodes.filter((episode) => episode.detectedAfterMs !== null);
  const eligible = judgement.episodes.filter((episode) => episode.baselineViewsPerMinute >= 1);
  return {
    scenario: request.scenario,
    description: scenario.description,
    seed: request.seed,
    hours: request.hours,
    rate: request.rate ?? 100,
    products: request.catalogue.length,
    policy: request.policy,
    events: clickprice.events,
    clickprice: armSummary(clickprice),
    fixed: armSummary(fixed),
    oracle: oracle && armSummary(oracle),
    profitDeltaPct: percentChange(clickprice.economics.profit, fixed.economics.profit),
    oracleProfitDeltaPct: oracle && percentChange(oracle.economics.profit, fixed.economics.profit),
    revenueDeltaPct: percentChange(clickprice.economics.revenue, fixed.economics.revenue),
    demand: {
      demandDrivenChanges: judgement.demandDriven,
      falseChanges: judgement.falseChanges,
      falseByReason: judgement.falseByReason,
      episodes: judgement.episodes.length,
      detected: detected.length,
      missed: judgement.episodes.length - detected.length,
      eligibleEpisodes: eligible.length,
      eligibleDetected: eligible.filter((episode) => episode.detectedAfterMs !== null).length,
      detectionDelaySeconds: delays(detected),
    },
    flashSale: flashSaleSummary(world, clickprice.changes, products),
    botAttack: botAttackSummary(world.scenario.bots, clickprice.changes, request),
    secondsPer24h: (clickprice.seconds * 24) / request.hours,
  };
}

function armSummary(arm: ArmResult): ArmSummary {
  const changesByReason: Record<string, number> = {};
  for (const change of arm.changes) changesByReason[change.reasonCode] = (changesByReason[change.reasonCode] ?? 0) + 1;
  return {
    ...arm.economics,
    changes: arm.changes.length,
    changesByReason,
    decisions: arm.decisions,
    seconds: arm.seconds,
  };
}

function percentChange(value: number, reference: number): number {
  return reference === 0 ? 0 : ((value - reference) / reference) * 100;
}

function delays(episodes: readonly Episode[]) {
  const seconds = episodes.map((episode) => (episode.detectedAfterMs ?? 0) / 1000).sort((a, b) => a - b);
  const at = (share: number) =>
    seconds.length === 0 ? null : (seconds[Math.min(seconds.length - 1, Math.floor(share * seconds.length))] as number);
  return { median: at(0.5), p90: at(0.9), max: seconds.at(-1) ?? null };
}

function flashSaleSummary(
  world: BacktestWorld,
  changes: readonly BacktestChange[],
  products: readonly { productId: string; baselineViewsPerMinute: number }[],
): BacktestSummary['flashSale'] {
  const sale = world.scenario.flashSale;
  if (sale === null) return null;
  const categoryOf = new Map(world.market.products.map((product) => [product.productId, product.category]));
  const inCategory = products.filter((product) => categoryOf.get(product.productId) === sale.category);
  const eligible = inCategory.filter((product) => product.baselineViewsPerMinute >= 1);
  const saleStart = world.startTime + sale.startMs;
  const rose = new Set(
    changes
      .filter(
        (change) =>
          (change.reasonCode === 'demand_surge' || change.reasonCode === 'demand_high') &&
          change.atMs >= saleStart &&
          change.atMs <= saleStart + DETECTION_WINDOW_MS,
      )
      .map((change) => change.productId),
  );
  const roseWithin120s = eligible.filter((product) => rose.has(product.productId)).length;
  return {
    category: sale.category,
    eligibleProducts: eligible.length,
    roseWithin120s,
    recall: eligible.length === 0 ? null : roseWithin120s / eligible.length,
    demandChangesOutside: changes.filter(
      (change) => DEMAND_REASONS.has(change.reasonCode) && categoryOf.get(change.productId) !== sale.category,
    ).length,
  };
}

/** How high each attacked product went, in steps above base, and whether every one stayed within one. */
export function botAttackSummary(
  bots: { readonly productIds: readonly string[] } | null,
  changes: readonly BacktestChange[],
  request: Pick<BacktestRequest, 'catalogue' | 'config'>,
): BacktestSummary['botAttack'] {
  if (bots === null) return null;
  const maxStepsAboveBase: Record<string, number> = {};
  let heldToOneStep = true;
  for (const productId of bots.productIds) {
    const product = request.catalogue.find((candidate) => candidate.productId === productId) as Product;
    const step = Math.max(
      1,
      Math.floor((product.basePrice * parametersFor(request.config, product.category).maxStepPct) / 100),
    );
    const highest = changes
      .filter((change) => change.productId === productId)
      .reduce((max, change) => Math.max(max, change.newPrice), product.price);
    // Judged in cents: the steps shown are rounded, and 1.004 steps is more than one.
    if (highest > product.basePrice + step) heldToOneStep = false;
    maxStepsAboveBase[productId] = Math.round(((highest - product.basePrice) / step) * 100) / 100;
  }
  return { products: bots.productIds, maxStepsAboveBase, heldToOneStep };
}
