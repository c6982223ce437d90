import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { type TableId, tableIds, tables } from '../../definitions/resources.js';

const PERIOD = Duration.minutes(1);

export interface DataAlarmsProps {
  readonly stream: kinesis.Stream;
  readonly tables: Readonly<Record<TableId, dynamodb.Table>>;
  readonly alarmAction: cloudwatch.IAlarmAction;
}

/**
 * Throttling where clickprice keeps its data. A throttled stream read delays every price; a throttled
 * put loses clicks at the producer unless it retries; a throttled table or index write backs up the
 * price transactions (an on-demand table throttles when one partition key is hot, or when traffic
 * doubles faster than the table's capacity can follow). Each fires on three throttled minutes of five.
 */
export class DataAlarms extends Construct {
  /** Every alarm, by a name the README's runbook uses. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  public constructor(scope: Construct, id: string, props: DataAlarmsProps) {
    super(scope, id);
    const sum = { statistic: cloudwatch.Stats.SUM, period: PERIOD };
    this.add(
      'StreamReadThrottles',
      'Reads of the clicks stream are throttled: its consumers share each shard’s 2 MB/s and 5 reads/s',
      props.stream.metricReadProvisionedThroughputExceeded(sum),
      props.alarmAction,
    );
    this.add(
      'StreamWriteThrottles',
      'Puts to the clicks stream are throttled (1 MB/s or 1,000 records/s per shard): add shards',
      props.stream.metricWriteProvisionedThroughputExceeded(sum),
      props.alarmAction,
    );
    for (const tableId of tableIds) {
      const table = props.tables[tableId];
      const definition = tables[tableId];
      this.add(
        `${definition.id}Throttles`,
        `Requests to the ${tableId} table are throttled`,
        throttleEvents(table.tableName, undefined),
        props.alarmAction,
      );
      for (const index of definition.globalIndexes) {
        this.add(
          `${definition.id}${index.indexName}Throttles`,
          `Reads or writes of the ${tableId} table’s ${index.indexName} index are throttled (a throttled index write backs up the table’s writes)`,
          throttleEvents(table.tableName, index.indexName),
          props.alarmAction,
        );
      }
    }
  }

  private add(name: string, description: string, metric: cloudwatch.IMetric, action: cloudwatch.IAlarmAction): void {
    const alarm = new cloudwatch.Alarm(this, name, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      // DynamoDB and Kinesis report these only when something was throttled.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    this.alarms[name] = alarm;
  }
}

/** Read and write throttle events of a table, or of one of its global indexes. */
function throttleEvents(tableName: string, indexName: string | undefined): cloudwatch.IMetric {
  const dimensionsMap: Record<string, string> = { TableName: tableName };
  if (indexName !== undefined) dimensionsMap.GlobalSecondaryIndexName = indexName;
  const metric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.SUM,
      period: PERIOD,
    });
  return new cloudwatch.MathExpression({
    expression: 'FILL(reads, 0) + FILL(writes, 0)',
    usingMetrics: { reads: metric('ReadThrottleEvents'), writes: metric('WriteThrottleEvents') },
    label: indexName === undefined ? 'throttle events' : `${indexName} throttle events`,
    period: PERIOD,
  });
}
