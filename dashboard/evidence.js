/**
 * The statistical evidence a price decision recorded in its history row's `signals` (see
 * functions/domain/demand-evidence-report.ts, evidenceSnapshot, and pricing-policy.ts, snapshotOf),
 * as short lines for people. Pure: no DOM, so the unit tests import it as it is served.
 */
import { count, duration, money } from './format.js';

const TEST_TYPES = ['views', 'carts', 'purchases'];
const TEST_DIRECTIONS = ['Up', 'Down'];
/** History rows store p-values below this as 0 (LIMITS.smallestSignal in functions/domain/limits.ts). */
const SMALLEST_STORED = '1e-100';
/** Reasons a price moved on stock rather than on demand: their row leads with the stock. */
const STOCK_REASONS = new Set(['low_stock', 'overstock']);
/** Keys only rows written since decisions carry evidence have; older rows had none of them. */
const EVIDENCE_KEYS = ['warmingUp', 'demandDirection', 'coverMinutes', 'salesPerHour', 'unitCost'];

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

/** A count or rate, short: `34`, `231`, `8.2`, `0.043`. */
function amount(value) {
  if (Number.isInteger(value) || Math.abs(value) >= 100) return String(Math.round(value));
  return String(Math.abs(value) >= 1 ? Number(value.toFixed(1)) : Number(value.toPrecision(2)));
}

/** A probability, short and exact enough to compare: `0.21`, `0.042`, `3.1e-9`, `1e-6`. */
function probability(value) {
  if (value >= 0.001) return String(Number(value.toPrecision(2)));
  return value.toExponential(1).replace('.0e', 'e');
}

/** `×4.1`, `×0.62`, `×12`. */
function ratio(value) {
  return `×${Number(value.toPrecision(2))}`;
}

/** A span of periods in the unit of the row's source: fast-path minutes, rich-path windows. */
function periods(value, source) {
  if (source === 'fast-path') return `${amount(value)} min`;
  const unit = source === 'rich-path' ? 'window' : 'period';
  return `${amount(value)} ${unit}${value === 1 ? '' : 's'}`;
}

function historyUnit(source) {
  if (source === 'fast-path') return 'minutes';
  return source === 'rich-path' ? 'windows' : 'periods';
}

/** The decisive test of the row: the one test whose numbers it stores (`viewsUpCount`, ...), or null. */
function decisiveTest(signals) {
  for (const type of TEST_TYPES) {
    for (const direction of TEST_DIRECTIONS) {
      const key = `${type}${direction}`;
      const test = {
        type,
        count: signals[`${key}Count`],
        exposure: signals[`${key}Exposure`],
        expected: signals[`${key}Expected`],
        baselineCount: signals[`${key}BaselineCount`],
        baselinePeriods: signals[`${key}BaselinePeriods`],
        pValue: signals[`${key}PValue`],
      };
      if (isNumber(test.count) || isNumber(test.pValue)) return test;
    }
  }
  return null;
}

/** `views 34 in the last 2 min, 8.2 expected (baseline 120 in 30 min)`; parts a row lacks are left out. */
function testLine(test, source) {
  let text = test.type;
  if (isNumber(test.count)) {
    text += ` ${amount(test.count)}`;
    if (isNumber(test.exposure)) text += ` in the last ${periods(test.exposure, source)}`;
  }
  if (isNumber(test.expected)) text += `, ${amount(test.expected)} expected`;
  if (isNumber(test.baselineCount) && isNumber(test.baselinePeriods)) {
    text += ` (baseline ${amount(test.baselineCount)} in ${periods(test.baselinePeriods, source)})`;
  }
  return text;
}

/** `P = 3.1e-9 ≤ threshold 6.2e-8 (false-alarm level 1e-6 over 16 tests)`. */
function thresholdLine(pValue, signals) {
  const { threshold, falseAlarmLevel, testsPerEvaluation } = signals;
  const parts = [];
  if (isNumber(pValue)) {
    const p = pValue === 0 ? `P < ${SMALLEST_STORED}` : `P = ${probability(pValue)}`;
    parts.push(isNumber(threshold) ? `${p} ${pValue <= threshold ? '≤' : '>'}` : p);
  }
  if (isNumber(threshold)) parts.push(`threshold ${probability(threshold)}`);
  if (isNumber(falseAlarmLevel)) {
    const over = isNumber(testsPerEvaluation)
      ? ` over ${testsPerEvaluation} test${testsPerEvaluation === 1 ? '' : 's'}`
      : '';
    parts.push(`(false-alarm level ${probability(falseAlarmLevel)}${over})`);
  }
  return parts.length > 0 ? parts.join(' ') : null;
}

