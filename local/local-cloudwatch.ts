/**
 * CloudWatch's GetMetricData, served locally on its real wire protocol: AWS JSON 1.0 (POST `/`,
 * `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, timestamps as epoch seconds) with the
 * `awsQueryCompatible` error header, so code that reads metrics through @aws-sdk/client-cloudwatch runs
 * unchanged against it (AWS_ENDPOINT_URL_CLOUDWATCH). The metrics live in a LocalMetricStore that the
 * local stack's services publish to.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server.js';

export type MetricDimensions = Readonly<Record<string, string>>;

export type Statistic = 'Sum' | 'Maximum' | 'Minimum' | 'Average' | 'SampleCount';

export interface MetricStatisticsQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: MetricDimensions;
  readonly stat: Statistic;
  /** A positive multiple of 60. */
  readonly periodSeconds: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface MetricStatistics {
  /** Epoch ms, period starts, newest first. */
  readonly timestamps: number[];
  readonly values: number[];
}

export interface LocalMetricStoreOptions {
  readonly clock?: () => number;
  /** @default 3 hours */
  readonly retentionMs?: number;
}

interface Aggregate {
  readonly sum: number;
  readonly max: number;
  readonly min: number;
  readonly count: number;
}

const MINUTE_MS = 60_000;
/** How far a caller's clock may lag this one and still be asking for a gauge's value now (a request's time in flight). */
const CALLER_CLOCK_LAG_MS = 10_000;

const STATISTICS: Readonly<Record<Statistic, (aggregate: Aggregate) => number>> = {
  Sum: (aggregate) => aggregate.sum,
  Maximum: (aggregate) => aggregate.max,
  Minimum: (aggregate) => aggregate.min,
  Average: (aggregate) => aggregate.sum / aggregate.count,
  SampleCount: (aggregate) => aggregate.count,
};

function isStatistic(stat: string): stat is Statistic {
  return Object.hasOwn(STATISTICS, stat);
}

function isValidPeriod(periodSeconds: number): boolean {
  return Number.isInteger(periodSeconds) && periodSeconds > 0 && periodSeconds % 60 === 0;
}

const sample = (value: number): Aggregate => ({ sum: value, max: value, min: value, count: 1 });

function combine(a: Aggregate | undefined, b: Aggregate): Aggregate {
  if (a === undefined) return b;
  return { sum: a.sum + b.sum, max: Math.max(a.max, b.max), min: Math.min(a.min, b.min), count: a.count + b.count };
}

/** A metric is its namespace, name and exact set of dimensions, whatever order they come in. */
function metricKey(namespace: string, metricName: string, dimensions: MetricDimensions): string {
  const sorted = Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([namespace, metricName, sorted]);
}

/**
 * Metrics as CloudWatch keeps them, in per-minute aggregates (a period of any multiple of 60 s is
 * combined from them), so memory stays bounded by metrics × retention minutes whatever the traffic.
 */
export class LocalMetricStore {
  readonly #clock: () => number;
  readonly #retentionMs: number;
  /** Metric key → minute start (epoch ms) → that minute's aggregate. */
  readonly #minutes = new Map<string, Map<number, Aggregate>>();
  readonly #gauges = new Map<string, () => number | Promise<number>>();

  constructor(options: LocalMetricStoreOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#retentionMs = options.retentionMs ?? 3 * 60 * MINUTE_MS;
  }

