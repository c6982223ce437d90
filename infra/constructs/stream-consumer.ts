import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_CONSUMER_TIMEOUT_SECONDS } from '../../definitions/event-sources.js';
import { createDeadLetterQueue } from './dead-letter-queue.js';
import { HandlerFunction, type HandlerFunctionProps } from './handler-function.js';
import { StreamConsumerAlarms } from './stream-consumer-alarms.js';
import { STREAM_CONSUMER_ALARM_DEFAULTS } from './stream-consumer-defaults.js';

/** What every stream consumer's caller passes, whatever the stream. */
export interface StreamConsumerProps {
  /** Its timeout is STREAM_CONSUMER_TIMEOUT_SECONDS, which the local poller enforces too. */
  readonly function: Omit<HandlerFunctionProps, 'timeout'>;
  /**
   * Lag behind the stream at which the iterator-age alarm fires. Must be below the event source's
   * maximum record age, or records expire to the dead-letter queue before anyone is told that the
   * consumer lags.
   *
   * @default Duration.seconds(60)
   */
  readonly iteratorAgeThreshold?: Duration;
  /** @default - none: the alarms notify no one */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/** What a concrete consumer (Kinesis, DynamoDB Streams) adds: its event source and its record age. */
export interface StreamConsumerSource {
  readonly maxRecordAge: Duration;
  /** Records arriving at the source per period, where the service reports them (Kinesis does). */
  readonly incomingRecords?: cloudwatch.IMetric;
  /** The event source, sending the positions of discarded batches to `onFailure`. */
  eventSource(onFailure: SqsDlq): lambda.IEventSource & EventSourceMappingRef;
}

/** What a bound stream event source says of its mapping (KinesisEventSource, DynamoEventSource). */
export interface EventSourceMappingRef {
  readonly eventSourceMappingId: string;
  readonly eventSourceMappingArn: string;
}

/**
 * A Lambda consuming a stream: the function, its event source mapping with an encrypted on-failure
 * dead-letter queue, and alarms on lag, errors and dead letters. Kinesis and DynamoDB Streams
 * consumers differ only in their event source; table access is the caller's to grant.
 */
export class StreamConsumer extends Construct {
  public readonly handler: HandlerFunction;
  public readonly function: nodejs.NodejsFunction;
  public readonly deadLetterQueue: sqs.Queue;
  /** The event-source mapping: the pipeline API reads its state (GetEventSourceMapping). */
  public readonly mapping: EventSourceMappingRef;
  public readonly alarms: StreamConsumerAlarms;

  protected constructor(scope: Construct, id: string, props: StreamConsumerProps, source: StreamConsumerSource) {
    super(scope, id);
    const iteratorAgeThreshold = props.iteratorAgeThreshold ?? STREAM_CONSUMER_ALARM_DEFAULTS.iteratorAgeThreshold;
    if (iteratorAgeThreshold.toSeconds() >= source.maxRecordAge.toSeconds()) {
      throw new Error(
        `${new.target.name} ${id}: iteratorAgeThreshold (${iteratorAgeThreshold.toHumanString()}) must be below ` +
          `maxRecordAge (${source.maxRecordAge.toHumanString()}), or records expire before the lag alarm fires`,
      );
    }
    this.handler = new HandlerFunction(this, 'Handler', {
      ...props.function,
      timeout: Duration.seconds(STREAM_CONSUMER_TIMEOUT_SECONDS),
    });
    this.function = this.handler.function;
    this.deadLetterQueue = createDeadLetterQueue(
      this,
      'DeadLetterQueue',
      `positions of batches the ${props.function.serviceName} consumer gave up on`,
    );
    const eventSource = source.eventSource(new SqsDlq(this.deadLetterQueue));
    this.function.addEventSource(eventSource);
    // Read after addEventSource: the id and ARN exist once the source is bound to the function.
    this.mapping = {
      eventSourceMappingId: eventSource.eventSourceMappingId,
      eventSourceMappingArn: eventSource.eventSourceMappingArn,
    };
    this.alarms = new StreamConsumerAlarms(this, 'Alarms', {
      function: this.function,
      deadLetterQueue: this.deadLetterQueue,
      iteratorAgeThreshold,
      incomingRecords: source.incomingRecords,
      alarmActions: props.alarmActions,
    });
  }
}
