/**
 * KinesisRecordsApi and DynamoDBStreamsRecordsApi (what a dead-letter redrive reads the streams
 * with) held to the SDK's Kinesis and DynamoDB Streams clients against kinesalite and DynamoDB Local:
 * the same range read both ways gives the same records, strictly equal (bytes as Uint8Array, times
 * as Date, fields the service left out absent), the same Lambda records built from them, the same
 * end of a closed shard and errors named alike.
 */
import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DeleteTableCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as KinesisRecord,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DynamoDBStreamRecordInput,
  type KinesisRecordInput,
  toDynamoDBStreamRecord,
  toKinesisStreamRecord,
} from '../../../functions/lib/stream-event-shapes.js';
import {
  DynamoDBStreamsRecordsApi,
  KinesisRecordsApi,
  type RecordsPage,
} from '../../../functions/store/stream-records-api.js';
import { createScratchStream } from '../../helpers/kinesis-batches.js';
import { uniqueName, useLocalStack } from '../../helpers/local-stack.js';
import { rejection } from '../../helpers/rejection.js';

const stack = useLocalStack();
const { kinesis, dynamodb, dynamodbStreams } = stack.clients;
/** Built as the functions build them: signed with the SDK clients' configs, at the local endpoints. */
const kinesisApi = new KinesisRecordsApi(kinesis.config, stack.endpoints.kinesis);
const streamsApi = new DynamoDBStreamsRecordsApi(dynamodbStreams.config, stack.endpoints.dynamodb);

/**
 * The same call made both ways, the SDK's first: both rejected, ours named as the SDK names the
 * service's error, with the service's message after its `Name (status): ` prefix.
 */
