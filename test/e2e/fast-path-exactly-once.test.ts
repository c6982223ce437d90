import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minuteOf, toIso } from '../../functions/domain/time.js';
import { silentLogger } from '../../local/event-source-mapping/index.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline.js';
import { localStackTarget } from '../../local/simulation-target.js';
import { generateCatalogue } from '../../simulator/catalogue.js';
import { loadCatalogue } from '../../simulator/catalogue-loader.js';
import { readRecording } from '../../simulator/recording.js';
import { runSimulation, type SimulationSummary } from '../../simulator/run-simulation.js';
import { scanAll } from '../helpers/local-stack.js';

/** The per-session weight cap of the fast path (functions/domain/session-activity.ts). */
const SESSION_CAP = 3;
const COUNTER_OF: Record<string, string> = {
  product_view: 'views',
  add_to_cart: 'carts',
  remove_from_cart: 'removes',
  checkout_start: 'checkouts',
  purchase: 'purchases',
};

interface SentEvent {
  eventId: string;
  sessionId: string;
  eventType: string;
  productId: string | null;
  quantity: number | null;
  eventTime: string;
}

let stack: LocalStack;
let pipeline: LocalPipeline;
let summary: SimulationSummary;
const dir = mkdtempSync(join(tmpdir(), 'clickprice-e2e-'));
const recording = join(dir, 'run.jsonl');

beforeAll(async () => {
  stack = await startLocalStack();
  await loadCatalogue(stack.clients.documentClient, stack.tableNames.products, generateCatalogue(toIso(Date.now())));
  pipeline = await startLocalPipeline(stack, { logger: silentLogger });
  summary = await runSimulation({
    target: localStackTarget(stack),
    scenario: 'bad-events',
    rate: 300,
    durationSeconds: 15,
    seed: 7,
    pace: 'fast',
    out: recording,
  });
  await pipeline.waitForIdle(60_000);
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the fast path, end to end with the simulator', () => {
  it('counts exactly the valid, unique, non-bot events sent: nothing lost, nothing counted twice', async () => {
    // Recount from the recording, in plain TypeScript: valid events only (duplicates are byte-identical
    // repeats of events already sent), at most SESSION_CAP per session, product, minute and type.
    const lines = await readRecording(recording);
    const perSessionKey = new Map<string, number>();
    const expected = new Map<string, Record<string, number>>();
    let capped = 0;
    for (const line of lines) {
      if (line.kind !== 'valid') continue;
      const event = JSON.parse(line.data) as SentEvent;
      const counter = COUNTER_OF[event.eventType];
      if (!counter || event.productId === null) continue;
      const minute = minuteOf(new Date(event.eventTime).toISOString());
      const sessionKey = `${event.sessionId}|${event.productId}|${minute}|${event.eventType}`;
      const seen = (perSessionKey.get(sessionKey) ?? 0) + 1;
      perSessionKey.set(sessionKey, seen);
      if (seen > SESSION_CAP) {
        capped++;
        continue;
      }
      const key = `${event.productId}|${minute}`;
      const counts = expected.get(key) ?? {};
      counts[counter] = (counts[counter] ?? 0) + 1;
      if (counter === 'purchases') counts.units = (counts.units ?? 0) + (event.quantity ?? 1);
      expected.set(key, counts);
    }

    const actual = new Map<string, Record<string, number>>();
    let cappedCounted = 0;
    for (const item of await scanAll(stack.clients.documentClient, stack.tableNames.demand)) {
      const counts: Record<string, number> = {};
      for (const counter of ['views', 'carts', 'removes', 'checkouts', 'purchases', 'units']) {
        if (item[counter]) counts[counter] = item[counter] as number;
      }
      cappedCounted += (item.cappedEvents as number | undefined) ?? 0;
      if (Object.keys(counts).length > 0) actual.set(`${item.productId}|${item.minute}`, counts);
    }

    expect(summary.sender.lostRecords).toBe(0);
    expect(summary.records.valid).toBeGreaterThan(3_000);
    expect(summary.records.duplicate).toBeGreaterThan(0);
    expect(actual.size).toBe(expected.size);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
    expect(cappedCounted).toBe(capped);
  });

  it('quarantines every bad record with a reason, and discards nothing', async () => {
    const lines = await readRecording(recording);
    const bad = lines.filter((line) => line.kind.startsWith('bad:'));
    const quarantined = await scanAll(stack.clients.documentClient, stack.tableNames.quarantine);

    expect(bad.length).toBeGreaterThan(100);
    expect(quarantined).toHaveLength(bad.length);
    expect(quarantined.every((item) => typeof item.reason === 'string' && item.reason.length > 0)).toBe(true);
    expect(pipeline.mappings[0]?.stats()).toMatchObject({ recordsDiscarded: 0, recordsSucceeded: lines.length });
  });
});
