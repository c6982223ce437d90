/**
 * `npm run simulate`: shoppers (and bots, and broken producers) on the clicks stream.
 *
 *   npm run simulate -- --rate 500 --duration 60 --scenario flash-sale --seed 7
 *
 * A live progress line goes to stderr on a terminal; the JSON summary is the last line on stdout.
 * Usage and set-up errors print one line and exit 2; records lost exit 1, a stop at once (a second
 * Ctrl-C) exits 130. See the README's "Simulator" section.
 */
import { parseChoice, parseFlags, parsePositiveInteger, parsePositiveNumber, runCli, UsageError } from '../cli/args.js';
import { parseInstantMs } from '../cli/instant.js';
import { LocalStackError } from '../local/errors.js';
import { embeddedCatalogue, openEmbeddedTarget } from '../local/simulation-target.js';
import { SimulatorError } from './errors.js';
import { formatProgress, progressWriter } from './progress.js';
import { assertReplayReadable } from './recording.js';
import { outcomeOf } from './run-outcome.js';
import { runSimulation, type SimulationOptions } from './run-simulation.js';
import {
  buildScenario,
  SCENARIO_NAMES,
  type ScenarioName,
  type ScenarioParameters,
  scenarioCatalogueOf,
} from './scenarios.js';
import { openTarget, planTarget } from './targets.js';

const USAGE = `usage: npm run simulate -- [--rate N] [--duration S] [--scenario ${SCENARIO_NAMES.join('|')}] [--seed N]
         [--start-time ISO] [--fast] [--out FILE.jsonl] [--replay FILE.jsonl]
         [--category SLUG] [--bot-products ID,ID] [--bots N] [--bad-share F]
         [--restock-every MIN] [--restock-cover MIN]
         [--local | --endpoint-kinesis URL --endpoint-dynamodb URL | --stream NAME --region R --products-table T --orders-table T]`;

