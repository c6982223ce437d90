/**
 * SignedDynamoDbDocuments held to the SDK's DynamoDBDocumentClient against DynamoDB Local: each case
 * does the same thing through both (the SDK's client is the oracle) and expects the same answers, the
 * same stored items and the same errors, named alike and carrying the same fields.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbDocuments } from '../../../functions/store/dynamodb-documents.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { rejection } from '../../helpers/rejection.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const stack = useLocalStack();
/** A scratch demand table: partition key `productId`, sort key `minute` (both strings). */
let table: string;

beforeAll(async () => {
  ({ demand: table } = await createScratchTables(stack.clients.dynamodb, ['demand'] as const));
});

/** The SDK's document client behind the same eight methods, its answers without `$metadata`: the oracle. */
function sdkDocuments(client: DynamoDBDocumentClient): DynamoDbDocuments {
  return {
    get: async (input) => withoutMetadata(await client.send(new GetCommand(input))),
    put: async (input) => withoutMetadata(await client.send(new PutCommand(input))),
    update: async (input) => withoutMetadata(await client.send(new UpdateCommand(input))),
    query: async (input) => withoutMetadata(await client.send(new QueryCommand(input))),
    scan: async (input) => withoutMetadata(await client.send(new ScanCommand(input))),
    transactWrite: async (input) => {
      await client.send(new TransactWriteCommand(input));
    },
    batchWrite: async (input) => withoutMetadata(await client.send(new BatchWriteCommand(input))),
    batchGet: async (input) => withoutMetadata(await client.send(new BatchGetCommand(input))),
  };
}

function withoutMetadata<T extends { $metadata: unknown }>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _, ...answer } = output;
  return answer;
}

const CLIENTS = {
  sdk: sdkDocuments(stack.clients.documentClient),
  signed: stack.clients.documents,
} as const;
type Side = keyof typeof CLIENTS;

/** The same thing done through each client in turn (the SDK's first), each given its own name for keys. */
async function both<T>(run: (client: DynamoDbDocuments, side: Side) => Promise<T>): Promise<Record<Side, T>> {
  const sdk = await run(CLIENTS.sdk, 'sdk');
  const signed = await run(CLIENTS.signed, 'signed');
  return { sdk, signed };
}

/**
 * The signed client answered as the SDK's did: the same values, of the same types (Uint8Array, Set),
 * and the same fields: one the service left out is absent from both, not undefined.
 */
function expectSameAnswers(answers: Record<Side, unknown>, message?: string): void {
  expect(answers.signed, message).toStrictEqual(answers.sdk);
}

/** An item of `productId`'s partition as the SDK's client reads it (keys left out), undefined when absent. */
async function stored(productId: string, minute: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await CLIENTS.sdk.get({ TableName: table, Key: { productId, minute }, ConsistentRead: true });
  if (Item === undefined) return undefined;
  const { productId: _p, minute: _m, ...rest } = Item;
  return rest;
}

/** Every item of a partition, oldest minute first, as the SDK's client reads it (keys left out but `minute`). */
async function partition(productId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await CLIENTS.sdk.query({
    TableName: table,
    KeyConditionExpression: 'productId = :p',
    ExpressionAttributeValues: { ':p': productId },
    ConsistentRead: true,
  });
  return Items.map(({ productId: _p, ...rest }) => rest);
}

