/**
 * What clickprice costs a month in AWS for a traffic level: the requests each event, batch, window
 * and price change makes (as the code makes them and the benches count them), times the prices of
 * one region (aws-prices.ts). Pure: every assumption is an input with its reason, and the result
 * lists each line's quantity and unit price, so a bill can be checked line by line.
 */
import { aggregatesEventSource, clickstreamEventSource } from '../../definitions/event-sources.js';
import { clicksStream } from '../../definitions/resources.js';
import { GLUE_STREAMING_JOB_DEFAULTS, glueMonthlyCostUsd } from '../../infra/constructs/glue-streaming-job-defaults.js';
import type { AwsPrices } from './aws-prices.js';

export const DAYS_PER_MONTH = 730 / 24;
const HOURS_PER_MONTH = 730;

export interface Traffic {
  readonly eventsPerDay: number;
  /** Products with demand; events spread evenly over them (the most distinct counter keys). @default 240 */
  readonly products: number;
  /** Busiest second over the day's mean, for sizing the stream. @default 3 */
  readonly peakFactor: number;
  /** Storefront and ops API requests a day. @default eventsPerDay / 10 */
  readonly apiRequestsPerDay: number;
  /** Automated price changes per product and day (the steady backtest changes about one). @default 1 */
  readonly changesPerProductPerDay: number;
}

/** The requests and sizes the model counts, each from a bench, the code or a measurement. */
export const USAGE = {
  /** Mean click record (bench/fast-path-events.ts: 394 B of JSON, 2026-12-06). */
  recordBytes: 400,
  /** The fast path's CPU per event (npm run bench -- fast-path: 389,578 events/s on one core). */
  handlerMsPerEvent: 1_000 / 389_578,
  /** A batch's fixed cost: invocation, config read, metrics flush (local stack: 10–20 ms). */
  batchBaseMs: 15,
  /** A DynamoDB write's latency in the same region; counter writes go 32 at a time. */
  writeLatencyMs: 8,
  counterWriteConcurrency: 32,
  /** Share of records quarantined (bad input), each one ~1 KB put. */
  quarantinedShare: 0.001,
  /**
   * The session log (issue 19): an entry per fast-path batch, 37.9 bytes an event compressed
   * (npm run bench -- fast-path: 18,937 B per 500 events, 2026-12-06), kept 2 days; before each
   * batch one strongly consistent Query (1 RRU per 4 KB read, at least 1), its time one read's
   * latency. Lambda gives a shard's batches to any free environment, so the Query is taken to find
   * the entry of the batch before, written by another one (`sessionLogEntriesMissedPerBatch`, the
   * pessimistic case of two environments taking turns; a warm one that judged it finds nothing).
   * An environment that has nothing of the shard (new, recycled, or which dropped it for its
   * memory budget) reads the horizon back, 10 minutes of the shard's entries and its bot memory
   * (in the same Query, 1 RRU more): taken to happen `sessionLogHorizonReadsPerShardPerDay` times a day, every half
   * hour. A bot attack adds the bot memory's items to the batches that mark bots: not counted.
   */
  sessionLogBytesPerEvent: 37.9,
  sessionLogRetentionDays: 2,
  sessionLogEntriesMissedPerBatch: 1,
  sessionLogHorizonReadsPerShardPerDay: 48,
  sessionLogHorizonMinutes: 10,
  /** Encoding an entry (npm run bench -- fast-path: about 1,000,000 events/s on one core). */
  sessionLogEncodingMsPerEvent: 1_000 / 1_000_000,
  /** Demand item (one product-minute's counters and watermark), aggregate row, history row, product. */
  demandItemKb: 0.3,
  aggregateRowKb: 0.5,
  historyRowKb: 1.5,
  productKb: 1,
  /**
   * One automated change (price-store.ts): BatchGet of product and history row (strongly consistent,
   * 2 RRU), the lowest-price window Query (1 RRU), TransactWriteItems of the product update, the
   * history put and the config check (3 actions × 2 WRU per KB: 6, the history row's 2 KB → +2), and
   * the byChangeHour index's copy of the row (2 WRU).
   */
  changeReadUnits: 3,
  changeWriteUnits: 10,
  /** The rich path per aggregate row: the baseline Query (69 windows × 0.45 KB, eventually consistent: 4 RRU) and the decision's BatchGet (2 RRU). */
  aggregateRowReadUnits: 6,
  aggregateRowConcurrency: 8,
  /** Invocation log lines (START, END, REPORT) and warnings per invocation. */
  logKbPerInvocation: 0.5,
  /** The storefront and ops functions' time per request (local stack p50 2–8 ms; 20 ms with cold paths). */
  apiFunctionMs: 20,
  /**
   * Alarm metrics, which CloudWatch prices: one an alarm, and each metric of an alarm's expression (24
   * alarms: the 10 table and index throttle alarms, the API's 4xx rate, the stalled consumer and the
   * Glue job's two read two metrics each; a test counts them).
   */
  alarmMetrics: 38,
  /** Custom metrics: 8 + 7 per stream consumer, 2 of the session log, 3 per HTTP surface × 3, 6 reasons × 2 paths. */
  customMetrics: 38,
  /**
   * Customer-managed keys (tables use AWS-owned keys): the stream's, the Glue job's, the API's access
   * logs', the alerts topic's and the quarantine spill bucket's; a test counts them in the stacks.
   */
  kmsKeys: 5,
  /**
   * Every key rotates yearly, and its first two rotations each add a key-month to its price (the KMS
   * pricing page: "capped at the second rotation"): $1 a month in its first year, $2 in its second,
   * $3 from its third. A bill to budget by is the one a key keeps, so both are counted.
   */
  kmsRotationsBilled: 2,
  kmsRequestsPerDay: 20_000,
  /** Glue's continuous logs. */
  glueLogGbPerMonth: 1,
  /**
   * The HTTP API's access log line (http-api-defaults.ts ACCESS_LOG_FIELDS): 480 bytes for a storefront
   * GET with a browser's user agent.
   */
  accessLogBytesPerRequest: 480,
  /**
   * X-Ray's default sampling rule, which active tracing on Lambda follows: the first request each
   * second, and 5 % of the others (one rule, so one reservoir for every function).
   */
  tracedRequestsPerSecond: 1,
  tracedShare: 0.05,
} as const;

