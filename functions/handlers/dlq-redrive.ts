/**
 * The dead-letter redrive's Lambda: invoked (by the pipeline API, or a person with the console) with
 * a consumer, a count and a time budget, it redrives that consumer's dead letters
 * (use-cases/redrive-dead-letters.ts): reads each discarded batch back from its stream and invokes
 * the consumer function with it, deleting the message once the batch went through.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type RedriveAnswer, redriveInvocationOf, redriveTargetEnv } from '../domain/dead-letters.js';
import { lambdaInvoker } from '../store/consumer-invoker.js';
import { LambdaApi } from '../store/lambda-api.js';
import { SqsDeadLetterQueue } from '../store/sqs-dead-letter-queue.js';
import { streamBatchReader } from '../store/stream-batch-reader.js';
import { redrive } from '../use-cases/redrive-dead-letters.js';
import { createInstrumentation, instrumented } from './instrumentation.js';

const instrumentation = createInstrumentation('dlq-redrive');
const clients = {
  sqs: new SQSClient({}),
  kinesis: new KinesisClient({}),
  dynamodbStreams: new DynamoDBStreamsClient({}),
};
// Invoke, signed with the SQS client's config: the Lambda client is not bundled (lambda-api.ts).
const lambda = new LambdaApi(clients.sqs.config);

async function redriveDeadLetters(event: unknown): Promise<RedriveAnswer> {
  const { consumer, max, budgetMs } = redriveInvocationOf(event);
  const names = redriveTargetEnv(consumer);
  const [queueUrl, functionName] = [process.env[names.queueUrl], process.env[names.functionName]];
  if (!queueUrl || !functionName) throw new Error(`${names.queueUrl} and ${names.functionName} must be set`);
  const outcomes = await redrive(
    new SqsDeadLetterQueue(clients.sqs, queueUrl),
    streamBatchReader(clients),
    lambdaInvoker(lambda, functionName),
    { max, budgetMs },
  );
  instrumentation.logger.info('dead letters redriven', { consumer, outcomes });
  return { outcomes };
}

export const handler = instrumented(redriveDeadLetters, instrumentation);