describe('put and get', () => {
  /** Every kind of value a document holds. */
  const document = () => ({
    text: 'plain text, ünïcode ✓ and "quotes"',
    empty: '',
    integer: 42,
    zero: 0,
    negative: -17,
    float: 3.25,
    negativeFloat: -0.001,
    largeSafeInteger: Number.MAX_SAFE_INTEGER,
    yes: true,
    no: false,
    nothing: null,
    nested: {
      level: { list: ['x', 1, { deeper: null }], flag: true, gone: undefined },
      emptyMap: {},
      emptyList: [],
    },
    list: ['a', 2, -2.5, false, null, ['inner'], { key: 'value' }],
    strings: new Set(['red', 'green', '']),
    numbers: new Set([1, 2.5, -3]),
    bytes: new Uint8Array([0, 1, 2, 127, 128, 253, 254, 255]),
    buffer: Buffer.from('hello, bytes'),
    nestedBytes: { inMap: new Uint8Array([9, 8, 7]), inList: [Buffer.from([6, 5, 4])] },
    byteSet: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
    missing: undefined,
  });

  /** The document as it is read back: bytes as Uint8Array (a Buffer's too), undefined attributes gone. */
  const readBack = (() => {
    const { missing: _, nested, buffer, nestedBytes, ...unchanged } = document();
    return {
      ...unchanged,
      nested: { level: { list: nested.level.list, flag: true }, emptyMap: {}, emptyList: [] },
      buffer: new Uint8Array(buffer),
      nestedBytes: { inMap: nestedBytes.inMap, inList: [new Uint8Array([6, 5, 4])] },
    };
  })();

  it('writes every kind of value as the SDK does: what either client wrote, either reads back the same', async () => {
    const productId = 'P-put-get';
    const written = await both((client, side) =>
      client.put({ TableName: table, Item: { productId, minute: side, ...document() } }),
    );
    expectSameAnswers(written);

    for (const writer of ['sdk', 'signed'] as const) {
      const read = await both((client) =>
        client.get({ TableName: table, Key: { productId, minute: writer }, ConsistentRead: true }),
      );
      expectSameAnswers(read, `written by ${writer}`);
      expect(read.signed.Item, `written by ${writer}`).toStrictEqual({ productId, minute: writer, ...readBack });
      expect(read.signed.Item?.missing).toBeUndefined();
      expect(read.signed.Item).not.toHaveProperty('missing');
    }
  });

  it('reads back bytes as Uint8Array through both clients, a Buffer written as a Uint8Array read', async () => {
    const productId = 'P-put-get';
    const read = await both((client) =>
      client.get({ TableName: table, Key: { productId, minute: 'signed' }, ConsistentRead: true }),
    );
    for (const side of ['sdk', 'signed'] as const) {
      expect(read[side].Item?.bytes, side).toBeInstanceOf(Uint8Array);
      expect(read[side].Item?.buffer, side).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(read[side].Item?.buffer as Uint8Array).toString(), side).toBe('hello, bytes');
    }
  });

  it('answers a get of a missing key with no Item, alike', async () => {
    const read = await both((client) => client.get({ TableName: table, Key: { productId: 'P-none', minute: 'none' } }));
    expect(read.sdk.Item).toBeUndefined();
    expectSameAnswers(read);
  });

  it('gives a ProjectionExpression get only the projected attributes, alike', async () => {
    const read = await both((client) =>
      client.get({
        TableName: table,
        Key: { productId: 'P-put-get', minute: 'sdk' },
        ProjectionExpression: '#t, nested.#l.flag, numbers',
        ExpressionAttributeNames: { '#t': 'text', '#l': 'level' },
      }),
    );
    expect(read.sdk.Item).toEqual({
      text: 'plain text, ünïcode ✓ and "quotes"',
      nested: { level: { flag: true } },
      numbers: new Set([1, 2.5, -3]),
    });
    expectSameAnswers(read);
  });

  it('gives ReturnValues ALL_OLD of a put the item it replaced, alike', async () => {
    const productId = 'P-put-old';
    await both((client, side) =>
      client.put({ TableName: table, Item: { productId, minute: side, views: 1, tags: new Set(['a']) } }),
    );
    const replaced = await both((client, side) =>
      client.put({ TableName: table, Item: { productId, minute: side, views: 2 }, ReturnValues: 'ALL_OLD' }),
    );
    expect(replaced.sdk.Attributes).toEqual({ productId, minute: 'sdk', views: 1, tags: new Set(['a']) });
    expectSameAnswers({
      sdk: { ...replaced.sdk, Attributes: { ...replaced.sdk.Attributes, minute: 'signed' } },
      signed: replaced.signed,
    });
  });
});

