/**
 * `npm run backtest`: the pricing policy against the simulator's shoppers in simulated time, and the
 * same shoppers at fixed prices; prints a table, and a JSON summary as the last line of stdout.
 *
 *   npm run backtest -- --scenario flash-sale --hours 3 --seed 7 [--policy FILE.json]
 *                       [--out PATH.jsonl] [--chart PAGE.html] [--chart-products ID,ID]
 *
 * Everything is checked before the run starts: a bad flag, an output path that cannot be written or a
 * policy file that fails validation is refused with the flag or field named, exit 2.
 */
import { parseChoice, parseFlags, parsePositiveInteger, parsePositiveNumber, runCli, UsageError } from '../cli/args.js';
import { assertWritableFile } from '../cli/output-file.js';
import { DEFAULT_PRICING_CONFIG } from '../functions/domain/pricing-config.js';
import { toIso } from '../functions/domain/time.js';
import { generateCatalogue, SEED_CATEGORIES } from '../simulator/catalogue.js';
import { InvalidSimulationOptionError } from '../simulator/errors.js';
import { SCENARIO_NAMES } from '../simulator/scenarios.js';
import { runBacktest } from './compare.js';
import { assertPolicyCategories, PolicyFileError, readPolicyFile } from './policy-file.js';
import { chartProducts, writeChart, writePricePath } from './price-path.js';
import { formatSummary } from './report.js';

const USAGE = `usage: npm run backtest -- --scenario ${SCENARIO_NAMES.join('|')} --hours H --seed N
         [--policy FILE.json] [--rate N] [--products N] [--catalogue-seed N]
         [--out PATH.jsonl] [--chart PAGE.html] [--chart-products ID,ID] [--oracle]`;

/** A week of simulated time is far more than any question a backtest answers, and bounds its cost. */
const MAX_HOURS = 168;

function flagsOf(argv: readonly string[]) {
  return parseFlags(
    argv,
    {
      scenario: { type: 'string' },
      hours: { type: 'string' },
      seed: { type: 'string' },
      policy: { type: 'string' },
      rate: { type: 'string' },
      products: { type: 'string' },
      'catalogue-seed': { type: 'string' },
      out: { type: 'string' },
      chart: { type: 'string' },
      'chart-products': { type: 'string' },
      oracle: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await runCli(async () => {
  const flags = flagsOf(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  for (const required of ['scenario', 'hours', 'seed'] as const) {
    if (flags[required] === undefined) throw new UsageError(`--${required} is required\n${USAGE}`);
  }
  const scenario = parseChoice(flags.scenario as string, SCENARIO_NAMES, '--scenario');
  const hours = parsePositiveNumber(flags.hours, '--hours');
  if (hours > MAX_HOURS) throw new UsageError(`--hours must be at most ${MAX_HOURS}, got ${hours}`);
  const seed = parsePositiveInteger(flags.seed, '--seed');
  const rate = flags.rate === undefined ? 100 : parsePositiveNumber(flags.rate, '--rate');
  const productCount = flags.products === undefined ? 240 : parsePositiveInteger(flags.products, '--products');
  const catalogueSeed =
    flags['catalogue-seed'] === undefined ? 42 : parsePositiveInteger(flags['catalogue-seed'], '--catalogue-seed');
  const catalogue = generateCatalogue(toIso(Date.UTC(2026, 10, 1)), { seed: catalogueSeed, productCount });
  const config = flags.policy === undefined ? DEFAULT_PRICING_CONFIG : await readPolicyFile(flags.policy);
  // Against every category the simulator's catalogues have, not this one's: a small catalogue
  // (--products under 10) lacks some, and a policy written for the whole shop still fits it.
  if (flags.policy !== undefined)
    assertPolicyCategories(
      config,
      SEED_CATEGORIES.map((category) => category.slug),
      flags.policy,
    );
  const charted = chartedProducts(flags['chart-products'], flags.chart, catalogue);
  if (flags.out !== undefined) await assertWritableFile(flags.out, '--out');
  if (flags.chart !== undefined) await assertWritableFile(flags.chart, '--chart');

  process.stderr.write(`backtest: ${scenario}, ${hours} simulated hours, seed ${seed}…\n`);
  const result = await runBacktest({
    scenario,
    hours,
    seed,
    rate,
    catalogue,
    config,
    policy: flags.policy ?? 'defaults',
    oracle: flags.oracle ?? false,
  });
  // The results first: a file that fails to write after minutes of run (a full disk) loses no figure.
  console.log(formatSummary(result.summary));
  console.log(JSON.stringify(result.summary));
  try {
    if (flags.out !== undefined) await writePricePath(flags.out, result);
    if (flags.chart !== undefined) await writeChart(flags.chart, result, charted ?? chartProducts(result));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
  return 0;
}, [PolicyFileError, InvalidSimulationOptionError]);

/** The products `--chart-products` names (undefined: the chart chooses), checked against the catalogue. */
function chartedProducts(
  list: string | undefined,
  chart: string | undefined,
  catalogue: readonly { readonly productId: string }[],
): string[] | undefined {
  if (list === undefined) return undefined;
  if (chart === undefined) throw new UsageError('--chart-products chooses the products of --chart: give --chart too');
  const charted = list
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (charted.length === 0) throw new UsageError(`--chart-products names no product: ${JSON.stringify(list)}`);
  const known = new Set(catalogue.map((product) => product.productId));
  const unknown = charted.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new UsageError(`--chart-products names products not in the catalogue: ${unknown.join(', ')}`);
  return charted;
}
