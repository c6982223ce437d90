import { join } from 'node:path';
import { padSequence } from '../../functions/domain/sequence-numbers.js';
import type { BatchPlan } from '../../glue/local-engine/index.js';
import type { LocalClients } from '../../local/clients.js';
import { type RecordedLine, readRecording } from '../../simulator/recording.js';
import { runSimulation, type SimulationSummary } from '../../simulator/run-simulation.js';
import { scanAll } from './local-stack.js';
import type { StreamRecord } from './stream-records.js';
import { type CatalogueEntry, catalogueOf } from './window-recount.js';

/**
 * The recorded simulator runs the rich-path suites aggregate: a run on the stream, its recording, and
 * the catalogue as its batch reads it (the run's orders and deliveries changed the stock).
 */
export interface RecordedRun {
  readonly recording: RecordedLine[];
  readonly summary: SimulationSummary;
  readonly catalogue: Map<string, CatalogueEntry>;
}

export interface RunTarget {
  readonly clients: LocalClients;
  readonly streamName: string;
  readonly tableNames: { readonly products: string; readonly orders: string };
  /** Where the recording is written. */
  readonly dir: string;
}

/** Sends one `bad-events` or `bot-attack` run (120 events/s, fast pace), recording it. */
export async function recordRun(
  target: RunTarget,
  scenario: 'bad-events' | 'bot-attack',
  seed: number,
  startTime: number,
  durationSeconds: number,
): Promise<RecordedRun> {
  const { clients, streamName, tableNames, dir } = target;
  const out = join(dir, `run-${seed}.jsonl`);
  const summary = await runSimulation({
    target: {
      kinesis: clients.kinesis,
      streamName,
      documentClient: clients.documentClient,
      documents: clients.documents,
      productsTable: tableNames.products,
      ordersTable: tableNames.orders,
    },
    scenario,
    // Bots far over the threshold, all inside the run's one minute, so the SQL's rule finds every one.
    scenarioParameters: { botAttack: { eventsPerMinute: 600, startSeconds: 0, sessions: 3 } },
    rate: 120,
    durationSeconds,
    seed,
    startTime,
    pace: 'fast',
    out,
    warmupMs: 0,
  });
  return {
    recording: await readRecording(out),
    summary,
    catalogue: catalogueOf(await scanAll(clients.documentClient, tableNames.products)),
  };
}

/** The plan whose range on the record's shard holds its sequence number. */
export function batchOf(plans: readonly BatchPlan[], record: StreamRecord): BatchPlan | undefined {
  const sequence = padSequence(record.sequenceNumber);
  return plans.find((plan) =>
    plan.shards.some(
      (range) =>
        range.shardId === record.shardId &&
        range.through !== null &&
        (range.after === null || sequence > padSequence(range.after)) &&
        sequence <= padSequence(range.through),
    ),
  );
}
