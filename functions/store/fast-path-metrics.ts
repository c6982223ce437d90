/**
 * The fast path's numbers from CloudWatch, in one GetMetricData call: its function's Invocations,
 * Errors and IteratorAge (published by Lambda for a stream mapping), and its dead-letter queue's
 * NumberOfMessagesSent and ApproximateNumberOfMessagesVisible (published by SQS every minute).
 * Locally the same call reaches the local CloudWatch, fed by the local event-source mapping.
 */
import type { FastPathMetrics } from '../domain/pipeline-health.js';
import type { CloudWatchApi, MetricDataQuery } from './cloudwatch-api.js';

/** The environment variables naming what the metrics are of (set by the API stack, or the local stack). */
export const FAST_PATH_FUNCTION_ENV = 'FAST_PATH_FUNCTION_NAME';
export const FAST_PATH_DLQ_ENV = 'FAST_PATH_DLQ_NAME';

const HOUR_MS = 3_600_000;
/** SQS publishes its queue metrics about once a minute, and they can arrive minutes late. */
const QUEUE_RECENT_MS = 15 * 60_000;
/** Lambda publishes IteratorAge with each invocation: none in 5 minutes means no clicks were read. */
const READING_RECENT_MS = 5 * 60_000;

export class FastPathMetricsReader {
  constructor(
    private readonly cloudWatch: CloudWatchApi,
    private readonly names: { readonly functionName: string; readonly deadLetterQueueName: string },
  ) {}

  async read(now: number): Promise<FastPathMetrics> {
    const fn = [{ Name: 'FunctionName', Value: this.names.functionName }];
    const queue = [{ Name: 'QueueName', Value: this.names.deadLetterQueueName }];
    const query = (Id: string, Namespace: string, MetricName: string, Dimensions: typeof fn, Stat: string) =>
      ({ Id, MetricStat: { Metric: { Namespace, MetricName, Dimensions }, Period: 60, Stat } }) as MetricDataQuery;
    const results = await this.cloudWatch.getMetricData(
      [
        query('invocations', 'AWS/Lambda', 'Invocations', fn, 'Sum'),
        query('errors', 'AWS/Lambda', 'Errors', fn, 'Sum'),
        query('iteratorAge', 'AWS/Lambda', 'IteratorAge', fn, 'Maximum'),
        query('sent', 'AWS/SQS', 'NumberOfMessagesSent', queue, 'Sum'),
        query('waiting', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', queue, 'Maximum'),
      ],
      now - HOUR_MS,
      now,
    );
    const series = (id: string) => {
      const result = results.find((candidate) => candidate.Id === id);
      const times = result?.timestamps ?? [];
      return (result?.values ?? []).map((value, index) => ({ value, at: times[index] ?? 0 }));
    };
    const total = (id: string) => series(id).reduce((sum, point) => sum + point.value, 0);
    // Newest first (TimestampDescending): the latest minute that has a value, if recent enough.
    const latest = (id: string, recentMs: number) =>
      series(id).find((point) => point.at >= now - recentMs)?.value ?? null;
    const age = latest('iteratorAge', READING_RECENT_MS);
    return {
      invocationsLastHour: total('invocations'),
      errorsLastHour: total('errors'),
      iteratorAgeSeconds: age === null ? null : age / 1000,
      deadLettersSentLastHour: total('sent'),
      deadLettersWaiting: latest('waiting', QUEUE_RECENT_MS),
    };
  }
}
