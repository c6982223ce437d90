/**
 * Pricing quality (issue 14): the closed-loop backtest (backtest/) run on every scenario, against the
 * simulator's ground truth and against fixed prices on the same shoppers.
 *
 * - steady, 240 products, 24 simulated hours, 3 seeds: demand-driven changes per seed (≤ 3), and the
 *   backtest's own speed (≤ 120 s per 24 simulated hours of the policy's run, on one core: run it under
 *   `taskset -c 0` for the number the target means). Those runs are `npm run backtest` itself, each in
 *   a process of its own with the node flags the script gives (its young generation sized for a
 *   backtest's garbage): in this process, behind other runs' heaps and with V8's default young
 *   generation, the same 24 h took 10–15 % longer;
 * - flash-sale (4 h, the sale an hour in, once baselines exist), 3 seeds: the share of the sale category's
 *   products seen at least once a minute whose price rose within 120 s (≥ 90 %), and demand-driven
 *   changes outside the category (no more an hour than on steady: in 4 h, 3 × 4 / 24);
 * - bot-attack: no attacked product above one step over base;
 * - economics, clickprice against fixed prices: the worst profit difference over every scenario
 *   (≥ −0.5 %), and the lowest over three seeds of sustained-shift (4 h: an hour before, the two-hour
 *   shift, an hour after) and scarce-stock (8 h: two delivery cycles) (≥ +3 %); beside each, what the
 *   oracle yardstick (backtest/oracle-prices.ts), which knows the future, earns on the same shoppers.
 *   The +3 % is out of reach in the simulator's economics, and the oracle shows it: shoppers' demand
 *   has a constant price elasticity, so a demand multiplier does not move the profit-maximising price
 *   and only stock that would sell out makes a shift worth pricing; the oracle earns +0.25 to +2.3 % on
 *   sustained-shift. `profitShareOfOracle` is the target proposed instead: on each of those runs
 *   clickprice earns at least three quarters of what the oracle earns over fixed prices.
 * Every run but black-friday's covers whole 4-hour delivery cycles; black-friday's (an hour of usual
 * trade, then an hour of ×10–×20 traffic, which costs what a day does) sells out long before its cycle ends.
 */

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type BacktestSummary, runBacktest } from '../backtest/compare.js';
import { DEFAULT_PRICING_CONFIG } from '../functions/domain/pricing-config.js';
import { toIso } from '../functions/domain/time.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import type { ScenarioName } from '../simulator/scenarios.js';
import type { BenchResult } from './run.js';

const STEADY_HOURS = 24;
const FLASH_SALE_HOURS = 4;

const catalogue = generateCatalogue(toIso(Date.UTC(2026, 10, 1)), { seed: 42, productCount: 240 });

async function backtest(scenario: ScenarioName, hours: number, seed: number): Promise<BacktestSummary> {
  process.stderr.write(`  backtest ${scenario}, ${hours} h, seed ${seed}…\n`);
  const { summary } = await runBacktest({
    scenario,
    hours,
    seed,
    catalogue,
    config: DEFAULT_PRICING_CONFIG,
    policy: 'defaults',
    oracle: true,
  });
  return summary;
}

/**
 * A run as `npm run backtest -- … --oracle` makes it: package.json's script (node, its flags and the
 * CLI) in a child process, whose last line of stdout is the summary. The CLI's defaults are this
 * bench's catalogue (seed 42, 240 products) and policy.
 */