describe('update', () => {
  it('applies ADD and SET alike and answers ALL_NEW with the same Attributes', async () => {
    const productId = 'P-update';
    await both((client, side) =>
      client.put({
        TableName: table,
        Item: { productId, minute: side, views: 5, tags: new Set(['old']), detail: { price: 10 } },
      }),
    );
    const updated = await both((client, side) =>
      client.update({
        TableName: table,
        Key: { productId, minute: side },
        UpdateExpression:
          'ADD #views :one, carts :two, tags :tags SET detail.price = :price, #label = :label, history = list_append(if_not_exists(history, :none), :entry), nothing = :null',
        ExpressionAttributeNames: { '#views': 'views', '#label': 'label' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':two': 2,
          ':tags': new Set(['new']),
          ':price': 12.5,
          ':label': 'on sale',
          ':none': [],
          ':entry': [{ at: 'now', bytes: new Uint8Array([1, 2]) }],
          ':null': null,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.sdk.Attributes).toEqual({
      productId,
      minute: 'sdk',
      views: 6,
      carts: 2,
      tags: new Set(['old', 'new']),
      detail: { price: 12.5 },
      label: 'on sale',
      history: [{ at: 'now', bytes: new Uint8Array([1, 2]) }],
      nothing: null,
    });
    expectSameAnswers({
      sdk: { ...updated.sdk, Attributes: { ...updated.sdk.Attributes, minute: 'signed' } },
      signed: updated.signed,
    });
    expect(await stored(productId, 'signed')).toStrictEqual(await stored(productId, 'sdk'));
  });

  it('answers UPDATED_OLD and NONE alike', async () => {
    const productId = 'P-update';
    const old = await both((client, side) =>
      client.update({
        TableName: table,
        Key: { productId, minute: side },
        UpdateExpression: 'ADD #views :one',
        ExpressionAttributeNames: { '#views': 'views' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    expect(old.sdk.Attributes).toEqual({ views: 6 });
    expectSameAnswers(old);

    const none = await both((client, side) =>
      client.update({
        TableName: table,
        Key: { productId, minute: side },
        UpdateExpression: 'REMOVE nothing',
      }),
    );
    expect(none.sdk.Attributes).toBeUndefined();
    expectSameAnswers(none);
  });
});

describe('a conditional put that fails', () => {
  const productId = 'P-condition';
  const old = { views: 3, label: 'first', ratio: 0.5, tags: new Set(['a', 'b']), detail: { ok: true, none: null } };

  beforeAll(async () => {
    await both((client, side) => client.put({ TableName: table, Item: { productId, minute: side, ...old } }));
  });

  const conditionalPut = (client: DynamoDbDocuments, side: Side, returnOld: boolean) =>
    rejection(
      client.put({
        TableName: table,
        Item: { productId, minute: side, views: 99 },
        ConditionExpression: 'attribute_not_exists(productId)',
        ...(returnOld ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
      }),
    );

  it('is thrown as ConditionalCheckFailedException by both, with no Item unless asked for', async () => {
    const errors = await both((client, side) => conditionalPut(client, side, false));
    expect(errors.sdk.name).toBe('ConditionalCheckFailedException');
    expect(errors.signed.name).toBe(errors.sdk.name);
    expect(errors.sdk.Item).toBeUndefined();
    expect(errors.signed.Item).toBeUndefined();
    expect(await stored(productId, 'signed')).toStrictEqual(await stored(productId, 'sdk'));
    expect(await stored(productId, 'signed')).toEqual(old);
  });

  it('carries the old item as AttributeValues (the SDK does not unmarshall an error) with ALL_OLD, alike', async () => {
    const errors = await both((client, side) => conditionalPut(client, side, true));
    expect(errors.sdk.name).toBe('ConditionalCheckFailedException');
    expect(errors.signed.name).toBe(errors.sdk.name);
    const asAttributeValues = (minute: string) => ({
      productId: { S: productId },
      minute: { S: minute },
      views: { N: '3' },
      label: { S: 'first' },
      ratio: { N: '0.5' },
      tags: { SS: expect.arrayContaining(['a', 'b']) },
      detail: { M: { ok: { BOOL: true }, none: { NULL: true } } },
    });
    expect(errors.sdk.Item).toEqual(asAttributeValues('sdk'));
    expect(errors.signed.Item).toEqual(asAttributeValues('signed'));
  });

  it('carries a binary attribute of the old item as the SDK does (bytes, not base64)', async () => {
    const binaryKey = 'P-condition-bytes';
    await both((client, side) =>
      client.put({ TableName: table, Item: { productId: binaryKey, minute: side, bytes: new Uint8Array([1, 2, 3]) } }),
    );
    const errors = await both((client, side) =>
      rejection(
        client.put({
          TableName: table,
          Item: { productId: binaryKey, minute: side },
          ConditionExpression: 'attribute_not_exists(productId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    expect(errors.signed.name).toBe(errors.sdk.name);
    // The SDK decodes the AttributeValue's base64 into bytes, as it does every blob it reads.
    expect(errors.sdk.Item).toEqual({
      productId: { S: binaryKey },
      minute: { S: 'sdk' },
      bytes: { B: new Uint8Array([1, 2, 3]) },
    });
    expect(errors.signed.Item).toEqual({
      productId: { S: binaryKey },
      minute: { S: 'signed' },
      bytes: { B: new Uint8Array([1, 2, 3]) },
    });
  });
});

describe('transactWrite', () => {
  it('writes every item of a transaction whose conditions hold, alike', async () => {
    const productId = 'P-transaction';
    await both((client, side) =>
      client.put({ TableName: table, Item: { productId, minute: `${side}-existing`, views: 1 } }),
    );
    const answers = await both((client, side) =>
      client.transactWrite({
        TransactItems: [
          { Put: { TableName: table, Item: { productId, minute: `${side}-new`, views: 1, tags: new Set(['t']) } } },
          {
            Update: {
              TableName: table,
              Key: { productId, minute: `${side}-existing` },
              UpdateExpression: 'ADD #views :n',
              ConditionExpression: '#views = :one',
              ExpressionAttributeNames: { '#views': 'views' },
              ExpressionAttributeValues: { ':n': 4, ':one': 1 },
            },
          },
        ],
      }),
    );
    expect(answers.signed).toBe(answers.sdk);
    expect(await stored(productId, 'signed-new')).toStrictEqual(await stored(productId, 'sdk-new'));
    expect(await stored(productId, 'signed-existing')).toStrictEqual(await stored(productId, 'sdk-existing'));
    expect(await stored(productId, 'signed-existing')).toEqual({ views: 5 });
  });

  it('is canceled by a failed condition as TransactionCanceledException, with the same CancellationReasons', async () => {
    const productId = 'P-transaction-canceled';
    await both((client, side) => client.put({ TableName: table, Item: { productId, minute: `${side}-taken` } }));
    const errors = await both((client, side) =>
      rejection(
        client.transactWrite({
          TransactItems: [
            { Put: { TableName: table, Item: { productId, minute: `${side}-free`, views: 1 } } },
            {
              Put: {
                TableName: table,
                Item: { productId, minute: `${side}-taken`, views: 2 },
                ConditionExpression: 'attribute_not_exists(productId)',
              },
            },
          ],
        }),
      ),
    );
    expect(errors.sdk.name).toBe('TransactionCanceledException');
    expect(errors.signed.name).toBe(errors.sdk.name);
    const codes = (error: Record<string, unknown>) =>
      (error.CancellationReasons as { Code?: string }[] | undefined)?.map((reason) => reason.Code);
    expect(codes(errors.sdk)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(codes(errors.signed)).toEqual(codes(errors.sdk));
    expect(errors.signed.CancellationReasons).toEqual(errors.sdk.CancellationReasons);
    // Nothing of a canceled transaction is written.
    expect(await partition(productId)).toEqual([{ minute: 'sdk-taken' }, { minute: 'signed-taken' }]);
  });

  it('carries the old item of a failed condition in its reason with ALL_OLD, alike', async () => {
    const productId = 'P-transaction-old';
    await both((client, side) => client.put({ TableName: table, Item: { productId, minute: side, views: 7 } }));
    const errors = await both((client, side) =>
      rejection(
        client.transactWrite({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: table,
                Key: { productId, minute: side },
                ConditionExpression: '#v > :limit',
                ExpressionAttributeNames: { '#v': 'views' },
                ExpressionAttributeValues: { ':limit': 10 },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      ),
    );
    expect(errors.signed.name).toBe(errors.sdk.name);
    const reasons = (error: Record<string, unknown>) => error.CancellationReasons as { Item?: unknown }[];
    expect(reasons(errors.sdk)[0]?.Item).toEqual({
      productId: { S: productId },
      minute: { S: 'sdk' },
      views: { N: '7' },
    });
    expect(reasons(errors.signed)[0]?.Item).toEqual({
      productId: { S: productId },
      minute: { S: 'signed' },
      views: { N: '7' },
    });
  });

  it("carries a binary attribute of a reason's old item as the SDK does (bytes, not base64)", async () => {
    const productId = 'P-transaction-bytes';
    await both((client, side) =>
      client.put({ TableName: table, Item: { productId, minute: side, bytes: new Uint8Array([1, 2, 3]) } }),
    );
    const errors = await both((client, side) =>
      rejection(
        client.transactWrite({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: table,
                Key: { productId, minute: side },
                ConditionExpression: 'attribute_not_exists(productId)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      ),
    );
    expect(errors.signed.name).toBe(errors.sdk.name);
    const item = (error: Record<string, unknown>) => (error.CancellationReasons as { Item?: unknown }[])[0]?.Item;
    expect(item(errors.sdk)).toEqual({
      productId: { S: productId },
      minute: { S: 'sdk' },
      bytes: { B: new Uint8Array([1, 2, 3]) },
    });
    expect(item(errors.signed)).toEqual({
      productId: { S: productId },
      minute: { S: 'signed' },
      bytes: { B: new Uint8Array([1, 2, 3]) },
    });
  });
});

describe('query and scan', () => {
  const productId = 'P-query';
  const minutes = Array.from({ length: 7 }, (_, index) => `2026-11-20T12:0${index}:00.000Z`);

  beforeAll(async () => {
    for (const [index, minute] of minutes.entries()) {
      await CLIENTS.sdk.put({
        TableName: table,
        Item: { productId, minute, views: index, even: index % 2 === 0, tags: new Set([`t${index}`]) },
      });
    }
  });

  it('pages a query by Limit alike: the same pages, the same LastEvaluatedKey, followed to the end', async () => {
    const pages = await both(async (client) => {
      const answers: Awaited<ReturnType<DynamoDbDocuments['query']>>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const answer = await client.query({
          TableName: table,
          KeyConditionExpression: 'productId = :p AND #m >= :from',
          ExpressionAttributeNames: { '#m': 'minute' },
          ExpressionAttributeValues: { ':p': productId, ':from': minutes[1] },
          Limit: 2,
          ExclusiveStartKey: start,
          ConsistentRead: true,
        });
        answers.push(answer);
        start = answer.LastEvaluatedKey;
      } while (start);
      return answers;
    });
    // Six minutes from the second, two a page: three full pages, and a last (empty) one after the third's key.
    expect(pages.sdk.map((page) => page.Items?.map((item) => item.minute))).toEqual([
      minutes.slice(1, 3),
      minutes.slice(3, 5),
      minutes.slice(5, 7),
      [],
    ]);
    expect(pages.sdk.map((page) => page.LastEvaluatedKey)).toEqual([
      { productId, minute: minutes[2] },
      { productId, minute: minutes[4] },
      { productId, minute: minutes[6] },
      undefined,
    ]);
    expectSameAnswers(pages);
  });

  it('queries backwards with a filter alike (Count and ScannedCount included)', async () => {
    const answers = await both((client) =>
      client.query({
        TableName: table,
        KeyConditionExpression: 'productId = :p',
        FilterExpression: 'even = :yes',
        ExpressionAttributeValues: { ':p': productId, ':yes': true },
        ScanIndexForward: false,
      }),
    );
    expect(answers.sdk.Items?.map((item) => item.views)).toEqual([6, 4, 2, 0]);
    expect(answers.sdk).toMatchObject({ Count: 4, ScannedCount: 7 });
    expectSameAnswers(answers);
  });

  it('scans with a ProjectionExpression and an ExpressionAttributeValues filter alike', async () => {
    const answers = await both((client) =>
      client.scan({
        TableName: table,
        ProjectionExpression: '#m, #v, tags',
        FilterExpression: 'productId = :p AND #v >= :min',
        ExpressionAttributeNames: { '#m': 'minute', '#v': 'views' },
        ExpressionAttributeValues: { ':p': productId, ':min': 4 },
        ConsistentRead: true,
      }),
    );
    expect(answers.sdk.Items).toHaveLength(3);
    expect(answers.sdk.Items).toEqual(
      expect.arrayContaining([{ minute: minutes[4], views: 4, tags: new Set(['t4']) }]),
    );
    expectSameAnswers(answers);
  });

  it('counts with Select COUNT alike: a Count and no Items', async () => {
    const counts = await both(async (client) => ({
      query: await client.query({
        TableName: table,
        KeyConditionExpression: 'productId = :p',
        ExpressionAttributeValues: { ':p': productId },
        Select: 'COUNT',
      }),
      scan: await client.scan({
        TableName: table,
        FilterExpression: 'productId = :p',
        ExpressionAttributeValues: { ':p': productId },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    }));
    expect(counts.sdk.query.Count).toBe(7);
    expect(counts.sdk.query.Items).toBeUndefined();
    expect(counts.sdk.scan.Count).toBe(7);
    expect(counts.sdk.scan.Items).toBeUndefined();
    expectSameAnswers(counts);
  });
});

describe('batchWrite and batchGet', () => {
  const productId = 'P-batch';
  /** A batch's items in the order of their sort key: a batchGet's Responses come in no particular order. */
  const byMinute = (items: Record<string, unknown>[] | undefined) =>
    [...(items ?? [])].sort((a, b) => String(a.minute).localeCompare(String(b.minute)));

  it('puts and deletes in one batchWrite alike, with nothing unprocessed', async () => {
    await both((client, side) => client.put({ TableName: table, Item: { productId, minute: `${side}-doomed` } }));
    const answers = await both((client, side) =>
      client.batchWrite({
        RequestItems: {
          [table]: [
            { PutRequest: { Item: { productId, minute: `${side}-1`, views: 1, bytes: Buffer.from([1]) } } },
            { PutRequest: { Item: { productId, minute: `${side}-2`, views: 2, tags: new Set(['x']) } } },
            { PutRequest: { Item: { productId, minute: `${side}-3`, views: 3, gone: undefined } } },
            { DeleteRequest: { Key: { productId, minute: `${side}-doomed` } } },
          ],
        },
      }),
    );
    expect(answers.sdk.UnprocessedItems ?? {}).toEqual({});
    expectSameAnswers(answers);
    const items = await partition(productId);
    const of = (side: Side) =>
      items
        .filter((item) => String(item.minute).startsWith(`${side}-`))
        .map((item) => ({ ...item, minute: String(item.minute).slice(side.length) }));
    expect(of('sdk')).toEqual([
      { minute: '-1', views: 1, bytes: new Uint8Array([1]) },
      { minute: '-2', views: 2, tags: new Set(['x']) },
      { minute: '-3', views: 3 },
    ]);
    expect(of('signed')).toStrictEqual(of('sdk'));
  });

  it('gets several keys alike, a missing one left out, with nothing unprocessed', async () => {
    const keys = ['sdk-1', 'signed-2', 'sdk-3', 'signed-3', 'never-written'].map((minute) => ({ productId, minute }));
    const answers = await both((client) =>
      client.batchGet({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
    );
    expect(byMinute(answers.sdk.Responses?.[table]).map((item) => item.minute)).toEqual([
      'sdk-1',
      'sdk-3',
      'signed-2',
      'signed-3',
    ]);
    expect(byMinute(answers.signed.Responses?.[table])).toStrictEqual(byMinute(answers.sdk.Responses?.[table]));
    expect(answers.sdk.UnprocessedKeys ?? {}).toEqual({});
    expect(answers.signed.UnprocessedKeys).toStrictEqual(answers.sdk.UnprocessedKeys);
  });

  it('gets only the projected attributes of a batchGet with a ProjectionExpression, alike', async () => {
    const answers = await both((client) =>
      client.batchGet({
        RequestItems: {
          [table]: {
            Keys: [
              { productId, minute: 'sdk-1' },
              { productId, minute: 'signed-1' },
            ],
            ProjectionExpression: '#m, bytes',
            ExpressionAttributeNames: { '#m': 'minute' },
          },
        },
      }),
    );
    expect(byMinute(answers.sdk.Responses?.[table])).toEqual([
      { minute: 'sdk-1', bytes: new Uint8Array([1]) },
      { minute: 'signed-1', bytes: new Uint8Array([1]) },
    ]);
    expect(byMinute(answers.signed.Responses?.[table])).toStrictEqual(byMinute(answers.sdk.Responses?.[table]));
  });
});

describe('errors', () => {
  it('throws ValidationException for a malformed KeyConditionExpression from both', async () => {
    const errors = await both((client) =>
      rejection(
        client.query({
          TableName: table,
          KeyConditionExpression: 'productId = = :p AND',
          ExpressionAttributeValues: { ':p': 'P-query' },
        }),
      ),
    );
    expect(errors.sdk.name).toBe('ValidationException');
    expect(errors.signed.name).toBe(errors.sdk.name);
    // The signed error's message is the service's, after its type and status.
    expect(errors.signed.message).toContain(errors.sdk.message);
    expect((errors.signed.$metadata as { httpStatusCode?: number }).httpStatusCode).toBe(400);
    expect((errors.sdk.$metadata as { httpStatusCode?: number }).httpStatusCode).toBe(400);
  });

  it('throws ValidationException for a key of the wrong type from both', async () => {
    const errors = await both((client) =>
      rejection(client.get({ TableName: table, Key: { productId: 1, minute: 'x' } })),
    );
    expect(errors.sdk.name).toBe('ValidationException');
    expect(errors.signed.name).toBe(errors.sdk.name);
  });

  it('throws ResourceNotFoundException for a table that does not exist from both', async () => {
    const errors = await both((client) =>
      rejection(client.get({ TableName: `${table}-missing`, Key: { productId: 'P', minute: 'x' } })),
    );
    expect(errors.sdk.name).toBe('ResourceNotFoundException');
    expect(errors.signed.name).toBe(errors.sdk.name);
  });

  it('refuses an empty set before sending, with the same error from both', async () => {
    const errors = await both((client) =>
      rejection(client.put({ TableName: table, Item: { productId: 'P-empty-set', minute: 'x', tags: new Set() } })),
    );
    expect(errors.signed.name).toBe(errors.sdk.name);
    expect(errors.signed.message).toBe(errors.sdk.message);
    expect(await stored('P-empty-set', 'x')).toBeUndefined();
  });
});
