import { join } from 'node:path';
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import {
  type RedriveAnswer,
  redriveInvocationOf,
  STREAM_CONSUMERS,
  type StreamConsumer,
} from '../functions/domain/dead-letters.js';
import { DLQ_REDRIVE_FUNCTION_ENV } from '../functions/store/dead-letter-redrives.js';
import { FAST_PATH_MAPPING_ENV } from '../functions/store/event-source-mappings.js';
import { FAST_PATH_DLQ_ENV, FAST_PATH_FUNCTION_ENV } from '../functions/store/fast-path-metrics.js';
import type { LocalClients } from './clients.js';
import { LOCAL_CONSUMER_SETTINGS } from './consumer-settings.js';
import { deadLetterLines, InMemoryDeadLetterQueue, JsonLinesDeadLetterQueue, redriveLocally } from './dead-letters.js';
import {
  type CheckpointStore,
  type EventSourceMapping,
  type ExecutionEnvironmentOptions,
  ExecutionEnvironments,
  FileCheckpointStore,
  InMemoryCheckpointStore,
  InMemoryOnFailureDestination,
  JsonLinesOnFailureDestination,
  type LambdaMetricSink,
  type MappingLogger,
  type OnFailureDestination,
  type OnFailureRecord,
  startEventSourceMapping,
} from './event-source-mapping/index.js';
import { LocalMetricStore, startLocalCloudWatch } from './local-cloudwatch.js';
import { startLocalLambdaService } from './local-lambda-service.js';
import { type LocalStackInfo, localStackEnvironment } from './local-stack.js';
import { loadStreamHandler } from './stream-handlers.js';

export interface LocalPipeline {
  readonly mappings: readonly EventSourceMapping[];
  /** Lambda's and SQS's metrics of the consumers, as CloudWatch would hold them. */
  readonly metrics: LocalMetricStore;
  /**
   * What the pipeline API needs to read the fast path as it does in AWS (set in process.env too):
   * the local CloudWatch and Lambda endpoints, and the names of the function, mapping and DLQ.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** Each consumer's on-failure destination (what its mapping discards goes there, and is counted). */
  readonly deadLetters: Readonly<Record<StreamConsumer, OnFailureDestination>>;
  /** Resolves when every mapping has drained what was in its streams. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalPipelineOptions {
  /** With a data dir, checkpoints and discarded batches are kept there across restarts. */
  readonly dataDir?: string | null;
  readonly logger?: MappingLogger;
  /**
   * Run each consumer in Lambda-like execution environments: a pool of module instances, invocations
   * routed at random, each recycled after a random number of invocations (execution-environments.ts).
   * `null`: one environment per consumer that lives as long as the pipeline.
   * @default as CLICKPRICE_EXECUTION_ENVIRONMENTS says (see environmentsFromEnv); the tests turn it on
   */
  readonly environments?: ExecutionEnvironmentOptions | null;
}

/** The variable that turns the execution environments on for every local pipeline (vitest.config.ts sets it). */
export const EXECUTION_ENVIRONMENTS_ENV = 'CLICKPRICE_EXECUTION_ENVIRONMENTS';

/**
 * The execution environments CLICKPRICE_EXECUTION_ENVIRONMENTS asks for: unset, empty or `off` for
 * none; `on` for the defaults; or ExecutionEnvironmentOptions as JSON (`{"size":2,"seed":7}`).
 */
export function environmentsFromEnv(
  value = process.env[EXECUTION_ENVIRONMENTS_ENV],
): ExecutionEnvironmentOptions | null {
  if (value === undefined || value === '' || value === 'off') return null;
  if (value === 'on') return {};
  try {
    const options = JSON.parse(value) as unknown;
    if (typeof options === 'object' && options !== null && !Array.isArray(options)) return options;
  } catch {
    // named below
  }
  throw new Error(`${EXECUTION_ENVIRONMENTS_ENV} must be off, on or a JSON object of options; got ${value}`);
}

/**
 * Runs clickprice's Lambda handlers against the local stack, invoked by the local event-source
 * mapping with the settings the CDK stacks deploy: the clickstream handler on the clicks stream and
 * the aggregates handler on the aggregates table's stream (with the same INSERT/MODIFY filter). The handlers are the very modules Lambda runs: they
 * read their configuration from the environment, which is set here before they are loaded.
 */
