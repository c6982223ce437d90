/**
 * `npm start`: the embedded local stack, seeded, running until Ctrl-C (or `--duration N` seconds).
 * The last line on stdout is a JSON summary of the run.
 *
 *   npm start -- [--duration N] [--data-dir DIR] [--dynamodb-port P] [--kinesis-port P] [--seed N] [--products N]
 */
import { parseArgs } from 'node:util';
import { toIso } from '../../functions/domain/time.js';
import { generateCatalogue } from '../../simulator/catalogue.js';
import { loadCatalogue } from '../catalogue-loader.js';
import { parsePort, parsePositiveInteger, runCli, UsageError } from '../cli-args.js';
import { LocalStackError } from './errors.js';
import { localStackEnvironment, startLocalStack } from './local-stack.js';

const USAGE =
  'usage: npm start -- [--duration N] [--data-dir DIR] [--dynamodb-port P] [--kinesis-port P] [--seed N] [--products N]';

function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        duration: { type: 'string' },
        'data-dir': { type: 'string' },
        'dynamodb-port': { type: 'string' },
        'kinesis-port': { type: 'string' },
        seed: { type: 'string', default: '42' },
        products: { type: 'string', default: '240' },
      },
    });
    return {
      durationSeconds: values.duration === undefined ? null : parsePositiveInteger(values.duration, '--duration'),
      dataDir: values['data-dir'],
      dynamodbPort: parsePort(values['dynamodb-port'], '--dynamodb-port'),
      kinesisPort: parsePort(values['kinesis-port'], '--kinesis-port'),
      seed: parsePositiveInteger(values.seed, '--seed'),
      productCount: parsePositiveInteger(values.products, '--products'),
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
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
    process.once('SIGINT', () => finish('SIGINT'));
    process.once('SIGTERM', () => finish('SIGTERM'));
    // If whatever started us dies without signalling us (npm killed hard), we are re-parented:
    // shut down rather than run on as an orphan.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) finish('parent-exit');
    }, 500);
    watch.unref();
  });
}

await runCli(async () => {
  const options = parseOptions();
  const startedAt = Date.now();
  const stack = await startLocalStack(options);
  try {
    Object.assign(process.env, localStackEnvironment(stack));
    const catalogue = await loadCatalogue(
      stack.clients.documentClient,
      stack.tableNames.products,
      generateCatalogue(toIso(startedAt), { seed: options.seed, productCount: options.productCount }),
    );

    console.log(`clickprice local stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    console.log(`  DynamoDB Local  ${stack.endpoints.dynamodb}`);
    console.log(`  Kinesis         ${stack.endpoints.kinesis}   stream: ${stack.streamName}`);
    for (const [id, name] of Object.entries(stack.tableNames)) console.log(`  table ${id.padEnd(14)} ${name}`);
    console.log(
      `  catalogue: ${catalogue.created} products created, ${catalogue.existing} already present (seed ${options.seed})`,
    );
    console.log(`  data: ${stack.dataDir ?? 'in memory (pass --data-dir DIR to keep it)'}`);
    console.log(
      options.durationSeconds === null ? 'Press Ctrl-C to stop.' : `Running for ${options.durationSeconds} s.`,
    );

    const endedBy = await waitForEnd(options.durationSeconds);
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
        dataDir: stack.dataDir,
      }),
    );
  } finally {
    await stack.stop();
  }
}, [LocalStackError]);
