/**
 * The local CloudWatch as the real @aws-sdk/client-cloudwatch sees it: GetMetricData over the metrics
 * the local services publish, per period and statistic, with CloudWatch's matching, retention and
 * error answers.
 */
import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  InvalidParameterValueException,
  ListMetricsCommand,
  type Metric,
  type MetricDataQuery,
  MissingRequiredParameterException,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../definitions/local-services.js';
import {
  LocalMetricStore,
  type LocalMetricStoreOptions,
  startLocalCloudWatch,
} from '../../../local/local-cloudwatch.js';

const at = (iso: string) => Date.parse(`2024-05-01T${iso}Z`);
const dates = (...isos: string[]) => isos.map((iso) => new Date(at(iso)));

/** The dead-letter queue's depth: a gauge. */
const DLQ_VISIBLE: Metric = {
  Namespace: 'AWS/SQS',
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Dimensions: [{ Name: 'QueueName', Value: 'clickstream-dlq' }],
};
const LAMBDA = 'AWS/Lambda';
const HANDLER = { FunctionName: 'clickstream-handler' };

const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const close of closing.splice(0).reverse()) await close();
});

/** A store on a settable clock, served, and a real client pointed at it. */
async function cloudWatchAt(nowIso: string, options: LocalMetricStoreOptions = {}) {
  const clock = { now: at(nowIso) };
  const store = new LocalMetricStore({ clock: () => clock.now, ...options });
  const server = await startLocalCloudWatch(store);
  closing.push(() => server.close());
  const client = clientOf({ endpoint: server.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return { clock, store, server, client };
}

function clientOf(config: CloudWatchClientConfig) {
  const client = new CloudWatchClient({ ...config, maxAttempts: 1 });
  closing.push(() => client.destroy());
  return client;
}

function lambdaMetric(name: string, dimensions: Record<string, string> = HANDLER): Metric {
  return {
    Namespace: LAMBDA,
    MetricName: name,
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
  };
}

function query(
  id: string,
  metric: Metric,
  stat: string,
  period: number,
  more: Partial<MetricDataQuery> = {},
): MetricDataQuery {
  return { Id: id, MetricStat: { Metric: metric, Period: period, Stat: stat }, ...more };
}

async function getMetricData(
  client: CloudWatchClient,
  from: string,
  to: string,
  queries: MetricDataQuery[],
  more: Partial<GetMetricDataCommandInput> = {},
) {
  const output = await client.send(
    new GetMetricDataCommand({
      StartTime: new Date(at(from)),
      EndTime: new Date(at(to)),
      MetricDataQueries: queries,
      ...more,
    }),
  );
  return output.MetricDataResults?.map(({ Id, Label, Timestamps, Values, StatusCode }) => ({
    Id,
    Label,
    Timestamps,
    Values,
    StatusCode,
  }));
}

describe('the local CloudWatch', () => {
  it('answers each statistic per hour and per minute, newest first, only for periods with data', async () => {
    const { store, client } = await cloudWatchAt('12:00:00');
    store.put(LAMBDA, 'Invocations', HANDLER, 3, at('10:05:10'));
    store.put(LAMBDA, 'Invocations', HANDLER, 4, at('10:05:50'));
    store.put(LAMBDA, 'Invocations', HANDLER, 1, at('10:59:00'));
    store.put(LAMBDA, 'Invocations', HANDLER, 5, at('11:30:30'));

    const results = await getMetricData(client, '10:00:00', '12:00:00', [
      query('hourlySum', lambdaMetric('Invocations'), 'Sum', 3600),
      query('hourlyMax', lambdaMetric('Invocations'), 'Maximum', 3600),
      query('minuteSum', lambdaMetric('Invocations'), 'Sum', 60),
      query('minuteMax', lambdaMetric('Invocations'), 'Maximum', 60),
      query('hourlyMin', lambdaMetric('Invocations'), 'Minimum', 3600),
      query('hourlyAverage', lambdaMetric('Invocations'), 'Average', 3600),
      query('hourlyCount', lambdaMetric('Invocations'), 'SampleCount', 3600),
    ]);

    const hours = dates('11:00:00', '10:00:00');
    const minutes = dates('11:30:00', '10:59:00', '10:05:00');
    expect(results).toEqual([
      { Id: 'hourlySum', Label: 'Invocations', Timestamps: hours, Values: [5, 8], StatusCode: 'Complete' },
      { Id: 'hourlyMax', Label: 'Invocations', Timestamps: hours, Values: [5, 4], StatusCode: 'Complete' },
      { Id: 'minuteSum', Label: 'Invocations', Timestamps: minutes, Values: [5, 1, 7], StatusCode: 'Complete' },
      { Id: 'minuteMax', Label: 'Invocations', Timestamps: minutes, Values: [5, 1, 4], StatusCode: 'Complete' },
      { Id: 'hourlyMin', Label: 'Invocations', Timestamps: hours, Values: [5, 1], StatusCode: 'Complete' },
      { Id: 'hourlyAverage', Label: 'Invocations', Timestamps: hours, Values: [5, 8 / 3], StatusCode: 'Complete' },
      { Id: 'hourlyCount', Label: 'Invocations', Timestamps: hours, Values: [1, 3], StatusCode: 'Complete' },
    ]);
  });

  it('reports every whole period that overlaps [StartTime, EndTime), at the period’s start', async () => {
    const { store, client } = await cloudWatchAt('12:00:00');
    store.put(LAMBDA, 'Invocations', HANDLER, 2, at('10:10:00'));
    store.put(LAMBDA, 'Invocations', HANDLER, 3, at('10:50:00'));
    store.put(LAMBDA, 'Invocations', HANDLER, 7, at('11:00:00'));

    const [result] =
      (await getMetricData(client, '10:30:00', '11:00:00', [query('q', lambdaMetric('Invocations'), 'Sum', 3600)])) ??
      [];

    expect(result).toMatchObject({ Timestamps: dates('10:00:00'), Values: [5] });
  });

  it('finds a metric only by its exact set of dimensions, in any order', async () => {
    const { store, client } = await cloudWatchAt('12:00:00');
    const aliased = { FunctionName: 'clickstream-handler', Resource: 'clickstream-handler:live' };
    store.put(LAMBDA, 'Errors', aliased, 1, at('11:00:00'));

    const results = await getMetricData(client, '11:00:00', '12:00:00', [
      query(
        'reordered',
        lambdaMetric('Errors', { Resource: aliased.Resource, FunctionName: aliased.FunctionName }),
        'Sum',
        60,
      ),
      query('fewer', lambdaMetric('Errors', { FunctionName: aliased.FunctionName }), 'Sum', 60),
      query('otherValue', lambdaMetric('Errors', { ...aliased, Resource: 'clickstream-handler:next' }), 'Sum', 60),
      query('none', lambdaMetric('Errors', {}), 'Sum', 60),
    ]);

    expect(results?.map(({ Id, Values }) => [Id, Values])).toEqual([
      ['reordered', [1]],
      ['fewer', []],
      ['otherValue', []],
      ['none', []],
    ]);
  });

  it('forgets data points older than the retention, whether stored before or published late', async () => {
    const { clock, store, client } = await cloudWatchAt('12:00:00', { retentionMs: 60 * 60_000 });
    store.put(LAMBDA, 'Invocations', HANDLER, 1, at('11:10:00'));
    store.put(LAMBDA, 'Invocations', HANDLER, 2, at('11:50:00'));
    store.put(LAMBDA, 'Invocations', HANDLER, 4, at('10:30:00'));
    clock.now = at('12:30:00');

    const [result] =
      (await getMetricData(client, '10:00:00', '13:00:00', [query('q', lambdaMetric('Invocations'), 'Sum', 60)])) ?? [];

    expect(result).toMatchObject({ Timestamps: dates('11:50:00'), Values: [2] });
  });

  it('reads a gauge when asked, as the data point of the period that holds now', async () => {
    const { store, client } = await cloudWatchAt('12:07:30');
    let depth = 3;
    let reads = 0;
    store.gauge('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: 'clickstream-dlq' }, () => {
      reads++;
      return depth;
    });
    const depthQuery = query('depth', DLQ_VISIBLE, 'Maximum', 300);

    const first = await getMetricData(client, '11:00:00', '13:00:00', [depthQuery]);
    depth = 9;
    const second = await getMetricData(client, '11:00:00', '13:00:00', [depthQuery]);
    const past = await getMetricData(client, '11:00:00', '12:00:00', [depthQuery]);

    expect(first).toMatchObject([{ Timestamps: dates('12:05:00'), Values: [3] }]);
    expect(second).toMatchObject([{ Timestamps: dates('12:05:00'), Values: [9] }]);
    expect(past).toMatchObject([{ Timestamps: [], Values: [] }]);
    expect(reads).toBe(2);
  });

  it("gives a gauge to a query that ended a moment before this clock, in the query's last period", async () => {
    // The caller read its clock just before 12:10; this one has passed it when the query arrives.
    const { clock, store, client } = await cloudWatchAt('12:10:00.004');
    store.gauge('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: 'clickstream-dlq' }, () => 2);
    const depthQuery = query('depth', DLQ_VISIBLE, 'Maximum', 60);

    const justBefore = await getMetricData(client, '11:10:00', '12:09:59.991', [depthQuery]);
    const fiveMinutePeriods = await getMetricData(client, '11:10:00', '12:09:59.991', [
      query('depth', DLQ_VISIBLE, 'Maximum', 300),
    ]);
    const longBefore = await getMetricData(client, '11:10:00', '12:09:00', [depthQuery]);
    // A query ending exactly at this clock, on a period's start: the period it ends before.
    clock.now = at('12:11:00');
    const endingNow = await getMetricData(client, '11:11:00', '12:11:00', [depthQuery]);

    expect(justBefore).toMatchObject([{ Timestamps: dates('12:09:00'), Values: [2] }]);
    expect(fiveMinutePeriods).toMatchObject([{ Timestamps: dates('12:05:00'), Values: [2] }]);
    expect(longBefore).toMatchObject([{ Timestamps: [], Values: [] }]);
    expect(endingNow).toMatchObject([{ Timestamps: dates('12:10:00'), Values: [2] }]);
  });

  it('leaves out the queries with ReturnData false, and labels the others as asked', async () => {
    const { store, client } = await cloudWatchAt('12:00:00');
    store.put(LAMBDA, 'Invocations', HANDLER, 1, at('11:00:00'));

    const results = await getMetricData(client, '11:00:00', '12:00:00', [
      query('hidden', lambdaMetric('Invocations'), 'Sum', 60, { ReturnData: false }),
      query('shown', lambdaMetric('Invocations'), 'Sum', 60, { Label: 'handler invocations' }),
    ]);

    expect(results?.map(({ Id, Label }) => ({ Id, Label }))).toEqual([{ Id: 'shown', Label: 'handler invocations' }]);
  });

  it('answers oldest first when scanning by ascending timestamp', async () => {
    const { store, client } = await cloudWatchAt('12:00:00');
    store.put(LAMBDA, 'IteratorAge', HANDLER, 800, at('11:01:00'));
    store.put(LAMBDA, 'IteratorAge', HANDLER, 200, at('11:02:00'));

    const [result] =
      (await getMetricData(client, '11:00:00', '12:00:00', [query('age', lambdaMetric('IteratorAge'), 'Maximum', 60)], {
        ScanBy: 'TimestampAscending',
      })) ?? [];

    expect(result).toMatchObject({ Timestamps: dates('11:01:00', '11:02:00'), Values: [800, 200] });
  });

  it('answers with the timestamps of the JSON 1.0 protocol: epoch seconds', async () => {
    const { store, server } = await cloudWatchAt('12:00:00');
    store.put(LAMBDA, 'Invocations', HANDLER, 1, at('11:00:00'));

    const response = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData',
      },
      body: JSON.stringify({
        StartTime: at('11:00:00') / 1000 + 0.5,
        EndTime: at('12:00:00') / 1000,
        MetricDataQueries: [query('q', lambdaMetric('Invocations'), 'Sum', 60)],
      }),
    });

    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await response.json()).toEqual({
      MetricDataResults: [
        { Id: 'q', Label: 'Invocations', Timestamps: [at('11:00:00') / 1000], Values: [1], StatusCode: 'Complete' },
      ],
      Messages: [],
    });
  });

  it('serves a client configured only by AWS_ENDPOINT_URL_CLOUDWATCH, as production code builds it', async () => {
    const { store, server } = await cloudWatchAt('12:00:00');
    store.put(LAMBDA, 'Invocations', HANDLER, 6, at('11:00:00'));
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', server.url);
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);

    const [result] =
      (await getMetricData(clientOf({}), '11:00:00', '12:00:00', [
        query('q', lambdaMetric('Invocations'), 'Sum', 60),
      ])) ?? [];

    expect(result).toMatchObject({ Values: [6] });
  });

  describe('refuses, with the error CloudWatch names', () => {
    it('a metric math Expression, which it does not evaluate', async () => {
      const { client } = await cloudWatchAt('12:00:00');

      const refused = getMetricData(client, '11:00:00', '12:00:00', [
        query('invocations', lambdaMetric('Invocations'), 'Sum', 60, { ReturnData: false }),
        { Id: 'perMinute', Expression: 'invocations / 60' },
      ]);

      await expect(refused).rejects.toBeInstanceOf(InvalidParameterValueException);
      await expect(refused).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        message:
          'MetricDataQueries.member.2.Expression (query perMinute): this local CloudWatch does not evaluate metric math.',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    });

    it('a period that is not a multiple of 60 seconds', async () => {
      const { client } = await cloudWatchAt('12:00:00');

      const refused = getMetricData(client, '11:00:00', '12:00:00', [
        query('q', lambdaMetric('Invocations'), 'Sum', 90),
      ]);

      await expect(refused).rejects.toBeInstanceOf(InvalidParameterValueException);
      await expect(refused).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        message:
          'The value 90 for parameter MetricDataQueries.member.1.MetricStat.Period is not a positive multiple of 60.',
      });
    });

    it('a query with neither MetricStat nor Expression', async () => {
      const { client } = await cloudWatchAt('12:00:00');

      const refused = getMetricData(client, '11:00:00', '12:00:00', [{ Id: 'q' }]);

      await expect(refused).rejects.toBeInstanceOf(MissingRequiredParameterException);
      await expect(refused).rejects.toMatchObject({
        message: 'The parameter MetricDataQueries.member.1.MetricStat is required.',
      });
    });

    it('an operation other than GetMetricData', async () => {
      const { client } = await cloudWatchAt('12:00:00');

      await expect(client.send(new ListMetricsCommand({ Namespace: LAMBDA }))).rejects.toMatchObject({
        name: 'InvalidAction',
        message: 'This local CloudWatch does not speak ListMetrics.',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    });
  });
});
