import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from './dead-letter-queue.js';
import { HandlerFunction, type HandlerFunctionProps } from './handler-function.js';
import { StreamConsumerAlarms } from './stream-consumer-alarms.js';
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
   * Concurrent invocations per shard. Above 1, records of one shard are no longer seen in order by one
   * invocation at a time, which handlers with per-shard state rely on.
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;
}

export interface KinesisConsumerProps {
  readonly stream: kinesis.IStream;
  readonly function: HandlerFunctionProps;
  /** @default KINESIS_EVENT_SOURCE_DEFAULTS */
  readonly eventSource?: KinesisConsumerEventSourceProps;
  /**
   * Lag behind the stream at which the iterator-age alarm fires. Must be below `maxRecordAge`, or
   * records expire to the dead-letter queue before anyone is told that the consumer lags.
   *
   * @default Duration.seconds(60)
   */
  readonly iteratorAgeThreshold?: Duration;
  /** @default - none: the alarms notify no one */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * A Lambda consuming a Kinesis stream, in the shape of the AWS Solutions Constructs
 * `aws-kinesisstreams-lambda`, with partial batch responses on: the function, its event source
 * mapping (read access to the stream and its key comes with it), an encrypted on-failure dead-letter
 * queue, and alarms on lag, errors and dead letters. Table access is the caller's to grant.
 */
export class KinesisConsumer extends Construct {
  public readonly handler: HandlerFunction;
  public readonly function: nodejs.NodejsFunction;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarms: StreamConsumerAlarms;

  public constructor(scope: Construct, id: string, props: KinesisConsumerProps) {
    super(scope, id);
    const defaults = KINESIS_EVENT_SOURCE_DEFAULTS;
    const tuned = props.eventSource ?? {};
    const eventSource = {
      ...defaults,
      batchSize: tuned.batchSize ?? defaults.batchSize,
      maxBatchingWindow: tuned.maxBatchingWindow ?? defaults.maxBatchingWindow,
      retryAttempts: tuned.retryAttempts ?? defaults.retryAttempts,
      maxRecordAge: tuned.maxRecordAge ?? defaults.maxRecordAge,
      parallelizationFactor: tuned.parallelizationFactor ?? defaults.parallelizationFactor,
    };
    const iteratorAgeThreshold = props.iteratorAgeThreshold ?? STREAM_CONSUMER_ALARM_DEFAULTS.iteratorAgeThreshold;
    if (iteratorAgeThreshold.toSeconds() >= eventSource.maxRecordAge.toSeconds()) {
      throw new Error(
        `KinesisConsumer ${id}: iteratorAgeThreshold (${iteratorAgeThreshold.toHumanString()}) must be below ` +
          `maxRecordAge (${eventSource.maxRecordAge.toHumanString()}), or records expire before the lag alarm fires`,
      );
    }

    this.handler = new HandlerFunction(this, 'Handler', props.function);
    this.function = this.handler.function;
    this.deadLetterQueue = createDeadLetterQueue(
      this,
      'DeadLetterQueue',
      `positions of batches the ${props.function.serviceName} consumer gave up on`,
    );

    this.function.addEventSource(
      new KinesisEventSource(props.stream, { ...eventSource, onFailure: new SqsDlq(this.deadLetterQueue) }),
    );

    this.alarms = new StreamConsumerAlarms(this, 'Alarms', {
      function: this.function,
      deadLetterQueue: this.deadLetterQueue,
      iteratorAgeThreshold,
      alarmActions: props.alarmActions,
    });
  }
}
