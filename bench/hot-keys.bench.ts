/**
 * Hot partitions under load, against the local stack: price changes at 1,000 a second for 30 s
 * (manual prices through OpsActions, the same transaction as an automated change: product update +
 * history row), and as many quarantined records. DynamoDB Local never throttles, so what is measured
 * is the rate reached and the spread of writes over the sharded keys: the live feed's hour shards
 * (`byChangeHour`) and the quarantine day's shards. No key may take much more than 1/N of its writes.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../definitions/resources.js';
import { CHANGE_HOUR_SHARDS } from '../functions/store/price-history-store.js';
import { PriceStore } from '../functions/store/price-store.js';
import { QUARANTINE_DAY_SHARDS, QuarantineStore } from '../functions/store/quarantine-store.js';
import { applyDecision } from '../functions/use-cases/apply-decision.js';
import { OpsActions } from '../functions/use-cases/ops-actions.js';
import { startLocalStack } from '../local/local-stack.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import type { BenchResult } from './run.js';

const CHANGES_PER_SECOND = 1_000;
const SECONDS = 30;
/** A key's share of its writes may exceed 1/N by this much (hashing 30,000 ids gives about ±4 %). */
const SPREAD_TOLERANCE = 1.1;

/** Runs `perSecond` calls of `act` each second for `seconds`, at most `concurrency` at a time. */
async function paced(
  perSecond: number,
  seconds: number,
  concurrency: number,
  act: (index: number) => Promise<void>,
): Promise<{ done: number; failed: number; elapsedMs: number }> {
  const total = perSecond * seconds;
  const started = performance.now();
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const due = started + (index / perSecond) * 1_000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        await act(index);
        done++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, failed, elapsedMs: performance.now() - started };
}

/** CPU seconds a process has used (Linux: utime + stime of /proc/<pid>/stat, in USER_HZ = 100 ticks). */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * How many cores DynamoDB Local and this process used while `work` ran: with both near the
 * machine's cores, the rate reached is the machine's ceiling, not the tables' design.
 */
async function withCpu<T extends { elapsedMs: number }>(dynamodbPid: number | undefined, work: () => Promise<T>) {
  const javaBefore = cpuSecondsOf(dynamodbPid);
  const selfBefore = process.cpuUsage();
  const result = await work();
  const seconds = result.elapsedMs / 1_000;
  const self = process.cpuUsage(selfBefore);
  const cores = {
    dynamodbLocal: Number(((cpuSecondsOf(dynamodbPid) - javaBefore) / seconds).toFixed(2)),
    bench: Number(((self.user + self.system) / 1e6 / seconds).toFixed(2)),
    machine: availableParallelism(),
  };
  return { ...result, cpuCores: cores };
}

/**
 * Writes per distinct value of `attribute` in `table`, and its largest item in bytes, by its JSON (an
 * upper bound of DynamoDB's item size: names and values in UTF-8, numbers as digits, plus quotes and
 * separators), in one scan of every page.
 */
