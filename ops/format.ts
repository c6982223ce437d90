/** Plain-text rendering for the ops CLI: aligned tables, money and times a person reads at a glance. */

import { moneyText as money } from '../dashboard/money.js';
import type { PipelineHealth, PriceChange, ProductSummary, RedriveOutcome } from '../functions/domain/api-types.js';

/** Cents as currency units with the code: `1299, 'EUR'` → `12.99 EUR` (dashboard/money.js). */
export { money };

/** `2026-11-22T10:04:05.123Z` → `2026-11-22 10:04:05Z`. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '-';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** Rows under a header, each column as wide as its widest cell; numbers right-aligned. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        rightAligned.includes(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/**
 * The history and feed table: when, what, the price move, why, and who. One row per change; amounts in each product's currency (`currencyOf`: a history row does
 * not carry its product's currency).
 */
export function changesTable(
  changes: readonly PriceChange[],
  withProduct: boolean,
  currencyOf: (productId: string) => string | undefined,
): string {
  const header = [
    ...(withProduct ? ['product'] : []),
    'changed at',
    'action',
    'old',
    'new',
    'reason',
    'guardrail',
    'source',
    'actor',
    'change id',
  ];
  const rows = changes.map((change) => [
    ...(withProduct ? [change.productId] : []),
    time(change.changedAt),
    change.action,
    money(change.oldPrice, currencyOf(change.productId)),
    money(change.newPrice, currencyOf(change.productId)),
    change.reasonCode,
    change.guardrail ?? '-',
    change.source,
    change.actor,
    change.changeId,
  ]);
  const offset = withProduct ? 1 : 0;
  return table(header, rows, [offset + 2, offset + 3]);
}

export function productsTable(products: readonly ProductSummary[]): string {
  const rows = products.map((product) => [
    product.productId,
    product.name.length > 28 ? `${product.name.slice(0, 27)}…` : product.name,
    product.category,
    money(product.price, product.currency),
    `${money(product.floor, product.currency, false)}–${money(product.ceiling, product.currency, false)}`,
    String(product.demand.views),
    String(product.demand.carts),
    String(product.demand.purchases),
    product.freeze ? `frozen${product.freeze.until ? ` until ${time(product.freeze.until)}` : ''}` : '',
    product.lastChange ? `${product.lastChange.reasonCode} ${time(product.lastChange.changedAt)}` : '-',
  ]);
  return table(
    ['product', 'name', 'category', 'price', 'bounds', 'views', 'carts', 'buys', 'state', 'last change'],
    rows,
    [3, 5, 6, 7],
  );
}

export function productDetail(product: ProductSummary): string {
  const lines: [string, string][] = [
    ['product', `${product.productId}  ${product.name} (${product.category})`],
    [
      'price',
      `${money(product.price, product.currency)}   base ${money(product.basePrice, product.currency, false)}   lowest 30 d ${money(product.lowest30d, product.currency, false)}`,
    ],
    ['bounds', `${money(product.floor, product.currency, false)} – ${money(product.ceiling, product.currency)}`],
    ['inventory', String(product.inventory)],
    ['version', `${product.version}, updated ${time(product.updatedAt)}`],
    [
      'freeze',
      product.freeze
        ? `frozen by ${product.freeze.actor} at ${time(product.freeze.frozenAt)} until ${product.freeze.until ? time(product.freeze.until) : 'unfrozen'}: ${product.freeze.reason}`
        : 'not frozen',
    ],
    [
      `demand (${product.demand.minutes} min)`,
      `${product.demand.views} views, ${product.demand.carts} carts, ${product.demand.purchases} purchases`,
    ],
    [
      'last change',
      product.lastChange
        ? `${time(product.lastChange.changedAt)} ${product.lastChange.action} ${money(product.lastChange.oldPrice, product.currency, false)} → ${money(product.lastChange.newPrice, product.currency)} (${product.lastChange.reasonCode}${product.lastChange.guardrail ? `, bound by ${product.lastChange.guardrail}` : ''}; ${product.lastChange.actor})`
        : '-',
    ],
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** The fast path's mapping and last hour, as numbers (what could not be read, said so). */
function fastPathLines({ mapping, metrics }: PipelineHealth['fastPath']): string[] {
  const lines = [
    mapping === null
      ? 'event-source mapping: not read'
      : `event-source mapping ${mapping.id}: ${mapping.state}, last batch ${mapping.lastProcessingResult ?? '-'}`,
  ];
  if (metrics === null) return [...lines, 'fast path metrics: not read'];
  const age = metrics.iteratorAgeSeconds === null ? 'idle' : `${Math.round(metrics.iteratorAgeSeconds)} s`;
  return [
    ...lines,
    `last hour: ${metrics.invocationsLastHour} invocations, ${metrics.errorsLastHour} errors; iterator age ${age}; ` +
      `dead letters ${metrics.deadLettersSentLastHour} sent, ${metrics.deadLettersWaiting ?? '-'} waiting`,
  ];
}

/** GET /ops/pipeline for people: a row per path, its colour, why, the numbers behind them, and the latest restart. */
export function pipelineText(health: PipelineHealth): string {
  const { richPath, fastPath } = health;
  const run = richPath.run;
  const rows = [
    ['rich path', richPath.status.toUpperCase(), `${richPath.jobName}: ${richPath.why}`],
    ['fast path', fastPath.status.toUpperCase(), fastPath.why],
  ];
  const lines = [
    `pipeline ${health.status.toUpperCase()} at ${time(health.checkedAt)}`,
    table(['path', 'status', 'why'], rows),
  ];
  if (run !== null)
    lines.push(
      `Glue run ${run.id}: ${run.state}, started ${time(run.startedAt)}${run.errorMessage ? `, error: ${run.errorMessage}` : ''}`,
    );
  const batch = richPath.lastBatch;
  if (batch !== null)
    lines.push(
      `last batch ${batch.batchId} (${batch.engine}): window ${time(batch.windowStart)}–${time(batch.windowEnd)}, ` +
        `${batch.records} records (${batch.rejected} refused), ${batch.rows} rows, committed ${time(batch.committedAt)}; ` +
        `newest record ${richPath.lagSeconds} s old`,
    );
  lines.push(...fastPathLines(fastPath));
  const restart = richPath.restart;
  if (restart !== null) {
    const outcome =
      restart.state === 'done'
        ? `done: run ${restart.newRunId}`
        : restart.state === 'failed'
          ? `failed: ${restart.error}`
          : `stopping ${restart.stoppingRunIds.join(', ')}`;
    lines.push(`last restart: ${time(restart.requestedAt)} by ${restart.requestedBy} (${restart.reason}), ${outcome}`);
  }
  return lines.join('\n');
}

/** A dead-letter redrive's outcomes, one row per dead letter. */
export function redriveText(outcomes: readonly RedriveOutcome[]): string {
  if (outcomes.length === 0) return 'no dead letters';
  return table(
    ['dead letter', 'outcome', 'shard', 'records / reason'],
    outcomes.map((outcome) => [
      outcome.id,
      outcome.outcome,
      'batch' in outcome ? outcome.batch.shardId : '-',
      outcome.outcome === 'replayed' ? String(outcome.records) : outcome.reason,
    ]),
  );
}