async function expectSameError(sdk: () => Promise<unknown>, ours: () => Promise<unknown>, name: string): Promise<void> {
  const fromSdk = await rejection(sdk());
  const fromOurs = await rejection(ours());
  expect(fromSdk.name).toBe(name);
  expect(fromOurs.name).toBe(fromSdk.name);
  const status = (fromSdk.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
  expect(fromOurs.message).toBe(`${name} (${status}): ${fromSdk.message}`);
}

describe('Kinesis records read with KinesisRecordsApi', () => {
  const SHARD = 'shardId-000000000000';
  /** What is put: bytes no UTF-8 decoder accepts, an empty payload, every byte value, text, a large blob. */
  const PUT: readonly { PartitionKey: string; Data: Uint8Array }[] = [
    { PartitionKey: 'not-utf-8', Data: new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80]) },
    { PartitionKey: 'empty', Data: new Uint8Array() },
    { PartitionKey: 'every-byte', Data: Uint8Array.from({ length: 256 }, (_, byte) => byte) },
    { PartitionKey: 'clé ✓ ключ', Data: new Uint8Array(Buffer.from('{"productId":"P-1","note":"ünïcode ✓"}')) },
    { PartitionKey: 'one-byte', Data: new Uint8Array([0]) },
    { PartitionKey: 'two-bytes', Data: new Uint8Array([0xfb, 0xff]) },
    { PartitionKey: 'large', Data: new Uint8Array(randomBytes(256 * 1024)) },
  ];
  const LIMIT = 3;
  let streamName: string;
  let streamArn: string;
  let sequenceNumbers: string[];

  beforeAll(async () => {
    streamName = await createScratchStream(kinesis, 1);
    streamArn = `arn:aws:kinesis:${stack.region}:000000000000:stream/${streamName}`;
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: [...PUT] }));
    expect(put.FailedRecordCount).toBe(0);
    sequenceNumbers = (put.Records ?? []).map((record) => record.SequenceNumber ?? '');
  });

  /** The fields of an SDK record that a KinesisRecordInput holds (the SDK may add others, such as EncryptionType). */
  function readFields(record: KinesisRecord): KinesisRecordInput {
    const { SequenceNumber, Data, PartitionKey, ApproximateArrivalTimestamp } = record;
    return { SequenceNumber, Data, PartitionKey, ApproximateArrivalTimestamp };
  }

  /** The SDK's iterator at the record with the sequence number `from`, as iteratorAt asks for it. */
  function sdkIteratorAt(name: string, shardId: string, from: string) {
    return kinesis.send(
      new GetShardIteratorCommand({
        StreamName: name,
        ShardId: shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: from,
      }),
    );
  }

  /** Pages from the sequence number `from` on, `LIMIT` records each, through the SDK's client, up to the first empty one. */
  async function sdkPages(
    from: string,
    shardId = SHARD,
    name = streamName,
  ): Promise<RecordsPage<KinesisRecordInput>[]> {
    let { ShardIterator: iterator } = await sdkIteratorAt(name, shardId, from);
    const pages: RecordsPage<KinesisRecordInput>[] = [];
    while (iterator !== undefined && pages.length < 20) {
      const { Records = [], NextShardIterator } = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: LIMIT }),
      );
      pages.push({ records: Records.map(readFields), next: NextShardIterator });
      if (Records.length === 0) break;
      iterator = NextShardIterator;
    }
    return pages;
  }

  /** The same pages through KinesisRecordsApi. */
  async function apiPages(
    from: string,
    shardId = SHARD,
    name = streamName,
  ): Promise<RecordsPage<KinesisRecordInput>[]> {
    let iterator = await kinesisApi.iteratorAt(name, shardId, from);
    const pages: RecordsPage<KinesisRecordInput>[] = [];
    while (iterator !== undefined && pages.length < 20) {
      const page = await kinesisApi.records(iterator, LIMIT);
      pages.push(page);
      if (page.records.length === 0) break;
      iterator = page.next;
    }
    return pages;
  }

  /** A page with its records' bytes as hex: what the two sides must agree on whatever holds the bytes. */
  const asHex = (pages: RecordsPage<KinesisRecordInput>[]) =>
    pages.map((page) =>
      page.records.map((record) => ({ ...record, Data: Buffer.from(record.Data ?? []).toString('hex') })),
    );

  it('reads the range from a sequence number on, page by page, as the SDK’s GetShardIterator and GetRecords do', async () => {
    const [sdk, ours] = [await sdkPages(sequenceNumbers[1] ?? ''), await apiPages(sequenceNumbers[1] ?? '')];

    expect(ours.map((page) => page.records.length)).toStrictEqual([3, 3, 0]);
    expect(sdk.map((page) => page.records.length)).toStrictEqual([3, 3, 0]);
    // Sequence number, partition key, data bytes and arrival time (a Date, to the millisecond) alike.
    expect(asHex(ours)).toStrictEqual(asHex(sdk));
    // An open shard always has a next page; the iterators themselves are the service's own strings.
    expect(ours.map((page) => typeof page.next)).toStrictEqual(['string', 'string', 'string']);
  });

  it('gives records strictly equal to the SDK’s, Data a Uint8Array as the SDK gives it', async () => {
    const [sdk, ours] = [await sdkPages(sequenceNumbers[0] ?? ''), await apiPages(sequenceNumbers[0] ?? '')];
    const records = (pages: RecordsPage<KinesisRecordInput>[]) => pages.flatMap((page) => page.records);

    expect(records(sdk).map((record) => record.Data?.constructor)).toStrictEqual(PUT.map(() => Uint8Array));
    expect(records(ours).map((record) => record.Data?.constructor)).toStrictEqual(PUT.map(() => Uint8Array));
    expect(records(ours)).toStrictEqual(records(sdk));
  });

  it('gives back the very bytes put: not UTF-8, empty, every byte value, 256 KB', async () => {
    const ours = (await apiPages(sequenceNumbers[0] ?? '')).flatMap((page) => page.records);

    expect(
      ours.map((record) => [
        record.SequenceNumber,
        record.PartitionKey,
        Buffer.from(record.Data ?? []).toString('hex'),
      ]),
    ).toStrictEqual(
      PUT.map((put, index) => [sequenceNumbers[index], put.PartitionKey, Buffer.from(put.Data).toString('hex')]),
    );
  });

  it('builds from each record the same Lambda record as from the SDK’s (toKinesisStreamRecord)', async () => {
    const context = {
      shardId: SHARD,
      eventSourceArn: streamArn,
      awsRegion: stack.region,
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/clickprice-dlq-redrive',
    };
    const events = async (pages: Promise<RecordsPage<KinesisRecordInput>[]>) =>
      (await pages).flatMap((page) => page.records.map((record) => toKinesisStreamRecord(record, context)));
    const [sdk, ours] = [
      await events(sdkPages(sequenceNumbers[0] ?? '')),
      await events(apiPages(sequenceNumbers[0] ?? '')),
    ];

    expect(ours).toHaveLength(PUT.length);
    expect(ours).toStrictEqual(sdk);
    expect(ours[0]?.kinesis.data).toBe('//4AgMMo7aCA');
    expect(ours[1]?.kinesis.data).toBe('');
  });

  it('ends a closed shard with next undefined, where the SDK gives no NextShardIterator', async () => {
    const closing = await createScratchStream(kinesis, 1);
    const put = await kinesis.send(
      new PutRecordsCommand({ StreamName: closing, Records: [{ PartitionKey: 'p', Data: new Uint8Array([1, 2]) }] }),
    );
    const first = put.Records?.[0]?.SequenceNumber ?? '';
    // Splitting the only shard closes it: its records stay readable, and its end is reached.
    await kinesis.send(
      new SplitShardCommand({ StreamName: closing, ShardToSplit: SHARD, NewStartingHashKey: (2n ** 127n).toString() }),
    );
    const [sdk, ours] = [await sdkPages(first, SHARD, closing), await apiPages(first, SHARD, closing)];

    expect(sdk.at(-1)).toStrictEqual({ records: [], next: undefined });
    expect(ours.at(-1)).toStrictEqual({ records: [], next: undefined });
    expect(ours.map((page) => page.records.length)).toStrictEqual(sdk.map((page) => page.records.length));
    expect(asHex(ours)).toStrictEqual(asHex(sdk));
  });

  it('names a stream that does not exist as Kinesis names it: ResourceNotFoundException', async () => {
    const missing = uniqueName('no-such-stream');
    const from = sequenceNumbers[0] ?? '';
    await expectSameError(
      () => sdkIteratorAt(missing, SHARD, from),
      () => kinesisApi.iteratorAt(missing, SHARD, from),
      'ResourceNotFoundException',
    );
  });

  it('names a shard the stream does not have as Kinesis names it: ResourceNotFoundException', async () => {
    const [missing, from] = ['shardId-000000000009', sequenceNumbers[0] ?? ''];
    await expectSameError(
      () => sdkIteratorAt(streamName, missing, from),
      () => kinesisApi.iteratorAt(streamName, missing, from),
      'ResourceNotFoundException',
    );
  });

  it('names an iterator Kinesis never gave as Kinesis names it: InvalidArgumentException', async () => {
    await expectSameError(
      () => kinesis.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator', Limit: LIMIT })),
      () => kinesisApi.records('not-an-iterator', LIMIT),
      'InvalidArgumentException',
    );
  });
});

