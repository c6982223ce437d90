/**
 * The fast path's session memory under an adversary: one session sending one product an event in
 * each of 3 × capacity distinct past minutes (validation accepts old event times), arriving so that
 * the horizon holds `capacity` of them: every weight entry is new and, past the first third, every
 * event makes one leave the horizon. Judging must stay linear: the throughput
 * of the last third (all evictions) must stay close to the first third's (no evictions). A
 * structure that walks what it remembers makes the last third many times slower.
 *
 * And the heap a remembered record takes, read as the fast path reads it (the bench batch's events
 * through classifyBatch, logged every 500): the clickstream handler's record budget
 * (rememberedRecordsBudget) assumes at most BYTES_PER_REMEMBERED_RECORD.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { classifyBatch } from '../functions/domain/click-batch.js';
import { BYTES_PER_REMEMBERED_RECORD, SessionActivity } from '../functions/domain/session-activity.js';
import { clickRecordsOf } from '../functions/handlers/clickstream-processor.js';
import { benchBatch } from './fast-path-events.js';
import type { BenchResult } from './run.js';

/** Batches of 500 (the deployed size), a second apart: 200,000 records, all inside the 10-minute horizon. */
const MEMORY_BATCHES = 400;

/** Heap bytes per record remembered, after full collections before and after. */
function bytesPerRememberedRecord(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const start = Date.now() - 3_600_000;
  let sequence = 49_660_000_000_000_000_000_000_000_000n;
  // Built before the first measure: only what the memory keeps is counted.
  const batches = Array.from({ length: MEMORY_BATCHES }, (_, index) => {
    const event = benchBatch(500, 240, start + index * 1_000);
    for (const record of event.Records) {
      const number = (sequence++).toString();
      record.kinesis.sequenceNumber = number;
      record.eventID = `shardId-000000000000:${number}`;
    }
    return clickRecordsOf(event.Records);
  });
  const activity = new SessionActivity({ sessionLog: true });
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const records of batches) {
    classifyBatch(records, activity);
    const entry = activity.takeLogEntry(records[0]?.shardId ?? '');
    if (entry !== undefined) activity.logged(entry);
  }
  gc();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  // Alive until measured, so that freeing them is not counted against the memory.
  if (batches.length !== MEMORY_BATCHES) throw new Error('the batches must be alive when the heap is measured');
  if (activity.rememberedRecords() !== MEMORY_BATCHES * 500) {
    throw new Error(`expected ${MEMORY_BATCHES * 500} records remembered, found ${activity.rememberedRecords()}`);
  }
  return Math.round(bytes / activity.rememberedRecords());
}

const CAPACITY = 100_000;
const HORIZON_MINUTES = 10;
/** Arrivals spaced so that the horizon holds CAPACITY events. */
const ARRIVAL_STEP_MS = (HORIZON_MINUTES * 60_000) / CAPACITY;
const EVENTS = 3 * CAPACITY;
const BASE_MS = Date.UTC(2026, 0, 1);

export async function run(): Promise<BenchResult> {
  // First, before the adversary's memory is garbage to collect.
  const perRecord = bytesPerRememberedRecord();
  // Built first, so the timed loop measures judging only.
  const events = Array.from({ length: EVENTS }, (_, index) => {
    const eventTimeMs = BASE_MS - index * 60_000;
    return {
      eventId: `adversary-${index}`,
      sessionId: 'adversary',
      eventType: 'view',
      productId: 'P00001',
      minute: new Date(eventTimeMs).toISOString().slice(0, 16),
      eventTimeMs,
    };
  });
  const activity = new SessionActivity({ horizonMinutes: HORIZON_MINUTES });
  const thirdMs: number[] = [];
  let started = performance.now();
  events.forEach((event, index) => {
    activity.judge('shardId-000000000000', String(index + 1), BASE_MS + index * ARRIVAL_STEP_MS, event);
    if ((index + 1) % CAPACITY === 0) {
      thirdMs.push(performance.now() - started);
      started = performance.now();
    }
  });
  const [first = 0, , last = 0] = thirdMs;
  const slowdown = Math.round((last / first) * 100) / 100;
  return {
    bytesPerRememberedRecord: perRecord,
    capacity: CAPACITY,
    events: EVENTS,
    firstThirdEventsPerSecond: Math.round(CAPACITY / (first / 1000)),
    lastThirdEventsPerSecond: Math.round(CAPACITY / (last / 1000)),
    lastToFirstThirdTimeRatio: slowdown,
    targets: {
      lastToFirstThirdTimeRatio: { target: 3, met: slowdown <= 3 },
      bytesPerRememberedRecord: { target: BYTES_PER_REMEMBERED_RECORD, met: perRecord <= BYTES_PER_REMEMBERED_RECORD },
    },
  };
}
