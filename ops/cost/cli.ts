/**
 * `npm run cost -- --events-per-day N [--products N] [--peak-factor X] [--api-requests-per-day N]
 * [--changes-per-product-per-day X] [--json]`: clickprice's monthly AWS bill by service at a traffic
 * level, with every line's quantity and unit price and the assumptions it rests on (cost-model.ts).
 * Counts are whole numbers in plain digits (thousands may be grouped with `,` or `_`), factors plain
 * decimals; no exponents or hex, so a typo is refused rather than priced. Each flag is bounded by
 * TRAFFIC_LIMITS (the model's reach); out of bounds is refused, naming the flag and the bound.
 * Exit codes: 0 printed, 2 bad usage.
 */
import { parseFlags, runCli, UsageError } from '../../cli/args.js';
import { table } from '../format.js';
import { AWS_PRICES } from './aws-prices.js';
import {
  estimateMonthlyCost,
  TRAFFIC_LIMITS,
  type Traffic,
  type TrafficNames,
  USAGE,
  withDefaults,
} from './cost-model.js';

const limit = (value: number) => value.toLocaleString('en-US');

const USAGE_TEXT = [
  'usage: npm run cost -- --events-per-day N [--products N] [--peak-factor X] [--api-requests-per-day N] [--changes-per-product-per-day X] [--json] [--help]',
  '  N: a whole number in digits, thousands optionally grouped by , or _ (10000000, 10,000,000, 10_000_000); X: digits with an optional decimal point (2.5); no exponents (1e6), signs or hex.',
  `  --events-per-day 1 to ${limit(TRAFFIC_LIMITS.maxEventsPerDay)}; --products 1 to ${limit(TRAFFIC_LIMITS.maxProducts)} (default 240);` +
    ` --peak-factor ${TRAFFIC_LIMITS.minPeakFactor} to ${limit(TRAFFIC_LIMITS.maxPeakFactor)} (default 3; the busiest second at most ${limit(TRAFFIC_LIMITS.maxPeakEventsPerSecond)} events);` +
    ` --api-requests-per-day 1 to ${limit(TRAFFIC_LIMITS.maxApiRequestsPerDay)} (default a tenth of the events);` +
    ` --changes-per-product-per-day above 0 to ${limit(TRAFFIC_LIMITS.maxChangesPerProductPerDay)} (default 1)`,
].join('\n');

const FLAGS: TrafficNames = {
  eventsPerDay: '--events-per-day',
  products: '--products',
  peakFactor: '--peak-factor',
  apiRequestsPerDay: '--api-requests-per-day',
  changesPerProductPerDay: '--changes-per-product-per-day',
};

/** A whole number as typed: plain digits, or digits grouped by three with `,` or `_` (not mixed). */
const WHOLE = /^(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?:_\d{3})+)$/;
/** A decimal as typed: digits with an optional fractional part. */
const DECIMAL = /^\d+(?:\.\d+)?$/;

/** A count flag's value (range checked later, with the others: checkTraffic). */
function parseCount(text: string, flag: string): number {
  if (!WHOLE.test(text)) {
    throw new UsageError(
      `${flag} must be a whole number in digits (e.g. 10000000, 10,000,000 or 10_000_000); got ${JSON.stringify(text)}`,
    );
  }
  return Number(text.replaceAll(/[,_]/g, ''));
}

/** A factor or rate flag's value (range checked later: checkTraffic). */
function parseDecimal(text: string, flag: string): number {
  if (!DECIMAL.test(text)) {
    throw new UsageError(`${flag} must be a number in digits, e.g. 3 or 2.5; got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The traffic a command line asks for, every flag checked (a UsageError naming the flag otherwise). */
function trafficFromArgs(values: Partial<Record<keyof Traffic, string>>): Traffic {
  const read = (key: keyof Traffic, parse: (text: string, flag: string) => number) => {
    const text = values[key];
    return text === undefined ? undefined : parse(text, FLAGS[key]);
  };
  const eventsPerDay = read('eventsPerDay', parseCount);
  if (eventsPerDay === undefined) throw new UsageError(`--events-per-day is required\n${USAGE_TEXT}`);
  const overrides: { -readonly [K in keyof Omit<Traffic, 'eventsPerDay'>]?: number } = {};
  const set = (key: keyof typeof overrides, parse: (text: string, flag: string) => number) => {
    const value = read(key, parse);
    if (value !== undefined) overrides[key] = value;
  };
  set('products', parseCount);
  set('peakFactor', parseDecimal);
  set('apiRequestsPerDay', parseCount);
  set('changesPerProductPerDay', parseDecimal);
  try {
    return withDefaults(eventsPerDay, overrides, FLAGS);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function usd(amount: number): string {
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function quantity(amount: number): string {
  return amount.toLocaleString('en-US', { maximumFractionDigits: amount < 10 ? 3 : 1 });
}

await runCli(async () => {
  const values = parseFlags(
    process.argv.slice(2),
    {
      'events-per-day': { type: 'string' },
      products: { type: 'string' },
      'peak-factor': { type: 'string' },
      'api-requests-per-day': { type: 'string' },
      'changes-per-product-per-day': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    USAGE_TEXT,
  );
  if (values.help) {
    console.log(USAGE_TEXT);
    return;
  }
  // Every flag is read and checked before any estimate.
  const traffic = trafficFromArgs({
    eventsPerDay: values['events-per-day'],
    products: values.products,
    peakFactor: values['peak-factor'],
    apiRequestsPerDay: values['api-requests-per-day'],
    changesPerProductPerDay: values['changes-per-product-per-day'],
  });

  const estimate = estimateMonthlyCost(traffic, AWS_PRICES);
  if (values.json) {
    console.log(JSON.stringify({ prices: AWS_PRICES, usage: USAGE, ...estimate }, null, 2));
    return;
  }
  const { derived } = estimate;
  console.log(
    `clickprice in ${AWS_PRICES.region}, a month at ${traffic.eventsPerDay.toLocaleString('en-US')} events/day ` +
      `(${traffic.products.toLocaleString('en-US')} products, peak ${traffic.peakFactor}× the mean, ${traffic.apiRequestsPerDay.toLocaleString('en-US')} API requests/day, ` +
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
