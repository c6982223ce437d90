import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** What one batch decided, as both paths count it. */
export interface BatchDecisions {
  /** Pricing evaluations that reached the price store (applied, no change or duplicate). */
  readonly decisions: number;
  readonly changesByReason: Readonly<Record<string, number>>;
  /** Where the batch's latency starts (the oldest click's arrival, the oldest window's end); null for none. */
  readonly latencyStartMs: number | null;
}

/**
 * The metrics the stage's dashboard plots for both paths: decisions, price changes by reason (one
 * metric per reason, dimension `reason`) and the end-to-end latency of the batch's slowest input,
 * from where it started to its decisions being committed.
 */
export function recordDecisionMetrics(metrics: Metrics, batch: BatchDecisions, nowMs = Date.now()): void {
  metrics.addMetric('Decisions', MetricUnit.Count, batch.decisions);
  if (batch.latencyStartMs !== null) {
    metrics.addMetric('EndToEndLatency', MetricUnit.Milliseconds, Math.max(0, nowMs - batch.latencyStartMs));
  }
  for (const [reason, count] of Object.entries(batch.changesByReason)) {
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('PriceChangesByReason', MetricUnit.Count, count);
  }
}