/** Significant when the decisive p-value reached the threshold; a recorded rise or fall passed a test. */
function verdictOf(test, signals) {
  let significant;
  if (test !== null && isNumber(test.pValue) && isNumber(signals.threshold)) {
    significant = test.pValue <= signals.threshold;
  } else if (isNumber(signals.demandDirection)) {
    significant = signals.demandDirection !== 0;
  } else {
    return null;
  }
  return { significant, text: significant ? 'significant' : 'not significant' };
}

/**
 * `demand up ×4.1 · confirmed by orders`, `demand down ×0.62`, `demand steady ×1.1`; with the span the
 * ratio is read over when the row has it (`demand up ×4.1 over 1 min`), which may not be the test's.
 */
function demandHeadline(signals, source) {
  const direction = signals.demandDirection;
  if (!isNumber(direction)) return null;
  const word = direction > 0 ? 'up' : direction < 0 ? 'down' : 'steady';
  let text = `demand ${word}`;
  if (isNumber(signals.demandRatio)) text += ` ${ratio(signals.demandRatio)}`;
  if (isNumber(signals.demandRatio) && isNumber(signals.demandRatioSpanPeriods)) {
    text += ` over ${periods(signals.demandRatioSpanPeriods, source)}`;
  }
  if (direction > 0 && isNumber(signals.ordersConfirm)) {
    text += signals.ordersConfirm === 1 ? ' · confirmed by orders' : ' · clicks only';
  }
  return text;
}

/** `120 in stock · 12.5 sold/h · 9.6 h of cover`. */
function stockLine(signals) {
  const parts = [];
  if (isNumber(signals.inventory)) parts.push(`${count(signals.inventory)} in stock`);
  if (isNumber(signals.salesPerHour)) parts.push(`${amount(signals.salesPerHour)} sold/h`);
  if (isNumber(signals.coverMinutes)) {
    const cover = signals.coverMinutes < 1 ? '< 1 min' : duration(signals.coverMinutes * 60);
    parts.push(`${cover} of cover`);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}

/**
 * What a history row's decision rested on, or null for a row without evidence (ops actions, rows
 * written before decisions recorded it). `change` is a PriceChange (its `source`, `signals`,
 * `reasonCode`); `currency` is the product's, for the unit cost.
 *
 * Returns `{ summary, summaryKind, verdict, lines }`: `summary` one line (the feed, the collapsed
 * history cell), the line of `lines` the decision's reason rests on, `summaryKind` its kind; `verdict`
 * `{ significant, text }` of the demand test, or null when none was made (warm-up); `lines`
 * `{ kind, text }` in reading order, `kind` one of warmup, test, threshold, demand, stock, margin.
 */
export function evidenceOf(change, currency) {
  const signals = change?.signals;
  if (!signals || change.source === 'ops') return null;
  if (!EVIDENCE_KEYS.some((key) => isNumber(signals[key]))) return null;
  const { source } = change;
  const lines = [];
  let demand = null;
  let verdict = null;

  if (signals.warmingUp === 1) {
    const { historyPeriods, neededPeriods } = signals;
    if (isNumber(historyPeriods) && isNumber(neededPeriods)) {
      demand = `warming up: ${amount(historyPeriods)} of ${amount(neededPeriods)} ${historyUnit(source)} of history`;
    } else {
      demand = 'warming up';
    }
    lines.push({ kind: 'warmup', text: demand });
  } else if (isNumber(signals.demandDirection)) {
    const test = decisiveTest(signals);
    lines.push({ kind: 'test', text: test === null ? 'no count above its expectation' : testLine(test, source) });
    const threshold = thresholdLine(test?.pValue, signals);
    if (threshold !== null) lines.push({ kind: 'threshold', text: threshold });
    demand = demandHeadline(signals, source);
    const against = signals.againstReference === 1 ? ' · against the reference of the last move' : '';
    lines.push({ kind: 'demand', text: `${demand}${against}` });
    verdict = verdictOf(test, signals);
  }

  const stock = stockLine(signals);
  if (stock !== null) lines.push({ kind: 'stock', text: stock });
  if (isNumber(signals.unitCost))
    lines.push({ kind: 'margin', text: `unit cost ${money(signals.unitCost, currency)}` });

  if (lines.length === 0) return null;
  const leading = STOCK_REASONS.has(change.reasonCode) ? ['stock', 'demand', 'warmup'] : ['demand', 'warmup', 'stock'];
  const headline =
    leading.map((kind) => lines.find((line) => line.kind === kind)).find((line) => line !== undefined) ?? lines[0];
  // The summary says the demand in one line; its lines add what it was read against.
  const summary = headline.kind === 'demand' ? demand : headline.text;
  return { summary, summaryKind: headline.kind, verdict, lines };
}
