/**
 * The two calls a dead-letter redrive makes of each stream, GetShardIterator and GetRecords, signed
 * with a config (signed-aws-request.ts) instead of the Kinesis and DynamoDB Streams clients, which
 * took about 35 KB of the redrive function's bundle and a fifth of its load (with SQS's). Kinesis
 * speaks AWS JSON 1.1 (`Kinesis_20131202.*`, signing name `kinesis`), DynamoDB Streams AWS JSON 1.0
 * (`DynamoDBStreams_20120810.*`, signing name `dynamodb`, at `streams.dynamodb.<region>`). Records
 * are given as the SDK's clients give them (bytes as Uint8Array, times as Date), the shapes
 * lib/stream-event-shapes.ts turns into Lambda's event.
 */
import type { DynamoDBStreamRecordInput, KinesisRecordInput } from '../lib/stream-event-shapes.js';
import { type AwsJsonProtocol, AwsJsonService, type SdkClientConfig } from './signed-aws-request.js';

/** One page of a shard: its records, oldest first, and where the next page starts (none: the shard is closed). */
export interface RecordsPage<R> {
  readonly records: readonly R[];
  readonly next: string | undefined;
}

/** A Kinesis record as the JSON protocol carries it: data in base64, arrival in epoch seconds. */
interface KinesisWireRecord {
  readonly SequenceNumber?: string;
  readonly Data?: string;
  readonly PartitionKey?: string;
  readonly ApproximateArrivalTimestamp?: number;
}

const KINESIS: AwsJsonProtocol = {
  signingName: 'kinesis',
  endpointId: 'KINESIS',
  endpointPrefix: 'kinesis',
  version: '1.1',
  targetPrefix: 'Kinesis_20131202',
};

const DYNAMODB_STREAMS: AwsJsonProtocol = {
  signingName: 'dynamodb',
  endpointId: 'DYNAMODB_STREAMS',
  endpointPrefix: 'streams.dynamodb',
  version: '1.0',
  targetPrefix: 'DynamoDBStreams_20120810',
};

export class KinesisRecordsApi {
  private readonly kinesis: AwsJsonService;

  /** `endpoint`: Kinesis's URL; by default as the SDK finds it (AWS_ENDPOINT_URL_KINESIS, else the region's). */
  constructor(config: SdkClientConfig, endpoint?: string) {
    this.kinesis = new AwsJsonService(config, KINESIS, endpoint);
  }

  /** An iterator at the record with `sequenceNumber`, on the shard of the stream named. */
  async iteratorAt(streamName: string, shardId: string, sequenceNumber: string): Promise<string | undefined> {
    const answer = await this.kinesis.call<{ ShardIterator?: string }>('GetShardIterator', {
      StreamName: streamName,
      ShardId: shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: sequenceNumber,
    });
    return answer.ShardIterator;
  }

  async records(iterator: string, limit: number): Promise<RecordsPage<KinesisRecordInput>> {
    const answer = await this.kinesis.call<{ Records?: KinesisWireRecord[]; NextShardIterator?: string }>(
      'GetRecords',
      {
        ShardIterator: iterator,
        Limit: limit,
      },
    );
    return {
      records: (answer.Records ?? []).map((record) => ({
        SequenceNumber: record.SequenceNumber,
        Data: record.Data === undefined ? undefined : bytesOf(record.Data),
        PartitionKey: record.PartitionKey,
        ApproximateArrivalTimestamp: epochSeconds(record.ApproximateArrivalTimestamp),
      })),
      next: answer.NextShardIterator ?? undefined,
    };
  }
}

/** A DynamoDB Streams record as the JSON protocol carries it: binary values in base64, times in epoch seconds. */
type DynamoDBWireRecord = Omit<DynamoDBStreamRecordInput, 'dynamodb'> & {
  readonly dynamodb?: Omit<NonNullable<DynamoDBStreamRecordInput['dynamodb']>, 'ApproximateCreationDateTime'> & {
    readonly ApproximateCreationDateTime?: number;
  };
};

export class DynamoDBStreamsRecordsApi {
  private readonly streams: AwsJsonService;

  /** `endpoint`: the streams' URL; by default as the SDK finds it (AWS_ENDPOINT_URL_DYNAMODB_STREAMS, else the region's). */
  constructor(config: SdkClientConfig, endpoint?: string) {
    this.streams = new AwsJsonService(config, DYNAMODB_STREAMS, endpoint);
  }

  /** An iterator at the record with `sequenceNumber`, on the shard of the stream with that ARN. */
  async iteratorAt(streamArn: string, shardId: string, sequenceNumber: string): Promise<string | undefined> {
    const answer = await this.streams.call<{ ShardIterator?: string }>('GetShardIterator', {
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: sequenceNumber,
    });
    return answer.ShardIterator;
  }

  async records(iterator: string, limit: number): Promise<RecordsPage<DynamoDBStreamRecordInput>> {
    const answer = await this.streams.call<{ Records?: DynamoDBWireRecord[]; NextShardIterator?: string | null }>(
      'GetRecords',
      { ShardIterator: iterator, Limit: limit },
    );
    return {
      records: (answer.Records ?? []).map(({ dynamodb, ...record }) => {
        if (dynamodb === undefined) return record;
        // What the record leaves out stays out (no OldImage on an INSERT), as the SDK gives it.
        const { ApproximateCreationDateTime: created, Keys, NewImage, OldImage, ...rest } = dynamodb;
        return {
          ...record,
          dynamodb: {
            ...rest,
            ...(created === undefined ? {} : { ApproximateCreationDateTime: epochSeconds(created) }),
            ...(Keys === undefined ? {} : { Keys: imageWithBytes(Keys) }),
            ...(NewImage === undefined ? {} : { NewImage: imageWithBytes(NewImage) }),
            ...(OldImage === undefined ? {} : { OldImage: imageWithBytes(OldImage) }),
          },
        };
      }),
      // A closed shard's last page says null.
      next: answer.NextShardIterator ?? undefined,
    };
  }
}

/** Epoch seconds (with a fraction) as the Date the SDK makes of them, to the millisecond. */
function epochSeconds(seconds: number): Date;
function epochSeconds(seconds: number | undefined): Date | undefined;
function epochSeconds(seconds: number | undefined): Date | undefined {
  return seconds === undefined ? undefined : new Date(Math.round(seconds * 1000));
}

/** A blob as the SDK gives it: a plain Uint8Array (a Buffer would not equal it). */
function bytesOf(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/** An image with its binary values (B, BS, also inside M and L) as bytes, as the SDK's client gives them. */
function imageWithBytes(image: Record<string, object>): Record<string, object> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, valueWithBytes(value)]));
}

function valueWithBytes(value: object): object {
  const attribute = value as Record<string, unknown>;
  if (typeof attribute.B === 'string') return { B: bytesOf(attribute.B) };
  if (Array.isArray(attribute.BS)) return { BS: attribute.BS.map((bytes: string) => bytesOf(bytes)) };
  if (Array.isArray(attribute.L)) return { L: attribute.L.map((element: object) => valueWithBytes(element)) };
  if (attribute.M !== undefined && attribute.M !== null) {
    return { M: imageWithBytes(attribute.M as Record<string, object>) };
  }
  return value;
}
