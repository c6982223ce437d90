/**
 * The fast path's session rules (duplicates, the per-session cap, bots) when a shard's batches run in
 * different execution environments, as they may on Lambda: the real clickstream handler on the local
 * mapping, each batch in a fresh module instance (recycled after every invocation). The same events
 * through one long-lived environment are the control. Until the session log (issue 19), the rules'
 * memory lived in module scope only and churn counted 6, 6 and 1 here; each fresh environment now
 * rebuilds it from the log, so both count alike.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { tableIds } from '../../../definitions/resources.js';
import { minuteOf, toIso } from '../../../functions/domain/time.js';
import { DemandStore } from '../../../functions/store/demand-store.js';
import { type ExecutionEnvironmentOptions, silentLogger } from '../../../local/event-source-mapping/index.js';
import { type LocalPipeline, startLocalPipeline } from '../../../local/pipeline.js';
import { productView } from '../../helpers/fast-path-records.js';
import { createScratchStream, putRecords } from '../../helpers/kinesis-batches.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const stack = useLocalStack();
const EVERY_BATCH_FRESH: ExecutionEnvironmentOptions = { size: 2, recycleAfterInvocations: [1, 1], seed: 5 };
/** One environment that outlives the run: a module instance of its own, loaded with this run's tables. */
const ONE_LONG_LIVED: ExecutionEnvironmentOptions = { size: 1, recycleAfterInvocations: [1_000_000, 1_000_000] };

let running: LocalPipeline | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

/**
 * Sends `batches` one after another, each read as a batch of its own (the pipeline drains between
 * them), and answers the product's view count for the minute they share.
 */
async function viewsCounted(
  environments: ExecutionEnvironmentOptions,
  batches: (product: string) => Record<string, unknown>[][],
): Promise<number> {
  const tables = await createScratchTables(stack.clients.dynamodb, tableIds);
  const streamName = await createScratchStream(stack.clients.kinesis, 1);
  await running?.stop();
  running = await startLocalPipeline(
    { ...stack, streamName, tableNames: { ...stack.tableNames, ...tables } },
    { logger: silentLogger, environments },
  );
  const product = `P-CHURN-${randomUUID().slice(0, 6)}`;
  for (const batch of batches(product)) {
    await putRecords(stack.clients.kinesis, streamName, batch);
    await running.waitForIdle();
  }
  const demand = new DemandStore(stack.clients.documents, tables.demand);
  const [counts] = await demand.minutes(product, MINUTE, 1);
  return counts?.views ?? 0;
}

// One minute, well inside the stream's acceptance (not in the future, not too old).
const MINUTE = minuteOf(toIso(Date.now()));
const view = (product: string, sessionId: string, eventId: string = randomUUID()) =>
  productView(product, { sessionId, eventId, eventTime: toIso(Date.parse(MINUTE) + 1_000) });

/** One session viewing the product 6 times in one minute, 2 views a batch: 3 count (the cap). */
const refreshes = (product: string) =>
  [0, 1, 2].map(() => [view(product, 's-refresher'), view(product, 's-refresher')]);

/** Three events, each sent again in the next batch (a producer's retry): 3 count. */
const retried = (product: string) => {
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  return [
    ids.map((id, index) => view(product, `s-${index}`, id)),
    ids.map((id, index) => view(product, `s-${index}`, id)),
  ];
};

/** A bot: 240 page views of one session in one minute, 60 a batch, then a product view: none counts. */
const botSession = (product: string) => {
  const { productId: _product, priceSeen: _price, ...page } = { ...view(product, 's-bot'), eventType: 'page_view' };
  return [
    ...[0, 1, 2, 3].map(() => Array.from({ length: 60 }, () => ({ ...page, eventId: randomUUID() }))),
    [view(product, 's-bot')],
  ];
};

describe('the fast path’s session rules, batch after batch', () => {
  it('hold in one long-lived environment: the cap, producer retries, bots', async () => {
    expect(await viewsCounted(ONE_LONG_LIVED, refreshes)).toBe(3);
    expect(await viewsCounted(ONE_LONG_LIVED, retried)).toBe(3);
    expect(await viewsCounted(ONE_LONG_LIVED, botSession)).toBe(0);
  }, 60_000);

  it('hold when every batch runs in a fresh execution environment: its memory comes from the session log', async () => {
    expect(await viewsCounted(EVERY_BATCH_FRESH, refreshes)).toBe(3);
    expect(await viewsCounted(EVERY_BATCH_FRESH, retried)).toBe(3);
    expect(await viewsCounted(EVERY_BATCH_FRESH, botSession)).toBe(0);
  }, 60_000);
});
