/**
 * SqsDeadLetterQueue on the wire, beside @aws-sdk/client-sqs given the same canned answers by a
 * loopback server: a redrive's three calls (ReceiveMessage of one message, DeleteMessage,
 * ChangeMessageVisibility to 0) are the requests the SQS client sends for them, they go where the
 * client sends them (the queue URL's host unless an endpoint is given), and a body whose MD5 does
 * not match is refused as the client refuses it.
 */
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsDeadLetterQueue } from '../../../functions/store/sqs-dead-letter-queue.js';
import { type CannedAnswer, type CapturedRequest, startCapturingServer } from '../../helpers/capturing-server.js';
import { rejection } from '../../helpers/rejection.js';

const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const QUEUE_PATH = '/123456789012/clickprice-dev-clickstream-dlq';
/** An on-failure record, as a dead letter's body. */
const BODY = JSON.stringify({
  requestContext: { condition: 'RetryAttemptsExhausted' },
  KinesisBatchInfo: { shardId: 'shardId-000000000000', startSequenceNumber: '1', endSequenceNumber: '2' },
});
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** An answer of SQS's JSON protocol; an error's type goes in its headers too, as SQS sends it. */
function sqsAnswer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): CannedAnswer {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', ...headers },
    body: JSON.stringify(body),
  };
}

/** A ReceiveMessage answer holding one message. */
function oneMessage(message: { MessageId: string; ReceiptHandle: string; Body: string; MD5OfBody?: string }) {
  return sqsAnswer(200, { Messages: [message] });
}

const EMPTY = sqsAnswer(200, {});

/**
 * Has `queue` receive message `m-<n>` (receipt `receipt-<n>`, a good MD5), SQS answering `then` to the
 * call after; the requests so far are emptied.
 */
async function receivedLetter(queue: SqsDeadLetterQueue, n: number, then: CannedAnswer = EMPTY) {
  server.answer(
    oneMessage({ MessageId: `m-${n}`, ReceiptHandle: `receipt-${n}`, Body: BODY, MD5OfBody: md5(BODY) }),
    then,
  );
  const letter = await queue.next();
  if (letter === null) throw new Error(`m-${n} was not received`);
  received();
  return letter;
}

let server: Awaited<ReturnType<typeof startCapturingServer>>;
/** The queue URL naming the loopback server: where both clients' calls go unless told otherwise. */
let queueUrl: string;

beforeAll(async () => {
  server = await startCapturingServer(EMPTY);
  queueUrl = `${server.endpoint}${QUEUE_PATH}`;
});
afterAll(() => server.close());
beforeEach(() => {
  server.captured.splice(0);
  server.answer(EMPTY);
});

/** The requests received since the last call, emptied. */
function received(): CapturedRequest[] {
  return server.captured.splice(0);
}

/** What must agree between two requests for one call: where it goes, its protocol headers and its input. */
function protocolOf(request: CapturedRequest | undefined) {
  if (request === undefined) throw new Error('expected a request, and none arrived');
  return {
    method: request.method,
    path: request.url,
    host: request.headers.host,
    target: request.headers['x-amz-target'],
    contentType: request.headers['content-type'],
    queryMode: request.headers['x-amzn-query-mode'],
    body: JSON.parse(request.body.toString('utf8')) as unknown,
  };
}

/** What the SDK client logs; it warns when it sends a call to the queue URL's host instead of its endpoint. */
function recordingLogger() {
  const warnings: string[] = [];
  const ignore = () => undefined;
  return {
    warnings,
    logger: {
      debug: ignore,
      info: ignore,
      warn: (...parts: unknown[]) => warnings.push(parts.join(' ')),
      error: ignore,
    },
  };
}

/**
 * The SDK's client (one attempt per call: an error answer is seen at once), and our queue signed with
 * its config: by default with no endpoint, so each finds its own.
 */
function clients(options: { sdk?: Partial<SQSClientConfig>; queueUrl?: string; endpoint?: string } = {}) {
  const { logger, warnings } = recordingLogger();
  const sdk = new SQSClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1, logger, ...options.sdk });
  const url = options.queueUrl ?? queueUrl;
  const queue =
    options.endpoint === undefined
      ? new SqsDeadLetterQueue(sdk.config, url)
      : new SqsDeadLetterQueue(sdk.config, url, options.endpoint);
  return { sdk, queue, warnings, queueUrl: url };
}

/** The SDK's ReceiveMessage as the redrive asks it: one message, hidden 300 s, waiting 1 s. */
function sdkReceive(sdk: SQSClient, url: string = queueUrl): Promise<ReceiveMessageCommandOutput> {
  return sdk.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 300, WaitTimeSeconds: 1 }),
  );
}

