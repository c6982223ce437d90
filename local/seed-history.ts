/**
 * A fresh local stack starts with demand history: half an hour of steady traffic from the simulator,
 * counted as the fast path counts it (the demand table) and aggregated by the rich path's SQL (the
 * aggregates table), as if the shop had been trading before `npm start`. Without it, demand evidence
 * warms up for ten minutes and the demo's flash sale would move nothing.
 */
import { simulateHistory } from '../backtest/history.js';
import type { Product } from '../functions/domain/product.js';
import { toIso } from '../functions/domain/time.js';
import { AggregatesStore } from '../functions/store/aggregates-store.js';
import { DemandStore } from '../functions/store/demand-store.js';
import type { LocalStack } from './local-stack.js';

const MINUTE_MS = 60_000;

export interface SeededHistory {
  readonly minutes: number;
  readonly demandItems: number;
  readonly aggregateRows: number;
}

/** Seeds the `minutes` whole minutes before the current one; the live run counts from the current one on. */
export async function seedHistory(
  stack: Pick<LocalStack, 'clients' | 'tableNames'>,
  catalogue: readonly Product[],
  options: { readonly seed: number; readonly rate: number; readonly minutes: number; readonly now?: number },
): Promise<SeededHistory> {
  const endMs = Math.floor((options.now ?? Date.now()) / MINUTE_MS) * MINUTE_MS;
  const history = await simulateHistory({
    catalogue,
    seed: options.seed,
    rate: options.rate,
    startMs: endMs - options.minutes * MINUTE_MS,
    endMs,
  });
  const { documents } = stack.clients;
  await new DemandStore(documents, stack.tableNames.demand).seedMinutes(
    history.minutes.map(({ productId, minuteMs, counts }) => ({ productId, minute: toIso(minuteMs), counts })),
  );
  await new AggregatesStore(documents, stack.tableNames.aggregates).putAll(history.rows);
  return { minutes: options.minutes, demandItems: history.minutes.length, aggregateRows: history.rows.length };
}
