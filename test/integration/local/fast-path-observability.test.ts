/**
 * The fast path as the pipeline API reads it, locally as in AWS: the production readers
 * (FastPathMetricsReader over CloudWatchApi, EventSourceMappings over LambdaApi: calls signed with
 * another client's config) against the local CloudWatch and Lambda APIs, fed by a real local
 * event-source mapping on kinesalite that publishes what Lambda and SQS publish. Invoke is also
 * called through @aws-sdk/client-lambda: the local API answers the real client as it answers ours.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../definitions/local-services.js';
import { CloudWatchApi } from '../../../functions/store/cloudwatch-api.js';
import { EventSourceMappings } from '../../../functions/store/event-source-mappings.js';
import { FastPathMetricsReader } from '../../../functions/store/fast-path-metrics.js';
import { LambdaApi } from '../../../functions/store/lambda-api.js';
import { invokeSync } from '../../../functions/store/lambda-invoke.js';
import { InMemoryOnFailureDestination } from '../../../local/event-source-mapping/index.js';
import { LocalMetricStore, startLocalCloudWatch } from '../../../local/local-cloudwatch.js';
import { startLocalLambdaService } from '../../../local/local-lambda-service.js';
import { observedDeadLetters } from '../../../local/pipeline.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import {
  numbered,
  payloadsOf,
  putPayloads,
  recordingKinesisHandler,
  scratchOf,
} from '../event-source-mapping/helpers.js';

const stack = useLocalStack();
const local = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };

describe('the fast path read through the local CloudWatch and Lambda APIs', () => {
  it('shows invocations, function errors, iterator age, dead letters sent and waiting, and the mapping’s state', async (context) => {
    // Prepare: 6 records, the 4th of which makes the function throw; no retries, so its batch is discarded.
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    await putPayloads(
      stack.clients,
      streamName,
      numbered(6).map((payload) => (payload.n === 3 ? { ...payload, poison: true } : payload)),
    );
    const metrics = new LocalMetricStore();
    const deadLetters = new InMemoryOnFailureDestination();
    const { handler } = recordingKinesisHandler((event) => {
      if (payloadsOf(event).some((payload) => (payload as { poison?: boolean }).poison)) throw new Error('poison');
    });
    const mapping = await scratch.startKinesis({
      streamName,
      functionName: 'clickstream-test',
      handler,
      metrics: { put: (name, value) => metrics.put('AWS/Lambda', name, { FunctionName: 'clickstream-test' }, value) },
      config: {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 2,
        maximumRetryAttempts: 0,
        onFailure: observedDeadLetters(deadLetters, metrics, 'clickstream-test-dlq'),
      },
    });
    await mapping.waitForIdle();
    const [cloudWatch, lambda] = await Promise.all([
      startLocalCloudWatch(metrics),
      startLocalLambdaService({ mappings: () => [mapping], functions: {} }),
    ]);
    // The config of a client the function has anyway (the pipeline API's is DynamoDB's).
    const config = new DynamoDBClient(local).config;
    const cloudWatchApi = new CloudWatchApi(config, cloudWatch.url);
    context.onTestFinished(async () => {
      await Promise.all([cloudWatch.close(), lambda.close()]);
    });
    const reader = new FastPathMetricsReader(cloudWatchApi, {
      functionName: 'clickstream-test',
      deadLetterQueueName: 'clickstream-test-dlq',
    });
    const mappings = new EventSourceMappings(new LambdaApi(config, lambda.url));

    // Act
    const read = await reader.read(Date.now());
    const described = await mappings.describe(mapping.mappingId);

    // Assess: batches [0,1] ok, [2,3] thrown once and discarded, [4,5] ok.
    context.expect(read).toMatchObject({ invocationsLastHour: 3, errorsLastHour: 1, deadLettersSentLastHour: 1 });
    context.expect(read.deadLettersWaiting).toBe(1);
    // The records were put just before: the age of a batch's last record is seconds at most.
    context.expect(read.iteratorAgeSeconds).toBeGreaterThanOrEqual(0);
    context.expect(read.iteratorAgeSeconds).toBeLessThan(30);
    context.expect(described).toEqual({ id: mapping.mappingId, state: 'Enabled', lastProcessingResult: 'OK' });

    // Another function's metrics and an unknown mapping are not this one's.
    const other = new FastPathMetricsReader(cloudWatchApi, { functionName: 'other', deadLetterQueueName: 'x' });
    context.expect(await other.read(Date.now())).toEqual({
      invocationsLastHour: 0,
      errorsLastHour: 0,
      iteratorAgeSeconds: null,
      deadLettersSentLastHour: 0,
      deadLettersWaiting: null,
    });
    await context.expect(mappings.describe('no-such-mapping')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });

    // A stopped mapping is Disabled, as a mapping turned off is in Lambda.
    await mapping.stop();
    context.expect((await mappings.describe(mapping.mappingId)).state).toBe('Disabled');
  });

  it('invokes a local function through Invoke, a thrown error answered as Lambda’s function error', async (context) => {
    const lambda = await startLocalLambdaService({
      mappings: () => [],
      functions: {
        echo: async (event) => ({ got: event }),
        broken: async () => {
          throw new TypeError('no such field');
        },
      },
    });
    const client = new LambdaClient({ ...local, endpoint: lambda.url });
    context.onTestFinished(async () => {
      client.destroy();
      await lambda.close();
    });
    const invoke = async (FunctionName: string) => {
      const answer = await client.send(new InvokeCommand({ FunctionName, Payload: Buffer.from('{"a":1}') }));
      return { error: answer.FunctionError, payload: JSON.parse(Buffer.from(answer.Payload ?? []).toString()) };
    };

    context.expect(await invoke('echo')).toEqual({ error: undefined, payload: { got: { a: 1 } } });
    context.expect(await invoke('broken')).toEqual({
      error: 'Unhandled',
      payload: { errorMessage: 'no such field', errorType: 'TypeError' },
    });
    await context.expect(invoke('missing')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    // The same answers through the signed Invoke the redrive and the pipeline API use.
    const api = new LambdaApi(new DynamoDBClient(local).config, lambda.url);
    context.expect(await invokeSync(api, 'echo', { a: 1 })).toEqual({ got: { a: 1 } });
    await context
      .expect(invokeSync(api, 'broken', { a: 1 }))
      .rejects.toThrow('broken failed (Unhandled): no such field');
    await context.expect(invokeSync(api, 'missing', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
