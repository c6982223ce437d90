/**
 * Local Glue engine benchmarks (issue 6), against a local stack of its own, for each engine:
 * - events/s of one window: a batch of N events on the stream, from plan to commit (read from
 *   kinesalite, read the records as Glue's source does, aggregate, aggregates writes, commit log);
 * - window close → aggregate rows written, p50/p99 over many small windows (target for DuckDB, the
 *   default engine: p99 ≤ 2 s). The aggregates handler's price change that follows is measured by the
 *   click-to-price bench.
 * The Spark engine (the Glue job's PySpark code on a local Spark 3.3, issue 16) is measured beside it
 * when `.venv-glue/` exists; it has no target: it shows what the job's own code costs per batch.
 */
import { randomUUID } from 'node:crypto';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { toIso } from '../functions/domain/time.js';
import { createLocalGlueEngine, type LocalGlueEngineOptions } from '../glue/local-engine/index.js';
import { findGluePython } from '../glue/local-engine/python-env.js';
import { type LocalStack, startLocalStack } from '../local/local-stack.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import type { BenchResult } from './run.js';

const WINDOW_SIZES = [10_000, 30_000];
const LATENCY_WINDOWS = 20;
const LATENCY_EVENTS_PER_WINDOW = 1_000;
const TYPES = ['product_view', 'product_view', 'product_view', 'add_to_cart', 'checkout_start', 'purchase'] as const;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function putEvents(stack: LocalStack, productIds: readonly string[], count: number): Promise<void> {
  const now = toIso(Date.now());
  const records = Array.from({ length: count }, (_, index) => {
    const eventType = TYPES[index % TYPES.length] as string;
    const sessionId = `bench-${index % 2_000}`;
    const event = {
      eventId: randomUUID(),
      sessionId,
      eventType,
      productId: productIds[index % productIds.length],
      quantity: eventType === 'add_to_cart' || eventType === 'purchase' ? 1 : undefined,
      trafficSource: 'organic',
      deviceType: 'mobile',
      userAgent: 'bench',
      eventTime: now,
    };
    return { PartitionKey: sessionId, Data: Buffer.from(JSON.stringify(event)) };
  });
  const chunks = [];
  for (let start = 0; start < records.length; start += 500) chunks.push(records.slice(start, start + 500));
  for (let start = 0; start < chunks.length; start += 8) {
    await Promise.all(
      chunks.slice(start, start + 8).map(async (chunk) => {
        const result = await stack.clients.kinesis.send(
          new PutRecordsCommand({ StreamName: stack.streamName, Records: chunk }),
        );
        if (result.FailedRecordCount) throw new Error(`${result.FailedRecordCount} bench records refused`);
      }),
    );
  }
}

/** One engine's numbers: throughput per window size, then window close → rows written. */
async function measure(
  stack: LocalStack,
  productIds: readonly string[],
  engineOptions: LocalGlueEngineOptions['engine'],
): Promise<{ throughput: Record<string, BenchResult[string]>; latencies: number[] }> {
  const engine = await createLocalGlueEngine({
    clients: stack.clients,
    tableNames: stack.tableNames,
    streamName: stack.streamName,
    windowSizeSeconds: 1,
    engine: engineOptions,
  });
  try {
    await engine.runOnce(); // warm: the engine, the catalogue cache, sockets (and what is on the stream)
    const throughput: Record<string, BenchResult[string]> = {};
    for (const size of WINDOW_SIZES) {
      await putEvents(stack, productIds, size);
      const batch = await engine.runOnce();
      throughput[`window${size}`] = {
        events: batch.eventsAggregated,
        rowsWritten: batch.rowsWritten,
        batchMs: Math.round(batch.batchMs),
        phasesMs: batch.phasesMs,
        eventsPerSecond: Math.round(batch.eventsAggregated / (batch.batchMs / 1000)),
        windowCloseToRowsMs: batch.windowCloseToRowsMs,
      };
    }
    const latencies: number[] = [];
    for (let window = 0; window < LATENCY_WINDOWS; window++) {
      await putEvents(stack, productIds, LATENCY_EVENTS_PER_WINDOW);
      latencies.push((await engine.runOnce()).windowCloseToRowsMs);
    }
    return { throughput, latencies };
  } finally {
    await engine.stop();
  }
}

function latencySummary(latencies: number[]) {
  return {
    windows: LATENCY_WINDOWS,
    eventsPerWindow: LATENCY_EVENTS_PER_WINDOW,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export async function run(): Promise<BenchResult> {
  const stack = await startLocalStack();
  try {
    const products = generateCatalogue(toIso(Date.now()));
    await loadCatalogue(stack.clients.documentClient, stack.tableNames.products, products);
    const productIds = products.map((product) => product.productId);

    const duckdb = await measure(stack, productIds, { name: 'duckdb' });
    const python = findGluePython();
    const spark =
      'python' in python
        ? await measure(stack, productIds, {
            name: 'spark',
            python: python.python,
            dynamodbEndpoint: stack.endpoints.dynamodb,
          })
        : null;
    const p99 = percentile(duckdb.latencies, 99);
    return {
      throughput: duckdb.throughput,
      windowCloseToRowsWritten: latencySummary(duckdb.latencies),
      spark:
        spark === null
          ? { skipped: 'missing' in python ? python.missing : 'no Python' }
          : { throughput: spark.throughput, windowCloseToRowsWritten: latencySummary(spark.latencies) },
      targets: { windowCloseToRowsWrittenP99Ms: { target: 2_000, met: p99 <= 2_000 } },
    };
  } finally {
    await stack.stop();
  }
}
