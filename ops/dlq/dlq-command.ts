/**
 * `npm run ops -- dlq redrive clickstream|aggregates`: in AWS with `--queue-url` and
 * `--function-name` (the consumer's dead-letter queue and function, from the pipeline stack), else
 * against the local stack `npm start --data-dir DIR` is running.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { parsePositiveInteger, UsageError } from '../../cli/args.js';
import { type RedriveOutcome, STREAM_CONSUMERS, type StreamConsumer } from '../../functions/domain/dead-letters.js';
import { lambdaInvoker } from '../../functions/store/consumer-invoker.js';
import { LambdaApi } from '../../functions/store/lambda-api.js';
import { AwsServiceError } from '../../functions/store/signed-aws-request.js';
import { SqsDeadLetterQueue } from '../../functions/store/sqs-dead-letter-queue.js';
import { streamBatchReader } from '../../functions/store/stream-batch-reader.js';
import { DynamoDBStreamsRecordsApi, KinesisRecordsApi } from '../../functions/store/stream-records-api.js';
import { redrive } from '../../functions/use-cases/redrive-dead-letters.js';
import { discoveryPath, readDiscovery } from '../../local/api-discovery.js';
import { createLocalClients } from '../../local/clients.js';
import { JsonLinesDeadLetterQueue, redriveLocally } from '../../local/dead-letters.js';
import { redriveText } from '../format.js';
import { httpUrl, type ParsedOptions } from '../parse-values.js';
import { DLQ_USAGE, RedriveFailed } from './dlq-command-line.js';

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function runDlqCommand(
  positionals: string[],
  options: ParsedOptions,
): Promise<{ json: unknown; text: string; failed: boolean }> {
  const [action, consumer, ...extra] = positionals;
  if (action !== 'redrive' || extra.length > 0) throw new UsageError(`usage: npm run ops -- ${DLQ_USAGE}`);
  if (!STREAM_CONSUMERS.includes(consumer as StreamConsumer)) {
    throw new UsageError(`dlq redrive needs a consumer: ${STREAM_CONSUMERS.join(' or ')}; got ${String(consumer)}`);
  }
  const max = parsePositiveInteger(text(options.max) ?? '100', '--max');
  const queueUrl = text(options['queue-url']);
  const functionName = text(options['function-name']);
  if ((queueUrl === undefined) !== (functionName === undefined)) {
    throw new UsageError(
      '--queue-url and --function-name go together: the consumer’s dead-letter queue and its function',
    );
  }
  const region = text(options.region);
  // Checked here, as SqsDeadLetterQueue would only fail on it with a bare "Invalid URL".
  if (queueUrl !== undefined) httpUrl(queueUrl, '--queue-url');
  else if (region !== undefined) throw new UsageError('--region goes with --queue-url and --function-name (AWS)');
  const outcomes =
    queueUrl !== undefined && functionName !== undefined
      ? await redriveInAws(queueUrl, functionName, region, max)
      : await redriveFromLocalStack(consumer as StreamConsumer, max);
  const failed = outcomes.some((outcome) => outcome.outcome !== 'replayed');
  return { json: outcomes, text: redriveText(outcomes), failed };
}

async function redriveInAws(queueUrl: string, functionName: string, region: string | undefined, max: number) {
  // A client only for its config: credentials and region found as the SDK finds them (the profile too).
  const { config } = new SQSClient(region === undefined ? {} : { region });
  try {
    // Found before anything is received, so a missing one is a set-up error that names the flag.
    const hasRegion = await config.region().then(
      () => true,
      () => false,
    );
    if (!hasRegion) throw new UsageError('no AWS region: pass --region, or set AWS_REGION or a profile with a region');
    return await redrive(
      new SqsDeadLetterQueue(config, queueUrl),
      streamBatchReader({
        kinesis: new KinesisRecordsApi(config),
        dynamodbStreams: new DynamoDBStreamsRecordsApi(config),
      }),
      lambdaInvoker(new LambdaApi(config), functionName),
      { max },
    );
  } catch (error) {
    if (!isAwsFailure(error)) throw error;
    throw new RedriveFailed(`cannot redrive from ${queueUrl}: ${(error as Error).message}`, { cause: error });
  } finally {
    config.requestHandler.destroy?.();
  }
}

/**
 * What only AWS or the network can cause: an error answer, no answer, no credentials. Anything else
 * is a bug and keeps its stack. (A batch's own failures are outcomes; these come from the queue.)
 */
function isAwsFailure(error: unknown): boolean {
  if (error instanceof AwsServiceError) return true;
  const { name, code } = error as { name?: unknown; code?: unknown };
  // A system error's code (ECONNREFUSED, ENOTFOUND…) is the network's; Node's own ERR_… codes are bugs.
  return (
    name === 'TimeoutError' ||
    name === 'CredentialsProviderError' ||
    (typeof code === 'string' && !code.startsWith('ERR_'))
  );
}

async function redriveFromLocalStack(consumer: StreamConsumer, max: number): Promise<RedriveOutcome[]> {
  const local = readDiscovery(discoveryPath());
  if (local?.pipeline === undefined) {
    throw new UsageError(
      'no local stack is running (start one with `npm start -- --data-dir DIR`), or pass --queue-url and --function-name',
    );
  }
  const { environment, deadLetterDir } = local.pipeline;
  if (deadLetterDir === null) {
    throw new UsageError('the local stack keeps dead letters in memory: start it with `npm start -- --data-dir DIR`');
  }
  // The handler reads its tables and endpoints from the environment, as on Lambda.
  Object.assign(process.env, environment);
  const clients = createLocalClients({
    dynamodb: environment.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    kinesis: environment.AWS_ENDPOINT_URL_KINESIS ?? '',
  });
  try {
    return await redriveLocally(
      consumer,
      new JsonLinesDeadLetterQueue(`${deadLetterDir}/${consumer}.jsonl`),
      clients.streams,
      {
        max,
      },
    );
  } finally {
    clients.destroy();
  }
}
