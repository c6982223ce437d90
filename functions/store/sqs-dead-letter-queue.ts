/**
 * A stream consumer's dead-letter queue in AWS: the SQS queue its event-source mapping's on-failure
 * destination writes to. A redrive receives each message once and deletes it once its batch went through.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../domain/dead-letters.js';

/**
 * How long a received message stays invisible to other readers: enough to read one batch back and run
 * it through the consumer (its timeout is 30 s). A redrive that dies leaves the message to reappear;
 * one that is done with it deletes it or makes it visible again at once.
 */
const VISIBILITY_TIMEOUT_SECONDS = 300;

export class SqsDeadLetterQueue implements DeadLetterQueue {
  private readonly receipts = new Map<string, string>();

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** One message at a time, taken just before its batch is read: none waits out a timeout unprocessed. */
  async next(): Promise<DeadLetter | null> {
    const { Messages = [] } = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 1,
        VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
        WaitTimeSeconds: 1,
      }),
    );
    const [message] = Messages;
    if (message?.MessageId === undefined || message.ReceiptHandle === undefined) return null;
    this.receipts.set(message.MessageId, message.ReceiptHandle);
    return { id: message.MessageId, body: message.Body ?? '' };
  }

  async remove(letter: DeadLetter): Promise<void> {
    const receipt = this.receipts.get(letter.id);
    if (receipt === undefined) throw new Error(`message ${letter.id} was not received by this redrive`);
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
  }

  async release(letter: DeadLetter): Promise<void> {
    const receipt = this.receipts.get(letter.id);
    if (receipt === undefined) throw new Error(`message ${letter.id} was not received by this redrive`);
    await this.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt, VisibilityTimeout: 0 }),
    );
  }
}
