import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { StreamConsumer, type StreamConsumerProps } from './stream-consumer.js';
import { KINESIS_EVENT_SOURCE_DEFAULTS, STREAM_CONSUMER_ALARM_DEFAULTS } from './stream-consumer-defaults.js';

/**
 * The event source settings a caller may tune. Bisect on error, partial batch responses and the
 * on-failure destination are not among them: every consumer here needs all three.
 */
export interface KinesisConsumerEventSourceProps {
  /** @default 500 */
  readonly batchSize?: number;
  /** @default Duration.seconds(1) */
  readonly maxBatchingWindow?: Duration;
  /** @default 5 */
  readonly retryAttempts?: number;
  /** @default Duration.hours(1) */
  readonly maxRecordAge?: Duration;
  /**
   * Concurrent invocations per shard: only 1 is accepted. Above 1, records of one shard are no longer
   * seen in order by one invocation at a time, and the fast path's per-shard sequence watermarks and
   * session memory rely on that.
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;
}

export interface KinesisConsumerProps extends StreamConsumerProps {
  readonly stream: kinesis.IStream;
  /** @default KINESIS_EVENT_SOURCE_DEFAULTS */
  readonly eventSource?: KinesisConsumerEventSourceProps;
}

/**
 * A Lambda consuming a Kinesis stream, in the shape of the AWS Solutions Constructs
 * `aws-kinesisstreams-lambda`, with partial batch responses on: the function, its event source
 * mapping (read access to the stream and its key comes with it), an encrypted on-failure dead-letter
 * queue, and alarms on lag, errors and dead letters. Table access is the caller's to grant.
 */
export class KinesisConsumer extends StreamConsumer {
  public constructor(scope: Construct, id: string, props: KinesisConsumerProps) {
    const defaults = KINESIS_EVENT_SOURCE_DEFAULTS;
    const tuned = props.eventSource ?? {};
    if (tuned.parallelizationFactor !== undefined && tuned.parallelizationFactor !== 1) {
      throw new Error(
        `KinesisConsumer ${id}: parallelizationFactor must be 1, got ${tuned.parallelizationFactor}: per-shard ` +
          'sequence watermarks and session memory need one invocation per shard at a time, in order',
      );
    }
    const eventSource = {
      ...defaults,
      batchSize: tuned.batchSize ?? defaults.batchSize,
      maxBatchingWindow: tuned.maxBatchingWindow ?? defaults.maxBatchingWindow,
      retryAttempts: tuned.retryAttempts ?? defaults.retryAttempts,
      maxRecordAge: tuned.maxRecordAge ?? defaults.maxRecordAge,
      parallelizationFactor: tuned.parallelizationFactor ?? defaults.parallelizationFactor,
    };
    super(
      scope,
      id,
      { ...props, function: props.function },
      {
        maxRecordAge: eventSource.maxRecordAge,
        incomingRecords: props.stream.metricIncomingRecords({
          statistic: cloudwatch.Stats.SUM,
          period: STREAM_CONSUMER_ALARM_DEFAULTS.period,
        }),
        eventSource: (onFailure) => new KinesisEventSource(props.stream, { ...eventSource, onFailure }),
      },
    );
  }
}