export interface CostLine {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
}

export interface CostEstimate {
  readonly traffic: Traffic;
  readonly derived: {
    readonly shards: number;
    readonly clickstreamBatchesPerDay: number;
    readonly eventsPerBatch: number;
    readonly counterWritesPerBatch: number;
    readonly sessionLogWriteUnitsPerBatch: number;
    readonly sessionLogReadUnitsPerBatch: number;
    /** RRUs of an environment's read of a shard's whole horizon and bot memory. */
    readonly sessionLogHorizonReadUnits: number;
    readonly aggregateRowsPerDay: number;
    readonly priceChangesPerDay: number;
  };
  readonly lines: readonly CostLine[];
  readonly byService: Readonly<Record<string, number>>;
  readonly totalUsd: number;
}

/**
 * The traffic the model is made for; `checkTraffic` refuses anything else, so an estimate is never
 * NaN (a fraction of a product) or an absurd bill (a mistyped 1e20 events).
 */
export const TRAFFIC_LIMITS = {
  /**
   * 10 billion events a day, 100× the README's largest row: about 116,000 a second on average, about
   * 350 shards at the default peak, inside Kinesis's default quota of 500 shards an account in
   * us-east-1; past it one stream and one fast-path function no longer describe the deployment.
   */
  maxEventsPerDay: 10_000_000_000,
  /** Products with demand: a large marketplace's catalogue, 1,000× the README's 10,000. */
  maxProducts: 10_000_000,
  /** The busiest second holds at least the mean and at most the whole day (86,400 seconds' worth). */
  minPeakFactor: 1,
  maxPeakFactor: 86_400,
  /**
   * The busiest second the stream is sized for: 1,000 shards, each read by one fast-path invocation at
   * a time, which is the whole of Lambda's default 1,000 concurrent executions an account.
   */
  maxPeakEventsPerSecond: 1_000_000,
  /** As many as events (the default is a tenth of them). */
  maxApiRequestsPerDay: 10_000_000_000,
  /** A change every minute all day (the rich path's window; the default 600 s cooldown allows 144). */
  maxChangesPerProductPerDay: 1_440,
} as const;

/** What to call each of Traffic's fields in an error: its own name, or (the CLI) its flag. */
export type TrafficNames = Readonly<Record<keyof Traffic, string>>;

const FIELD_NAMES: TrafficNames = {
  eventsPerDay: 'eventsPerDay',
  products: 'products',
  peakFactor: 'peakFactor',
  apiRequestsPerDay: 'apiRequestsPerDay',
  changesPerProductPerDay: 'changesPerProductPerDay',
};

