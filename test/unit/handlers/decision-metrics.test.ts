import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordDecisionMetrics } from '../../../functions/handlers/decision-metrics.js';

/** Every EMF document written to stdout while `act` runs. */
function emitted(act: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    write.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe('the decision metrics both paths emit for the dashboard', () => {
  it('counts decisions, times the batch from where it started, and counts each reason under its own dimension', () => {
    const metrics = new Metrics({ namespace: 'clickprice', serviceName: 'clickstream' });
    const documents = emitted(() => {
      recordDecisionMetrics(
        metrics,
        { decisions: 7, changesByReason: { demand_surge: 2, low_stock: 1 }, latencyStartMs: 1_000 },
        3_500,
      );
      metrics.publishStoredMetrics();
    });

    const byReason = documents
      .filter((document) => 'reason' in document)
      .map((document) => [document.reason, document.service, document.PriceChangesByReason]);
    const main = documents.find((document) => 'Decisions' in document);

    expect(byReason.sort()).toEqual([
      ['demand_surge', 'clickstream', 2],
      ['low_stock', 'clickstream', 1],
    ]);
    expect(main).toMatchObject({ Decisions: 7, EndToEndLatency: 2_500, service: 'clickstream' });
  });

  it('emits no latency for a batch with nothing to time', () => {
    const metrics = new Metrics({ namespace: 'clickprice', serviceName: 'aggregates' });
    const documents = emitted(() => {
      recordDecisionMetrics(metrics, { decisions: 0, changesByReason: {}, latencyStartMs: null });
      metrics.publishStoredMetrics();
    });

    expect(documents).toHaveLength(1);
    expect(documents[0]).not.toHaveProperty('EndToEndLatency');
  });
});
