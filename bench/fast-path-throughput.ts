/**
 * The fast path's throughput, measured in ONE process: the handler's in-memory work over a
 * 10,000-record batch (decode, validate, dedup, judge bots with the session memory that keeps the
 * batch's log entry, pre-aggregate), against a bare base64 +
 * JSON.parse loop over the same batch. fast-path.bench.ts runs this file in several fresh processes,
 * each held to one core, and reports their median: one process's numbers vary with where its JIT and
 * heap happen to land (the bare loop alone varied from 337k to 501k events/s between processes).
 *
 *   node --import tsx bench/fast-path-throughput.ts    (prints one ThroughputResult as JSON)
 */
import { pathToFileURL } from 'node:url';
import type { KinesisStreamEvent } from 'aws-lambda';
import { classifyBatch } from '../functions/domain/click-batch.js';
import type { SessionLogEntry } from '../functions/domain/session-activity.js';
import { SessionActivity } from '../functions/domain/session-activity.js';
import { clickRecordsOf } from '../functions/handlers/clickstream-processor.js';
import { encodeSessionLogEntry } from '../functions/store/session-log-codec.js';
import { benchBatch } from './fast-path-events.js';

export const BATCH = 10_000;
/** Rounds run first and not measured: the JIT compiles both loops before any is timed. */
const WARM_UP_ROUNDS = 5;
const ROUNDS = 25;

/** A type, not an interface, so that it is a BenchValue as it stands. */
export type ThroughputResult = {
  readonly handlerEventsPerSecond: number;
  /**
   * The session log entry's encoding (session-log-codec.ts: columns, JSON, Brotli), timed apart: it
   * is the PutItem's payload, made as the SDK marshals the counter writes, which are not timed either.
   */
  readonly logEncodingEventsPerSecond: number;
  /** The handler and the encoding together, against the bare loop. */
  readonly ratioToBareLoopWithLogEncoding: number;
  readonly bareLoopEventsPerSecond: number;
  readonly ratioToBareLoop: number;
};

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A bare base64 + JSON.parse loop over the batch: what the handler is held to. */
function bareLoop(event: KinesisStreamEvent): number {
  let checksum = 0;
  for (const record of event.Records) {
    checksum += JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')).eventId.length;
  }
  return checksum;
}

/** The last handler run's session log entry, for the encoding's timing. */
let lastEntry: SessionLogEntry | undefined;

/** The handler's in-memory work over the batch, from Lambda's records on: the events it counted. */
function handler(event: KinesisStreamEvent): number {
  const records = clickRecordsOf(event.Records);
  const activity = new SessionActivity({ sessionLog: true });
  const counted = classifyBatch(records, activity).counts.count;
  lastEntry = activity.takeLogEntry(records[0]?.shardId ?? '');
  return lastEntry === undefined ? 0 : counted;
}

/** The entry's encoding; its bytes. */
function encoding(): number {
  return lastEntry === undefined ? 0 : encodeSessionLogEntry(lastEntry).byteLength;
}

/** Milliseconds `work` takes over the batch; a zero result means the batch was empty. */
function timeMs(work: (event: KinesisStreamEvent) => number, event: KinesisStreamEvent): number {
  const started = performance.now();
  const result = work(event);
  const elapsed = performance.now() - started;
  if (result === 0) throw new Error('benchmark batch was empty');
  return elapsed;
}

export function measureThroughput(): ThroughputResult {
  const handlerMs: number[] = [];
  const bareMs: number[] = [];
  const encodingMs: number[] = [];
  for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
    // A fresh batch and fresh memory each round: every event is new to the session tracker.
    const event = benchBatch(BATCH);
    // Which loop runs first alternates, so neither always runs on the heap the other just filled.
    let bare: number;
    let classify: number;
    if (round % 2 === 0) {
      bare = timeMs(bareLoop, event);
      classify = timeMs(handler, event);
    } else {
      classify = timeMs(handler, event);
      bare = timeMs(bareLoop, event);
    }
    const encoded = timeMs(encoding, event);
    if (round < WARM_UP_ROUNDS) continue;
    bareMs.push(bare);
    handlerMs.push(classify);
    encodingMs.push(encoded);
  }
  const handlerMedian = median(handlerMs);
  const bareMedian = median(bareMs);
  const encodingMedian = median(encodingMs);
  return {
    handlerEventsPerSecond: Math.round((BATCH / handlerMedian) * 1000),
    logEncodingEventsPerSecond: Math.round((BATCH / encodingMedian) * 1000),
    ratioToBareLoopWithLogEncoding: Math.round(((handlerMedian + encodingMedian) / bareMedian) * 100) / 100,
    bareLoopEventsPerSecond: Math.round((BATCH / bareMedian) * 1000),
    ratioToBareLoop: Math.round((handlerMedian / bareMedian) * 100) / 100,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(measureThroughput()));
}