function count(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** The busiest second's events (what the stream is sized for). */
export function peakEventsPerSecond(traffic: Pick<Traffic, 'eventsPerDay' | 'peakFactor'>): number {
  return (traffic.eventsPerDay / 86_400) * traffic.peakFactor;
}

/** `traffic` if the model is made for it (TRAFFIC_LIMITS); otherwise a RangeError naming the field by `names`. */
export function checkTraffic(traffic: Traffic, names: TrafficNames = FIELD_NAMES): Traffic {
  const limits = TRAFFIC_LIMITS;
  const check = (key: keyof Traffic, ok: (value: number) => boolean, should: string) => {
    const value = traffic[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      throw new RangeError(`${names[key]} must be ${should}; got ${String(value)}`);
    }
  };
  const whole = (key: keyof Traffic, max: number) =>
    check(
      key,
      (value) => Number.isInteger(value) && value >= 1 && value <= max,
      `a whole number from 1 to ${count(max)}`,
    );
  whole('eventsPerDay', limits.maxEventsPerDay);
  whole('products', limits.maxProducts);
  check(
    'peakFactor',
    (value) => value >= limits.minPeakFactor && value <= limits.maxPeakFactor,
    `from ${limits.minPeakFactor} (the busiest second at the mean) to ${count(limits.maxPeakFactor)} (the whole day in it)`,
  );
  // Not necessarily whole: the default is a tenth of the events.
  check(
    'apiRequestsPerDay',
    (value) => value > 0 && value <= limits.maxApiRequestsPerDay,
    `above 0 and at most ${count(limits.maxApiRequestsPerDay)}`,
  );
  check(
    'changesPerProductPerDay',
    (value) => value > 0 && value <= limits.maxChangesPerProductPerDay,
    `above 0 and at most ${count(limits.maxChangesPerProductPerDay)} (one a minute)`,
  );
  const peak = peakEventsPerSecond(traffic);
  // With a margin for rounding: 10,000,000,000 a day at 8.64 is the bound itself.
  if (peak > limits.maxPeakEventsPerSecond * (1 + 1e-9)) {
    throw new RangeError(
      `${names.peakFactor} ${count(traffic.peakFactor)} at ${names.eventsPerDay} ${count(traffic.eventsPerDay)} ` +
        `puts ${count(Math.round(peak))} events in the busiest second, more than the ${count(limits.maxPeakEventsPerSecond)} ` +
        `(${count(limits.maxPeakEventsPerSecond / 1_000)} shards) the model goes to`,
    );
  }
  return traffic;
}

/** Traffic at `eventsPerDay` with the README's defaults for the rest, checked (checkTraffic, naming fields by `names`). */
export function withDefaults(
  eventsPerDay: number,
  overrides: Partial<Omit<Traffic, 'eventsPerDay'>> = {},
  names: TrafficNames = FIELD_NAMES,
): Traffic {
  return checkTraffic(
    {
      eventsPerDay,
      products: 240,
      peakFactor: 3,
      apiRequestsPerDay: eventsPerDay / 10,
      changesPerProductPerDay: 1,
      ...overrides,
    },
    names,
  );
}

/**
 * Distinct keys among `draws` uniform draws from `keys` (the expected occupancy). Never more than the
 * draws: a mean below one draw (a minute of a few events a day) would otherwise count up to a key
 * each time (1 product, 1 event a day: 1,440 product-minutes).
 */
export function expectedDistinct(keys: number, draws: number): number {
  return Math.min(draws, keys * (1 - (1 - 1 / keys) ** draws));
}

/** The month's bill at `traffic` (a RangeError if it is outside TRAFFIC_LIMITS, see checkTraffic). */
export function estimateMonthlyCost(traffic: Traffic, prices: AwsPrices): CostEstimate {
  checkTraffic(traffic);
  const lines: CostLine[] = [];
  const line = (service: string, item: string, quantity: number, unit: string, unitPriceUsd: number) =>
    lines.push({ service, item, quantity, unit, unitPriceUsd, monthlyUsd: quantity * unitPriceUsd });
  const events = traffic.eventsPerDay;
  const eventsPerMonth = events * DAYS_PER_MONTH;

  // Kinesis: enough shards for the busiest second (1,000 records/s and 1 MB/s per shard), at least the deployed count.
  const peakPerSecond = (events / 86_400) * traffic.peakFactor;
  const shards = Math.max(
    clicksStream.shardCount,
    Math.ceil(peakPerSecond / 1_000),
    Math.ceil((peakPerSecond * USAGE.recordBytes) / 1_048_576),
  );
  line('Kinesis', 'shard-hours', shards * HOURS_PER_MONTH, 'shard-hour', prices.kinesis.shardHour);
  line('Kinesis', 'PUT payload units', eventsPerMonth / 1e6, 'million units', prices.kinesis.putPayloadUnitsPerMillion);
  line(
    'Kinesis',
    'fan-out consumer (Glue)',
    shards * HOURS_PER_MONTH,
    'consumer-shard-hour',
    prices.kinesis.fanOutConsumerShardHour,
  );
  line('Kinesis', 'fan-out data (Glue)', (eventsPerMonth * USAGE.recordBytes) / 1e9, 'GB', prices.kinesis.fanOutGb);

  // The fast path: Lambda polls each shard about once a second and takes up to a full batch.
  const batchesPerDay = Math.min(
    events,
    Math.max(
      shards * (86_400 / clickstreamEventSource.maximumBatchingWindowInSeconds),
      events / clickstreamEventSource.batchSize,
    ),
  );
  const eventsPerBatch = events / batchesPerDay;
  const counterWrites = expectedDistinct(traffic.products, eventsPerBatch);
  // The session log's entry is written beside the counters; its Query comes first, before judging.
  const entryBytes = eventsPerBatch * USAGE.sessionLogBytesPerEvent;
  const sessionLogWriteUnits = Math.ceil(entryBytes / 1_024);
  const sessionLogReadUnits = Math.max(1, Math.ceil((USAGE.sessionLogEntriesMissedPerBatch * entryBytes) / 4_096));
  const horizonBytes = (events / 1_440 / shards) * USAGE.sessionLogHorizonMinutes * USAGE.sessionLogBytesPerEvent;
  const horizonReadUnits = Math.ceil(horizonBytes / 4_096) + 1;
  const batchMs =
    USAGE.batchBaseMs +
    eventsPerBatch * (USAGE.handlerMsPerEvent + USAGE.sessionLogEncodingMsPerEvent) +
    USAGE.writeLatencyMs +
    Math.ceil(counterWrites / USAGE.counterWriteConcurrency) * USAGE.writeLatencyMs;

  // Product-minutes with demand: one demand item each on the fast path, one aggregate row each on
  // the rich path (one window a minute).
  const activeProductMinutesPerDay = 1_440 * expectedDistinct(traffic.products, events / 1_440);
  const aggregateRowsPerDay = activeProductMinutesPerDay;
  const aggregatesBatchesPerDay = Math.max(
    Math.min(aggregateRowsPerDay, 1_440),
    aggregateRowsPerDay / aggregatesEventSource.batchSize,
  );
  const changesPerDay = traffic.changesPerProductPerDay * traffic.products;

  // Each row: the baseline Query, then the decision's reads, 8 products at a time (aggregates-processor.ts).
  const rowsPerAggregatesBatch = aggregateRowsPerDay / aggregatesBatchesPerDay;
  const aggregatesBatchMs =
    USAGE.batchBaseMs + Math.ceil(rowsPerAggregatesBatch / USAGE.aggregateRowConcurrency) * 2 * USAGE.writeLatencyMs;

  const invocationsPerDay = batchesPerDay + aggregatesBatchesPerDay + traffic.apiRequestsPerDay;
  const gbSecondsPerDay =
    (batchesPerDay * batchMs +
      aggregatesBatchesPerDay * aggregatesBatchMs +
      traffic.apiRequestsPerDay * USAGE.apiFunctionMs) /
    1_000;
  line(
    'Lambda',
    'requests',
    (invocationsPerDay * DAYS_PER_MONTH) / 1e6,
    'million requests',
    prices.lambda.requestsPerMillion,
  );
  line('Lambda', 'compute (1 GB, arm64)', gbSecondsPerDay * DAYS_PER_MONTH, 'GB-second', prices.lambda.arm64GbSecond);

  const writeUnitsPerDay =
    batchesPerDay * (counterWrites + sessionLogWriteUnits) +
    events * USAGE.quarantinedShare +
    aggregateRowsPerDay +
    changesPerDay * USAGE.changeWriteUnits;
  const readUnitsPerDay =
    batchesPerDay * sessionLogReadUnits +
    shards * USAGE.sessionLogHorizonReadsPerShardPerDay * horizonReadUnits +
    aggregateRowsPerDay * USAGE.aggregateRowReadUnits +
    changesPerDay * USAGE.changeReadUnits;
  line(
    'DynamoDB',
    'write request units',
    (writeUnitsPerDay * DAYS_PER_MONTH) / 1e6,
    'million WRU',
    prices.dynamodb.writeRequestUnitsPerMillion,
  );
  line(
    'DynamoDB',
    'read request units',
    (readUnitsPerDay * DAYS_PER_MONTH) / 1e6,
    'million RRU',
    prices.dynamodb.readRequestUnitsPerMillion,
  );
  // Stored: demand minutes 7 days, aggregates and quarantine 30 days (their TTLs), the session log 2
  // days, a year of history, the catalogue.
  const storedGb =
    (activeProductMinutesPerDay * 7 * USAGE.demandItemKb +
      (events * USAGE.sessionLogRetentionDays * USAGE.sessionLogBytesPerEvent) / 1_000 +
      aggregateRowsPerDay * 30 * USAGE.aggregateRowKb +
      events * USAGE.quarantinedShare * 30 +
      changesPerDay * 365 * USAGE.historyRowKb * 2 +
      traffic.products * USAGE.productKb) /
    1e6;
  line('DynamoDB', 'storage', storedGb, 'GB-month', prices.dynamodb.storageGbMonth);
  line('DynamoDB', 'point-in-time recovery', storedGb, 'GB-month', prices.dynamodb.pitrGbMonth);

  const { workerType, numberOfWorkers } = GLUE_STREAMING_JOB_DEFAULTS;
  const glueUsd = glueMonthlyCostUsd(workerType, numberOfWorkers);
  line(
    'Glue',
    `streaming job (${numberOfWorkers} × ${workerType})`,
    glueUsd / prices.glue.dpuHour,
    'DPU-hour',
    prices.glue.dpuHour,
  );

  line(
    'API Gateway',
    'HTTP API requests',
    (traffic.apiRequestsPerDay * DAYS_PER_MONTH) / 1e6,
    'million requests',
    prices.apiGateway.requestsPerMillion,
  );

  line('CloudWatch', 'custom metrics', USAGE.customMetrics, 'metric-month', prices.cloudwatch.metricMonth);
  line('CloudWatch', 'alarms', USAGE.alarmMetrics, 'alarm metric-month', prices.cloudwatch.standardAlarmMonth);
  line('CloudWatch', 'dashboard', 1, 'dashboard-month', prices.cloudwatch.dashboardMonth);
  line(
    'CloudWatch',
    'logs ingested',
    (invocationsPerDay * DAYS_PER_MONTH * USAGE.logKbPerInvocation) / 1e6 +
      USAGE.glueLogGbPerMonth +
      (traffic.apiRequestsPerDay * DAYS_PER_MONTH * USAGE.accessLogBytesPerRequest) / 1e9,
    'GB',
    prices.cloudwatch.logsIngestedGb,
  );

  // At the day's mean rate: a busier peak records fewer of its requests under the reservoir.
  const reservoirPerDay = USAGE.tracedRequestsPerSecond * 86_400;
  const tracedPerDay =
    Math.min(invocationsPerDay, reservoirPerDay) + USAGE.tracedShare * Math.max(0, invocationsPerDay - reservoirPerDay);
  line(
    'X-Ray',
    'traces recorded',
    (tracedPerDay * DAYS_PER_MONTH) / 1e6,
    'million traces',
    prices.xray.tracesRecordedPerMillion,
  );

  line(
    'KMS',
    'keys and their two billed rotations',
    USAGE.kmsKeys * (1 + USAGE.kmsRotationsBilled),
    'key-month',
    prices.kms.keyMonth,
  );
  line('KMS', 'requests', (USAGE.kmsRequestsPerDay * DAYS_PER_MONTH) / 1e4, '10k requests', prices.kms.requestsPer10k);

  const byService: Record<string, number> = {};
  for (const { service, monthlyUsd } of lines) byService[service] = (byService[service] ?? 0) + monthlyUsd;
  return {
    traffic,
    derived: {
      shards,
      clickstreamBatchesPerDay: batchesPerDay,
      eventsPerBatch,
      counterWritesPerBatch: counterWrites,
      sessionLogWriteUnitsPerBatch: sessionLogWriteUnits,
      sessionLogReadUnitsPerBatch: sessionLogReadUnits,
      sessionLogHorizonReadUnits: horizonReadUnits,
      aggregateRowsPerDay,
      priceChangesPerDay: changesPerDay,
    },
    lines,
    byService,
    totalUsd: lines.reduce((sum, { monthlyUsd }) => sum + monthlyUsd, 0),
  };
}
