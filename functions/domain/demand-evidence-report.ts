/**
 * Demand evidence as people and the price history read it: one sentence for the explanation, and
 * the numbers for the history row's signal snapshot (counts, baseline, the statistic, its threshold).
 */
import type { DemandEvidence, RateTest } from './demand-evidence.js';

/** A p-value or threshold, short and exact enough to compare: 3.1e-9, 0.042. */
export function formatProbability(value: number): string {
  if (value === 0) return '0';
  return value >= 0.001 ? value.toPrecision(2) : value.toExponential(1);
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function periodsText(count: number): string {
  return `${formatCount(count)} period${count === 1 ? '' : 's'}`;
}

function describeTest(test: RateTest): string {
  const comparison = test.direction === 'up' ? '≥' : '≤';
  return (
    `${test.type} ${test.count} in the last ${periodsText(test.exposure)}, ${formatCount(test.expected)} expected from ` +
    `${test.baselineCount} in ${periodsText(test.baselinePeriods)} of baseline: P(${comparison} ${test.count}) ` +
    // Below the smallest double the numerics hold: say so rather than print a flat zero.
    (test.pValue === 0 ? '< 1e-300' : `= ${formatProbability(test.pValue)}`)
  );
}

const SOURCE_NAMES = { minutes: 'fast-path minutes', windows: 'rich-path windows' } as const;

/** One or two sentences: what was tested, against what, and what the evidence says. */
export function describeEvidence(evidence: DemandEvidence): string {
  const source = SOURCE_NAMES[evidence.source];
  if (evidence.kind === 'warming_up') {
    return `Demand warming up (${source}): ${evidence.historyPeriods} of the ${evidence.neededPeriods} periods of history a baseline needs.`;
  }
  const against = evidence.againstReference
    ? 'against the reference kept since the last demand move'
    : 'against the rolling baseline';
  const level = `threshold ${formatProbability(evidence.threshold)} = false-alarm level ${formatProbability(evidence.falseAlarmLevel)} over ${evidence.testsPerEvaluation} tests`;
  const test = evidence.decisive === null ? 'no count above its expectation' : describeTest(evidence.decisive);
  const verdict =
    evidence.direction === 'steady'
      ? 'no significant change'
      : `demand ${evidence.direction} ×${evidence.ratio.toFixed(2)} over the last ${periodsText(evidence.ratioSpanPeriods)}${evidence.direction === 'up' ? (evidence.ordersConfirm ? ', confirmed by orders' : ', clicks only') : ''}`;
  return `Evidence (${source}, ${against}): ${test}; ${level}: ${verdict}.`;
}

/** The evidence's numbers for a price-history row; keys name the test (`viewsUpPValue`, …). */
export function evidenceSnapshot(evidence: DemandEvidence): Record<string, number> {
  if (evidence.kind === 'warming_up') {
    return {
      warmingUp: 1,
      historyPeriods: evidence.historyPeriods,
      neededPeriods: evidence.neededPeriods,
      periodSeconds: evidence.periodSeconds,
    };
  }
  const snapshot: Record<string, number> = {
    periodSeconds: evidence.periodSeconds,
    historyPeriods: evidence.historyPeriods,
    demandDirection: evidence.direction === 'up' ? 1 : evidence.direction === 'down' ? -1 : 0,
    demandRatio: evidence.ratio,
    demandRatioSpanPeriods: evidence.ratioSpanPeriods,
    threshold: evidence.threshold,
    falseAlarmLevel: evidence.falseAlarmLevel,
    testsPerEvaluation: evidence.testsPerEvaluation,
    ordersConfirm: evidence.ordersConfirm ? 1 : 0,
    againstReference: evidence.againstReference ? 1 : 0,
    baselinePeriods: evidence.baseline.periods,
    baselineViews: evidence.baseline.views,
    baselineCarts: evidence.baseline.carts,
    baselinePurchases: evidence.baseline.purchases,
    baselineUnits: evidence.baseline.units,
  };
  const test = evidence.decisive;
  if (test !== null) {
    const key = `${test.type}${test.direction === 'up' ? 'Up' : 'Down'}`;
    snapshot[`${key}Count`] = test.count;
    snapshot[`${key}Exposure`] = test.exposure;
    snapshot[`${key}Expected`] = test.expected;
    snapshot[`${key}BaselineCount`] = test.baselineCount;
    snapshot[`${key}BaselinePeriods`] = test.baselinePeriods;
    snapshot[`${key}PValue`] = test.pValue;
  }
  return snapshot;
}
