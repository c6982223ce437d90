import { join } from 'node:path';
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import { aggregatesEventSource, clickstreamEventSource } from '../definitions/event-sources.js';
import {
  type CheckpointStore,
  type EventSourceMapping,
  FileCheckpointStore,
  InMemoryCheckpointStore,
  InMemoryOnFailureDestination,
  JsonLinesOnFailureDestination,
  type MappingLogger,
  type OnFailureDestination,
  type StreamHandler,
  startEventSourceMapping,
} from './event-source-mapping/index.js';
import { type LocalStack, localStackEnvironment } from './local-stack.js';

export interface LocalPipeline {
  readonly mappings: readonly EventSourceMapping[];
  /** Resolves when every mapping has drained what was in its streams. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalPipelineOptions {
  /** With a data dir, checkpoints and discarded batches are kept there across restarts. */
  readonly dataDir?: string | null;
  readonly logger?: MappingLogger;
}

/**
 * Runs clickprice's Lambda handlers against the local stack, invoked by the local event-source
 * mapping with the settings the CDK stacks deploy: the clickstream handler on the clicks stream and
 * the aggregates handler on the aggregates table's stream (with the same INSERT/MODIFY filter). The handlers are the very modules Lambda runs: they
 * read their configuration from the environment, which is set here before they are loaded.
 */
export async function startLocalPipeline(
  stack: LocalStack,
  options: LocalPipelineOptions = {},
): Promise<LocalPipeline> {
  Object.assign(process.env, localStackEnvironment(stack));
  const dataDir = options.dataDir ?? null;
  const checkpoints: CheckpointStore =
    dataDir === null ? new InMemoryCheckpointStore() : new FileCheckpointStore(join(dataDir, 'checkpoints'));
  const onFailure = (name: string): OnFailureDestination =>
    dataDir === null
      ? new InMemoryOnFailureDestination()
      : new JsonLinesOnFailureDestination(join(deadLetterDirOf(dataDir), `${name}.jsonl`));

  const clickstream = await loadStreamHandler<KinesisStreamEvent>('clickstream');
  const aggregates = await loadStreamHandler<DynamoDBStreamEvent>('aggregates');
  const logger = options.logger ? { logger: options.logger } : {};
  // The clickstream mapping comes first: callers read its stats as mappings[0].
  const mappings = [
    await startEventSourceMapping({
      functionName: 'clickstream',
      source: { kind: 'kinesis', streamName: stack.streamName },
      clients: stack.clients,
      handler: clickstream,
      config: { ...clickstreamEventSource, onFailure: onFailure('clickstream') },
      checkpoints,
      ...logger,
    }),
    await startEventSourceMapping({
      functionName: 'aggregates',
      source: { kind: 'dynamodb', tableName: stack.tableNames.aggregates },
      clients: stack.clients,
      handler: aggregates,
      config: { ...aggregatesEventSource, onFailure: onFailure('aggregates') },
      checkpoints,
      ...logger,
    }),
  ];
  return {
    mappings,
    waitForIdle: async (timeoutMs = 30_000) => {
      await Promise.all(mappings.map((mapping) => mapping.waitForIdle({ timeoutMs })));
    },
    stop: async () => {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
    },
  };
}

/** Where a stack with a data dir keeps each consumer's dead letters (`<consumer>.jsonl`). */
export function deadLetterDirOf(dataDir: string): string {
  return join(dataDir, 'dlq');
}

/** The stream consumers: their handler modules under functions/handlers. */
export const STREAM_CONSUMERS = ['clickstream', 'aggregates'] as const;
export type StreamConsumer = (typeof STREAM_CONSUMERS)[number];

/**
 * A stream consumer's handler, the very module Lambda runs; it reads its tables and endpoints from
 * the environment when first loaded, so the environment must be set before.
 */
export async function loadStreamHandler<TEvent>(consumer: StreamConsumer): Promise<StreamHandler<TEvent>> {
  const module = (
    consumer === 'clickstream'
      ? await import('../functions/handlers/clickstream.js')
      : await import('../functions/handlers/aggregates.js')
  ) as { handler: unknown };
  return module.handler as StreamHandler<TEvent>;
}