/** Parses a flag's value as a number ≥ 0 (decimals allowed), naming the flag when it is not one. */
function parseNonNegativeNumber(value: string | undefined, flag: string): number {
  const parsed = Number(value);
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(parsed)) {
    throw new UsageError(`${flag} must be a number of minutes >= 0, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function flagsOf(argv: readonly string[]) {
  return parseFlags(
    argv,
    {
      rate: { type: 'string' },
      duration: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      'start-time': { type: 'string' },
      fast: { type: 'boolean' },
      out: { type: 'string' },
      replay: { type: 'string' },
      category: { type: 'string' },
      'bot-products': { type: 'string' },
      bots: { type: 'string' },
      'bad-share': { type: 'string' },
      'restock-every': { type: 'string' },
      'restock-cover': { type: 'string' },
      local: { type: 'boolean' },
      stream: { type: 'string' },
      region: { type: 'string' },
      'products-table': { type: 'string' },
      'orders-table': { type: 'string' },
      'endpoint-kinesis': { type: 'string' },
      'endpoint-dynamodb': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
}

type Flags = ReturnType<typeof flagsOf>;

/** Scenario knobs, each refused unless its scenario is the one chosen. */
function scenarioParameters(flags: Flags, scenario: ScenarioName): ScenarioParameters {
  const belongsTo = (flag: string, owner: ScenarioName) => {
    if (scenario !== owner) throw new UsageError(`--${flag} applies to --scenario ${owner} only`);
  };
  const parameters: { -readonly [K in keyof ScenarioParameters]: ScenarioParameters[K] } = {};
  if (flags.category !== undefined) {
    belongsTo('category', 'flash-sale');
    parameters.flashSale = { category: flags.category };
  }
  if (flags['bot-products'] !== undefined || flags.bots !== undefined) {
    belongsTo(flags.bots !== undefined ? 'bots' : 'bot-products', 'bot-attack');
    const productIds = flags['bot-products']
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    parameters.botAttack = {
      ...(productIds ? { productIds } : {}),
      ...(flags.bots !== undefined ? { sessions: parsePositiveInteger(flags.bots, '--bots') } : {}),
    };
  }
  if (flags['bad-share'] !== undefined) {
    belongsTo('bad-share', 'bad-events');
    const share = parsePositiveNumber(flags['bad-share'], '--bad-share');
    if (share > 1) throw new UsageError(`--bad-share must be at most 1, got ${share}`);
    parameters.badEvents = { share };
  }
  return parameters;
}

/** The restocking plan's overrides; a replay does not restock, so it refuses them. */
function replenishment(flags: Flags): SimulationOptions['replenishment'] {
  const given = (['restock-every', 'restock-cover'] as const).filter((flag) => flags[flag] !== undefined);
  if (given.length === 0) return undefined;
  if (flags.replay !== undefined) {
    throw new UsageError(`--${given[0]} does not apply to --replay: a replay does not restock`);
  }
  return {
    ...(flags['restock-every'] !== undefined
      ? { everyMinutes: parsePositiveNumber(flags['restock-every'], '--restock-every') }
      : {}),
    ...(flags['restock-cover'] !== undefined
      ? { coverMinutes: parseNonNegativeNumber(flags['restock-cover'], '--restock-cover') }
      : {}),
  };
}

/** The run's options from the flags; everything is checked before any service is touched. */
async function runOptions(flags: Flags): Promise<Omit<SimulationOptions, 'target'>> {
  const durationSeconds = flags.duration === undefined ? null : parsePositiveInteger(flags.duration, '--duration');
  if (flags.fast && durationSeconds === null && flags.replay === undefined) {
    throw new UsageError('--fast needs --duration (a fast run would never end)');
  }
  const common = {
    durationSeconds,
    pace: flags.fast ? ('fast' as const) : ('realtime' as const),
    out: flags.out,
    replenishment: replenishment(flags),
  };
  if (flags.replay !== undefined) {
    const conflicting = [
      'rate',
      'scenario',
      'seed',
      'start-time',
      'duration',
      'category',
      'bot-products',
      'bots',
      'bad-share',
    ]
      .filter((flag) => flags[flag as keyof Flags] !== undefined)
      .map((flag) => `--${flag}`);
    if (conflicting.length > 0) {
      throw new UsageError(
        `--replay sends the recording exactly as it was; ${conflicting.join(', ')} cannot change it`,
      );
    }
    await assertReplayReadable(flags.replay);
    return { ...common, replay: flags.replay };
  }
  const scenario = parseChoice(flags.scenario ?? 'steady', SCENARIO_NAMES, '--scenario');
  const startTime = flags['start-time'] === undefined ? undefined : parseInstantMs(flags['start-time'], '--start-time');
  return {
    ...common,
    scenario,
    scenarioParameters: scenarioParameters(flags, scenario),
    rate: flags.rate === undefined ? 100 : parsePositiveNumber(flags.rate, '--rate'),
    seed: flags.seed === undefined ? 1 : parsePositiveInteger(flags.seed, '--seed'),
    startTime,
  };
}

/** Refuses an unreadable replay file before any service is started; its lines are checked when it is read. */

// The SDK warns about Node 20's support window once per process; keep the simulator's stderr clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await runCli(async () => {
  const flags = flagsOf(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const options = await runOptions(flags);
  const plan = planTarget({
    local: flags.local,
    stream: flags.stream,
    region: flags.region,
    productsTable: flags['products-table'],
    ordersTable: flags['orders-table'],
    endpointKinesis: flags['endpoint-kinesis'],
    endpointDynamodb: flags['endpoint-dynamodb'],
  });

  const controller = new AbortController();
  const stopNow = new AbortController();
  const stop = () => {
    if (stopNow.signal.aborted) process.exit(130);
    if (controller.signal.aborted || plan.kind === 'embedded') {
      // An embedded stack got the same Ctrl-C (same process group): there is nothing left to drain into.
      process.stderr.write('\nstopping now: records still queued are abandoned, not sent\n');
      controller.abort();
      stopNow.abort();
      return;
    }
    process.stderr.write('\nstopping: sending what is queued (Ctrl-C again to stop at once)\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (plan.kind === 'embedded') {
    // Its catalogue is known before it starts: a category or product it lacks is refused without the
    // seconds of starting DynamoDB Local and kinesalite (on other targets, once their table is read).
    if (options.scenario !== undefined) {
      buildScenario(
        options.scenario,
        scenarioCatalogueOf(embeddedCatalogue()),
        options.seed ?? 1,
        options.scenarioParameters,
      );
    }
    process.stderr.write('starting an embedded local stack (DynamoDB Local + kinesalite)…\n');
  }
  // The entry point wires the local runtime in: the simulator itself never imports it.
  const opened = await openTarget(plan, () => openEmbeddedTarget());
  const progress = process.stderr.isTTY ? progressWriter(process.stderr) : null;
  try {
    process.stderr.write(`simulating against ${opened.description}\n`);
    const summary = await runSimulation({
      ...options,
      target: opened.target,
      signal: controller.signal,
      stopNow: stopNow.signal,
      onProgress: progress ? (snapshot) => progress.update(formatProgress(snapshot)) : undefined,
    });
    progress?.end();
    console.log(JSON.stringify(summary));
    const outcome = outcomeOf(summary.sender, stopNow.signal.aborted);
    for (const message of outcome.messages) process.stderr.write(`${message}\n`);
    return outcome.exitCode;
  } finally {
    progress?.end();
    await opened.close();
  }
}, [SimulatorError, LocalStackError]);
