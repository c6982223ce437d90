/**
 * The fast path's session memory under an adversary: one session sending one product an event in
 * each of 3 × capacity distinct past minutes (validation accepts old event times), arriving so that
 * the horizon holds `capacity` of them: every weight entry is new and, past the first third, every
 * event makes one leave the horizon. Judging must stay linear: the throughput
 * of the last third (all evictions) must stay close to the first third's (no evictions). A
 * structure that walks what it remembers makes the last third many times slower.
 */
import { SessionActivity } from '../functions/domain/session-activity.js';
import type { BenchResult } from './run.js';

const CAPACITY = 100_000;
const HORIZON_MINUTES = 10;
/** Arrivals spaced so that the horizon holds CAPACITY events. */
const ARRIVAL_STEP_MS = (HORIZON_MINUTES * 60_000) / CAPACITY;
const EVENTS = 3 * CAPACITY;
const BASE_MS = Date.UTC(2026, 0, 1);

export async function run(): Promise<BenchResult> {
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
    capacity: CAPACITY,
    events: EVENTS,
    firstThirdEventsPerSecond: Math.round(CAPACITY / (first / 1000)),
    lastThirdEventsPerSecond: Math.round(CAPACITY / (last / 1000)),
    lastToFirstThirdTimeRatio: slowdown,
    targets: { lastToFirstThirdTimeRatio: { target: 3, met: slowdown <= 3 } },
  };
}
