import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from './dead-letter-queue.js';
import { HandlerFunction, type HandlerFunctionProps } from './handler-function.js';
import { StreamConsumerAlarms } from './stream-consumer-alarms.js';
import { DYNAMODB_EVENT_SOURCE_DEFAULTS, STREAM_CONSUMER_ALARM_DEFAULTS } from './stream-consumer-defaults.js';

/**
 * The event source settings a caller may tune. Bisect on error, partial batch responses, the event
 * filter and the on-failure destination are not among them: the consumer's correctness rests on them.
 */
export interface DynamoDBStreamConsumerEventSourceProps {
  /** @default 100 */
  readonly batchSize?: number;
  /** @default Duration.seconds(1) */
  readonly maxBatchingWindow?: Duration;
  /** @default 5 */
  readonly retryAttempts?: number;
  /** @default Duration.minutes(15) */
  readonly maxRecordAge?: Duration;
}

export interface DynamoDBStreamConsumerProps {
  /** A table with a stream; the consumer reads its latest stream. */
  readonly table: dynamodb.ITable;
  readonly function: HandlerFunctionProps;
  /** @default DYNAMODB_EVENT_SOURCE_DEFAULTS */
  readonly eventSource?: DynamoDBStreamConsumerEventSourceProps;
  /**
   * Lag behind the stream at which the iterator-age alarm fires; must be below `maxRecordAge`.
   *
   * @default Duration.seconds(60)
   */
  readonly iteratorAgeThreshold?: Duration;
  /** @default - none: the alarms notify no one */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * A Lambda consuming a DynamoDB table's stream, the sibling of {@link KinesisConsumer}: the function,
 * its event source mapping with the shared filter (stream read access comes with it), partial batch
 * responses, bisect on error, an encrypted on-failure dead-letter queue, and alarms on lag, errors and
 * dead letters. Table access is the caller's to grant.
 */
export class DynamoDBStreamConsumer extends Construct {
  public readonly handler: HandlerFunction;
  public readonly function: nodejs.NodejsFunction;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarms: StreamConsumerAlarms;

  public constructor(scope: Construct, id: string, props: DynamoDBStreamConsumerProps) {
    super(scope, id);
    const defaults = DYNAMODB_EVENT_SOURCE_DEFAULTS;
    const tuned = props.eventSource ?? {};
    const eventSource = {
      ...defaults,
      filters: [...defaults.filters],
      batchSize: tuned.batchSize ?? defaults.batchSize,
      maxBatchingWindow: tuned.maxBatchingWindow ?? defaults.maxBatchingWindow,
      retryAttempts: tuned.retryAttempts ?? defaults.retryAttempts,
      maxRecordAge: tuned.maxRecordAge ?? defaults.maxRecordAge,
    };
    const iteratorAgeThreshold = props.iteratorAgeThreshold ?? STREAM_CONSUMER_ALARM_DEFAULTS.iteratorAgeThreshold;
    if (iteratorAgeThreshold.toSeconds() >= eventSource.maxRecordAge.toSeconds()) {
      throw new Error(
        `DynamoDBStreamConsumer ${id}: iteratorAgeThreshold (${iteratorAgeThreshold.toHumanString()}) must be ` +
          `below maxRecordAge (${eventSource.maxRecordAge.toHumanString()}), or records expire before the lag alarm fires`,
      );
    }

    this.handler = new HandlerFunction(this, 'Handler', {
      ...props.function,
      // Lambda lists the table's streams; IAM has no resource type for ListStreams.
      wildcardResourceActions: [...(props.function.wildcardResourceActions ?? []), 'dynamodb:ListStreams'],
    });
    this.function = this.handler.function;
    this.deadLetterQueue = createDeadLetterQueue(
      this,
      'DeadLetterQueue',
      `positions of batches the ${props.function.serviceName} consumer gave up on`,
    );

    this.function.addEventSource(
      new DynamoEventSource(props.table, { ...eventSource, onFailure: new SqsDlq(this.deadLetterQueue) }),
    );

    this.alarms = new StreamConsumerAlarms(this, 'Alarms', {
      function: this.function,
      deadLetterQueue: this.deadLetterQueue,
      iteratorAgeThreshold,
      alarmActions: props.alarmActions,
    });
  }
}