  /** One data point, as a service publishes it (Lambda's Invocations, IteratorAge, …). */
  put(namespace: string, metricName: string, dimensions: MetricDimensions, value: number, atMs = this.#clock()): void {
    const minute = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
    const now = this.#clock();
    if (this.#expired(minute, now)) return;
    const key = metricKey(namespace, metricName, dimensions);
    const buckets = this.#minutes.get(key) ?? new Map<number, Aggregate>();
    this.#minutes.set(key, buckets);
    const bucket = buckets.get(minute);
    buckets.set(minute, combine(bucket, sample(value)));
    // Expiring only when a minute is added keeps a put O(1) in the common case.
    if (bucket === undefined) this.#expire(buckets, now);
  }

  /**
   * A gauge read when asked (a queue's depth): its current value is the data point of the period that
   * holds now, or of a query's last period when the query ended at most CALLER_CLOCK_LAG_MS before now
   * (the value now, then, as a query meant to end now asked for it).
   */
  gauge(
    namespace: string,
    metricName: string,
    dimensions: MetricDimensions,
    read: () => number | Promise<number>,
  ): void {
    this.#gauges.set(metricKey(namespace, metricName, dimensions), read);
  }

  /** Data points of one metric and statistic, per period, newest first, only periods that have data. */
  async statistics(query: MetricStatisticsQuery): Promise<MetricStatistics> {
    if (!isValidPeriod(query.periodSeconds)) {
      throw new RangeError(`a period must be a positive multiple of 60 seconds, not ${query.periodSeconds}`);
    }
    const periodMs = query.periodSeconds * 1000;
    const now = this.#clock();
    const key = metricKey(query.namespace, query.metricName, query.dimensions);
    const periods = new Map<number, Aggregate>();
    const periodOf = (atMs: number) => {
      const start = Math.floor(atMs / periodMs) * periodMs;
      return start < query.endMs && start + periodMs > query.startMs ? start : undefined;
    };
    const add = (atMs: number, aggregate: Aggregate) => {
      const start = periodOf(atMs);
      if (start !== undefined) periods.set(start, combine(periods.get(start), aggregate));
    };

    const buckets = this.#minutes.get(key);
    if (buckets !== undefined) {
      this.#expire(buckets, now);
      for (const [minute, aggregate] of buckets) add(minute, aggregate);
    }
    // A query that ended a moment before this clock (its caller's clock, read just before a minute
    // ended) gets the gauge too, in its last period: it asked for the value as of now.
    const gaugeAt = now >= query.endMs && now - query.endMs <= CALLER_CLOCK_LAG_MS ? query.endMs - 1 : now;
    const read = this.#gauges.get(key);
    if (read !== undefined && periodOf(gaugeAt) !== undefined) add(gaugeAt, sample(await read()));

    const newestFirst = [...periods].sort(([a], [b]) => b - a);
    return {
      timestamps: newestFirst.map(([start]) => start),
      values: newestFirst.map(([, aggregate]) => STATISTICS[query.stat](aggregate)),
    };
  }

  #expired(minute: number, now: number): boolean {
    return minute + MINUTE_MS <= now - this.#retentionMs;
  }

  #expire(buckets: Map<number, Aggregate>, now: number): void {
    for (const minute of buckets.keys()) if (this.#expired(minute, now)) buckets.delete(minute);
  }
}

