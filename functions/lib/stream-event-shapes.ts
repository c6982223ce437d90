/**
 * Builds the records Lambda puts in a KinesisStreamEvent or DynamoDBStreamEvent from what the
 * streams' GetRecords returns, so a handler run by the local poller (or replayed by a dead-letter
 * redrive) cannot tell it from Lambda's.
 * Pure: the inputs are structural, so any SDK version's records (or a test's) fit.
 */
import type { AttributeValue, DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';

/** A stream record missing what Lambda's event needs of it, or with an attribute value of no known type. */
export class MalformedStreamRecordError extends Error {
  override name = 'MalformedStreamRecordError';
}

/** A record as Kinesis GetRecords returns it. */
export interface KinesisRecordInput {
  readonly SequenceNumber?: string | undefined;
  readonly Data?: Uint8Array | undefined;
  readonly PartitionKey?: string | undefined;
  readonly ApproximateArrivalTimestamp?: Date | undefined;
}

/** What Lambda adds to each Kinesis record: where it came from and who invoked. */
export interface KinesisEventContext {
  readonly shardId: string;
  readonly eventSourceArn: string;
  readonly awsRegion: string;
  /** The function's execution role. */
  readonly invokeIdentityArn: string;
}

/** A record as DynamoDB Streams GetRecords returns it (attribute values with binary as bytes). */
export interface DynamoDBStreamRecordInput {
  readonly eventID?: string | undefined;
  readonly eventName?: string | undefined;
  readonly eventVersion?: string | undefined;
  readonly eventSource?: string | undefined;
  readonly awsRegion?: string | undefined;
  readonly dynamodb?:
    | {
        readonly ApproximateCreationDateTime?: Date | undefined;
        readonly Keys?: Record<string, object> | undefined;
        readonly NewImage?: Record<string, object> | undefined;
        readonly OldImage?: Record<string, object> | undefined;
        readonly SequenceNumber?: string | undefined;
        readonly SizeBytes?: number | undefined;
        readonly StreamViewType?: string | undefined;
      }
    | undefined;
  readonly userIdentity?: { readonly PrincipalId?: string | undefined; readonly Type?: string | undefined } | undefined;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new MalformedStreamRecordError(`stream record without ${what}`);
  return value;
}

/** The Lambda record for one Kinesis record: data in base64, arrival in epoch seconds with milliseconds. */
export function toKinesisStreamRecord(input: KinesisRecordInput, context: KinesisEventContext): KinesisStreamRecord {
  const sequenceNumber = required(input.SequenceNumber, 'SequenceNumber');
  const arrival = required(input.ApproximateArrivalTimestamp, 'ApproximateArrivalTimestamp');
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: required(input.PartitionKey, 'PartitionKey'),
      sequenceNumber,
      data: Buffer.from(input.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: arrival.getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${context.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: context.invokeIdentityArn,
    awsRegion: context.awsRegion,
    eventSourceARN: context.eventSourceArn,
  };
}

/**
 * An attribute value as Lambda serializes it: the SDK hands binary (B, BS) over as bytes, the event
 * carries it base64-encoded, as the DynamoDB JSON wire format does.
 */
export function toEventAttributeValue(value: object): AttributeValue {
  const attribute = value as Record<string, unknown>;
  if (attribute.B instanceof Uint8Array) return { B: Buffer.from(attribute.B).toString('base64') };
  if (Array.isArray(attribute.BS)) {
    return { BS: attribute.BS.map((bytes: Uint8Array) => Buffer.from(bytes).toString('base64')) };
  }
  if (Array.isArray(attribute.L)) return { L: attribute.L.map((element: object) => toEventAttributeValue(element)) };
  if (attribute.M !== undefined && attribute.M !== null)
    return { M: toEventImage(attribute.M as Record<string, object>) };
  // S, N, SS, NS, BOOL, NULL are already what the event carries; drop anything the SDK added.
  for (const key of ['S', 'N', 'SS', 'NS', 'BOOL', 'NULL'] as const) {
    if (attribute[key] !== undefined) return { [key]: attribute[key] } as unknown as AttributeValue;
  }
  throw new MalformedStreamRecordError(`unknown attribute value ${JSON.stringify(Object.keys(attribute))}`);
}

/** An item image (Keys, NewImage, OldImage) as the event carries it. */
export function toEventImage(image: Record<string, object>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toEventAttributeValue(value)]));
}

/**
 * The Lambda record for one DynamoDB Streams record. ApproximateCreationDateTime is epoch seconds;
 * fields the stream omitted (OldImage on INSERT, NewImage on REMOVE) stay absent, not null.
 */
export function toDynamoDBStreamRecord(input: DynamoDBStreamRecordInput, eventSourceArn: string): DynamoDBRecord {
  const stream = required(input.dynamodb, 'dynamodb');
  const created = stream.ApproximateCreationDateTime;
  const record: DynamoDBRecord = {
    eventID: required(input.eventID, 'eventID'),
    eventName: required(input.eventName, 'eventName') as DynamoDBRecord['eventName'],
    eventVersion: input.eventVersion ?? '1.1',
    eventSource: input.eventSource ?? 'aws:dynamodb',
    awsRegion: required(input.awsRegion, 'awsRegion'),
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      ...(stream.Keys ? { Keys: toEventImage(stream.Keys) } : {}),
      ...(stream.NewImage ? { NewImage: toEventImage(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toEventImage(stream.OldImage) } : {}),
      SequenceNumber: required(stream.SequenceNumber, 'dynamodb.SequenceNumber'),
      SizeBytes: required(stream.SizeBytes, 'dynamodb.SizeBytes'),
      StreamViewType: required(stream.StreamViewType, 'dynamodb.StreamViewType') as 'NEW_IMAGE',
    },
    eventSourceARN: eventSourceArn,
  };
  // Present only on deletions made by TTL; Lambda spells the fields in camelCase.
  if (input.userIdentity) {
    record.userIdentity = { type: input.userIdentity.Type, principalId: input.userIdentity.PrincipalId };
  }
  return record;
}
