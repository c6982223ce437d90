import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/build-app.js';
import { AWS_PRICES } from '../../../ops/cost/aws-prices.js';
import { estimateMonthlyCost, USAGE, withDefaults } from '../../../ops/cost/cost-model.js';
import { noBundling } from '../../helpers/cdk-context.js';

/** Within 0.1 % of the hand calculation (which rounds its intermediate steps). */
function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeGreaterThan(expected * 0.999);
  expect(actual).toBeLessThan(expected * 1.001);
}

describe('npm run cost, against a hand calculation at 10 million events a day', () => {
  // 240 products, peak 3× the mean, 1,000,000 API requests and 240 price changes a day; a month is
  // 730 h = 30.4167 days, so 304.1667 million events.
  const estimate = estimateMonthlyCost(withDefaults(10_000_000), AWS_PRICES);
  const usd = (service: string) => estimate.byService[service];

  it('sizes the stream and prices Kinesis: 2 shards, their fan-out consumer, PUT units and data read', () => {
    // Busiest second 115.7 × 3 = 347 records (0.13 MB): the deployed 2 shards suffice.
    // 2 × 730 h × $0.015 = $21.90, twice (shards, fan-out); 304.17 M units × $0.014/M = $4.26;
    // 304.17 M × 400 B = 121.67 GB × $0.013 = $1.58.
    expect(estimate.derived.shards).toBe(2);
    near(usd('Kinesis'), 21.9 + 21.9 + 4.2583 + 1.5817);
  });

  it('counts the fast path’s counter writes as the distinct product-minutes of each batch, and its session log', () => {
    // One batch a second per shard: 172,800 a day of 57.87 events; 240 × (1 − (239/240)^57.87) = 51.51 keys.
    near(estimate.derived.clickstreamBatchesPerDay, 172_800);
    near(estimate.derived.counterWritesPerBatch, 51.512);
    // The session log entry: 57.87 × 37.9 B = 2.19 KB → 3 WRU a batch; the Query before a batch
    // finds the entry of the batch before (2.19 KB, 1 RRU); a read of the horizon (10 minutes of a
    // shard's 3,472.2 events a minute × 37.9 B = 1.316 MB → 322 RRU) and the bot memory (1): 323.
    expect(estimate.derived.sessionLogWriteUnitsPerBatch).toBe(3);
    expect(estimate.derived.sessionLogReadUnitsPerBatch).toBe(1);
    expect(estimate.derived.sessionLogHorizonReadUnits).toBe(323);
    // WRU a day: 172,800 × (51.512 counters + 3 log) + 10,000 quarantined + 345,600 aggregate rows
    // + 240 × 10 for changes = 9,777,674; × 30.4167 = 297.40 M × $0.625/M = $185.88.
    // RRU a day: 172,800 log Queries + 2 shards × 48 horizon reads × 323 + 345,600 × 6 + 240 × 3 =
    // 2,278,128; × 30.4167 = 69.293 M × $0.125/M = $8.6616.
    // Stored: 6.4728 GB + the log's 10 M × 2 days × 37.9 B = 0.758 GB: 7.2308 GB × ($0.25 + $0.20) = $3.254.
    near(usd('DynamoDB'), 185.88 + 8.6616 + 7.2308 * 0.45);
  });

  it('prices Lambda by invocations and GB-seconds, and the rest at their list prices', () => {
    // Invocations a day: 172,800 + 3,456 (aggregates, 100 rows each) + 1,000,000 API = 1,176,256;
    // × 30.4167 = 35.778 M × $0.20/M = $7.156. A fast-path batch: 15 ms + 57.87 events × (2.567 µs
    // judging + 1 µs encoding the log entry) + 8 ms (the log's Query) + 2 × 8 ms (51.5 counter writes,
    // 32 at a time) = 39.206 ms. Compute a day: 172,800 × 39.206 ms + 3,456 × 223 ms + 1,000,000 ×
    // 20 ms = 27,546 GB-s; × 30.4167 = 837,846 GB-s × $0.0000133334 = $11.171.
    near(usd('Lambda'), 7.1556 + 11.171);
    near(usd('Glue'), 160.6);
    near(usd('API Gateway'), 30.4167);
    // 38 metrics × $0.30 + 38 alarm metrics × $0.10 + $3 dashboard + (17.889 GB of invocation logs + 1 GB of
    // Glue's + 30.4167 M API requests × 480 B of access log = 14.6 GB) × $0.50.
    near(usd('CloudWatch'), 11.4 + 3.8 + 3 + (18.889 + 14.6) * 0.5);
    // Five keys, each with its two billed rotations: 15 key-months.
    near(usd('KMS'), 15 + 60.833 * 0.03);
    // Traced: the first invocation each second (86,400 a day) and 5 % of the other 1,089,856:
    // 140,892.8 a day × 30.4167 = 4.2855 M traces × $5/M.
    near(usd('X-Ray'), 21.427);
    near(estimate.totalUsd, 486.76 + 7.3 + 3 + 21.427 + 10 + 1.5);
  });

  it('counts the customer-managed KMS keys the stacks really have, each rotating yearly', () => {
    const built = buildApp({ context: noBundling });
    const keys = [built.stateful, built.pipeline, built.api].flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')),
    );

    expect(USAGE.kmsKeys).toBe(keys.length);
    // Yearly (KMS's default period): the key's price then rises in its second and third years, as the model says.
    for (const key of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.RotationPeriodInDays ?? 365).toBe(365);
    }
  });

  it('counts the alarm metrics the stacks really have: one an alarm, each metric of an expression', () => {
    const built = buildApp({ context: noBundling });
    const alarms = [built.stateful, built.pipeline, built.api].flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')),
    );
    const metricsOf = (alarm: { [key: string]: { Metrics?: { MetricStat?: unknown }[] } }) =>
      alarm.Properties?.Metrics === undefined
        ? 1
        : alarm.Properties.Metrics.filter((metric) => metric.MetricStat !== undefined).length;

    expect(USAGE.alarmMetrics).toBe(alarms.reduce((count, alarm) => count + metricsOf(alarm), 0));
  });

  it('refuses a traffic level that is not positive', () => {
    expect(() => withDefaults(0)).toThrow(/eventsPerDay must be a whole number from 1/);
  });
});
