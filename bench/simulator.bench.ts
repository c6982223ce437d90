/**
 * Simulator benchmarks (issue 4):
 * - generation alone, on one core: records produced per second (events generated, serialised to
 *   JSON and encoded to bytes, ready to put), steady and with bad events — target ≥ 100,000/s;
 * - against kinesalite (a local stack this bench starts): what kinesalite ingests with bare
 *   PutRecords calls of 500 records, what the simulator achieves end to end without pacing, where
 *   its time goes (producing records vs waiting for the sender), and what it achieves paced to the
 *   per-shard limits. The simulator is not the bottleneck when it generates many times faster than
 *   kinesalite ingests and, unpaced, reaches kinesalite's capacity.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { clicksStream } from '../definitions/resources.js';
import { mapConcurrent } from '../functions/lib/map-concurrent.js';
import { startLocalStack } from '../local/local-stack.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import { runSimulation, type SimulationSummary } from '../simulator/run-simulation.js';
import { buildScenario, type ScenarioName } from '../simulator/scenarios.js';
import { type CatalogueProduct, TrafficModel } from '../simulator/traffic-model.js';
import type { BenchResult } from './run.js';

const START = Date.parse('2026-11-27T09:00:00.000Z');
const GENERATED = 300_000;
const ROUNDS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const catalogue: CatalogueProduct[] = generateCatalogue('2026-11-27T08:00:00.000Z');
const scenarioCatalogue = {
  categories: [...new Set(catalogue.map((product) => product.category))],
  productIds: catalogue.map((product) => product.productId),
};

/** A model at 2,000 events/s (so ~30k sessions are under way), warmed up before timing starts. */
function warmModel(scenario: ScenarioName, seed: number): TrafficModel {
  const model = new TrafficModel({
    seed,
    startTime: START,
    eventsPerSecond: 2_000,
    catalogue,
    scenario: buildScenario(scenario, scenarioCatalogue, seed),
  });
  model.next(START - 1); // runs the warm-up; nothing before START is emitted
  return model;
}

function generationRate(scenario: ScenarioName): number {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const model = warmModel(scenario, round + 1);
    let bytes = 0;
    const started = performance.now();
    for (let count = 0; count < GENERATED; count++) {
      const record = model.next();
      if (record === null) throw new Error('the model ran dry');
      bytes += Buffer.from(record.data, 'utf8').byteLength;
    }
    const seconds = (performance.now() - started) / 1000;
    if (bytes === 0) throw new Error('nothing was generated');
    rates.push(GENERATED / seconds);
  }
  return Math.round(median(rates));
}

async function againstKinesalite() {
  const stack = await startLocalStack();
  try {
    await loadCatalogue(stack.clients.documentClient, stack.tableNames.products, catalogue as never);
    const target = {
      kinesis: stack.clients.kinesis,
      streamName: stack.streamName,
      documentClient: stack.clients.documentClient,
      documents: stack.clients.documents,
      productsTable: stack.tableNames.products,
      ordersTable: stack.tableNames.orders,
    };

    // kinesalite's ingest capacity: realistic records, pre-built batches of 500, a few calls in flight.
    const model = warmModel('steady', 9);
    const batches = Array.from({ length: 80 }, () =>
      Array.from({ length: 500 }, () => {
        const record = model.next() as NonNullable<ReturnType<TrafficModel['next']>>;
        return { PartitionKey: record.partitionKey, Data: Buffer.from(record.data, 'utf8') };
      }),
    );
    const capacityStarted = performance.now();
    await mapConcurrent(batches, 4, (Records) =>
      stack.clients.kinesis.send(new PutRecordsCommand({ StreamName: stack.streamName, Records })),
    );
    const capacity = (batches.length * 500) / ((performance.now() - capacityStarted) / 1000);

    // The simulator end to end, unpaced: generation + sender against the same kinesalite.
    const unpaced: SimulationSummary = await runSimulation({
      target,
      rate: 5_000,
      durationSeconds: 8,
      pace: 'fast',
      seed: 3,
      startTime: START,
      writeOrders: false,
      sender: { shardLimits: null },
    });

    // Paced to Kinesis' per-shard limits (1,000 records/s per shard): the rate a real stream allows.
    const paced: SimulationSummary = await runSimulation({
      target,
      rate: 5_000,
      durationSeconds: 2,
      pace: 'fast',
      seed: 4,
      startTime: START,
      writeOrders: false,
    });
    return { capacity: Math.round(capacity), unpaced, paced };
  } finally {
    await stack.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const eventsPerSecond = generationRate('steady');
  const badEventsPerSecond = generationRate('bad-events');
  const { capacity, unpaced, paced } = await againstKinesalite();
  const shards = clicksStream.shardCount;
  return {
    eventsPerSecond,
    eventsPerSecondWithBadEvents: badEventsPerSecond,
    kinesaliteIngestRecordsPerSecond: capacity,
    simulatorUnpacedRecordsPerSecond: unpaced.recordsPerSecond,
    simulatorUnpaced: {
      records: unpaced.records.total,
      wallSeconds: unpaced.wallSeconds,
      generatingSeconds: unpaced.timing.generatingSeconds,
      waitingForSenderSeconds: unpaced.timing.waitingForSenderSeconds,
      putRecordsCalls: unpaced.sender.putRecordsCalls,
      // Summed over the shards' lanes, each with one call in flight.
      putRecordsSecondsPerShard: Math.round(unpaced.sender.putRecordsMs / shards) / 1000,
      lostRecords: unpaced.sender.lostRecords,
    },
    generationToIngestRatio: Math.round((eventsPerSecond / capacity) * 10) / 10,
    unpacedShareOfIngestCapacity: Math.round((unpaced.recordsPerSecond / capacity) * 100) / 100,
    simulatorPacedRecordsPerSecond: paced.recordsPerSecond,
    pacedLimitRecordsPerSecond: shards * 1_000,
    pacedThrottledEntries: paced.sender.throttledEntries,
    targets: {
      eventsPerSecond: { target: 100_000, met: eventsPerSecond >= 100_000 },
      // Not the bottleneck: unpaced, the simulator gets at least 80 % of what bare PutRecords calls get.
      unpacedShareOfIngestCapacity: { target: 0.8, met: unpaced.recordsPerSecond >= 0.8 * capacity },
    },
  };
}