async function keyShares(stack: Awaited<ReturnType<typeof startLocalStack>>, table: string, attribute: string) {
  const counts = new Map<string, number>();
  let largestItemBytes = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.clients.documentClient.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      const key = String(item[attribute]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      largestItemBytes = Math.max(largestItemBytes, Buffer.byteLength(JSON.stringify(item)));
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  return { keys: counts.size, total, maxShare: Math.max(...counts.values()) / total, largestItemBytes };
}

/** Automated decisions made before the load, to size the history rows by the largest kind. */
const AUTOMATED_ROWS = 5;

/**
 * A rich-path surge confirmed by orders, applied as the aggregates handler applies one: a history row
 * with its evidence (counts, baselines, statistics, explanation).
 */
async function automatedSurge(prices: PriceStore, productId: string): Promise<void> {
  const usual = { views: 10, carts: 1, purchases: 1, units: 1 };
  const at = new Date().toISOString();
  const result = await applyDecision(prices, productId, {
    decisionId: `bench-surge-${productId}`,
    at,
    source: 'rich-path',
    signals: {
      demand: {
        source: 'windows',
        periodSeconds: 60,
        periods: [...Array.from({ length: 69 }, () => usual), { views: 80, carts: 10, purchases: 8, units: 8 }],
        lastPeriodFraction: 1,
      },
    },
  });
  if (result.outcome !== 'applied')
    throw new Error(`the bench's surge of ${productId} was not applied: ${result.outcome}`);
}

/** DynamoDB's write ceiling of one partition, in write units (1 KB each) a second. */
const PARTITION_WRITE_UNITS_PER_SECOND = 1_000;

export async function run(): Promise<BenchResult> {
  const stack = await startLocalStack();
  try {
    const { documentClient, documents } = stack.clients;
    const catalogue = generateCatalogue(new Date().toISOString(), { productCount: 1_000 });
    await loadCatalogue(documentClient, stack.tableNames.products, catalogue);
    const prices = new PriceStore(documents, stack.tableNames);
    // The largest rows the feed takes are automated decisions, which carry their evidence: a few first,
    // so the write units below are those of the rows that cost most, not of the load's manual prices.
    for (const product of catalogue.slice(0, AUTOMATED_ROWS)) await automatedSurge(prices, product.productId);
    const actions = new OpsActions(prices);
    const changes = await withCpu(stack.processIds.dynamodb, () =>
      paced(CHANGES_PER_SECOND, SECONDS, 128, async (index) => {
        const product = catalogue[index % catalogue.length];
        if (!product) return;
        // Alternate between two prices inside the bounds, so every call is a change.
        const price = index % (2 * catalogue.length) < catalogue.length ? product.floor : product.ceiling;
        await actions.setManualPrice(product.productId, { price, actor: 'bench', reason: 'hot-key load' });
      }),
    );

    const quarantine = new QuarantineStore(documents, stack.tableNames.quarantine);
    const arrivedAt = new Date().toISOString();
    const quarantined = await withCpu(stack.processIds.dynamodb, () =>
      paced(CHANGES_PER_SECOND, SECONDS, 64, async (index) => {
        await quarantine.put([
          {
            source: 'fast-path',
            shardId: 'shardId-000000000000',
            sequenceNumber: String(49_000_000_000 + index),
            arrivedAt,
            reason: 'bench: a bad record',
            data: Buffer.from(`{"bad":${index}}`),
          },
        ]);
      }),
    );

    const hourKey = tables.priceHistory.globalIndexes[0].partitionKey.name;
    const dayKey = tables.quarantine.partitionKey.name;
    const history = await keyShares(stack, stack.tableNames.priceHistory, hourKey);
    const quarantineKeys = await keyShares(stack, stack.tableNames.quarantine, dayKey);
    const changesPerSecond = Math.round(changes.done / (changes.elapsedMs / 1_000));
    // DynamoDB Local cannot go at 1,000 changes/s here (it works on about one core); in AWS the
    // hottest index partition would take its measured share of 1,000/s, each row the write units of
    // the largest row (an automated decision's), as if every change were one.
    const historyRowBytes = history.largestItemBytes;
    const hottestShardWriteUnits = Math.round(
      history.maxShare * CHANGES_PER_SECOND * Math.ceil(historyRowBytes / 1_024),
    );
    const quarantinedPerSecond = Math.round(quarantined.done / (quarantined.elapsedMs / 1_000));
    // Rows spread over the hour shards of one or two hours (the run may cross an hour).
    const historyLimit = SPREAD_TOLERANCE / CHANGE_HOUR_SHARDS;
    const quarantineLimit = SPREAD_TOLERANCE / QUARANTINE_DAY_SHARDS;
    return {
      priceChanges: { ...changes, perSecond: changesPerSecond },
      quarantined: { ...quarantined, perSecond: quarantinedPerSecond },
      historyHourShards: { shards: CHANGE_HOUR_SHARDS, ...history },
      quarantineDayShards: { shards: QUARANTINE_DAY_SHARDS, ...quarantineKeys },
      changesPerSecond,
      quarantinedPerSecond,
      historyMaxKeyShare: history.maxShare,
      quarantineMaxKeyShare: quarantineKeys.maxShare,
      historyRowBytes,
      hottestHistoryShardWriteUnitsAt1000PerSecond: hottestShardWriteUnits,
      targets: {
        changesPerSecond: {
          target: CHANGES_PER_SECOND,
          met: changesPerSecond >= CHANGES_PER_SECOND * 0.98 && changes.failed === 0,
        },
        quarantinedPerSecond: {
          target: CHANGES_PER_SECOND,
          met: quarantinedPerSecond >= CHANGES_PER_SECOND * 0.98 && quarantined.failed === 0,
        },
        historyMaxKeyShare: { target: historyLimit, met: history.maxShare <= historyLimit },
        hottestHistoryShardWriteUnitsAt1000PerSecond: {
          target: PARTITION_WRITE_UNITS_PER_SECOND,
          met: hottestShardWriteUnits <= PARTITION_WRITE_UNITS_PER_SECOND,
        },
        quarantineMaxKeyShare: { target: quarantineLimit, met: quarantineKeys.maxShare <= quarantineLimit },
      },
    };
  } finally {
    await stack.stop();
  }
}
