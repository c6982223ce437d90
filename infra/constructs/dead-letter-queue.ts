import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEAD_LETTER_QUEUE_DEFAULTS } from './stream-consumer-defaults.js';

/**
 * The on-failure destination of a stream consumer: encrypted, TLS only, kept 14 days.
 *
 * @param purpose what lands in it, for the acknowledgement of cdk-nag's "no DLQ of its own" rule
 */
export function createDeadLetterQueue(scope: Construct, id: string, purpose: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, { ...DEAD_LETTER_QUEUE_DEFAULTS });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `This queue is itself a dead-letter queue (${purpose}); a queue behind it would only move the ` +
      'same messages once more. Nothing consumes it automatically: an alarm fires on its first message ' +
      'and an operator replays or discards the batch it names.',
  });
  return queue;
}
