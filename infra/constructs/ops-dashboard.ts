import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from './handler-function-defaults.js';

const MINUTE = Duration.minutes(1);

/** The Powertools service names of the two paths' functions (their metrics' `service` dimension). */
const PATHS = { 'fast path': 'clickstream', 'rich path': 'aggregates' } as const;

export interface OpsDashboardProps {
  readonly dashboardName: string;
  readonly stream: kinesis.IStream;
}

/**
 * One CloudWatch dashboard per stage: what comes in (clicks), what the pricing does with it
 * (decisions, price changes by reason), what it refuses (quarantine rate) and how long a click or a
 * window takes to become a decision (EndToEndLatency, functions/handlers/decision-metrics.ts).
 */
export class OpsDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const handlerMetric = (metricName: string, service: string, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: MINUTE,
        label,
      });
    const perPath = (metricName: string, statistic: string) =>
      Object.entries(PATHS).map(([path, service]) => handlerMetric(metricName, service, statistic, path));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Clicks in (records put on the stream per minute)',
        left: [
          props.stream.metricIncomingRecords({ statistic: cloudwatch.Stats.SUM, period: MINUTE, label: 'records' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pricing decisions per minute',
        left: perPath('Decisions', cloudwatch.Stats.SUM),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Price changes per minute, by reason',
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},reason,service} MetricName="PriceChangesByReason"', 'Sum', 60)`,
            label: '',
            period: MINUTE,
          }),
        ],
        stacked: true,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Quarantine rate (% of fast-path records)',
        left: [
          new cloudwatch.MathExpression({
            expression: '100 * FILL(quarantined, 0) / received',
            usingMetrics: {
              quarantined: handlerMetric('RecordsQuarantined', PATHS['fast path'], cloudwatch.Stats.SUM, 'quarantined'),
              received: handlerMetric('RecordsReceived', PATHS['fast path'], cloudwatch.Stats.SUM, 'received'),
            },
            label: 'quarantined %',
            period: MINUTE,
          }),
        ],
        leftYAxis: { min: 0, max: 100 },
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'End-to-end latency, p99 (ms): click on the stream → decision; window close → decision',
        left: perPath('EndToEndLatency', cloudwatch.Stats.percentile(99)),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'End-to-end latency, p50 (ms)',
        left: perPath('EndToEndLatency', cloudwatch.Stats.percentile(50)),
        width: 12,
      }),
    );
  }
}
