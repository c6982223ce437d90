/**
 * SignedDynamoDbDocuments on the wire, beside the SDK's document client given the same canned answers
 * by a loopback server: what DynamoDB Local never answers (unprocessed items and keys, a lost answer,
 * a global table's write conflict) is read alike, and a retried transaction carries the same
 * idempotency token as its first attempt, as the SDK sends it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignedDynamoDbDocuments } from '../../../functions/store/dynamodb-documents.js';
import { type CannedAnswer, startCapturingServer } from '../../helpers/capturing-server.js';

/** An answer of DynamoDB's JSON protocol; an error's type goes in its header too, as DynamoDB sends it. */
function canned(status: number, body: Record<string, unknown>): CannedAnswer {
  const type = typeof body.__type === 'string' ? body.__type.split('#').pop() : undefined;
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', ...(type ? { 'x-amzn-errortype': type } : {}) },
    body: JSON.stringify(body),
  };
}

const ok = (body: Record<string, unknown> = {}) => canned(200, body);

let server: Awaited<ReturnType<typeof startCapturingServer>>;
let endpoint: string;

/** The requests received since the last call: their X-Amz-Target and JSON body. */
function received(): { target: string; body: Record<string, unknown> }[] {
  return server.captured.splice(0).map((request) => ({
    target: String(request.headers['x-amz-target']),
    body: JSON.parse(request.body.toString('utf8')) as Record<string, unknown>,
  }));
}

beforeAll(async () => {
  server = await startCapturingServer(ok());
  endpoint = server.endpoint;
});
afterAll(() => server.close());
beforeEach(() => {
  received();
});

function clients() {
  const dynamodb = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    endpoint,
  });
  return {
    sdk: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    signed: new SignedDynamoDbDocuments(dynamodb.config, endpoint),
  };
}

const serverError = canned(500, { __type: 'com.amazonaws.dynamodb#InternalServerError', message: 'x' });
const TRANSACTION = {
  TransactItems: [
    { Put: { TableName: 'prices', Item: { productId: 'P1', price: 1299, tag: new Uint8Array([1, 2]) } } },
    { ConditionCheck: { TableName: 'config', Key: { id: 'global' }, ConditionExpression: 'attribute_exists(id)' } },
  ],
};

describe('a transaction retried after a lost answer', () => {
  it('carries one idempotency token on every attempt, as the SDK sends it, and a new one per call', async () => {
    const { sdk, signed } = clients();
    server.answer(serverError, ok());
    await sdk.send(new TransactWriteCommand(TRANSACTION));
    const sdkTokens = received().map((request) => request.body.ClientRequestToken);
    server.answer(serverError, ok());
    await signed.transactWrite(TRANSACTION);
    server.answer(ok());
    await signed.transactWrite(TRANSACTION);
    const tokens = received().map((request) => request.body.ClientRequestToken);

    expect(sdkTokens).toHaveLength(2);
    expect(sdkTokens[0]).toBe(sdkTokens[1]);
    expect(tokens).toHaveLength(3);
    expect(tokens[0]).toEqual(expect.any(String));
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('sends the same transaction the SDK sends, but for the token', async () => {
    const { sdk, signed } = clients();
    server.answer(ok());
    await sdk.send(new TransactWriteCommand(TRANSACTION));
    await signed.transactWrite(TRANSACTION);
    const [fromSdk, fromSigned] = received().map(({ target, body }) => ({
      target,
      body: { ...body, ClientRequestToken: 'token' },
    }));

    expect(fromSigned).toEqual(fromSdk);
  });

  it('keeps a token its caller chose', async () => {
    const { signed } = clients();
    server.answer(ok());
    await signed.transactWrite({ ...TRANSACTION, ClientRequestToken: 'chosen' });

    expect(received()[0]?.body.ClientRequestToken).toBe('chosen');
  });
});

describe('what DynamoDB left unprocessed', () => {
  it('reads UnprocessedItems of a batch write as the SDK does', async () => {
    const { sdk, signed } = clients();
    server.answer(
      ok({
        UnprocessedItems: {
          quarantine: [
            { PutRequest: { Item: { id: { S: 'q1' }, raw: { B: 'AQID' }, size: { N: '3' } } } },
            { DeleteRequest: { Key: { id: { S: 'q2' } } } },
          ],
        },
      }),
    );
    const input = {
      RequestItems: {
        quarantine: [
          { PutRequest: { Item: { id: 'q1', raw: new Uint8Array([1, 2, 3]), size: 3 } } },
          { DeleteRequest: { Key: { id: 'q2' } } },
        ],
      },
    };
    const { $metadata: _, ...fromSdk } = await sdk.send(new BatchWriteCommand(input));
    const fromSigned = await signed.batchWrite(input);
    const [sdkRequest, signedRequest] = received();

    expect(fromSigned).toStrictEqual(fromSdk);
    expect(fromSigned.UnprocessedItems?.quarantine?.[0]?.PutRequest?.Item).toEqual({
      id: 'q1',
      raw: new Uint8Array([1, 2, 3]),
      size: 3,
    });
    expect(signedRequest?.body).toEqual(sdkRequest?.body);
  });

  it('reads Responses and UnprocessedKeys of a batch get as the SDK does', async () => {
    const { sdk, signed } = clients();
    server.answer(
      ok({
        Responses: { products: [{ productId: { S: 'P1' }, price: { N: '1299' }, tags: { SS: ['a', 'b'] } }] },
        UnprocessedKeys: {
          products: { Keys: [{ productId: { S: 'P2' } }], ProjectionExpression: 'productId, price' },
        },
      }),
    );
    const input = {
      RequestItems: {
        products: { Keys: [{ productId: 'P1' }, { productId: 'P2' }], ProjectionExpression: 'productId, price' },
      },
    };
    const { $metadata: _, ...fromSdk } = await sdk.send(new BatchGetCommand(input));
    const fromSigned = await signed.batchGet(input);
    const [sdkRequest, signedRequest] = received();

    expect(fromSigned).toStrictEqual(fromSdk);
    expect(fromSigned.UnprocessedKeys?.products?.Keys).toEqual([{ productId: 'P2' }]);
    expect(signedRequest?.body).toEqual(sdkRequest?.body);
  });
});

describe('a global table’s write conflict', () => {
  it('is retried, as the SDK retries it (its model marks it retryable)', async () => {
    const { sdk, signed } = clients();
    const conflict = canned(400, {
      __type: 'com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException',
      message: 'conflict',
    });
    server.answer(conflict, ok());
    await sdk.send(new TransactWriteCommand(TRANSACTION));
    const sdkAttempts = received().length;
    server.answer(conflict, ok());
    await signed.transactWrite(TRANSACTION);

    expect(sdkAttempts).toBe(2);
    expect(received()).toHaveLength(2);
  });
});
