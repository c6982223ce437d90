/**
 * The Lambda, CloudWatch, Glue and DynamoDB calls made without their SDK clients (lambda-api.ts,
 * cloudwatch-api.ts, glue-job-runs.ts, dynamodb-documents.ts),
 * checked two ways against a loopback server that captures what arrives: each request is the one the
 * SDK client sends for the same call (method, path, protocol headers, body), and botocore's SigV4
 * signer (boto3's, the pinned one of the Glue suites) computes the very Authorization header sent.
 */
import { spawnSync } from 'node:child_process';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchStopJobRunCommand, GetJobRunsCommand, GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchApi, type MetricDataQuery } from '../../../functions/store/cloudwatch-api.js';
import { SignedDynamoDbDocuments } from '../../../functions/store/dynamodb-documents.js';
import { GlueJobRuns } from '../../../functions/store/glue-job-runs.js';
import { LambdaApi } from '../../../functions/store/lambda-api.js';
import { type CapturedRequest, startCapturingServer } from '../../helpers/capturing-server.js';
import { requireGluePython, runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-of-the-function-role',
};
const REGION = 'eu-west-1';
const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:clickprice-dev-clickstream';
const JOB = 'clickprice-dev-aggregation';

/** botocore's SigV4 Authorization header for the request as it arrived, signed at its x-amz-date. */
function botocoreAuthorization(service: string, request: CapturedRequest, endpoint: string): string {
  const script = `
import base64, datetime, json, sys
from unittest import mock
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
r = json.load(sys.stdin)
skip = ('authorization', 'x-amz-date', 'x-amz-security-token', 'connection')
headers = {k: v for k, v in r['headers'].items() if k not in skip}
request = AWSRequest(method=r['method'], url=r['url'], headers=headers, data=base64.b64decode(r['body']))
signed_at = datetime.datetime.strptime(r['headers']['x-amz-date'], '%Y%m%dT%H%M%SZ')
signer = SigV4Auth(Credentials(r['accessKeyId'], r['secretAccessKey'], r['sessionToken']), r['service'], '${REGION}')
with mock.patch('botocore.auth.get_current_datetime', return_value=signed_at):
    signer.add_auth(request)
print(request.headers['Authorization'])
`;
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  const run = spawnSync(requireGluePython().python, ['-c', script], {
    input: JSON.stringify({
      method: request.method,
      url: `${endpoint}${request.url}`,
      headers,
      body: request.body.toString('base64'),
      service,
      ...CREDENTIALS,
    }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`botocore signer failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** What must agree between two requests for one call: all but the SDK's own bookkeeping headers. */
function shape(request: CapturedRequest) {
  return {
    method: request.method,
    url: request.url,
    contentType: request.headers['content-type'],
    target: request.headers['x-amz-target'],
    invocationType: request.headers['x-amz-invocation-type'] ?? 'RequestResponse',
    body: request.body.length === 0 ? null : JSON.parse(request.body.toString('utf8')),
  };
}

if (!runsPythonSuites) warnSkipped('signed-aws-request');

describe.skipIf(!runsPythonSuites)('Lambda, CloudWatch, Glue and DynamoDB calls signed without their clients', () => {
  let server: Awaited<ReturnType<typeof startCapturingServer>>;
  let endpoint: string;
  let captured: CapturedRequest[];
  const config = () => new DynamoDBClient({ region: REGION, credentials: CREDENTIALS }).config;
  const sdk = () => ({ region: REGION, credentials: CREDENTIALS, endpoint, maxAttempts: 1 });
  const answer = (status: number, headers: Record<string, string>, body: string) =>
    server.answer({ status, headers: { 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    server = await startCapturingServer({ status: 200, body: '{}' });
    ({ endpoint, captured } = server);
  });
  afterAll(() => server.close());

  it('invokes a function as the Lambda client does, signed as botocore signs it, and reads its error', async () => {
    answer(200, { 'x-amz-function-error': 'Unhandled' }, '{"errorMessage":"boom"}');
    const payload = { Records: [{ eventID: 'shardId-000000000000:1', n: 1 }] };
    const ours = await new LambdaApi(config(), endpoint).invoke(FUNCTION, payload);
    const client = new LambdaClient(sdk());
    const theirs = await client.send(
      new InvokeCommand({ FunctionName: FUNCTION, Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    client.destroy();
    const [sent, sdkSent] = captured.splice(0) as [CapturedRequest, CapturedRequest];

    expect(shape(sent)).toEqual(shape(sdkSent));
    expect(sent.headers.authorization).toBe(botocoreAuthorization('lambda', sent, endpoint));
    expect(ours).toEqual({ payload: '{"errorMessage":"boom"}', functionError: 'Unhandled' });
    expect(theirs.FunctionError).toBe('Unhandled');
  });

  it('describes an event-source mapping as the Lambda client does, and names Lambda’s error', async () => {
    answer(200, {}, '{"UUID":"a1b2","State":"Enabled","LastProcessingResult":"OK"}');
    const api = new LambdaApi(config(), endpoint);
    expect(await api.getEventSourceMapping('a1b2')).toMatchObject({ State: 'Enabled', LastProcessingResult: 'OK' });
    const [sent] = captured.splice(0) as [CapturedRequest];
    expect(sent).toMatchObject({ method: 'GET', url: '/2015-03-31/event-source-mappings/a1b2' });
    expect(sent.headers.authorization).toBe(botocoreAuthorization('lambda', sent, endpoint));

    answer(
      404,
      { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/' },
      '{"Type":"User","message":"The resource you requested does not exist."}',
    );
    await expect(api.getEventSourceMapping('gone')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      statusCode: 404,
    });
    captured.splice(0);
  });

  it('reads metric data as the CloudWatch client does, signed as botocore signs it', async () => {
    answer(
      200,
      { 'content-type': 'application/x-amz-json-1.0' },
      JSON.stringify({ MetricDataResults: [{ Id: 'errors', Timestamps: [1_796_535_000], Values: [2] }] }),
    );
    const queries: MetricDataQuery[] = [
      {
        Id: 'errors',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: 'Errors',
            Dimensions: [{ Name: 'FunctionName', Value: 'clickprice-dev-clickstream' }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      },
    ];
    const [startMs, endMs] = [Date.UTC(2026, 11, 6, 4, 30), Date.UTC(2026, 11, 6, 5, 30)];
    const ours = await new CloudWatchApi(config(), endpoint).getMetricData(queries, startMs, endMs);
    const client = new CloudWatchClient(sdk());
    await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(startMs),
        EndTime: new Date(endMs),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: queries.map((query) => ({
          ...query,
          MetricStat: {
            ...query.MetricStat,
            Metric: { ...query.MetricStat.Metric, Dimensions: [...query.MetricStat.Metric.Dimensions] },
          },
        })),
      }),
    );
    client.destroy();
    const [sent, sdkSent] = captured.splice(0) as [CapturedRequest, CapturedRequest];

    expect(shape(sent)).toEqual(shape(sdkSent));
    expect(sent.headers['x-amzn-query-mode']).toBe(sdkSent.headers['x-amzn-query-mode']);
    expect(sent.headers.authorization).toBe(botocoreAuthorization('monitoring', sent, endpoint));
    expect(ours).toEqual([{ Id: 'errors', timestamps: [1_796_535_000_000], values: [2] }]);
  });

  it('lists, stops and starts Glue job runs as the Glue client does, signed as botocore signs it', async () => {
    const runs = new GlueJobRuns({ config: config(), endpoint }, JOB);
    const client = new GlueClient(sdk());
    answer(
      200,
      { 'content-type': 'application/x-amz-json-1.1' },
      JSON.stringify({
        JobRuns: [
          { Id: 'jr_2', JobRunState: 'RUNNING', StartedOn: 1_796_535_000.123, LastModifiedOn: 1_796_535_060.5 },
          { Id: 'jr_1', JobRunState: 'STOPPED', StartedOn: 1_796_530_000, CompletedOn: 1_796_534_000 },
        ],
      }),
    );
    expect(await runs.latest()).toEqual({
      id: 'jr_2',
      state: 'RUNNING',
      startedAt: '2026-12-06T05:30:00.123Z',
      lastModifiedAt: '2026-12-06T05:31:00.500Z',
      completedAt: null,
      errorMessage: null,
    });
    const { JobRuns } = await client.send(new GetJobRunsCommand({ JobName: JOB, MaxResults: 1 }));
    // The client reads Glue's times as ours does: to the millisecond.
    expect(JobRuns?.[0]?.StartedOn?.toISOString()).toBe('2026-12-06T05:30:00.123Z');
    expect(captured).toHaveLength(2);
    let [sent, sdkSent] = captured.splice(0) as [CapturedRequest, CapturedRequest];
    expect(shape(sent)).toEqual(shape(sdkSent));
    expect(sent.headers.authorization).toBe(botocoreAuthorization('glue', sent, endpoint));

    answer(200, { 'content-type': 'application/x-amz-json-1.1' }, JSON.stringify({ SuccessfulSubmissions: [] }));
    await runs.stop([{ Id: 'jr_2', JobRunState: 'RUNNING' }]);
    await client.send(new BatchStopJobRunCommand({ JobName: JOB, JobRunIds: ['jr_2'] }));
    expect(captured).toHaveLength(2);
    [sent, sdkSent] = captured.splice(0) as [CapturedRequest, CapturedRequest];
    expect(shape(sent)).toEqual(shape(sdkSent));

    answer(
      400,
      { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ConcurrentRunsExceededException' },
      JSON.stringify({ __type: 'ConcurrentRunsExceededException', Message: 'Concurrent runs exceeded' }),
    );
    await expect(runs.start()).rejects.toMatchObject({ name: 'ConcurrentRunsExceededException', statusCode: 400 });
    await expect(client.send(new StartJobRunCommand({ JobName: JOB }))).rejects.toMatchObject({
      name: 'ConcurrentRunsExceededException',
    });
    expect(captured).toHaveLength(2);
    [sent, sdkSent] = captured.splice(0) as [CapturedRequest, CapturedRequest];
    expect(shape(sent)).toEqual(shape(sdkSent));
    expect(sent.headers.authorization).toBe(botocoreAuthorization('glue', sent, endpoint));
    client.destroy();
  });

  it('writes to DynamoDB as its document client does, signed as botocore signs it', async () => {
    const documents = new SignedDynamoDbDocuments(config(), endpoint);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(sdk()), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const put = {
      TableName: 'clickprice-dev-session-log',
      Item: { shardId: 'clicks/shardId-000000000000', entry: new Uint8Array([0x1b, 0x00, 0xff]), n: 3 },
      ConditionExpression: 'attribute_not_exists(shardId)',
    };
    answer(200, { 'content-type': 'application/x-amz-json-1.0' }, '{}');
    await documents.put(put);
    await client.send(new PutCommand(put));
    let [sent, sdkSent] = captured.splice(0) as [CapturedRequest, CapturedRequest];
    expect(shape(sent)).toEqual(shape(sdkSent));
    expect(sent.headers.authorization).toBe(botocoreAuthorization('dynamodb', sent, endpoint));

    const transaction = { TransactItems: [{ Put: put }, { Put: { ...put, Item: { ...put.Item, n: 4 } } }] };
    await documents.transactWrite(transaction);
    await client.send(new TransactWriteCommand(transaction));
    [sent, sdkSent] = captured.splice(0) as [CapturedRequest, CapturedRequest];
    // Each side's idempotency token is its own random one.
    const withoutToken = (request: CapturedRequest) => {
      const { body, ...rest } = shape(request);
      return { ...rest, body: { ...body, ClientRequestToken: 'token' } };
    };
    expect(withoutToken(sent)).toEqual(withoutToken(sdkSent));
    expect(sent.headers.authorization).toBe(botocoreAuthorization('dynamodb', sent, endpoint));
    client.destroy();
  });
});
