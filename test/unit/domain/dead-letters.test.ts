import { describe, expect, it } from 'vitest';
import {
  DeadLetterFormatError,
  discardedBatchOf,
  MAX_REDRIVE_LETTERS,
  redriveInvocationOf,
  redriveTargetEnv,
} from '../../../functions/domain/dead-letters.js';

const kinesisInfo = {
  shardId: 'shardId-000000000000',
  startSequenceNumber: '49600000000000000000000000000000000000000000000000000001',
  endSequenceNumber: '49600000000000000000000000000000000000000000000000000009',
  approximateArrivalOfFirstRecord: '2026-12-06T08:00:00.000Z',
  approximateArrivalOfLastRecord: '2026-12-06T08:00:01.000Z',
  batchSize: 9,
  streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks',
};

describe('discardedBatchOf: where a dead letter says its batch lies', () => {
  it('reads a Kinesis and a DynamoDB Streams on-failure record', () => {
    expect(discardedBatchOf(JSON.stringify({ version: '1.0', KinesisBatchInfo: kinesisInfo }))).toEqual({
      source: 'kinesis',
      streamArn: kinesisInfo.streamArn,
      shardId: kinesisInfo.shardId,
      startSequenceNumber: kinesisInfo.startSequenceNumber,
      endSequenceNumber: kinesisInfo.endSequenceNumber,
      batchSize: 9,
    });
    const streamArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/aggregates/stream/2026-12-01T00:00:00.000';
    expect(discardedBatchOf(JSON.stringify({ DDBStreamBatchInfo: { ...kinesisInfo, streamArn } }))).toMatchObject({
      source: 'dynamodb',
      streamArn,
    });
  });

  it('refuses what is not an on-failure record, naming what is missing', () => {
    expect(() => discardedBatchOf('not json')).toThrow(new DeadLetterFormatError('the body is not JSON'));
    expect(() => discardedBatchOf('{"Records":[]}')).toThrow(/neither KinesisBatchInfo nor DDBStreamBatchInfo/);
    const { shardId: _shard, ...noShard } = kinesisInfo;
    expect(() => discardedBatchOf(JSON.stringify({ KinesisBatchInfo: noShard }))).toThrow(/has no shardId/);
  });
});

describe('redriveInvocationOf: what the redrive function accepts', () => {
  it('accepts a known consumer, a count within the limit and a positive budget', () => {
    expect(redriveInvocationOf({ consumer: 'aggregates', max: MAX_REDRIVE_LETTERS, budgetMs: 15_000 })).toEqual({
      consumer: 'aggregates',
      max: MAX_REDRIVE_LETTERS,
      budgetMs: 15_000,
    });
  });

  it('names the field a caller got wrong', () => {
    expect(() => redriveInvocationOf({ consumer: 'checkout', max: 1, budgetMs: 1 })).toThrow(/^consumer must be/);
    expect(() => redriveInvocationOf({ consumer: 'clickstream', max: 0, budgetMs: 1 })).toThrow(/^max must be/);
    expect(() => redriveInvocationOf({ consumer: 'clickstream', max: 1.5, budgetMs: 1 })).toThrow(/^max must be/);
    expect(() => redriveInvocationOf({ consumer: 'clickstream', max: 1, budgetMs: 0 })).toThrow(/^budgetMs must/);
    expect(() => redriveInvocationOf(null)).toThrow(/^consumer must be/);
  });

  it('finds each consumer’s queue and function under names of its own', () => {
    expect(redriveTargetEnv('clickstream')).toEqual({
      queueUrl: 'CLICKSTREAM_DLQ_URL',
      functionName: 'CLICKSTREAM_FUNCTION_NAME',
    });
    expect(redriveTargetEnv('aggregates').queueUrl).toBe('AGGREGATES_DLQ_URL');
  });
});