describe('DynamoDB Streams records read with DynamoDBStreamsRecordsApi', () => {
  const TABLE: Omit<CreateTableCommandInput, 'TableName' | 'StreamSpecification'> = {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  };
  /** An item holding every kind of attribute value, binary ones at the top, in a set, a map and a list. */
  const ITEM: Record<string, AttributeValue> = {
    pk: { S: 'item-1' },
    bytes: { B: new Uint8Array([0x00, 0xff, 0xfe, 0x80]) },
    byteSet: { BS: [new Uint8Array([1]), new Uint8Array([2, 3]), new Uint8Array([0xc3, 0x28])] },
    map: {
      M: {
        inMap: { B: new Uint8Array([9, 8, 7]) },
        listInMap: { L: [{ B: new Uint8Array([6]) }, { S: 'deep' }] },
        text: { S: 'in a map' },
      },
    },
    list: {
      L: [
        { B: new Uint8Array([5, 4]) },
        { S: 'x' },
        { N: '-2.5' },
        { NULL: true },
        { M: { b: { B: new Uint8Array([3]) } } },
      ],
    },
    text: { S: 'plain text, ünïcode ✓' },
    number: { N: '1299' },
    strings: { SS: ['red', 'green'] },
    numbers: { NS: ['1', '2.5'] },
    flag: { BOOL: true },
    nothing: { NULL: true },
  };
  /**
   * An image with the members of its sets (SS, NS, BS) in one order: a set's order is the service's,
   * not the writer's. Everything else, the bytes' Uint8Array included, is kept as it is.
   */
  function setsSorted(image: Record<string, object> | undefined): Record<string, object> | undefined {
    if (image === undefined) return undefined;
    const sorted = (value: object): object => {
      const attribute = value as Record<string, unknown>;
      if (Array.isArray(attribute.SS)) return { SS: [...attribute.SS].sort() };
      if (Array.isArray(attribute.NS)) return { NS: [...attribute.NS].sort() };
      if (Array.isArray(attribute.BS)) {
        const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
        return { BS: [...(attribute.BS as Uint8Array[])].sort((a, b) => hex(a).localeCompare(hex(b))) };
      }
      if (Array.isArray(attribute.L)) return { L: attribute.L.map((element: object) => sorted(element)) };
      if (attribute.M !== undefined) return { M: setsSorted(attribute.M as Record<string, object>) };
      return value;
    };
    return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, sorted(value)]));
  }
  const MODIFIED: Record<string, AttributeValue> = {
    ...ITEM,
    number: { N: '1350' },
    bytes: { B: new Uint8Array([1]) },
  };
  const tables: string[] = [];
  let streamArn: string;
  let shardId: string;
  let first: string;

  /** A scratch table with a stream of that view type, deleted after the suite: its name and stream ARN. */
  async function scratchTable(viewType: 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY'): Promise<{ name: string; arn: string }> {
    const name = uniqueName('stream-records');
    const { TableDescription } = await dynamodb.send(
      new CreateTableCommand({
        ...TABLE,
        TableName: name,
        StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
      }),
    );
    tables.push(name);
    await waitUntilTableExists(
      { client: dynamodb, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
      { TableName: name },
    );
    return { name, arn: TableDescription?.LatestStreamArn ?? '' };
  }

  /** The stream's only shard and its first record's sequence number, as the SDK reads them. */
  async function firstRecordOf(arn: string): Promise<{ shardId: string; sequenceNumber: string }> {
    const { StreamDescription } = await dynamodbStreams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const shard = StreamDescription?.Shards?.[0]?.ShardId ?? '';
    const { ShardIterator } = await dynamodbStreams.send(
      new GetStreamShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const { Records = [] } = await dynamodbStreams.send(new GetStreamRecordsCommand({ ShardIterator }));
    return { shardId: shard, sequenceNumber: Records[0]?.dynamodb?.SequenceNumber ?? '' };
  }

  beforeAll(async () => {
    let name: string;
    ({ name, arn: streamArn } = await scratchTable('NEW_AND_OLD_IMAGES'));
    await dynamodb.send(new PutItemCommand({ TableName: name, Item: ITEM }));
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: name,
        Key: { pk: ITEM.pk as AttributeValue },
        UpdateExpression: 'SET #n = :n, #b = :b',
        ExpressionAttributeNames: { '#n': 'number', '#b': 'bytes' },
        ExpressionAttributeValues: { ':n': { N: '1350' }, ':b': { B: new Uint8Array([1]) } },
      }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: name, Key: { pk: ITEM.pk as AttributeValue } }));
    ({ shardId, sequenceNumber: first } = await firstRecordOf(streamArn));
  });
  afterAll(async () => {
    for (const name of tables) await dynamodb.send(new DeleteTableCommand({ TableName: name }));
  });

  /** The SDK's iterator at the record with the sequence number `from`, as iteratorAt asks for it. */
  function sdkIteratorAt(arn: string, shard: string, from: string) {
    return dynamodbStreams.send(
      new GetStreamShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: from,
      }),
    );
  }

  /** Pages of `limit` from `from` on, through the SDK's client, until `count` records were read (or 20 pages). */
  async function sdkPages(arn: string, shard: string, from: string, limit: number, count: number) {
    let { ShardIterator: iterator } = await sdkIteratorAt(arn, shard, from);
    const pages: { records: StreamRecord[]; next: string | undefined }[] = [];
    while (iterator !== undefined && pages.length < 20 && pages.flatMap((page) => page.records).length < count) {
      const { Records = [], NextShardIterator } = await dynamodbStreams.send(
        new GetStreamRecordsCommand({ ShardIterator: iterator, Limit: limit }),
      );
      pages.push({ records: Records, next: NextShardIterator });
      iterator = NextShardIterator;
    }
    return pages;
  }

  /** The same pages through DynamoDBStreamsRecordsApi. */
  async function apiPages(arn: string, shard: string, from: string, limit: number, count: number) {
    let iterator = await streamsApi.iteratorAt(arn, shard, from);
    const pages: Awaited<ReturnType<typeof streamsApi.records>>[] = [];
    while (iterator !== undefined && pages.length < 20 && pages.flatMap((page) => page.records).length < count) {
      const page = await streamsApi.records(iterator, limit);
      pages.push(page);
      iterator = page.next;
    }
    return pages;
  }

  /** The item's three records read both ways, two a page. */
  async function bothWays() {
    const [sdk, ours] = [
      await sdkPages(streamArn, shardId, first, 2, 3),
      await apiPages(streamArn, shardId, first, 2, 3),
    ];
    return {
      sdk: sdk.flatMap((page) => page.records),
      ours: ours.flatMap((page) => page.records),
      pageSizes: { sdk: sdk.map((page) => page.records.length), ours: ours.map((page) => page.records.length) },
    };
  }

  it('reads INSERT, MODIFY and REMOVE, two a page, strictly equal to the SDK’s records', async () => {
    const { sdk, ours, pageSizes } = await bothWays();

    expect(pageSizes).toStrictEqual({ sdk: [2, 1], ours: [2, 1] });
    expect(ours.map((record) => record.eventName)).toStrictEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(ours).toStrictEqual(sdk);
  });

  it('gives binary values as Uint8Array, in B and BS and inside M and L, as the SDK does', async () => {
    const { sdk, ours } = await bothWays();
    const [insert, modify, remove] = ours;

    expect(setsSorted(insert?.dynamodb?.NewImage)).toStrictEqual(setsSorted(ITEM));
    expect(setsSorted(modify?.dynamodb?.OldImage)).toStrictEqual(setsSorted(ITEM));
    expect(setsSorted(modify?.dynamodb?.NewImage)).toStrictEqual(setsSorted(MODIFIED));
    expect(setsSorted(remove?.dynamodb?.OldImage)).toStrictEqual(setsSorted(MODIFIED));
    expect(ours.map((record) => record.dynamodb?.Keys)).toStrictEqual([
      { pk: { S: 'item-1' } },
      { pk: { S: 'item-1' } },
      { pk: { S: 'item-1' } },
    ]);
    const images = (records: typeof ours) =>
      records.map(({ dynamodb: stream }) => [stream?.Keys, stream?.NewImage, stream?.OldImage]);
    expect(images(ours)).toStrictEqual(images(sdk));
  });

  it('leaves out the image a record has not (no OldImage on INSERT, no NewImage on REMOVE), as the SDK does', async () => {
    const { sdk, ours } = await bothWays();
    const fields = (records: readonly { dynamodb?: object | undefined }[]) =>
      records.map((record) => Object.keys(record.dynamodb ?? {}).sort());

    expect(fields(sdk)).toStrictEqual([
      ['ApproximateCreationDateTime', 'Keys', 'NewImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType'],
      ['ApproximateCreationDateTime', 'Keys', 'NewImage', 'OldImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType'],
      ['ApproximateCreationDateTime', 'Keys', 'OldImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType'],
    ]);
    expect(fields(ours)).toStrictEqual(fields(sdk));
  });

  it('gives each record’s other fields as the SDK does: ids, names, creation time as a Date, sequence, size', async () => {
    const { sdk, ours } = await bothWays();
    const others = (records: readonly DynamoDBStreamRecordInput[]) =>
      records.map(({ dynamodb: stream, ...record }) => ({
        ...record,
        created: stream?.ApproximateCreationDateTime,
        sequence: stream?.SequenceNumber,
        size: stream?.SizeBytes,
        viewType: stream?.StreamViewType,
      }));

    expect(ours.map((record) => record.dynamodb?.ApproximateCreationDateTime)).toStrictEqual([
      expect.any(Date),
      expect.any(Date),
      expect.any(Date),
    ]);
    expect(others(ours)).toStrictEqual(others(sdk));
  });

  it('builds from each record the same Lambda record as from the SDK’s (toDynamoDBStreamRecord)', async () => {
    const { sdk, ours } = await bothWays();
    const events = ours.map((record) => toDynamoDBStreamRecord(record, streamArn));

    expect(events).toStrictEqual(sdk.map((record) => toDynamoDBStreamRecord(record, streamArn)));
    expect(events[0]?.dynamodb?.NewImage?.bytes).toStrictEqual({ B: 'AP/+gA==' });
    expect(events[0]?.dynamodb?.NewImage?.list).toStrictEqual({
      L: [{ B: 'BQQ=' }, { S: 'x' }, { N: '-2.5' }, { NULL: true }, { M: { b: { B: 'Aw==' } } }],
    });
    expect(events[2]?.dynamodb).not.toHaveProperty('NewImage');
  });

  describe('on a KEYS_ONLY stream since disabled (its shard closed)', () => {
    let closed: { arn: string; shardId: string; sequenceNumber: string };

    beforeAll(async () => {
      const { name, arn } = await scratchTable('KEYS_ONLY');
      await dynamodb.send(
        new PutItemCommand({ TableName: name, Item: { pk: { S: 'k-1' }, bytes: { B: new Uint8Array([1]) } } }),
      );
      await dynamodb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'k-2' } } }));
      // Disabling the stream closes its shard: what it holds stays readable, then it ends.
      await dynamodb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
      closed = { arn, ...(await firstRecordOf(arn)) };
    });

    it('ends the shard with next undefined, where the SDK gives no NextShardIterator', async () => {
      const [sdk, ours] = [
        await sdkPages(closed.arn, closed.shardId, closed.sequenceNumber, 100, 2),
        await apiPages(closed.arn, closed.shardId, closed.sequenceNumber, 100, 2),
      ];

      expect(sdk.map((page) => [page.records.length, page.next])).toStrictEqual([[2, undefined]]);
      expect(ours.map((page) => [page.records.length, page.next])).toStrictEqual([[2, undefined]]);
      expect(ours[0]).toHaveProperty('next', undefined);
      const events = (records: readonly DynamoDBStreamRecordInput[]) =>
        records.map((record) => toDynamoDBStreamRecord(record, closed.arn));
      expect(events(ours[0]?.records ?? [])).toStrictEqual(events(sdk[0]?.records ?? []));
    });

    it('gives records with keys and no image, strictly equal to the SDK’s', async () => {
      const [sdk, ours] = [
        await sdkPages(closed.arn, closed.shardId, closed.sequenceNumber, 100, 2),
        await apiPages(closed.arn, closed.shardId, closed.sequenceNumber, 100, 2),
      ];

      expect(ours[0]?.records.map((record) => record.dynamodb?.Keys)).toStrictEqual([
        { pk: { S: 'k-1' } },
        { pk: { S: 'k-2' } },
      ]);
      expect(ours[0]?.records).toStrictEqual(sdk[0]?.records);
    });
  });

  it('names a stream that does not exist as DynamoDB Streams names it: ResourceNotFoundException', async () => {
    const missing = streamArn.replace(/table\/[^/]+\//, `table/${uniqueName('no-such-table')}/`);
    await expectSameError(
      () => sdkIteratorAt(missing, shardId, first),
      () => streamsApi.iteratorAt(missing, shardId, first),
      'ResourceNotFoundException',
    );
  });

  it('names a shard the stream does not have as DynamoDB Streams names it: ResourceNotFoundException', async () => {
    const missing = 'shardId-00000001700000000000-deadbeef';
    await expectSameError(
      () => sdkIteratorAt(streamArn, missing, first),
      () => streamsApi.iteratorAt(streamArn, missing, first),
      'ResourceNotFoundException',
    );
  });

  it('names an iterator DynamoDB Streams never gave as it names it: ValidationException', async () => {
    await expectSameError(
      () => dynamodbStreams.send(new GetStreamRecordsCommand({ ShardIterator: 'not-an-iterator', Limit: 2 })),
      () => streamsApi.records('not-an-iterator', 2),
      'ValidationException',
    );
  });
});
