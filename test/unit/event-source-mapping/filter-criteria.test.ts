import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { FilterPatternError, InvalidMappingConfigError } from '../../../local/event-source-mapping/errors.js';
import {
  compileDynamoDBFilter,
  compileFilterPattern,
  compileKinesisFilter,
} from '../../../local/event-source-mapping/filter-criteria.js';

const matches = (pattern: object, subject: unknown) =>
  compileFilterPattern(JSON.stringify(pattern), 'data').matches(subject);

describe('filter rules (the comparison operators of Lambda event filtering)', () => {
  it.each([
    ['null', { UserID: [null] }, { UserID: null }, { UserID: 'u-1' }],
    ['empty', { LastName: [''] }, { LastName: '' }, { LastName: 'Doe' }],
    ['equals', { Name: ['Alice'] }, { Name: 'Alice' }, { Name: 'alice' }],
    [
      'and',
      { Location: ['New York'], Day: ['Monday'] },
      { Location: 'New York', Day: 'Monday' },
      { Location: 'New York', Day: 'Sunday' },
    ],
    ['or', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' }, { PaymentType: 'Cash' }],
    ['not', { Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' }, { Weather: 'Raining' }],
    ['numeric equals', { Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, { Price: '100' }],
    ['numeric range', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, { Price: 10 }],
    ['exists', { ProductName: [{ exists: true }] }, { ProductName: 'apple' }, { Name: 'apple' }],
    ['does not exist', { ProductName: [{ exists: false }] }, { Name: 'apple' }, { ProductName: 'apple' }],
    ['begins with', { Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' }, { Region: 'eu-west-1' }],
    ['ends with', { FileName: [{ suffix: '.png' }] }, { FileName: 'a.png' }, { FileName: 'a.jpg' }],
    ['equals ignoring case', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, { Name: 'Bob' }],
    ['nested fields', { order: { type: ['buy'] } }, { order: { type: 'buy' } }, { order: { type: 'sell' } }],
    ['a value in an array', { tags: ['sale'] }, { tags: ['new', 'sale'] }, { tags: ['new'] }],
  ])('%s', (_, pattern, matching, notMatching) => {
    expect(matches(pattern, matching)).toBe(true);
    expect(matches(pattern, notMatching)).toBe(false);
  });

  it('needs every field of the pattern to be present, except exists: false', () => {
    expect(matches({ a: ['1'], b: ['2'] }, { a: '1' })).toBe(false);
    expect(matches({ a: { b: [{ exists: false }] } }, {})).toBe(true);
  });

  it('exists only sees leaves: an object-valued field does not exist for it', () => {
    expect(matches({ person: { address: [{ exists: true }] } }, { person: { address: { city: 'X' } } })).toBe(false);
  });

  it('compares values with their JSON types: a string is not a number', () => {
    expect(matches({ n: [1] }, { n: '1' })).toBe(false);
    expect(matches({ n: ['1'] }, { n: 1 })).toBe(false);
    expect(matches({ flag: [true] }, { flag: true })).toBe(true);
  });

  it.each([
    ['a wildcard', { path: [{ wildcard: '*/lib/*' }] }, /wildcard/],
    ['a cidr', { ip: [{ cidr: '10.0.0.0/24' }] }, /cidr/],
    ['$or', { $or: [{ a: ['1'] }, { b: ['2'] }] }, /\$or/],
    ['anything-but with a nested operator', { a: [{ 'anything-but': { prefix: 'x' } }] }, /anything-but/],
    ['prefix with a nested operator', { a: [{ prefix: { 'equals-ignore-case': 'x' } }] }, /prefix/],
  ])('rejects %s with an error naming the operator', (_, pattern, message) => {
    expect(() => matches(pattern, {})).toThrow(FilterPatternError);
    expect(() => matches(pattern, {})).toThrow(message);
  });

  it.each([
    ['invalid JSON', '{"a": ['],
    ['a non-object', '["a"]'],
    ['an empty rule list', '{"a": []}'],
    ['a scalar instead of a list', '{"a": "x"}'],
    ['a numeric range written backwards', '{"a": [{"numeric": ["<", 5, ">", 1]}]}'],
    ['an unknown numeric operator', '{"a": [{"numeric": ["!=", 5]}]}'],
    ['two operators in one rule', '{"a": [{"prefix": "x", "suffix": "y"}]}'],
  ])('rejects %s', (_, pattern) => {
    expect(() => compileFilterPattern(pattern, 'data')).toThrow(FilterPatternError);
  });
});

function kinesisRecord(data: string, partitionKey = 'pk-1'): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber: '1',
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: 'shardId-000000000000:1',
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/r',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
  };
}

describe('Kinesis filter criteria', () => {
  it('match metadata (partitionKey) and the decoded JSON data, as in the guide example', () => {
    const filter = compileKinesisFilter({
      Filters: [{ Pattern: '{ "partitionKey": [ "1" ], "data": { "Location": [ "Los Angeles" ] }}' }],
    });
    expect(filter?.matches(kinesisRecord('{"Location":"Los Angeles"}', '1'))).toBe(true);
    expect(filter?.matches(kinesisRecord('{"Location":"Los Angeles"}', '2'))).toBe(false);
  });

  it('drop a record whose data is not JSON when a pattern filters on data', () => {
    const filter = compileKinesisFilter({ Filters: [{ Pattern: '{"data": {"a": [{"exists": false}]}}' }] });
    expect(filter?.matches(kinesisRecord('plain text'))).toBe(false);
    expect(filter?.matches(kinesisRecord('{"b": 1}'))).toBe(true);
  });

  it('filter a non-JSON record on metadata alone when no pattern names data', () => {
    const filter = compileKinesisFilter({ Filters: [{ Pattern: '{"partitionKey": ["pk-1"]}' }] });
    expect(filter?.matches(kinesisRecord('plain text'))).toBe(true);
  });

  it('deliver a record that satisfies any one of the filters', () => {
    const filter = compileKinesisFilter({
      Filters: [{ Pattern: '{"data": {"a": [1]}}' }, { Pattern: '{"data": {"b": [2]}}' }],
    });
    expect(filter?.matches(kinesisRecord('{"b": 2}'))).toBe(true);
    expect(filter?.matches(kinesisRecord('{"c": 3}'))).toBe(false);
  });

  it('are absent when there are no filters, so every record is delivered', () => {
    expect(compileKinesisFilter(undefined)).toBeUndefined();
    expect(compileKinesisFilter({ Filters: [] })).toBeUndefined();
  });

  it('reject more filters than the default quota of five', () => {
    const Filters = Array.from({ length: 6 }, () => ({ Pattern: '{"data": {"a": [1]}}' }));
    expect(() => compileKinesisFilter({ Filters })).toThrow(InvalidMappingConfigError);
  });
});

describe('DynamoDB filter criteria', () => {
  const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE'): DynamoDBRecord => ({
    eventID: 'e',
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: { CustomerName: { S: 'AnyCompany Industries' } },
      NewImage: { AccountManager: { S: 'Pat Candella' } },
      SequenceNumber: '1',
      SizeBytes: 1,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: 'arn',
  });

  it('match on eventName, as the aggregates mapping filters', () => {
    const filter = compileDynamoDBFilter({ Filters: [{ Pattern: '{"eventName":["INSERT","MODIFY"]}' }] });
    expect(['INSERT', 'MODIFY', 'REMOVE'].map((name) => filter?.matches(record(name as 'INSERT')))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('match on keys and new-image attributes, as in the guide examples', () => {
    const filter = compileDynamoDBFilter({
      Filters: [
        {
          Pattern:
            '{ "dynamodb": { "Keys": { "CustomerName": { "S": [ "AnyCompany Industries" ] } }, "NewImage": { "AccountManager": { "S": [ "Pat Candella", "Shirley Rodriguez" ] } } } }',
        },
      ],
    });
    expect(filter?.matches(record('INSERT'))).toBe(true);
  });
});