describe('the requests a redrive sends', () => {
  it('receives one message as the SDK’s ReceiveMessage of one message, hidden 300 s, waiting 1 s, does', async () => {
    const { sdk, queue } = clients();
    const message = { MessageId: 'm-1', ReceiptHandle: 'receipt-1', Body: BODY, MD5OfBody: md5(BODY) };
    server.answer(oneMessage(message));
    await sdkReceive(sdk);
    const letter = await queue.next();
    const [fromSdk, fromQueue] = received();

    expect(protocolOf(fromQueue)).toStrictEqual(protocolOf(fromSdk));
    expect(protocolOf(fromQueue)).toStrictEqual({
      method: 'POST',
      path: '/',
      host: new URL(server.endpoint).host,
      target: 'AmazonSQS.ReceiveMessage',
      contentType: 'application/x-amz-json-1.0',
      queryMode: 'true',
      body: { QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 300, WaitTimeSeconds: 1 },
    });
    expect(letter).toStrictEqual({ id: 'm-1', body: BODY });
    sdk.destroy();
  });

  it('deletes a message it received as the SDK’s DeleteMessage does, with the receipt handle it came with', async () => {
    const { sdk, queue } = clients();
    const letter = await receivedLetter(queue, 2);
    await sdk.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'receipt-2' }));
    await queue.remove(letter);
    const [fromSdk, fromQueue] = received();

    expect(protocolOf(fromQueue)).toStrictEqual(protocolOf(fromSdk));
    expect(protocolOf(fromQueue)).toMatchObject({
      target: 'AmazonSQS.DeleteMessage',
      queryMode: 'true',
      body: { QueueUrl: queueUrl, ReceiptHandle: 'receipt-2' },
    });
    sdk.destroy();
  });

  it('takes an answer with no body at all as done, as the SDK does (SQS answers DeleteMessage and ChangeMessageVisibility so)', async () => {
    const { sdk, queue } = clients();
    const bodyless: CannedAnswer = { status: 200, headers: {}, body: '' };
    const letter = await receivedLetter(queue, 4, bodyless);

    await expect(
      sdk.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'receipt-4' })),
    ).resolves.toBeDefined();
    await expect(queue.remove(letter)).resolves.toBeUndefined();
    await expect(queue.release(letter)).resolves.toBeUndefined();
    sdk.destroy();
  });

  it('makes a message it received visible again as the SDK’s ChangeMessageVisibility to 0 s does', async () => {
    const { sdk, queue } = clients();
    const letter = await receivedLetter(queue, 3);
    await sdk.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: 'receipt-3', VisibilityTimeout: 0 }),
    );
    await queue.release(letter);
    const [fromSdk, fromQueue] = received();

    expect(protocolOf(fromQueue)).toStrictEqual(protocolOf(fromSdk));
    expect(protocolOf(fromQueue)).toMatchObject({
      target: 'AmazonSQS.ChangeMessageVisibility',
      queryMode: 'true',
      body: { QueueUrl: queueUrl, ReceiptHandle: 'receipt-3', VisibilityTimeout: 0 },
    });
    sdk.destroy();
  });

  it('signs each call for SQS in the config’s region, as the SDK does', async () => {
    const { sdk, queue } = clients();
    await sdkReceive(sdk);
    await queue.next();
    const scopes = received().map(
      (request) => /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(request.headers.authorization ?? '')?.[1],
    );

    expect(scopes).toStrictEqual([`${REGION}/sqs/aws4_request`, `${REGION}/sqs/aws4_request`]);
    sdk.destroy();
  });
});

describe('where the calls go', () => {
  it('goes to the queue URL’s host when given no endpoint, as the SDK client does though its region names another', async () => {
    const { sdk, queue, warnings } = clients();
    await sdkReceive(sdk);
    expect(await queue.next()).toBeNull();
    const requests = received();

    // Both reached the loopback server the queue URL names, not sqs.eu-west-1.amazonaws.com.
    expect(requests.map((request) => request.headers.host)).toStrictEqual([
      new URL(queueUrl).host,
      new URL(queueUrl).host,
    ]);
    expect(requests.map((request) => request.url)).toStrictEqual(['/', '/']);
    expect(warnings.join('\n')).toContain('using QueueUrl host as endpoint');
    sdk.destroy();
  });

  it('goes to the endpoint it is given, whatever host the queue URL names, as a client given that endpoint does', async () => {
    const elsewhere = `https://sqs.${REGION}.amazonaws.com${QUEUE_PATH}`;
    const { sdk, queue } = clients({
      sdk: { endpoint: server.endpoint },
      queueUrl: elsewhere,
      endpoint: server.endpoint,
    });
    await sdkReceive(sdk, elsewhere);
    await queue.next();
    const [fromSdk, fromQueue] = received();

    expect(protocolOf(fromQueue)).toStrictEqual(protocolOf(fromSdk));
    expect(protocolOf(fromQueue)).toMatchObject({ host: new URL(server.endpoint).host, body: { QueueUrl: elsewhere } });
    sdk.destroy();
  });
});

