/**
 * `npm start`: the embedded local stack, seeded, with the clickstream simulator running in it (steady
 * traffic with a flash sale ~20 s in), until Ctrl-C (or `--duration N` seconds). The last line on
 * stdout is a JSON summary of the run.
 *
 *   npm start -- [--duration N] [--data-dir DIR] [--dynamodb-port P] [--kinesis-port P] [--api-port P]
 *                [--seed N] [--products N] [--rate N] [--scenario NAME] [--history-minutes N] [--no-simulator]
 *                [--glue-engine duckdb|spark] [--record FILE | --replay FILE] [--drain]
 */
import { join } from 'node:path';
import { parseChoice, parseFlags, parsePort, parsePositiveInteger, runCli, UsageError } from '../cli/args.js';
import { toIso } from '../functions/domain/time.js';
import { PriceHistoryStore } from '../functions/store/price-history-store.js';
import { findGluePython } from '../glue/local-engine/python-env.js';
import { GLUE_ENGINES } from '../glue/local-engine/window-aggregation.js';
import { readWindowConfig } from '../glue/window-config.js';
import { type BackgroundSimulation, startBackgroundSimulation } from '../simulator/background-run.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import { ReplayFileError } from '../simulator/errors.js';
import { assertReplayReadable } from '../simulator/recording.js';
import { SCENARIO_NAMES } from '../simulator/scenarios.js';
import { LocalStackError } from './errors.js';
import { startLocalApi } from './local-api.js';
import { startLocalRichPath } from './local-rich-path.js';
import { localStackEnvironment, startLocalStack } from './local-stack.js';
import { deadLetterDirOf, startLocalPipeline } from './pipeline.js';
import { startPriceChangeFeed } from './price-change-feed.js';
import { seedHistory } from './seed-history.js';
import { localStackTarget } from './simulation-target.js';

const USAGE =
  'usage: npm start -- [--duration N] [--data-dir DIR] [--dynamodb-port P] [--kinesis-port P] [--api-port P]\n' +
  `                    [--seed N] [--products N] [--rate N] [--scenario ${SCENARIO_NAMES.join('|')}]\n` +
  '                    [--history-minutes N] [--no-simulator]\n' +
  '                    [--glue-engine duckdb|spark] [--record FILE | --replay FILE] [--drain]';

/**
 * Minutes of steady demand a fresh stack is seeded with (see seed-history.ts): a baseline for the
 * demand evidence from the start, so the flash sale ~20 s in is judged against usual demand.
 */
const DEFAULT_HISTORY_MINUTES = 30;

/** The simulator's defaults here: enough traffic to watch, and a flash sale soon after start-up. */
const SIMULATOR_DEFAULTS = { rate: '100', scenario: 'flash-sale', flashSaleStartSeconds: 20 } as const;

function parseOptions() {
  const values = parseFlags(
    process.argv.slice(2),
    {
      duration: { type: 'string' },
      'data-dir': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'kinesis-port': { type: 'string' },
      'api-port': { type: 'string' },
      seed: { type: 'string', default: '42' },
      products: { type: 'string', default: '240' },
      rate: { type: 'string', default: SIMULATOR_DEFAULTS.rate },
      scenario: { type: 'string', default: SIMULATOR_DEFAULTS.scenario },
      'no-simulator': { type: 'boolean', default: false },
      'history-minutes': { type: 'string', default: String(DEFAULT_HISTORY_MINUTES) },
      'glue-engine': { type: 'string', default: 'duckdb' },
      record: { type: 'string' },
      replay: { type: 'string' },
      drain: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.record !== undefined && values.replay !== undefined) {
    throw new UsageError('--record and --replay exclude each other: a replay sends a recording, it does not make one');
  }
  return {
    durationSeconds: values.duration === undefined ? null : parsePositiveInteger(values.duration, '--duration'),
    dataDir: values['data-dir'],
    dynamodbPort: parsePort(values['dynamodb-port'], '--dynamodb-port'),
    kinesisPort: parsePort(values['kinesis-port'], '--kinesis-port'),
    apiPort: parsePort(values['api-port'], '--api-port'),
    seed: parsePositiveInteger(values.seed, '--seed'),
    productCount: parsePositiveInteger(values.products, '--products'),
    historyMinutes: parseHistoryMinutes(values['history-minutes']),
    glueEngine: parseChoice(values['glue-engine'], GLUE_ENGINES, '--glue-engine'),
    drain: values.drain,
    simulator: values['no-simulator']
      ? null
      : {
          rate: parsePositiveInteger(values.rate, '--rate'),
          scenario: parseChoice(values.scenario, SCENARIO_NAMES, '--scenario'),
          record: values.record,
          replay: values.replay,
        },
  };
}

/** `--history-minutes`: 0 (none) up to a day. */
function parseHistoryMinutes(value: string | undefined): number {
  if (value === '0') return 0;
  const minutes = parsePositiveInteger(value, '--history-minutes');
  if (minutes > 1_440) throw new UsageError(`--history-minutes must be at most 1440, got ${minutes}`);
  return minutes;
}

/** Resolves with what ended the run: the duration elapsing, or a signal. */
function waitForEnd(durationSeconds: number | null): Promise<string> {
  return new Promise((resolve) => {
    const finish = (reason: string) => {
      clearTimeout(timer);
      clearInterval(watch);
      resolve(reason);
    };
    const timer = durationSeconds === null ? undefined : setTimeout(() => finish('duration'), durationSeconds * 1000);
    // `on`, not `once`: a signal comes twice under npm — Ctrl-C reaches the whole process group, and
    // npm passes its own copy on — and a second one with no listener would kill the run mid-shutdown.
    // Later ones change nothing: the first decides how the run ended.
    process.on('SIGINT', () => finish('SIGINT'));
    process.on('SIGTERM', () => finish('SIGTERM'));
    // If whatever started us dies without signalling us (npm killed hard), we are re-parented:
    // shut down rather than run on as an orphan.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) finish('parent-exit');
    }, 500);
    watch.unref();
  });
}

