/**
 * A stream consumer's dead-letter queue in AWS: the SQS queue its event-source mapping's on-failure
 * destination writes to. A redrive receives each message once and deletes it once its batch went through.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../domain/dead-letters.js';

/**
 * How long a received message stays invisible to other readers: enough to read a batch back and run
 * it through the consumer (its timeout is 30 s). A redrive that dies leaves the message to reappear.
 */
const VISIBILITY_TIMEOUT_SECONDS = 300;

export class SqsDeadLetterQueue implements DeadLetterQueue {
  private readonly receipts = new Map<string, string>();

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(max: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    while (letters.length < max) {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, max - letters.length),
          VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
          WaitTimeSeconds: 1,
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        if (message.MessageId === undefined || message.ReceiptHandle === undefined) continue;
        this.receipts.set(message.MessageId, message.ReceiptHandle);
        letters.push({ id: message.MessageId, body: message.Body ?? '' });
      }
    }
    return letters;
  }

  async remove(letter: DeadLetter): Promise<void> {
    const receipt = this.receipts.get(letter.id);
    if (receipt === undefined) throw new Error(`message ${letter.id} was not received by this redrive`);
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
  }
}
