/**
 * What a backtest leaves behind for people: the price path (every change, JSONL) and a chart of
 * price against true demand for chosen products (one self-contained HTML page, inline SVG).
 */
import { writeFile } from 'node:fs/promises';
import type { BacktestResult } from './compare.js';

/** The JSONL price path: a header with the products, then one line per price change of the policy. */
export async function writePricePath(path: string, result: BacktestResult): Promise<void> {
  const { summary, world, clickprice } = result;
  const header = {
    scenario: summary.scenario,
    seed: summary.seed,
    hours: summary.hours,
    startTime: new Date(world.startTime).toISOString(),
    products: world.market.products.map(({ productId, category, basePrice, unitCost }) => ({
      productId,
      category,
      basePrice,
      unitCost,
    })),
  };
  const lines = [JSON.stringify(header)];
  for (const change of clickprice.changes) {
    const offsetMs = change.atMs - world.startTime;
    lines.push(
      JSON.stringify({
        offsetSeconds: offsetMs / 1000,
        productId: change.productId,
        oldPrice: change.oldPrice,
        newPrice: change.newPrice,
        reasonCode: change.reasonCode,
        guardrail: change.guardrail,
        source: change.source,
        trueMultiplier: world.model.trueMultiplier(change.productId, offsetMs),
      }),
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

/** Products worth a chart: those of the category a scenario moves, busiest first, else the busiest. */
export function chartProducts(result: BacktestResult, count = 4): string[] {
  const { world } = result;
  const category = world.scenario.flashSale?.category ?? world.scenario.shift?.category ?? null;
  const botTargets = world.scenario.bots?.productIds ?? [];
  if (botTargets.length > 0) return [...botTargets].slice(0, count);
  return world.market.products
    .filter((product) => category === null || product.category === category)
    .map((product) => ({ id: product.productId, views: world.model.expectedViewsPerMinute(product.productId) }))
    .sort((a, b) => b.views - a.views)
    .slice(0, count)
    .map((product) => product.id);
}

const WIDTH = 900;
const HEIGHT = 180;
const PAD = 40;

/** An HTML page: per product, its price (step line, left axis) and its true demand multiplier (right axis). */
export async function writeChart(path: string, result: BacktestResult, productIds: readonly string[]): Promise<void> {
  const { world, clickprice, summary } = result;
  const durationMs = world.durationMs;
  const x = (offsetMs: number) => PAD + ((WIDTH - 2 * PAD) * offsetMs) / durationMs;
  const panels = productIds.map((productId) => {
    const product = world.market.products.find((candidate) => candidate.productId === productId);
    if (product === undefined) throw new RangeError(`product ${productId} is not in the catalogue`);
    const changes = clickprice.changes.filter((change) => change.productId === productId);
    const prices = [product.price, ...changes.map((change) => change.newPrice)];
    const low = Math.min(...prices, product.floor);
    const high = Math.max(...prices, product.ceiling);
    const yPrice = (price: number) => HEIGHT - PAD / 2 - ((HEIGHT - PAD) * (price - low)) / Math.max(1, high - low);
    const steps: string[] = [`${x(0)},${yPrice(product.price)}`];
    let price = product.price;
    for (const change of changes) {
      const at = x(change.atMs - world.startTime);
      steps.push(`${at},${yPrice(price)}`, `${at},${yPrice(change.newPrice)}`);
      price = change.newPrice;
    }
    steps.push(`${x(durationMs)},${yPrice(price)}`);
    const samples = 400;
    const truth = Array.from({ length: samples + 1 }, (_, index) => (durationMs * index) / samples);
    const multipliers = truth.map((offset) => world.model.trueMultiplier(productId, offset));
    const top = Math.max(2, ...multipliers);
    const yDemand = (multiplier: number) => HEIGHT - PAD / 2 - ((HEIGHT - PAD) * multiplier) / top;
    const demandLine = truth.map((offset, index) => `${x(offset)},${yDemand(multipliers[index] as number)}`).join(' ');
    const markers = changes
      .map(
        (change) =>
          `<circle cx="${x(change.atMs - world.startTime)}" cy="${yPrice(change.newPrice)}" r="3"><title>${change.reasonCode} (${change.source}): ${change.oldPrice} → ${change.newPrice}</title></circle>`,
      )
      .join('');
    return `<figure><figcaption>${productId} (${product.category}), base ${product.basePrice}, ${world.model.expectedViewsPerMinute(productId).toFixed(1)} views/min usually</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="price and true demand of ${productId}">
<line x1="${PAD}" y1="${yPrice(product.basePrice)}" x2="${WIDTH - PAD}" y2="${yPrice(product.basePrice)}" class="base"/>
<polyline points="${demandLine}" class="demand"/>
<polyline points="${steps.join(' ')}" class="price"/>${markers}
<text x="4" y="${yPrice(high) + 4}">${high}</text><text x="4" y="${yPrice(low)}">${low}</text>
<text x="${WIDTH - PAD + 4}" y="${yDemand(top) + 4}" class="demand-label">×${top}</text><text x="${WIDTH - PAD + 4}" y="${yDemand(1)}" class="demand-label">×1</text>
</svg></figure>`;
  });
  const html = `<!doctype html><meta charset="utf-8"><title>backtest: ${summary.scenario}, seed ${summary.seed}</title>
<style>body{font:14px system-ui;margin:1rem}svg{background:#fafafa;border:1px solid #ddd}.price{fill:none;stroke:#1f5fbf;stroke-width:2}.demand{fill:none;stroke:#d9822b;stroke-width:1.5}.base{stroke:#999;stroke-dasharray:4 4}circle{fill:#1f5fbf}.demand-label{fill:#d9822b}text{font-size:11px}</style>
<h1>${summary.scenario}: price (blue, cents) against true demand (orange, × usual)</h1>
<p>${summary.description}. Profit ${summary.profitDeltaPct.toFixed(2)} % against fixed prices; ${summary.demand.demandDrivenChanges} demand-driven changes, ${summary.demand.falseChanges} of them false.</p>
${panels.join('\n')}`;
  await writeFile(path, html);
}
