import type { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { StreamConsumer, type StreamConsumerProps } from './stream-consumer.js';
import { DYNAMODB_EVENT_SOURCE_DEFAULTS } from './stream-consumer-defaults.js';

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

export interface DynamoDBStreamConsumerProps extends StreamConsumerProps {
  /** A table with a stream; the consumer reads its latest stream. */
  readonly table: dynamodb.ITable;
  /** @default DYNAMODB_EVENT_SOURCE_DEFAULTS */
  readonly eventSource?: DynamoDBStreamConsumerEventSourceProps;
}

/**
 * A Lambda consuming a DynamoDB table's stream, the sibling of {@link KinesisConsumer}: the function,
 * its event source mapping with the shared filter (stream read access comes with it), partial batch
 * responses, bisect on error, an encrypted on-failure dead-letter queue, and alarms on lag, errors and
 * dead letters. Table access is the caller's to grant.
 */
export class DynamoDBStreamConsumer extends StreamConsumer {
  public constructor(scope: Construct, id: string, props: DynamoDBStreamConsumerProps) {
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
    super(
      scope,
      id,
      {
        ...props,
        function: {
          ...props.function,
          // Lambda lists the table's streams; IAM has no resource type for ListStreams.
          wildcardResourceActions: [...(props.function.wildcardResourceActions ?? []), 'dynamodb:ListStreams'],
        },
      },
      {
        maxRecordAge: eventSource.maxRecordAge,
        eventSource: (onFailure) => new DynamoEventSource(props.table, { ...eventSource, onFailure }),
      },
    );
  }
}