describe('the MD5 of each body received', () => {
  it('refuses a body whose MD5OfBody does not match, naming the message, as the SDK does', async () => {
    const { sdk, queue } = clients();
    server.answer(
      oneMessage({ MessageId: 'm-bad', ReceiptHandle: 'receipt-bad', Body: BODY, MD5OfBody: md5(`${BODY} `) }),
    );
    const fromSdk = await rejection(sdkReceive(sdk));
    const fromQueue = await rejection(queue.next());

    expect(fromSdk.message).toBe('Invalid MD5 checksum on messages: m-bad');
    expect(fromQueue.message).toBe(fromSdk.message);
    expect(fromQueue.name).toBe(fromSdk.name);
    // A message refused is not one this redrive received: it cannot delete it.
    await expect(queue.remove({ id: 'm-bad', body: BODY })).rejects.toThrow(
      'message m-bad was not received by this redrive',
    );
    sdk.destroy();
  });

  it('checks every message an answer holds, not only the one it takes, as the SDK does', async () => {
    const { sdk, queue } = clients();
    server.answer(
      sqsAnswer(200, {
        Messages: [
          { MessageId: 'm-good', ReceiptHandle: 'receipt-good', Body: BODY, MD5OfBody: md5(BODY) },
          { MessageId: 'm-bad', ReceiptHandle: 'receipt-bad', Body: BODY, MD5OfBody: md5(`${BODY} `) },
        ],
      }),
    );
    const fromSdk = await rejection(sdk.send(new ReceiveMessageCommand({ QueueUrl: queueUrl })));
    const fromQueue = await rejection(queue.next());

    expect(fromSdk.message).toBe('Invalid MD5 checksum on messages: m-bad');
    expect(fromQueue.message).toBe(fromSdk.message);
    sdk.destroy();
  });

  it('refuses a message that carries no MD5OfBody, as the SDK does', async () => {
    const { sdk, queue } = clients();
    server.answer(oneMessage({ MessageId: 'm-none', ReceiptHandle: 'receipt-none', Body: BODY }));
    const fromSdk = await rejection(sdkReceive(sdk));
    const fromQueue = await rejection(queue.next());

    expect(fromSdk.message).toBe('Invalid MD5 checksum on messages: m-none');
    expect(fromQueue.message).toBe(fromSdk.message);
    sdk.destroy();
  });

  it('accepts a body whose MD5OfBody matches its UTF-8 bytes, non-ASCII text included, as the SDK does', async () => {
    const { sdk, queue } = clients();
    const body = `${BODY.slice(0, -1)},"note":"prix 12,99 € ✓ — ünïcode"}`;
    server.answer(oneMessage({ MessageId: 'm-ok', ReceiptHandle: 'receipt-ok', Body: body, MD5OfBody: md5(body) }));
    const fromSdk = await sdkReceive(sdk);

    expect(fromSdk.Messages?.map(({ MessageId, Body }) => ({ id: MessageId, body: Body }))).toStrictEqual([
      { id: 'm-ok', body },
    ]);
    expect(await queue.next()).toStrictEqual({ id: 'm-ok', body });
    sdk.destroy();
  });

  it('gives no message when the answer holds none, as the SDK gives no Messages', async () => {
    const { sdk, queue } = clients();
    const fromSdk = await sdkReceive(sdk);

    expect(fromSdk.Messages).toBeUndefined();
    expect(await queue.next()).toBeNull();
    sdk.destroy();
  });
});

describe('a message the redrive did not receive', () => {
  it.each(['remove', 'release'] as const)(
    'cannot be given to %s: it throws, naming it, and sends nothing',
    async (action) => {
      const { sdk, queue } = clients();

      await expect(queue[action]({ id: 'm-stranger', body: BODY })).rejects.toThrow(
        'message m-stranger was not received by this redrive',
      );
      expect(received()).toStrictEqual([]);
      sdk.destroy();
    },
  );

  it('cannot be removed by another redrive than the one that received it', async () => {
    const { sdk, queue } = clients();
    const other = new SqsDeadLetterQueue(sdk.config, queueUrl);
    const letter = await receivedLetter(queue, 4);

    await expect(other.remove(letter)).rejects.toThrow('message m-4 was not received by this redrive');
    expect(received()).toStrictEqual([]);
    sdk.destroy();
  });
});

describe('an error answer', () => {
  it('is named as the SDK names it: a queue that does not exist is QueueDoesNotExist', async () => {
    const { sdk, queue } = clients();
    server.answer(
      sqsAnswer(
        400,
        { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' },
        { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
      ),
    );
    const fromSdk = await rejection(sdkReceive(sdk));
    const fromQueue = await rejection(queue.next());

    expect(fromSdk.name).toBe('QueueDoesNotExist');
    expect(fromQueue.name).toBe(fromSdk.name);
    expect(fromQueue.message).toBe(`QueueDoesNotExist (400): ${fromSdk.message}`);
    sdk.destroy();
  });
});
