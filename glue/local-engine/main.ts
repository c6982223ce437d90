/**
 * The local Glue engine as a process of its own:
 *
 *   node --import tsx glue/local-engine/main.ts --state-dir DIR [--window-seconds N] [--once]
 *                                               [--products-refresh-seconds N] [--engine duckdb|spark]
 *
 * Endpoints, table and stream names come from the environment the local stack hands its workers
 * (localStackEnvironment: AWS_ENDPOINT_URL_*, TABLE_*, CLICKS_STREAM_NAME). Each committed batch is
 * printed as one JSON line on stdout. `--once` runs one batch (an uncommitted plan if there is one,
 * else the window that closed last, with every record available) and exits.
 * CLICKPRICE_GLUE_CRASH_AFTER=plan-written|rows-written makes it SIGKILL itself at that point of its
 * first batch, for the crash test.
 */
import { parseArgs } from 'node:util';
import { STREAM_ENV_VAR, tableEnvVar, tables } from '../../definitions/resources.js';
import { createLocalClients } from '../../local/clients.js';
import { CRASH_POINTS, type CrashPoint, createLocalGlueEngine, startLocalGlueEngine } from './local-glue-engine.js';
import { findGluePython } from './python-env.js';
import { GLUE_ENGINES, type GlueEngineName } from './window-aggregation.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function positive(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number > 0)) throw new Error(`${option} must be a positive number, got ${value}`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string' },
      'window-seconds': { type: 'string' },
      'products-refresh-seconds': { type: 'string' },
      once: { type: 'boolean', default: false },
      engine: { type: 'string', default: 'duckdb' },
    },
  });
  const engineName = values.engine as GlueEngineName;
  if (!GLUE_ENGINES.includes(engineName)) throw new Error(`--engine must be one of ${GLUE_ENGINES.join(', ')}`);
  const python = engineName === 'spark' ? findGluePython() : null;
  if (python !== null && 'missing' in python) throw new Error(`--engine spark: ${python.missing}`);
  const stateDir = values['state-dir'];
  if (!stateDir) throw new Error('--state-dir is required: the offset and commit logs must outlive the process');
  const crashAfter = process.env.CLICKPRICE_GLUE_CRASH_AFTER as CrashPoint | undefined;
  if (crashAfter !== undefined && !CRASH_POINTS.includes(crashAfter)) {
    throw new Error(`CLICKPRICE_GLUE_CRASH_AFTER must be one of ${CRASH_POINTS.join(', ')}`);
  }
  const clients = createLocalClients({
    dynamodb: required('AWS_ENDPOINT_URL_DYNAMODB'),
    kinesis: required('AWS_ENDPOINT_URL_KINESIS'),
  });
  const options = {
    clients,
    streamName: required(STREAM_ENV_VAR),
    tableNames: {
      products: required(tableEnvVar(tables.products)),
      orders: required(tableEnvVar(tables.orders)),
      aggregates: required(tableEnvVar(tables.aggregates)),
      pricingConfig: required(tableEnvVar(tables.pricingConfig)),
    },
    stateDir,
    windowSizeSeconds: positive(values['window-seconds'], '--window-seconds'),
    productsRefreshSeconds: positive(values['products-refresh-seconds'], '--products-refresh-seconds'),
    crashAfter,
    engine:
      python === null
        ? ({ name: 'duckdb' } as const)
        : ({ name: 'spark', python: python.python, dynamodbEndpoint: required('AWS_ENDPOINT_URL_DYNAMODB') } as const),
    logger: {
      info() {},
      warn: (message: string, attributes?: Record<string, unknown>) =>
        console.error(message, JSON.stringify(attributes ?? {})),
      error: (message: string, attributes?: Record<string, unknown>) =>
        console.error(message, JSON.stringify(attributes ?? {})),
    },
  };

  if (values.once) {
    const engine = await createLocalGlueEngine(options);
    try {
      console.log(JSON.stringify(await engine.runOnce()));
    } finally {
      await engine.stop();
      clients.destroy();
    }
    return;
  }
  const engine = await startLocalGlueEngine({
    ...options,
    logger: { ...options.logger, info: (_message, attributes) => console.log(JSON.stringify(attributes ?? {})) },
  });
  const shutdown = () => {
    void engine.stop().finally(() => {
      clients.destroy();
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