export interface LocalCloudWatch {
  /** `http://127.0.0.1:PORT`: the CloudWatch endpoint (AWS_ENDPOINT_URL_CLOUDWATCH). */
  readonly url: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';

/**
 * An error as CloudWatch answers it: the JSON `__type` (its shape id), and the awsQuery code the
 * `x-amzn-query-error` header carries, which is what the SDK resolves the error class from.
 */
class CloudWatchApiError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalidValue = (message: string) =>
  new CloudWatchApiError('com.amazonaws.cloudwatch#InvalidParameterValueException', 'InvalidParameterValue', message);

const missingParameter = (path: string) =>
  new CloudWatchApiError(
    'com.amazonaws.cloudwatch#MissingRequiredParameterException',
    'MissingParameter',
    `The parameter ${path} is required.`,
  );

type Json = Record<string, unknown>;

function structureAt(value: unknown, path: string): Json {
  if (value === undefined || value === null) throw missingParameter(path);
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidValue(`The parameter ${path} must be a structure.`);
  return value as Json;
}

function listAt(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue(`The parameter ${path} must be a list.`);
  return value;
}

function valueAt<T extends 'string' | 'number'>(value: unknown, type: T, path: string) {
  if (value === undefined || value === null) throw missingParameter(path);
  if (typeof value !== type) throw invalidValue(`The parameter ${path} must be a ${type}.`);
  return value as T extends 'string' ? string : number;
}

interface ParsedQuery {
  readonly id: string;
  readonly label: string;
  readonly returnData: boolean;
  readonly metric: Omit<MetricStatisticsQuery, 'startMs' | 'endMs'>;
}

function parseQuery(raw: unknown, path: string): ParsedQuery {
  const query = structureAt(raw, path);
  const id = valueAt(query.Id, 'string', `${path}.Id`);
  if (query.Expression !== undefined) {
    throw invalidValue(`${path}.Expression (query ${id}): this local CloudWatch does not evaluate metric math.`);
  }
  const metricStat = structureAt(query.MetricStat, `${path}.MetricStat`);
  const metric = structureAt(metricStat.Metric, `${path}.MetricStat.Metric`);
  const dimensionsPath = `${path}.MetricStat.Metric.Dimensions`;
  const dimensions = Object.fromEntries(
    listAt(metric.Dimensions, dimensionsPath).map((raw, index) => {
      const dimension = structureAt(raw, `${dimensionsPath}.member.${index + 1}`);
      return [
        valueAt(dimension.Name, 'string', `${dimensionsPath}.member.${index + 1}.Name`),
        valueAt(dimension.Value, 'string', `${dimensionsPath}.member.${index + 1}.Value`),
      ];
    }),
  );
  const periodSeconds = valueAt(metricStat.Period, 'number', `${path}.MetricStat.Period`);
  if (!isValidPeriod(periodSeconds)) {
    throw invalidValue(
      `The value ${periodSeconds} for parameter ${path}.MetricStat.Period is not a positive multiple of 60.`,
    );
  }
  const stat = valueAt(metricStat.Stat, 'string', `${path}.MetricStat.Stat`);
  if (!isStatistic(stat)) {
    throw invalidValue(
      `The value ${stat} for parameter ${path}.MetricStat.Stat is not one of ${Object.keys(STATISTICS).join(', ')}.`,
    );
  }
  const metricName = valueAt(metric.MetricName, 'string', `${path}.MetricStat.Metric.MetricName`);
  return {
    id,
    // CloudWatch labels a MetricStat query with its metric's name unless told otherwise.
    label: typeof query.Label === 'string' ? query.Label : metricName,
    returnData: query.ReturnData !== false,
    metric: {
      namespace: valueAt(metric.Namespace, 'string', `${path}.MetricStat.Metric.Namespace`),
      metricName,
      dimensions,
      stat,
      periodSeconds,
    },
  };
}

async function getMetricData(store: LocalMetricStore, input: Json): Promise<unknown> {
  const startMs = valueAt(input.StartTime, 'number', 'StartTime') * 1000;
  const endMs = valueAt(input.EndTime, 'number', 'EndTime') * 1000;
  if (endMs <= startMs) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  const scanBy = input.ScanBy ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
    throw invalidValue(
      `The value ${String(scanBy)} for parameter ScanBy is not TimestampDescending or TimestampAscending.`,
    );
  }
  const queries = listAt(input.MetricDataQueries, 'MetricDataQueries');
  if (queries.length === 0) throw missingParameter('MetricDataQueries');
  // Every query is validated before any is answered, as one bad query fails the whole call.
  const parsed = queries.map((query, index) => parseQuery(query, `MetricDataQueries.member.${index + 1}`));
  const results = await Promise.all(
    parsed
      .filter((query) => query.returnData)
      .map(async ({ id, label, metric }) => {
        const { timestamps, values } = await store.statistics({ ...metric, startMs, endMs });
        if (scanBy === 'TimestampAscending') {
          timestamps.reverse();
          values.reverse();
        }
        return {
          Id: id,
          Label: label,
          Timestamps: timestamps.map((ms) => ms / 1000),
          Values: values,
          StatusCode: 'Complete',
        };
      }),
  );
  return { MetricDataResults: results, Messages: [] };
}

async function jsonOf(request: IncomingMessage): Promise<Json> {
  let text = '';
  for await (const chunk of request) text += chunk;
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  } catch {}
  throw new CloudWatchApiError(
    'com.amazon.coral.service#SerializationException',
    'SerializationException',
    'The body must be a JSON object.',
  );
}

/** Serves GetMetricData over `store` on a free loopback port (or `port`). */
export async function startLocalCloudWatch(store: LocalMetricStore, port = 0): Promise<LocalCloudWatch> {
  const server: Server = createServer(async (request, response) => {
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
        ...headers,
      });
      response.end(JSON.stringify(payload));
    };
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const input = await jsonOf(request);
      if (target !== `${TARGET_PREFIX}GetMetricData`) {
        // InvalidAction is CloudWatch's documented code for an operation it does not have.
        throw new CloudWatchApiError(
          'com.amazon.coral.service#UnknownOperationException',
          'InvalidAction',
          `This local CloudWatch does not speak ${target.replace(TARGET_PREFIX, '') || 'a request without X-Amz-Target'}.`,
        );
      }
      reply(200, await getMetricData(store, input));
    } catch (error) {
      const known =
        error instanceof CloudWatchApiError
          ? error
          : new CloudWatchApiError(
              'com.amazonaws.cloudwatch#InternalServiceFault',
              'InternalServiceError',
              String(error),
              500,
            );
      const fault = known.status < 500 ? 'Sender' : 'Receiver';
      reply(
        known.status,
        { __type: known.type, message: known.message },
        {
          'x-amzn-query-error': `${known.queryCode};${fault}`,
        },
      );
    }
  });
  return { url: await listenOnLoopback(server, port), close: () => closeServer(server) };
}
