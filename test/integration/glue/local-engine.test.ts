import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../../functions/domain/order.js';
import { toIso } from '../../../functions/domain/time.js';
import { BatchLog, createLocalGlueEngine, type LocalGlueEngine } from '../../../glue/local-engine/index.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { batchOf, type RecordedRun, recordRun } from '../../helpers/glue-runs.js';
import { createScratchStream } from '../../helpers/kinesis-batches.js';
import { scanAll, useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';
import { readWholeStream, type StreamRecord } from '../../helpers/stream-records.js';
import {
  type CatalogueEntry,
  type RecountEvent,
  recountWindow,
  richPathReads,
  sumOverWindows,
} from '../../helpers/window-recount.js';

const { clients } = useLocalStack();
const dir = mkdtempSync(join(tmpdir(), 'clickprice-glue-it-'));
const MINUTE = 60_000;
// Simulated time starts on a past minute boundary, so the two runs fall into two known windows.
const start = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;

let tableNames: Record<'products' | 'orders' | 'aggregates' | 'pricingConfig', string>;
let streamName: string;
let catalogue: Map<string, CatalogueEntry>;
let engine: LocalGlueEngine;
let clockMs = start;
/** Each run, and the catalogue as its batch read it (the run's orders and deliveries changed the stock). */
const runs: RecordedRun[] = [];

async function simulate(
  scenario: 'bad-events' | 'bot-attack',
  seed: number,
  startTime: number,
  durationSeconds: number,
): Promise<void> {
  runs.push(await recordRun({ clients, streamName, tableNames, dir }, scenario, seed, startTime, durationSeconds));
}

beforeAll(async () => {
  [tableNames, streamName] = await Promise.all([
    createScratchTables(clients.dynamodb, ['products', 'orders', 'aggregates', 'pricingConfig']),
    createScratchStream(clients.kinesis, 2),
  ]);
  const products = generateCatalogue(toIso(Date.now()), { productCount: 60 });
  await loadCatalogue(clients.documentClient, tableNames.products, products);
  catalogue = new Map(products.map((product) => [product.productId, product]));
  // The window clock is pinned: each batch closes the window its simulator run was placed in.
  engine = await createLocalGlueEngine({
    clients,
    tableNames,
    streamName,
    stateDir: join(dir, 'state'),
    clock: () => clockMs,
    // Each batch reads the catalogue afresh, so its rows carry the stock its run left (not a cached copy).
    productsRefreshSeconds: 0,
  });

  await simulate('bad-events', 7, start, 30);
  clockMs = start + MINUTE;
  await engine.runOnce();
  await simulate('bot-attack', 8, start + MINUTE, 40);
  clockMs = start + 2 * MINUTE;
  await engine.runOnce();
}, 80_000);

afterAll(async () => {
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local Glue engine, recounted independently', () => {
  it('writes, per committed batch, exactly the rows a plain recount of that batch’s sequence ranges gives', async () => {
    // Prepare: which records each batch covered, read back from the stream (the recording has no
    // sequence numbers) and assigned by the plans' per-shard ranges; what each record is, from the
    // recording (bad records are recognised by the simulator's own label, not by the parser).
    const plans = await new BatchLog(engine.stateDir).plans();
    const kindOf = new Map<string, string>();
    for (const { recording } of runs) for (const line of recording) kindOf.set(line.data, line.kind);
    const orders: Order[] = runs.flatMap(({ recording }) =>
      recording.flatMap((line) => (line.order ? [line.order] : [])),
    );
    const perBatch = new Map<number, StreamRecord[]>();
    for (const record of await readWholeStream(clients.kinesis, streamName)) {
      const plan = batchOf(plans, record);
      expect(plan, `record ${record.shardId}/${record.sequenceNumber} in no batch`).toBeDefined();
      perBatch.set(plan?.batchId ?? -1, [...(perBatch.get(plan?.batchId ?? -1) ?? []), record]);
    }
    const aggregates = await scanAll(clients.documentClient, tableNames.aggregates);

    expect(plans.map((plan) => plan.windowStart)).toEqual([toIso(start), toIso(start + MINUTE)]);
    for (const [index, plan] of plans.entries()) {
      const records = perBatch.get(plan.batchId) ?? [];
      // Each run was on the stream before its batch was planned, and nothing else: the ranges must
      // cover exactly that run's records.
      expect(records.map((record) => record.data).sort()).toEqual(
        runs[index]?.recording.map((line) => line.data).sort(),
      );
      const events = records
        .filter((record) => richPathReads(kindOf.get(record.data) ?? 'unrecorded', record.data))
        .map((record) => JSON.parse(record.data) as RecountEvent);
      const { rows: expected } = recountWindow(plan, events, orders, runs[index]?.catalogue ?? catalogue);
      const actual = aggregates
        .filter((item) => item.windowStart === plan.windowStart)
        .map(({ expiresAt: _ttl, ...row }) => row)
        .sort((a, b) => String(a.productId).localeCompare(String(b.productId)));

      expect(expected.length).toBeGreaterThan(10);
      expect(actual).toEqual(expected);
    }
  });

  it('summed over windows, counts every valid, unique, non-bot event once and drops every bot event', async () => {
    // The simulator's own labels this time: `valid` is unique and non-bot by construction, and so are
    // the bad lines the rich path reads (a valid event grown or mistyped, under an eventId of its own).
    const expected: Record<string, Record<string, number>> = {};
    const add = (productId: string, field: string, amount: number) => {
      if (!catalogue.has(productId)) return;
      const total = expected[productId] ?? {
        views: 0,
        carts: 0,
        removes: 0,
        checkouts: 0,
        purchases: 0,
        units: 0,
        revenue: 0,
        botEventsDropped: 0,
      };
      expected[productId] = total;
      total[field] = (total[field] ?? 0) + amount;
    };
    const counterOf: Record<string, string> = {
      product_view: 'views',
      add_to_cart: 'carts',
      remove_from_cart: 'removes',
      checkout_start: 'checkouts',
      purchase: 'purchases',
    };
    for (const { recording } of runs) {
      for (const line of recording) {
        if (line.kind !== 'bot' && (line.kind === 'duplicate' || !richPathReads(line.kind, line.data))) continue;
        const event = JSON.parse(line.data) as RecountEvent;
        const counter = counterOf[event.eventType];
        if (!counter || !event.productId) continue;
        add(event.productId, line.kind === 'bot' ? 'botEventsDropped' : counter, 1);
        if (line.order) {
          add(line.order.productId, 'units', line.order.quantity);
          add(line.order.productId, 'revenue', line.order.quantity * line.order.unitPrice);
        }
      }
    }
    const totals = sumOverWindows(await scanAll(clients.documentClient, tableNames.aggregates));
    const botLines = runs[1]?.recording.filter((line) => line.kind === 'bot').length ?? 0;

    expect(runs.every(({ summary }) => summary.sender.lostRecords === 0 && summary.orders.failed === 0)).toBe(true);
    expect(runs[0]?.summary.records.duplicate).toBeGreaterThan(0);
    expect(botLines).toBeGreaterThan(200);
    expect(totals).toEqual(expected);
  });

  it('rejects every bad record its source can show (the fast path quarantines them) and commits the counts', async () => {
    const rejected = runs.flatMap(({ recording }) => recording.filter((line) => !richPathReads(line.kind, line.data)));
    const readBad = runs.flatMap(({ recording }) =>
      recording.filter((line) => line.kind.startsWith('bad:') && richPathReads(line.kind, line.data)),
    );
    const commits = await new BatchLog(engine.stateDir).commits();

    expect(rejected.length).toBeGreaterThan(50);
    expect(readBad.length).toBeGreaterThan(0);
    expect(commits.map((commit) => commit.recordsRead)).toEqual(runs.map(({ recording }) => recording.length));
    expect(commits.map((commit) => commit.recordsRejected)).toEqual(
      runs.map(({ recording }) => recording.filter((line) => !richPathReads(line.kind, line.data)).length),
    );
    expect(engine.stats()).toMatchObject({ batchesCommitted: 2, batchesRerun: 0, recordsRejected: rejected.length });
  });
});
