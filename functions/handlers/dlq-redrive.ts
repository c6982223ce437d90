/**
 * The dead-letter redrive's Lambda: invoked (by the pipeline API, or a person with the console) with
 * a consumer, a count and a time budget, it redrives that consumer's dead letters
 * (use-cases/redrive-dead-letters.ts): reads each discarded batch back from its stream and invokes
 * the consumer function with it, deleting the message once the batch went through.
 */
import { type RedriveAnswer, redriveInvocationOf, redriveTargetEnv } from '../domain/dead-letters.js';
import { lambdaInvoker } from '../store/consumer-invoker.js';
import { environmentAwsConfig } from '../store/environment-aws-config.js';
import { LambdaApi } from '../store/lambda-api.js';
import { SqsDeadLetterQueue } from '../store/sqs-dead-letter-queue.js';
import { streamBatchReader } from '../store/stream-batch-reader.js';
import { DynamoDBStreamsRecordsApi, KinesisRecordsApi } from '../store/stream-records-api.js';
import { redrive } from '../use-cases/redrive-dead-letters.js';
import { createInstrumentation, instrumented } from './instrumentation.js';

const instrumentation = createInstrumentation('dlq-redrive');
// Every call signed with the environment's config: no SDK client is bundled (signed-aws-request.ts).
const aws = environmentAwsConfig();
const streams = { kinesis: new KinesisRecordsApi(aws), dynamodbStreams: new DynamoDBStreamsRecordsApi(aws) };
const lambda = new LambdaApi(aws);

async function redriveDeadLetters(event: unknown): Promise<RedriveAnswer> {
  const { consumer, max, budgetMs } = redriveInvocationOf(event);
  const names = redriveTargetEnv(consumer);
  const [queueUrl, functionName] = [process.env[names.queueUrl], process.env[names.functionName]];
  if (!queueUrl || !functionName) throw new Error(`${names.queueUrl} and ${names.functionName} must be set`);
  const outcomes = await redrive(
    new SqsDeadLetterQueue(aws, queueUrl),
    streamBatchReader(streams),
    lambdaInvoker(lambda, functionName),
    { max, budgetMs },
  );
  instrumentation.logger.info('dead letters redriven', { consumer, outcomes });
  return { outcomes };
}

export const handler = instrumented(redriveDeadLetters, instrumentation);