export async function startLocalPipeline(
  stack: LocalStackInfo & { readonly clients: LocalClients },
  options: LocalPipelineOptions = {},
): Promise<LocalPipeline> {
  Object.assign(process.env, localStackEnvironment(stack));
  const dataDir = options.dataDir ?? null;
  const metrics = new LocalMetricStore();
  const checkpoints: CheckpointStore =
    dataDir === null ? new InMemoryCheckpointStore() : new FileCheckpointStore(join(dataDir, 'checkpoints'));
  const deadLetters = Object.fromEntries(
    STREAM_CONSUMERS.map((name) => [
      name,
      dataDir === null
        ? new InMemoryOnFailureDestination()
        : new JsonLinesOnFailureDestination(join(deadLetterDirOf(dataDir), `${name}.jsonl`)),
    ]),
  ) as Record<StreamConsumer, InMemoryOnFailureDestination | JsonLinesOnFailureDestination>;
  const observed = Object.fromEntries(
    STREAM_CONSUMERS.map((name) => [
      name,
      observedDeadLetters(deadLetters[name], metrics, deadLetterQueueNameOf(name)),
    ]),
  ) as Record<StreamConsumer, OnFailureDestination>;
  const onFailure = (name: StreamConsumer): OnFailureDestination => observed[name];

  const churn = options.environments === undefined ? environmentsFromEnv() : options.environments;
  // One handler instance for the pipeline's life, or execution environments loading their own.
  const handlerOf = async <TEvent>(consumer: StreamConsumer) =>
    churn === null
      ? await loadStreamHandler<TEvent>(consumer)
      : new ExecutionEnvironments(() => loadStreamHandler<TEvent>(consumer, { fresh: true }), churn);
  const clickstream = await handlerOf<KinesisStreamEvent>('clickstream');
  const aggregates = await handlerOf<DynamoDBStreamEvent>('aggregates');
  const logger = options.logger ? { logger: options.logger } : {};
  // The clickstream mapping first, then the aggregates one: callers read their stats by position.
  const mappings = [
    await startEventSourceMapping({
      functionName: 'clickstream',
      source: { kind: 'kinesis', streamName: stack.streamName },
      clients: stack.clients,
      handler: clickstream,
      config: { ...LOCAL_CONSUMER_SETTINGS.clickstream, onFailure: onFailure('clickstream') },
      checkpoints,
      metrics: lambdaMetrics(metrics, 'clickstream'),
      ...logger,
    }),
    await startEventSourceMapping({
      functionName: 'aggregates',
      source: { kind: 'dynamodb', tableName: stack.tableNames.aggregates },
      clients: stack.clients,
      handler: aggregates,
      config: { ...LOCAL_CONSUMER_SETTINGS.aggregates, onFailure: onFailure('aggregates') },
      checkpoints,
      metrics: lambdaMetrics(metrics, 'aggregates'),
      ...logger,
    }),
  ];
  const [cloudWatch, lambda] = await Promise.all([
    startLocalCloudWatch(metrics),
    startLocalLambdaService({
      mappings: () => mappings,
      functions: { [LOCAL_REDRIVE_FUNCTION]: (event) => redriveFunction(event, deadLetters, stack.clients) },
    }),
  ]);
  const environment = {
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url,
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    [FAST_PATH_FUNCTION_ENV]: 'clickstream',
    [FAST_PATH_DLQ_ENV]: deadLetterQueueNameOf('clickstream'),
    [FAST_PATH_MAPPING_ENV]: (mappings[0] as EventSourceMapping).mappingId,
    [DLQ_REDRIVE_FUNCTION_ENV]: LOCAL_REDRIVE_FUNCTION,
  };
  Object.assign(process.env, environment);
  return {
    mappings,
    metrics,
    environment,
    deadLetters: observed,
    waitForIdle: async (timeoutMs = 30_000) => {
      await Promise.all(mappings.map((mapping) => mapping.waitForIdle({ timeoutMs })));
    },
    stop: async () => {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
      await Promise.all([cloudWatch.close(), lambda.close()]);
    },
  };
}

/** The local redrive function's name, as the local Lambda API knows it. */
const LOCAL_REDRIVE_FUNCTION = 'dlq-redrive';

/**
 * The redrive function of the local Lambda: the redrive use case AWS runs (handlers/dlq-redrive.ts),
 * over the local dead letters (a file with a data dir, else the mapping's list) and the local consumers.
 */
async function redriveFunction(
  event: unknown,
  deadLetters: Readonly<Record<StreamConsumer, InMemoryOnFailureDestination | JsonLinesOnFailureDestination>>,
  clients: LocalClients,
): Promise<RedriveAnswer> {
  const { consumer, max, budgetMs } = redriveInvocationOf(event);
  const destination = deadLetters[consumer];
  const queue =
    destination instanceof JsonLinesOnFailureDestination
      ? new JsonLinesDeadLetterQueue(destination.path)
      : new InMemoryDeadLetterQueue(destination);
  return { outcomes: await redriveLocally(consumer, queue, clients.streams, { max, budgetMs }) };
}

/** The local name of a consumer's dead-letter queue, as SQS's metrics name it (QueueName). */
export function deadLetterQueueNameOf(consumer: StreamConsumer): string {
  return `${consumer}-dlq`;
}

/** Lambda's metrics of one function, into the local CloudWatch (AWS/Lambda, by FunctionName). */
function lambdaMetrics(metrics: LocalMetricStore, functionName: string): LambdaMetricSink {
  return { put: (name, value) => metrics.put('AWS/Lambda', name, { FunctionName: functionName }, value) };
}

/**
 * A dead-letter destination that publishes what SQS publishes of a queue: each message sent, and the
 * messages waiting (read when asked: a file's lines, which a redrive removes; a list's length).
 */
export function observedDeadLetters(
  destination: OnFailureDestination,
  metrics: LocalMetricStore,
  queueName: string,
): OnFailureDestination {
  const dimensions = { QueueName: queueName };
  metrics.gauge('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dimensions, async () => {
    if (destination instanceof InMemoryOnFailureDestination) return destination.records.length;
    if (destination instanceof JsonLinesOnFailureDestination) return (await deadLetterLines(destination.path)).length;
    return 0;
  });
  return {
    async send(record: OnFailureRecord) {
      await destination.send(record);
      metrics.put('AWS/SQS', 'NumberOfMessagesSent', dimensions, 1);
    },
  };
}

/** Where a stack with a data dir keeps each consumer's dead letters (`<consumer>.jsonl`). */
export function deadLetterDirOf(dataDir: string): string {
  return join(dataDir, 'dlq');
}
