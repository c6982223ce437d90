import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIso } from '../../../functions/domain/time.js';
import { PipelineStack } from '../../../infra/stacks/pipeline-stack.js';
import { StatefulStack } from '../../../infra/stacks/stateful-stack.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { noBundling } from '../../helpers/cdk-context.js';
import { productView } from '../../helpers/fast-path-records.js';
import { REPO_ROOT, requireGluePython, runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';
import { scanAll, useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

/**
 * The Glue job's entry script (glue/job/clickprice_aggregates.py), which only Glue runs, run as two
 * Glue runs would be: with the arguments the synthesized template gives the job, on local Spark 3.3,
 * through the `awsglue` stand-in (test/helpers/glue_fake: Glue's documented calls, a stream of files in
 * Spark Structured Streaming, Glue's forEachBatch), an S3 stand-in for the checkpoint bucket and the
 * SQL asset, and DynamoDB Local. Nothing plans the windows for it (the local engines do): the script's
 * own S3 plan store does, from each micro-batch's arrivals, and the second run resumes from the first's
 * Spark checkpoint and plans.
 */
warnSkipped('glue-job-script');

const run = promisify(execFile);
/** Ends a run still going when the suite ends (its hook timed out, say), before its files are removed. */
const stopRuns = new AbortController();

const { clients, endpoints } = useLocalStack();
const dir = mkdtempSync(join(tmpdir(), 'clickprice-glue-script-'));
const MINUTE = 60_000;
const T = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/clickprice-clicks';
const CONSUMER_ARN = `${STREAM_ARN}/consumer/clickprice-glue:1`;

type Run = { calls: Record<string, unknown>[]; s3: Record<string, string> };
let tables: Record<'products' | 'orders' | 'aggregates' | 'pricingConfig', string>;
let products: string[];
let job: JobRun;

/** What a Glue run of the job is given: its arguments, and its script and package as CDK staged them. */
interface JobRun {
  readonly argv: string[];
  readonly script: string;
  readonly packageDir: string;
}

/**
 * The job as the synthesized template defines it, with local values for what CloudFormation resolves;
 * the script, the package and the SQL are the files CDK staged to upload, found by their asset hash.
 */
function synthesizedJob(): JobRun {
  const outdir = join(dir, 'cdk.out');
  const app = new App({ context: noBundling, outdir });
  const pipeline = new PipelineStack(app, 'Pipeline', { resources: new StatefulStack(app, 'Stateful') });
  app.synth();
  const job = Object.values(Template.fromStack(pipeline).findResources('AWS::Glue::Job'))[0]?.Properties;
  const staged = (location: unknown, extension: string) => {
    const match = /\/([0-9a-f]{64})\.(\w+)$/.exec(JSON.stringify(location).replace(/"}$/, ''));
    if (match?.[2] !== extension) throw new Error(`not a staged .${extension} asset: ${JSON.stringify(location)}`);
    return {
      hash: match[1] as string,
      path: join(outdir, `asset.${match[1]}${extension === 'zip' ? '' : `.${extension}`}`),
    };
  };
  const sql = staged(job.DefaultArguments['--sql_path'], 'sql');
  mkdirSync(join(dir, 's3', 'cdk-assets'), { recursive: true });
  copyFileSync(sql.path, join(dir, 's3', 'cdk-assets', `${sql.hash}.sql`));
  const local: Record<string, string> = {
    '--stream_arn': STREAM_ARN,
    '--fanout_consumer_arn': CONSUMER_ARN,
    '--products_table': tables.products,
    '--orders_table': tables.orders,
    '--aggregates_table': tables.aggregates,
    '--pricing_config_table': tables.pricingConfig,
    '--checkpoint_location': 's3://clickprice-checkpoints/checkpoints/',
    '--sql_path': `s3://cdk-assets/${sql.hash}.sql`,
    '--extra-py-files': 's3://cdk-assets/clickprice.zip',
  };
  const args = Object.entries(job.DefaultArguments as Record<string, unknown>).flatMap(([name, value]) => {
    if (typeof value === 'string') return [name, value];
    const given = local[name];
    if (given === undefined) throw new Error(`the test has no local value for ${name}: ${JSON.stringify(value)}`);
    return [name, given];
  });
  return {
    // Glue passes the job's name to every run.
    argv: ['--JOB_NAME', 'clickprice-aggregation', ...args],
    script: staged(job.Command.ScriptLocation, 'py').path,
    packageDir: staged(job.DefaultArguments['--extra-py-files'], 'zip').path,
  };
}

/** Appends a file of records to the stand-in stream: `views` of each product, arriving in minute `at`. */
function send(file: string, at: number, views: Record<string, number>): void {
  const lines = Object.entries(views).flatMap(([productId, count]) =>
    Array.from({ length: count }, (_, index) => {
      const arrivedAtMs = at + 5_000 + index * 1_000;
      const event = productView(productId, { eventTime: toIso(arrivedAtMs - 500) });
      return JSON.stringify({ data: JSON.stringify(event), arrivedAtMs });
    }),
  );
  writeFileSync(join(dir, 'stream', file), `${lines.join('\n')}\n`);
}

/** One Glue run of the script, to the end of what the stream holds. */
async function runJob(): Promise<Run> {
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...job,
      streamDir: join(dir, 'stream'),
      sparkCheckpointDir: join(dir, 'spark-checkpoint'),
      s3Dir: join(dir, 's3'),
    }),
  );
  const glueRun = run(requireGluePython().python, ['test/helpers/glue_fake/run_glue_job.py', config], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
    // Bounded: a Spark that hangs is killed (its JVM follows its Python gateway out).
    timeout: 140_000,
    signal: stopRuns.signal,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  const { stdout } = await glueRun.catch((error: { code?: number; stderr?: string }) => {
    throw new Error(`the Glue job's script exited ${error.code}:\n${error.stderr?.slice(-4_000)}`);
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Run;
}

/** The aggregates table's rows: window start and views, by product. */
async function viewsByWindow(): Promise<Record<string, Record<string, number>>> {
  const rows: Record<string, Record<string, number>> = {};
  for (const item of await scanAll(clients.documentClient, tables.aggregates)) {
    const productId = String(item.productId);
    rows[productId] = { ...rows[productId], [String(item.windowStart)]: Number(item.views) };
  }
  return rows;
}

let first: Run;
let second: Run;

beforeAll(async () => {
  if (!runsPythonSuites) return;
  tables = await createScratchTables(clients.dynamodb, ['products', 'orders', 'aggregates', 'pricingConfig']);
  const catalogue = generateCatalogue(toIso(T), { productCount: 20 });
  await loadCatalogue(clients.documentClient, tables.products, catalogue);
  products = catalogue.slice(0, 2).map((product) => product.productId);
  job = synthesizedJob();
  mkdirSync(join(dir, 'stream'));

  send('part-0.json', T, { [products[0] as string]: 5, [products[1] as string]: 3 });
  first = await runJob();
  send('part-1.json', T + MINUTE, { [products[0] as string]: 2 });
  second = await runJob();
}, 320_000);

afterAll(() => {
  stopRuns.abort();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!runsPythonSuites)('the Glue job script, run as Glue runs it', () => {
  it('reads the stream with the options Glue documents, and runs forEachBatch with the window and the checkpoint', () => {
    expect(first.calls.find((call) => call.call === 'create_data_frame.from_options')).toMatchObject({
      connectionType: 'kinesis',
      transformationCtx: 'clicks_source',
      connectionOptions: {
        streamARN: STREAM_ARN,
        fanoutConsumerARN: CONSUMER_ARN,
        startingPosition: 'TRIM_HORIZON',
        classification: 'json',
        inferSchema: 'false',
        addRecordTimestamp: 'true',
      },
    });
    expect(first.calls.find((call) => call.call === 'forEachBatch')).toEqual({
      call: 'forEachBatch',
      options: { windowSize: '60 seconds', checkpointLocation: 's3://clickprice-checkpoints/checkpoints/' },
    });
    expect(first.calls.find((call) => call.call === 'Job.init')).toEqual({
      call: 'Job.init',
      jobName: 'clickprice-aggregation',
    });
  });

  it('aggregates each run’s micro-batch into its own window, the second run resuming where the first ended', async () => {
    expect(first.calls.filter((call) => call.call === 'batch')).toEqual([{ call: 'batch', batchId: 0 }]);
    expect(second.calls.filter((call) => call.call === 'batch')).toEqual([{ call: 'batch', batchId: 1 }]);
    expect(await viewsByWindow()).toEqual({
      [products[0] as string]: { [toIso(T)]: 5, [toIso(T + MINUTE)]: 2 },
      [products[1] as string]: { [toIso(T)]: 3 },
    });
  });

  it('plans each window beside the checkpoint on S3, the second chained to the first', () => {
    const plans = 'clickprice-checkpoints/checkpoints/clickprice-window-plans';
    const plan = (name: string) => JSON.parse(second.s3[`${plans}/${name}`] ?? 'null');
    expect(plan('0.json')).toMatchObject({ batch_id: 0, window_start: toIso(T), window_end: toIso(T + MINUTE) });
    expect(plan('1.json')).toMatchObject({
      batch_id: 1,
      window_start: toIso(T + MINUTE),
      orders_start: plan('0.json').orders_end,
    });
    expect(plan('latest.json')).toEqual(plan('1.json'));
  });

  it('records each committed batch as the rich path’s progress', async () => {
    const items = await scanAll(clients.documentClient, tables.pricingConfig);
    expect(items).toEqual([
      expect.objectContaining({ batchId: 1, windowStart: toIso(T + MINUTE), records: 2, engine: 'glue' }),
    ]);
  });
});