// The SDK warns about Node 20's support window once per process; keep the run's stderr clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await runCli(async () => {
  const options = parseOptions();
  if (options.simulator?.replay !== undefined) await assertReplayReadable(options.simulator.replay);
  // The Spark engine needs its Python before anything starts: say so at once, as for Java.
  const sparkPython = options.glueEngine === 'spark' ? findGluePython() : null;
  if (sparkPython !== null && 'missing' in sparkPython) {
    throw new LocalStackError(`--glue-engine spark: ${sparkPython.missing}`);
  }
  const startedAt = Date.now();
  const stack = await startLocalStack(options);
  try {
    Object.assign(process.env, localStackEnvironment(stack));
    const products = generateCatalogue(toIso(startedAt), { seed: options.seed, productCount: options.productCount });
    const catalogue = await loadCatalogue(stack.clients.documentClient, stack.tableNames.products, products);

    console.log(`clickprice local stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    console.log(`  DynamoDB Local  ${stack.endpoints.dynamodb}`);
    console.log(`  Kinesis         ${stack.endpoints.kinesis}   stream: ${stack.streamName}`);
    for (const [id, name] of Object.entries(stack.tableNames)) console.log(`  table ${id.padEnd(14)} ${name}`);
    console.log(
      `  catalogue: ${catalogue.created} products created, ${catalogue.existing} already present (seed ${options.seed})`,
    );
    // History only for a fresh catalogue (a restarted stack, --data-dir, has its own) and with the
    // simulator, whose traffic it continues (its rate, its seed's shoppers). The simulator
    // then starts where the history ends, at the top of the minute, so the rich path's first live
    // window is whole, not the few seconds since start-up (which would read as demand falling).
    let simulatorStart: number | undefined;
    let history: Awaited<ReturnType<typeof seedHistory>> | null = null;
    if (catalogue.existing === 0 && options.historyMinutes > 0 && options.simulator !== null) {
      simulatorStart = Math.floor(Date.now() / 60_000) * 60_000;
      history = await seedHistory(stack, products, {
        now: simulatorStart,
        seed: options.seed,
        rate: options.simulator?.rate ?? Number(SIMULATOR_DEFAULTS.rate),
        minutes: options.historyMinutes,
      });
      console.log(
        `  history: ${history.minutes} minutes of steady demand seeded (${history.demandItems} demand minutes, ` +
          `${history.aggregateRows} aggregate rows): demand evidence has its baseline from the start`,
      );
    }
    console.log(`  data: ${stack.dataDir ?? 'in memory (pass --data-dir DIR to keep it)'}`);

    // The pipeline: the clickstream Lambda handler, invoked by the local event-source mapping.
    const pipeline = await startLocalPipeline(stack, { dataDir: stack.dataDir });
    const currencies = new Map(products.map((product) => [product.productId, product.currency]));
    const feed = startPriceChangeFeed(
      new PriceHistoryStore(stack.clients.documents, stack.tableNames.priceHistory),
      (line) => console.log(line),
      { currencyOf: (productId) => currencies.get(productId) },
    );
    console.log('  fast path: clicks stream → clickstream handler → price store (price changes print below)');
    // The rich path: the local Glue engine aggregates each window of the stream, with the SQL in
    // DuckDB or with the Glue job's own PySpark code on a local Spark; the aggregates handler (in the
    // pipeline) prices each new row.
    const glue = await startLocalRichPath({
      clients: stack.clients,
      tableNames: stack.tableNames,
      streamName: stack.streamName,
      stateDir: stack.dataDir === null ? undefined : join(stack.dataDir, 'glue-local'),
      engine:
        sparkPython !== null && 'python' in sparkPython
          ? { name: 'spark', python: sparkPython.python, dynamodbEndpoint: stack.endpoints.dynamodb }
          : { name: 'duckdb' },
    });
    const engineLabel = glue.engineName === 'spark' ? "Spark 3.3, the Glue job's PySpark code" : 'DuckDB';
    console.log(
      `  rich path: local Glue engine (${engineLabel}, ${readWindowConfig().windowSizeSeconds} s windows) → aggregates → aggregates handler → price store`,
    );
    console.log(`  Glue API        ${glue.service.url}   job: ${glue.service.jobName} (npm run ops -- pipeline)`);

    // The HTTP surfaces: storefront prices, the ops API and the ops dashboard, the same handler
    // modules API Gateway invokes in AWS, behind the local API Gateway and JWT authorizer.
    const api = await startLocalApi({
      port: options.apiPort,
      dataDir: stack.dataDir,
      pipeline: {
        environment: localStackEnvironment(stack),
        deadLetterDir: stack.dataDir === null ? null : deadLetterDirOf(stack.dataDir),
      },
    });
    console.log(`  storefront API  ${api.url}/prices/P00001   ${api.url}/prices?ids=P00001,P00002`);
    console.log(
      `  ops API         ${api.url}/ops/products   (Authorization: Bearer <ops token>; npm run ops -- --help)`,
    );
    console.log(`  ops token       ${api.opsToken}`);
    console.log(`  read-only token ${api.opsReadToken}   (ops.read only, as an ops-readers member gets it)`);
    console.log(`  ops dashboard   ${api.dashboardUrl}`);
    console.log(
      `  ops sign-in     ${api.url}/dashboard   (Sign in on ${api.signInUrl}, the local stand-in for the user pool's hosted UI)`,
    );

    // The simulator runs inside the run and stops (sending what it queued) before the stack does.
    let simulation: BackgroundSimulation | null = null;
    if (options.simulator) {
      const { rate, scenario, record, replay } = options.simulator;
      simulation = startBackgroundSimulation({
        target: localStackTarget(stack),
        scenario,
        ...(record === undefined ? {} : { out: record }),
        // A replay is sent as fast as the stream takes it, so a run of any length sends all of it.
        ...(replay === undefined ? {} : { replay, pace: 'fast' as const }),
        // About 20 s after it starts sending, wherever in the past its simulated time begins.
        scenarioParameters: {
          flashSale: {
            startSeconds:
              SIMULATOR_DEFAULTS.flashSaleStartSeconds +
              Math.round((Date.now() - (simulatorStart ?? Date.now())) / 1000),
          },
        },
        rate,
        seed: options.seed,
        startTime: simulatorStart,
      });
      console.log(
        replay === undefined
          ? `  simulator: ${scenario} at ${rate} events/s (npm start -- --no-simulator to turn it off)`
          : `  simulator: replaying ${replay} (as fast as the stream takes it)`,
      );
      console.log(
        `  more traffic: npm run simulate -- --endpoint-kinesis ${stack.endpoints.kinesis} ` +
          `--endpoint-dynamodb ${stack.endpoints.dynamodb} --scenario bot-attack`,
      );
    }
    console.log(
      options.durationSeconds === null ? 'Press Ctrl-C to stop.' : `Running for ${options.durationSeconds} s.`,
    );

    const endedBy = await waitForEnd(options.durationSeconds);
    // After a signal the servers may already be gone (Ctrl-C reaches the whole process group).
    const simulator = simulation ? await simulation.stop(endedBy === 'duration' ? 'drain' : 'now') : null;
    // --drain: the rich path aggregates every record sent before the summary counts them (its window
    // closes, up to one window later), so two runs of one recording can be compared count for count.
    if (endedBy === 'duration' && options.drain) {
      await glue.waitForIdle(readWindowConfig().windowSizeSeconds * 1_000 + 60_000);
    }
    await glue.stop();
    await api.stop();
    // Let the handlers count what the simulator sent last (after a signal, stop at once).
    if (endedBy === 'duration') await pipeline.waitForIdle(15_000).catch(() => undefined);
    await pipeline.stop();
    await feed.stop();
    const [clickstream, aggregates] = pipeline.mappings.map((mapping) => mapping.stats());
    await stack.stop();
    console.log(
      JSON.stringify({
        status: 'stopped',
        endedBy,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
        endpoints: stack.endpoints,
        stream: stack.streamName,
        tables: stack.tableNames,
        catalogue,
        history,
        dataDir: stack.dataDir,
        simulator,
        pipeline: clickstream && {
          invocations: clickstream.invocations,
          recordsProcessed: clickstream.recordsSucceeded,
          recordsDiscarded: clickstream.recordsDiscarded,
        },
        richPath: (({ batchesCommitted, recordsRead, eventsAggregated, recordsRejected, rowsWritten }) => ({
          engine: glue.engineName,
          batchesCommitted,
          recordsRead,
          eventsAggregated,
          recordsRejected,
          rowsWritten,
          // The aggregates handler's share: rows of the aggregates stream it priced (the history's
          // seeded rows too) and rows given up on.
          rowsPriced: aggregates?.recordsSucceeded ?? 0,
          rowsDiscarded: aggregates?.recordsDiscarded ?? 0,
        }))(glue.stats()),
        priceChangesSeen: feed.printed,
        api: { url: api.url, ...api.stats() },
      }),
    );
  } finally {
    await stack.stop();
  }
}, [LocalStackError, ReplayFileError]);