async function backtestCommand(scenario: ScenarioName, hours: number, seed: number): Promise<BacktestSummary> {
  process.stderr.write(`  npm run backtest -- --scenario ${scenario} --hours ${hours} --seed ${seed} --oracle…\n`);
  const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts;
  const [node, ...nodeArgs] = String(scripts.backtest).split(/\s+/);
  if (node !== 'node') throw new Error(`package.json's backtest script must start with node, got ${scripts.backtest}`);
  const args = [...nodeArgs, '--scenario', scenario, '--hours', String(hours), '--seed', String(seed), '--oracle'];
  const child = spawn(process.execPath, args, {
    cwd: new URL('..', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`npm run backtest exited ${code}: ${stdout.slice(-2000)}`);
  return JSON.parse(last) as BacktestSummary;
}

/** The numbers of a run worth keeping in the bench's JSON. */
function brief(summary: BacktestSummary) {
  return {
    seed: summary.seed,
    hours: summary.hours,
    profitDeltaPct: round(summary.profitDeltaPct),
    oracleProfitDeltaPct: summary.oracleProfitDeltaPct === null ? null : round(summary.oracleProfitDeltaPct),
    demandDrivenChanges: summary.demand.demandDrivenChanges,
    falseChanges: summary.demand.falseChanges,
    changesByReason: summary.clickprice.changesByReason,
    lostPurchases: { clickprice: summary.clickprice.lostPurchases, fixed: summary.fixed.lostPurchases },
    episodes: summary.demand.episodes,
    missed: summary.demand.missed,
    detectionDelaySeconds: summary.demand.detectionDelaySeconds,
    secondsPer24h: round(summary.secondsPer24h),
  };
}

/**
 * clickprice's profit gain over fixed prices as a share of the oracle's; a run where the oracle gains
 * nothing counts as met (1) when clickprice loses no more than it, else as 0.
 */
function shareOfOracle(summary: BacktestSummary): number {
  const oracle = summary.oracleProfitDeltaPct;
  if (oracle === null) return Number.NaN;
  if (oracle <= 0) return summary.profitDeltaPct >= oracle ? 1 : 0;
  return summary.profitDeltaPct / oracle;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<BenchResult> {
  const seeds = [1, 2, 3];
  const steady: BacktestSummary[] = [];
  for (const seed of seeds) steady.push(await backtestCommand('steady', STEADY_HOURS, seed));
  // Runs of whole delivery cycles (4 h): stock rationed near a cycle's end pays off by the delivery,
  // and a run cut before it would count the cost and not the gain.
  const flashSales: BacktestSummary[] = [];
  for (const seed of seeds) flashSales.push(await backtest('flash-sale', FLASH_SALE_HOURS, seed));
  const botAttack = await backtest('bot-attack', 4, 1);
  const shifts: BacktestSummary[] = [];
  for (const seed of seeds) shifts.push(await backtest('sustained-shift', 4, seed));
  const scarces: BacktestSummary[] = [];
  for (const seed of seeds) scarces.push(await backtest('scarce-stock', 8, seed));
  const badEvents = await backtest('bad-events', 4, 1);
  // An hour of usual trade for the baselines, then the hour of black friday.
  const blackFriday = await backtest('black-friday', 2, 1);

  const steadyDemandChanges = Math.max(...steady.map((summary) => summary.demand.demandDrivenChanges));
  const flashSaleRecall = Math.min(...flashSales.map((summary) => summary.flashSale?.recall ?? 0));
  const outsideSale = Math.max(...flashSales.map((summary) => summary.flashSale?.demandChangesOutside ?? 0));
  // "No more than on steady", per hour: steady's demand-driven changes (its target, or more if it made
  // more) over the flash sale's hours. A 4 h run is held to 3 × 4 / 24 = 0.5, so to none.
  const outsideAllowance = (Math.max(3, steadyDemandChanges) * FLASH_SALE_HOURS) / STEADY_HOURS;
  const every = [...steady, ...flashSales, botAttack, ...shifts, ...scarces, badEvents, blackFriday];
  const profitDeltaPctWorst = Math.min(...every.map((summary) => summary.profitDeltaPct));
  const shiftRuns = [...shifts, ...scarces];
  const profitDeltaPctShift = Math.min(...shiftRuns.map((summary) => summary.profitDeltaPct));
  const profitShareOfOracle = Math.min(...shiftRuns.map(shareOfOracle));
  const backtestSecondsPer24h = median(steady.map((summary) => summary.secondsPer24h));
  return {
    steady: steady.map(brief),
    flashSale: flashSales.map((summary) => ({
      ...brief(summary),
      sale: summary.flashSale && { ...summary.flashSale },
    })),
    botAttack: {
      ...brief(botAttack),
      maxStepsAboveBase: { ...botAttack.botAttack?.maxStepsAboveBase },
      heldToOneStep: botAttack.botAttack?.heldToOneStep ?? false,
    },
    sustainedShift: shifts.map(brief),
    scarceStock: scarces.map(brief),
    badEvents: brief(badEvents),
    blackFriday: brief(blackFriday),
    steadyDemandChanges,
    flashSaleRecall: round(flashSaleRecall),
    flashSaleDemandChangesOutsideCategory: outsideSale,
    profitDeltaPctWorst: round(profitDeltaPctWorst),
    profitDeltaPctShift: round(profitDeltaPctShift),
    profitShareOfOracle: round(profitShareOfOracle),
    backtestSecondsPer24h: round(backtestSecondsPer24h),
    targets: {
      steadyDemandChanges: { target: 3, met: steadyDemandChanges <= 3 },
      flashSaleRecall: { target: 0.9, met: flashSaleRecall >= 0.9 },
      flashSaleOutsideCategoryNoMoreThanSteady: {
        target: round(outsideAllowance),
        met: outsideSale <= outsideAllowance,
      },
      botAttackHeldToOneStep: { target: 1, met: botAttack.botAttack?.heldToOneStep === true },
      profitDeltaPctWorst: { target: -0.5, met: profitDeltaPctWorst >= -0.5 },
      profitDeltaPctShift: { target: 3, met: profitDeltaPctShift >= 3 },
      profitShareOfOracle: { target: 0.75, met: profitShareOfOracle >= 0.75 },
      backtestSecondsPer24h: { target: 120, met: backtestSecondsPer24h <= 120 },
      // Proposed instead: the 120 s plus what the session rules' 10-minute horizon costs (README, Backtest).
      backtestSecondsPer24hProposed: { target: 145, met: backtestSecondsPer24h <= 145 },
    },
  };
}
