import { describe, expect, it } from 'vitest';
import {
  MalformedStreamRecordError,
  toDynamoDBStreamRecord,
  toEventAttributeValue,
  toKinesisStreamRecord,
} from '../../../functions/lib/stream-event-shapes.js';

describe('toKinesisStreamRecord', () => {
  it('builds the record of Lambda example Kinesis event', () => {
    // Prepare: the second record of the example in Lambda's Kinesis guide.
    const input = {
      SequenceNumber: '49590338271490256608559692540925702759324208523137515618',
      Data: Buffer.from('This is only a test.'),
      PartitionKey: '1',
      ApproximateArrivalTimestamp: new Date(1545084711166),
    };
    // Act
    const record = toKinesisStreamRecord(input, {
      shardId: 'shardId-000000000006',
      eventSourceArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
      awsRegion: 'us-east-2',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    });
    // Assess
    expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: '1',
        sequenceNumber: '49590338271490256608559692540925702759324208523137515618',
        data: 'VGhpcyBpcyBvbmx5IGEgdGVzdC4=',
        approximateArrivalTimestamp: 1545084711.166,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: 'shardId-000000000006:49590338271490256608559692540925702759324208523137515618',
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
      awsRegion: 'us-east-2',
      eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
    });
  });

  it('refuses a record without a sequence number', () => {
    const context = { shardId: 's', eventSourceArn: 'a', awsRegion: 'r', invokeIdentityArn: 'i' };
    expect(() => toKinesisStreamRecord({ PartitionKey: '1' }, context)).toThrow(MalformedStreamRecordError);
  });
});

describe('toDynamoDBStreamRecord', () => {
  it('carries the stream record with epoch-second creation time, and no absent image', () => {
    const record = toDynamoDBStreamRecord(
      {
        eventID: 'c81e728d9d4c2f636f067f89cc14862c',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: new Date(1479499740_000),
          Keys: { Id: { N: '101' } },
          NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
          SequenceNumber: '111',
          SizeBytes: 26,
          StreamViewType: 'NEW_IMAGE',
        },
      },
      'arn:aws:dynamodb:us-east-1:123456789012:table/Example/stream/2015-06-27T00:48:05.899',
    );
    expect(record).toEqual({
      eventID: 'c81e728d9d4c2f636f067f89cc14862c',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: 1479499740,
        Keys: { Id: { N: '101' } },
        NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
        SequenceNumber: '111',
        SizeBytes: 26,
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/Example/stream/2015-06-27T00:48:05.899',
    });
    expect(record.dynamodb).not.toHaveProperty('OldImage');
  });

  it('names the TTL service as the user identity of a TTL deletion', () => {
    const record = toDynamoDBStreamRecord(
      {
        eventID: 'e',
        eventName: 'REMOVE',
        awsRegion: 'us-east-1',
        dynamodb: { Keys: { Id: { N: '1' } }, SequenceNumber: '1', SizeBytes: 1, StreamViewType: 'KEYS_ONLY' },
        userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
      },
      'arn',
    );
    expect(record.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });
});

describe('toEventAttributeValue', () => {
  it('encodes binary as base64 at any depth and keeps every other type as is', () => {
    expect(
      toEventAttributeValue({
        M: {
          b: { B: new Uint8Array([1, 2, 3]) },
          bs: { BS: [new Uint8Array([255])] },
          l: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }] },
          ss: { SS: ['a', 'b'] },
          ns: { NS: ['1'] },
        },
      }),
    ).toEqual({
      M: {
        b: { B: 'AQID' },
        bs: { BS: ['/w=='] },
        l: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }] },
        ss: { SS: ['a', 'b'] },
        ns: { NS: ['1'] },
      },
    });
  });
});
