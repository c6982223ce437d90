/**
 * `npm run cost -- --events-per-day N [--products N] [--peak-factor X] [--api-requests-per-day N]
 * [--changes-per-product-per-day X] [--json]`: clickprice's monthly AWS bill by service at a traffic
 * level, with every line's quantity and unit price and the assumptions it rests on (cost-model.ts).
 * Exit codes: 0 printed, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { runCli, UsageError } from '../../cli/args.js';
import { table } from '../format.js';
import { AWS_PRICES } from './aws-prices.js';
import { estimateMonthlyCost, type Traffic, USAGE, withDefaults } from './cost-model.js';

const USAGE_TEXT =
  'usage: npm run cost -- --events-per-day N [--products N] [--peak-factor X] [--api-requests-per-day N] [--changes-per-product-per-day X] [--json]';

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replaceAll('_', ''));
  if (!Number.isFinite(number) || number <= 0)
    throw new UsageError(`--${name} must be a positive number; got ${value}`);
  return number;
}

function usd(amount: number): string {
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function quantity(amount: number): string {
  return amount.toLocaleString('en-US', { maximumFractionDigits: amount < 10 ? 3 : 1 });
}

await runCli(async () => {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        'events-per-day': { type: 'string' },
        products: { type: 'string' },
        'peak-factor': { type: 'string' },
        'api-requests-per-day': { type: 'string' },
        'changes-per-product-per-day': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE_TEXT}`);
  }
  if (values.help) {
    console.log(USAGE_TEXT);
    return;
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const eventsPerDay = positive(text('events-per-day'), 'events-per-day');
  if (eventsPerDay === undefined) throw new UsageError(`--events-per-day is required\n${USAGE_TEXT}`);
  const overrides: { -readonly [K in keyof Omit<Traffic, 'eventsPerDay'>]?: number } = {};
  const set = (key: keyof Omit<Traffic, 'eventsPerDay'>, name: string) => {
    const value = positive(text(name), name);
    if (value !== undefined) overrides[key] = value;
  };
  set('products', 'products');
  set('peakFactor', 'peak-factor');
  set('apiRequestsPerDay', 'api-requests-per-day');
  set('changesPerProductPerDay', 'changes-per-product-per-day');

  const estimate = estimateMonthlyCost(withDefaults(eventsPerDay, overrides), AWS_PRICES);
  if (values.json) {
    console.log(JSON.stringify({ prices: AWS_PRICES, usage: USAGE, ...estimate }, null, 2));
    return;
  }
  const { traffic, derived } = estimate;
  console.log(
    `clickprice in ${AWS_PRICES.region}, a month at ${traffic.eventsPerDay.toLocaleString('en-US')} events/day ` +
      `(${traffic.products} products, peak ${traffic.peakFactor}× the mean, ${traffic.apiRequestsPerDay.toLocaleString('en-US')} API requests/day, ` +
      `${traffic.changesPerProductPerDay} price change/product/day)\n`,
  );
  console.log(
    table(
      ['service', 'item', 'quantity', 'unit', 'unit price', 'per month'],
      estimate.lines.map((line) => [
        line.service,
        line.item,
        quantity(line.quantity),
        line.unit,
        `$${line.unitPriceUsd}`,
        usd(line.monthlyUsd),
      ]),
      [2, 4, 5],
    ),
  );
  console.log('');
  console.log(
    table(
      ['service', 'per month'],
      [
        ...Object.entries(estimate.byService).map(([service, amount]) => [service, usd(amount)]),
        ['total', usd(estimate.totalUsd)],
      ],
      [1],
    ),
  );
  console.log(
    `\nderived: ${derived.shards} shards; ${quantity(derived.clickstreamBatchesPerDay)} fast-path batches/day of ` +
      `${quantity(derived.eventsPerBatch)} events, ${quantity(derived.counterWritesPerBatch)} counter writes each; ` +
      `${quantity(derived.aggregateRowsPerDay)} aggregate rows/day; ${quantity(derived.priceChangesPerDay)} price changes/day.\n` +
      'assumptions: ops/cost/cost-model.ts (USAGE) and ops/cost/aws-prices.ts; free tiers, data transfer and support are left out.',
  );
});
