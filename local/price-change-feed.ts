import { moneyText } from '../dashboard/money.js';
import type { PriceChange } from '../functions/domain/price-change.js';
import { toIso } from '../functions/domain/time.js';
import type { PriceHistoryStore } from '../functions/store/price-history-store.js';

/** Prints price changes as they land, so `npm start` shows prices reacting. */
export interface PriceChangeFeed {
  /** Changes printed so far. */
  readonly printed: number;
  stop(): Promise<void>;
}

/** One line per change; amounts in the product's currency when `currency` is known. */
export function describeChange(change: PriceChange, currency?: string): string {
  const price =
    change.action === 'price'
      ? `${moneyText(change.oldPrice, currency)} → ${moneyText(change.newPrice, currency)}`
      : change.action;
  const guardrail = change.guardrail ? `, bound by ${change.guardrail}` : '';
  return `${change.changedAt.slice(11, 19)}  ${change.productId}  ${price}  (${change.reasonCode}${guardrail}; ${change.source})`;
}

/** Polls the live feed (the history's hour index) every `intervalMs` and prints each change once. */
export function startPriceChangeFeed(
  history: PriceHistoryStore,
  print: (line: string) => void,
  options: { readonly intervalMs?: number; readonly currencyOf?: (productId: string) => string | undefined } = {},
): PriceChangeFeed {
  const intervalMs = options.intervalMs ?? 1_000;
  const seen = new Set<string>();
  let printed = 0;
  let running = true;
  // Ends the current wait at once: stop() must not wait out the interval. The wait's timer is unref'd
  // so the feed alone keeps no process alive — which is also why stop() cannot simply let it run:
  // after Ctrl-C has stopped the servers, nothing else may be left to keep the process alive until
  // it fires, and the process would end mid-shutdown.
  let wake = () => {};
  const loop = (async () => {
    while (running) {
      try {
        const changes = await history.recent(5, toIso(Date.now()), 100);
        for (const change of changes.reverse()) {
          const key = `${change.productId}|${change.changeId}`;
          if (seen.has(key)) continue;
          seen.add(key);
          printed++;
          print(`  price  ${describeChange(change, options.currencyOf?.(change.productId))}`);
        }
      } catch {
        // The stack may be stopping; the next round (if any) tries again.
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs).unref();
      });
    }
  })();
  return {
    get printed() {
      return printed;
    },
    stop: async () => {
      running = false;
      wake();
      await loop;
    },
  };
}
