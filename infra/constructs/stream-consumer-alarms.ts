import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_CONSUMER_ALARM_DEFAULTS } from './stream-consumer-defaults.js';

export interface StreamConsumerAlarmsProps {
  readonly function: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** @default Duration.seconds(60) */
  readonly iteratorAgeThreshold?: Duration;
  /**
   * Records arriving at the consumer's source per period. Given, a fourth alarm fires when records
   * keep arriving and the consumer is not invoked at all.
   *
   * @default - no such alarm
   */
  readonly incomingRecords?: cloudwatch.IMetric;
  /**
   * What every alarm does when it fires (an SNS topic, for instance).
   *
   * @default - none: the alarms change state and show on the console, nobody is notified
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * The signs that a stream consumer is in trouble: it lags behind the stream (iterator age), its
 * invocations throw (errors), it has given up on a batch (a message in its dead-letter queue), or,
 * where the source reports what arrives, it is not invoked while records arrive (stalled).
 */
export class StreamConsumerAlarms extends Construct {
  public readonly iteratorAge: cloudwatch.Alarm;
  public readonly errors: cloudwatch.Alarm;
  public readonly deadLetters: cloudwatch.Alarm;
  public readonly stalled: cloudwatch.Alarm | undefined;

  public constructor(scope: Construct, id: string, props: StreamConsumerAlarmsProps) {
    super(scope, id);
    const defaults = STREAM_CONSUMER_ALARM_DEFAULTS;
    const threshold = props.iteratorAgeThreshold ?? defaults.iteratorAgeThreshold;

    this.iteratorAge = new cloudwatch.Alarm(this, 'IteratorAge', {
      alarmDescription: `The consumer lags more than ${threshold.toHumanString()} behind its stream`,
      metric: props.function.metric('IteratorAge', {
        statistic: cloudwatch.Stats.MAXIMUM,
        period: defaults.period,
      }),
      threshold: threshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: defaults.iteratorAgeEvaluationPeriods,
      datapointsToAlarm: defaults.iteratorAgeEvaluationPeriods,
      // No data means no invocations: an idle stream, not a lagging consumer.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.errors = new cloudwatch.Alarm(this, 'Errors', {
      alarmDescription: 'Invocations of the consumer keep throwing, so whole batches are retried',
      metric: props.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: defaults.period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: defaults.errorsEvaluationPeriods,
      datapointsToAlarm: defaults.errorsDatapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'The consumer gave up on a batch after its retries: its position is in the dead-letter queue',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: defaults.period,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Iterator age is reported only for batches the consumer got: a mapping disabled, or a function
    // throttled to nothing, reports none, and the lag alarm reads an idle stream. So: records came in
    // for five minutes and not one invocation ran (a comparison gives 1 or 0; FILL makes a minute with
    // no invocations a 0). An idle stream gives 0s, or no datapoints: no alarm.
    this.stalled =
      props.incomingRecords === undefined
        ? undefined
        : new cloudwatch.Alarm(this, 'Stalled', {
            alarmDescription: 'Records keep arriving on the stream and the consumer is not invoked at all',
            metric: new cloudwatch.MathExpression({
              expression: 'incoming > 0 AND FILL(invocations, 0) == 0',
              usingMetrics: {
                incoming: props.incomingRecords,
                invocations: props.function.metricInvocations({
                  statistic: cloudwatch.Stats.SUM,
                  period: defaults.period,
                }),
              },
              period: defaults.period,
              label: 'records in, no invocation',
            }),
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          });

    for (const alarm of [this.iteratorAge, this.errors, this.deadLetters, ...(this.stalled ? [this.stalled] : [])]) {
      alarm.addAlarmAction(...(props.alarmActions ?? []));
    }
  }
}
