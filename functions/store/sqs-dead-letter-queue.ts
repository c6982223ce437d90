/**
 * A stream consumer's dead-letter queue in AWS: the SQS queue its event-source mapping's on-failure
 * destination writes to. A redrive receives each message once and deletes it once its batch went through.
 *
 * Three calls of SQS's JSON protocol (`AmazonSQS.*`, AWS JSON 1.0), signed with a config
 * (signed-aws-request.ts) instead of the SQS client, made as the client makes them: to the queue
 * URL's host unless an endpoint is given (the client's `useQueueUrlAsEndpoint`), and each body
 * received checked against its MD5, which the client does too (a mismatch fails the receive).
 */
import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterQueue } from '../domain/dead-letters.js';
import { type AwsJsonProtocol, AwsJsonService, type SdkClientConfig } from './signed-aws-request.js';

/**
 * How long a received message stays invisible to other readers: enough to read one batch back and run
 * it through the consumer (its timeout is 30 s). A redrive that dies leaves the message to reappear;
 * one that is done with it deletes it or makes it visible again at once.
 */
const VISIBILITY_TIMEOUT_SECONDS = 300;

/** A message as ReceiveMessage answers it (the fields read here). */
interface ReceivedMessage {
  readonly MessageId?: string;
  readonly ReceiptHandle?: string;
  readonly Body?: string;
  readonly MD5OfBody?: string;
}

const SQS: AwsJsonProtocol = {
  signingName: 'sqs',
  endpointId: 'SQS',
  endpointPrefix: 'sqs',
  version: '1.0',
  targetPrefix: 'AmazonSQS',
  // Sent as the client sends it (SQS then adds its query protocol's error code in a header); errors
  // are named from the answer's __type, as the client names them.
  headers: { 'x-amzn-query-mode': 'true' },
};

export class SqsDeadLetterQueue implements DeadLetterQueue {
  private readonly receipts = new Map<string, string>();
  private readonly sqs: AwsJsonService;

  /** `endpoint`: where SQS's calls go; by default the queue URL's origin, as the SQS client does. */
  constructor(
    config: SdkClientConfig,
    private readonly queueUrl: string,
    endpoint: string = new URL(queueUrl).origin,
  ) {
    this.sqs = new AwsJsonService(config, SQS, endpoint);
  }

  /** One message at a time, taken just before its batch is read: none waits out a timeout unprocessed. */
  async next(): Promise<DeadLetter | null> {
    const { Messages = [] } = await this.sqs.call<{ Messages?: ReceivedMessage[] }>('ReceiveMessage', {
      QueueUrl: this.queueUrl,
      MaxNumberOfMessages: 1,
      VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
      WaitTimeSeconds: 1,
    });
    // Every message's body against its MD5 before any is taken, as the client checks them.
    const corrupt = Messages.filter(
      (message) =>
        createHash('md5')
          .update(message.Body ?? '')
          .digest('hex') !== message.MD5OfBody,
    );
    if (corrupt.length > 0) {
      throw new Error(`Invalid MD5 checksum on messages: ${corrupt.map((message) => message.MessageId).join(', ')}`);
    }
    const [message] = Messages;
    if (message?.MessageId === undefined || message.ReceiptHandle === undefined) return null;
    this.receipts.set(message.MessageId, message.ReceiptHandle);
    return { id: message.MessageId, body: message.Body ?? '' };
  }

  async remove(letter: DeadLetter): Promise<void> {
    await this.sqs.call('DeleteMessage', { QueueUrl: this.queueUrl, ReceiptHandle: this.receiptOf(letter) });
  }

  async release(letter: DeadLetter): Promise<void> {
    await this.sqs.call('ChangeMessageVisibility', {
      QueueUrl: this.queueUrl,
      ReceiptHandle: this.receiptOf(letter),
      VisibilityTimeout: 0,
    });
  }

  /** The receipt handle `letter` came with: only the redrive that received a message can act on it. */
  private receiptOf(letter: DeadLetter): string {
    const receipt = this.receipts.get(letter.id);
    if (receipt === undefined) throw new Error(`message ${letter.id} was not received by this redrive`);
    return receipt;
  }
}
