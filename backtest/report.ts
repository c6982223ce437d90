/** A backtest's summary as a table for people (the JSON is for scripts). */
import type { ArmSummary, BacktestSummary } from './compare.js';

const money = (cents: number) =>
  (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = (value: number) => value.toLocaleString('en-US');
const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(2)} %`;

function row(label: string, clickprice: string, fixed: string): string {
  return `  ${label.padEnd(26)} ${clickprice.padStart(16)} ${fixed.padStart(16)}`;
}

function economics(label: string, pick: (arm: ArmSummary) => string, summary: BacktestSummary): string {
  return row(label, pick(summary.clickprice), pick(summary.fixed));
}

export function formatSummary(summary: BacktestSummary): string {
  const { demand } = summary;
  const reasons = Object.entries(summary.clickprice.changesByReason)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, changes]) => `${reason} ${changes}`)
    .join(', ');
  const delay = demand.detectionDelaySeconds;
  const lines = [
    `backtest: ${summary.scenario} (${summary.description}), ${summary.hours} h, seed ${summary.seed}, ` +
      `${summary.products} products at ${summary.rate} events/s, policy ${summary.policy}`,
    row('', 'clickprice', 'fixed prices'),
    economics('revenue', (arm) => money(arm.revenue), summary),
    economics('cost of goods', (arm) => money(arm.cost), summary),
    economics('profit', (arm) => money(arm.profit), summary),
    economics('units sold', (arm) => count(arm.units), summary),
    economics('purchases lost (sold out)', (arm) => count(arm.lostPurchases), summary),
    economics('product-minutes sold out', (arm) => count(arm.soldOutMinutes), summary),
    economics('price changes', (arm) => count(arm.changes), summary),
    `  profit ${signed(summary.profitDeltaPct)}, revenue ${signed(summary.revenueDeltaPct)} against fixed prices` +
      (summary.oracleProfitDeltaPct === null
        ? ''
        : ` (an oracle that knows the future: profit ${signed(summary.oracleProfitDeltaPct)})`),
    `  changes by reason: ${reasons || 'none'}`,
    `  demand-driven changes ${demand.demandDrivenChanges}, of them false ${demand.falseChanges}; ` +
      `true demand changes ${demand.episodes} (${demand.eligibleEpisodes} of products seen ≥ 1/min), ` +
      `detected ${demand.detected}, missed ${demand.missed}` +
      (delay.median === null
        ? ''
        : `; detection delay median ${delay.median.toFixed(0)} s, p90 ${delay.p90?.toFixed(0)} s`),
  ];
  if (summary.flashSale) {
    const sale = summary.flashSale;
    lines.push(
      `  flash sale on ${sale.category}: ${sale.roseWithin120s} of ${sale.eligibleProducts} products seen ≥ 1/min ` +
        `rose within 120 s (${sale.recall === null ? 'n/a' : `${(sale.recall * 100).toFixed(0)} %`}); ` +
        `demand-driven changes outside the category: ${sale.demandChangesOutside}`,
    );
  }
  if (summary.botAttack) {
    const steps = Object.entries(summary.botAttack.maxStepsAboveBase).map(([id, value]) => `${id} ${value}`);
    lines.push(
      `  bot attack: highest price in steps above base: ${steps.join(', ')} (${summary.botAttack.heldToOneStep ? 'held to one step' : 'MORE THAN ONE STEP'})`,
    );
  }
  lines.push(
    `  ${summary.events.toLocaleString('en-US')} records; the policy's run took ${summary.clickprice.seconds.toFixed(1)} s (${summary.secondsPer24h.toFixed(0)} s per 24 simulated hours)`,
  );
  return lines.join('\n');
}
