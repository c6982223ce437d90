/**
 * The DuckDB engine's batch: the records read as Glue's source gives them (glue-source.ts), the
 * window's orders and the cached catalogue, the one SQL file in DuckDB, the rows Put whole.
 */
import { AggregatesStore } from '../../functions/store/aggregates-store.js';
import type { DynamoDbDocuments } from '../../functions/store/dynamodb-documents.js';
import { OrdersStore } from '../../functions/store/orders-store.js';
import type { TableNames } from '../../functions/store/table-names.js';
import type { BatchPlan } from './batch-log.js';
import { DuckDbWindowAggregator, type WindowClick, type WindowProduct } from './duckdb-window-aggregator.js';
import { clickOfGlueRow, readAsGlueSource } from './glue-source.js';
import type { ShardRecord } from './shard-reader.js';
import type { BatchAggregation, WindowAggregation } from './window-aggregation.js';

/** Reads a batch's records as the Glue job does: the clicks the rules accept, and how many they rejected. */
function readRecords(records: readonly ShardRecord[]): { clicks: WindowClick[]; rejected: number } {
  const clicks: WindowClick[] = [];
  for (const record of records) {
    const click = clickOfGlueRow(readAsGlueSource(record.data));
    if (click === null) continue;
    const { eventId, sessionId, eventType, productId, quantity, eventTime } = click;
    clicks.push({ eventId, sessionId, eventType, productId, quantity, eventTime });
  }
  return { clicks, rejected: records.length - clicks.length };
}

async function scanProducts(client: DynamoDbDocuments, tableName: string): Promise<WindowProduct[]> {
  const products: WindowProduct[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.scan({
      TableName: tableName,
      ProjectionExpression: 'productId, category, inventory, price',
      ExclusiveStartKey: startKey,
    });
    products.push(...((page.Items ?? []) as WindowProduct[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return products;
}

export interface DuckDbAggregationOptions {
  readonly documents: DynamoDbDocuments;
  readonly tableNames: Pick<TableNames, 'products' | 'orders' | 'aggregates'>;
  /** How often the cached catalogue is re-read; 0: every batch. */
  readonly productsRefreshMs: number;
}

export async function createDuckDbAggregation(options: DuckDbAggregationOptions): Promise<WindowAggregation> {
  const { documents, tableNames, productsRefreshMs } = options;
  const aggregator = await DuckDbWindowAggregator.create();
  const ordersStore = new OrdersStore(documents, tableNames.orders);
  const aggregatesStore = new AggregatesStore(documents, tableNames.aggregates);
  let productsReadAt: number | null = null;

  async function refreshProductsIfDue(): Promise<void> {
    const now = performance.now();
    if (productsReadAt !== null && now - productsReadAt < productsRefreshMs) return;
    await aggregator.replaceProducts(await scanProducts(documents, tableNames.products));
    productsReadAt = now;
  }

  return {
    name: 'duckdb',
    async aggregate(plan: BatchPlan, records: readonly ShardRecord[]): Promise<BatchAggregation> {
      const marks = [performance.now()];
      const { clicks, rejected } = readRecords(records);
      marks.push(performance.now());
      const [orders] = await Promise.all([
        ordersStore.queryWindow(plan.ordersStart, plan.ordersEnd),
        refreshProductsIfDue(),
      ]);
      marks.push(performance.now());
      const rows = await aggregator.aggregate(plan, clicks, orders);
      marks.push(performance.now());
      await aggregatesStore.putAll(rows);
      marks.push(performance.now());
      const [start = 0, parsed = 0, looked = 0, aggregated = 0, written = 0] = marks;
      return {
        eventsAggregated: clicks.length,
        recordsRejected: rejected,
        ordersRead: orders.length,
        rowsWritten: rows.length,
        phasesMs: {
          parse: Math.round(parsed - start),
          lookups: Math.round(looked - parsed),
          sql: Math.round(aggregated - looked),
          write: Math.round(written - aggregated),
        },
      };
    },
    async close() {
      aggregator.close();
    },
  };
}
