import { randomUUID } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toIso } from '../functions/domain/time.js';
import type { DynamoDbDocuments } from '../functions/store/dynamodb-documents.js';
import { OrdersStore } from '../functions/store/orders-store.js';
import { StockStore } from '../functions/store/stock-store.js';
import { InvalidSimulationOptionError } from './errors.js';
import type { FunnelConfig } from './funnel.js';
import { KinesisSender, type KinesisSenderOptions, type SenderStats } from './kinesis-sender.js';
import { OrderWriter, type OrderWriterStats } from './order-writer.js';
import { PriceView } from './price-view.js';
import { type RecordedLine, RecordingWriter, readRecording } from './recording.js';
import type { SimulatedClickEvent, SimulatedRecord } from './records.js';
import { type ReplenishmentPlan, replenishmentPlan } from './replenishment.js';
import { Restocking } from './restocking.js';
import { buildScenario, type ScenarioName, type ScenarioParameters, scenarioCatalogueOf } from './scenarios.js';
import { StockLedger } from './stock-ledger.js';
import { type RecordCounts, Tally } from './tally.js';
import { TrafficModel } from './traffic-model.js';

/** Where the simulator sends clicks and reads prices and writes orders: local or in AWS alike. */
export interface SimulationTarget {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** For reading prices. */
  readonly documentClient: DynamoDBDocumentClient;
  /** For the order system's writes, through the stores. */
  readonly documents: DynamoDbDocuments;
  readonly productsTable: string;
  readonly ordersTable: string;
}

/** `realtime` follows the wall clock (event times are now); `fast` sends as fast as the stream takes. */
export type Pace = 'realtime' | 'fast';

export interface SimulationOptions {
  readonly target: SimulationTarget;
  /** @default 'steady' */
  readonly scenario?: ScenarioName;
  readonly scenarioParameters?: ScenarioParameters;
  /** Valid shopper events per second at multiplier 1. @default 100 */
  readonly rate?: number;
  /** Simulated seconds to run; null runs until `signal` aborts. @default null */
  readonly durationSeconds?: number | null;
  /** @default 1 */
  readonly seed?: number;
  /** Simulated start (epoch ms); with the seed it fixes every event. @default now */
  readonly startTime?: number;
  /** @default 'realtime' */
  readonly pace?: Pace;
  /** Record every record the stream accepted to this JSONL file. */
  readonly out?: string;
  /** Send this recording again instead of generating (scenario, rate, seed do not apply). */
  readonly replay?: string;
  /** Stops generating; the run then sends everything queued, however long the stream takes. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** @default 1000 */
  readonly progressIntervalMs?: number;
  readonly funnel?: Partial<FunnelConfig>;
  /** Sender settings (pacing, batch sizes, backoff), e.g. `shardLimits: null` to measure the service. */
  readonly sender?: Omit<KinesisSenderOptions, 'client' | 'streamName'>;
  /** @default 2000 */
  readonly priceRefreshMs?: number;
  /**
   * Stops at once, whatever the run is doing: records still queued are abandoned (never sent, not
   * recorded, not counted) and the summary's `sender.abandonedRecords` says how many. For a second
   * Ctrl-C, or a local stack that is going away anyway.
   */
  readonly stopNow?: AbortSignal;
  /** Generation pauses while this many records wait to be sent. @default 20000 */
  readonly maxQueuedRecords?: number;
  /**
   * Place purchases' orders, each taking its units from the products table's inventory, sell only
   * what is in stock, and restock. Off: no orders, unlimited stock, no deliveries. @default true
   */
  readonly writeOrders?: boolean;
  /**
   * The restocking of a generated run (a replay does not restock): every `everyMinutes` from the
   * start, each product is brought up to `coverMinutes` of its usual sales. @default every 240 min
   * up to 300 min, times the scenario's supply share
   */
  readonly replenishment?: Partial<ReplenishmentPlan>;
  /** Sessions simulated before the start so the run opens in steady state. @default 5 min */
  readonly warmupMs?: number;
}

/** A snapshot for a progress line. */
export interface SimulationProgress {
  readonly elapsedSeconds: number;
  readonly eventsPerSecond: number;
  readonly records: number;
  readonly sessions: number;
  readonly purchases: number;
  /** Entries refused for reasons other than throttling, failed calls, orders failed. */
  readonly failures: number;
  readonly throttles: number;
  readonly queued: number;
  /** Records given up on: refused maxAttempts times, or the stream failed. */
  readonly lost: number;
  /** Records never sent because the run was stopped at once. */
  readonly abandoned: number;
}

/** The JSON summary of a run. */
export interface SimulationSummary {
  readonly mode: 'generate' | 'replay';
  readonly scenario: ScenarioName | null;
  readonly scenarioDescription: string | null;
  readonly seed: number | null;
  readonly replayedFrom: string | null;
  readonly recordedTo: string | null;
  readonly startTime: string;
  readonly pace: Pace;
  readonly targetRate: number | null;
  /** Simulated seconds covered. */
  readonly simulatedSeconds: number;
  /** Wall-clock seconds of the run proper (after the warm-up), the final drain included. */
  readonly wallSeconds: number;
  /** Records the stream accepted per wall-clock second. */
  readonly recordsPerSecond: number;
  /** How far generation fell behind the wall clock at worst (realtime pace; 0 when it kept up). */
  readonly maxLagSeconds: number;
  /**
   * Where the wall time went: producing records (the simulator's own work), and waiting for the
   * sender to make room (the stream is the bottleneck). The rest is idle time or the final drain.
   */
  readonly timing: {
    /** Simulating the sessions already under way at the start (before wallSeconds began). */
    readonly warmUpSeconds: number;
    readonly generatingSeconds: number;
    readonly waitingForSenderSeconds: number;
  };
  readonly sessions: number;
  readonly botSessions: number;
  /** What the stream accepted (records lost or abandoned are in `sender`, not here). */
  readonly records: RecordCounts;
  readonly orders: OrderWriterStats;
  /** What was sold and restocked; null for a replay, or a run that writes no orders. */
  readonly stock: StockSummary | null;
  readonly sender: SenderStats;
  /**
   * `stream-error`: the stream failed in a way retrying cannot fix (see `sender.lostReason`), while
   * generating or while sending what was queued.
   */
  readonly endedBy: 'duration' | 'signal' | 'replay-complete' | 'stream-error';
  readonly stream: string;
}

/** Stock through a generated run, by the order system's ledger. */
export interface StockSummary {
  readonly plan: ReplenishmentPlan;
  /** Units purchases took: their orders take them from the table's inventory. */
  readonly unitsSold: number;
  /** Purchases that found the product sold out, and the units they wanted. */
  readonly lostPurchases: number;
  readonly lostUnits: number;
  /** Deliveries made (the first at the start), and the units they added over every product. */
  readonly deliveries: number;
  readonly unitsDelivered: number;
  /** Products with no unit left at the end. */
  readonly soldOutAtEnd: number;
  /** Product deliveries whose write failed: not in the ledger (the table has them only if it got through unanswered). */
  readonly failedDeliveryWrites: number;
  readonly lastDeliveryError: string | null;
}

const CHUNK = 2_000;
/** How often a realtime run wakes to send what has become due. */
const TICK_MS = 25;

function validate(options: SimulationOptions): void {
  const rate = options.rate ?? 100;
  if (!(Number.isFinite(rate) && rate > 0)) {
    throw new InvalidSimulationOptionError(`the rate must be a positive number of events per second, got ${rate}`);
  }
  const duration = options.durationSeconds ?? null;
  if (duration !== null && !(Number.isFinite(duration) && duration > 0)) {
    throw new InvalidSimulationOptionError(`the duration must be a positive number of seconds, got ${duration}`);
  }
  if ((options.pace ?? 'realtime') === 'fast' && duration === null && options.replay === undefined) {
    throw new InvalidSimulationOptionError('a fast run needs a duration: it would never end');
  }
  if (options.replenishment !== undefined) {
    if (options.replay !== undefined) {
      throw new InvalidSimulationOptionError('a replay does not restock: replenishment applies to generated runs');
    }
    try {
      replenishmentPlan(options.replenishment);
    } catch (error) {
      throw new InvalidSimulationOptionError((error as Error).message, { cause: error });
    }
  }
}

/** The largest double below a positive `ms`: next(until) includes `until`, and this excludes `ms` itself. */
function justBefore(ms: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, ms);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What both modes share: the sender, the order writer, the recording, the counts and the progress. */
class RunContext {
  readonly tally = new Tally();
  /** When the run proper began (after the warm-up): rates are measured from here. */
  readonly wallStart = performance.now();
  maxLagMs = 0;
  readonly timing = { generatingMs: 0, waitingForSenderMs: 0 };
  private busySince = performance.now();
  /** Sessions seen in a replay (a generated run asks its model). */
  readonly replayedSessions = new Set<string>();
  private progressTimer: NodeJS.Timeout | undefined;
  private lastProgress = { at: this.wallStart, records: 0 };
  /** A recording write that failed inside the sender's callback, thrown at the next chance. */
  private recordingError: Error | null = null;
  private readonly closeSender = () => this.sender.close();

  constructor(
    readonly options: SimulationOptions,
    readonly sender: KinesisSender,
    readonly orders: OrderWriter | null,
    readonly recorder: RecordingWriter | null,
    private readonly model: TrafficModel | null,
    /** The wall-clock instant (performance.now) that simulated `startTime` maps to at realtime pace. */
    readonly clockStart: number,
    private readonly restocking: Restocking | null = null,
  ) {
    if (options.stopNow?.aborted) sender.close();
    else options.stopNow?.addEventListener('abort', this.closeSender, { once: true });
  }

  /** True once generation must end: a signal, a stop at once, or a stream that cannot be written. */
  get halted(): boolean {
    return this.options.signal?.aborted === true || this.sender.stopped;
  }

  readonly sessions = (): number => this.model?.stats().sessions ?? this.replayedSessions.size;

  /**
   * Hands one record to the stream and the order system; it is counted and recorded once the stream
   * has accepted it, so the summary and the recording hold only what is on the stream.
   */
  emit(record: SimulatedRecord): void {
    this.sender.send({ partitionKey: record.partitionKey, data: Buffer.from(record.data, 'utf8') }, () =>
      this.accepted(record),
    );
    if (record.order) this.orders?.write(record.order);
  }

  private accepted(record: SimulatedRecord): void {
    this.tally.add(record.kind, record.event);
    try {
      this.recorder?.write(record);
    } catch (error) {
      this.recordingError ??= error as Error;
    }
  }

  /** Waits while the sender or the recording file is behind. */
  async backPressure(): Promise<void> {
    const limit = this.options.maxQueuedRecords ?? 20_000;
    await this.away('waitingForSenderMs', async () => {
      if (this.sender.stats().queuedRecords > limit) await this.sender.waitForRoom(limit / 2);
      await this.recorder?.drained();
    });
    if (this.recordingError) throw this.recordingError;
  }

  /** Lets the sender's calls and timers run (their time is the sender's, not generation's). */
  yieldToIo(): Promise<void> {
    return this.away(null, () => new Promise((resolve) => setImmediate(resolve)));
  }

  /** Makes the next delivery (time spent writing it, not producing records). */
  deliver(restocking: Restocking): Promise<void> {
    return this.away(null, () => restocking.deliverNext());
  }

  /** Sleeps (realtime pace: nothing is due yet). */
  sleep(ms: number): Promise<void> {
    return this.away(null, () => sleep(ms, this.options.signal));
  }

  /**
   * Runs `task` as time away from producing records, and counts the time since the last such break
   * as producing them: generation, encoding and queuing — the simulator's own work.
   */
  private async away(bucket: 'waitingForSenderMs' | null, task: () => Promise<void>): Promise<void> {
    const leftAt = performance.now();
    this.timing.generatingMs += leftAt - this.busySince;
    try {
      await task();
    } finally {
      this.busySince = performance.now();
      if (bucket) this.timing[bucket] += this.busySince - leftAt;
    }
  }

  startProgress(): void {
    const onProgress = this.options.onProgress;
    if (!onProgress) return;
    this.progressTimer = setInterval(() => onProgress(this.progress()), this.options.progressIntervalMs ?? 1_000);
    this.progressTimer.unref();
  }

  stopProgress(): void {
    clearInterval(this.progressTimer);
  }

  progress(): SimulationProgress {
    const now = performance.now();
    const sender = this.sender.stats();
    const orders = this.orders?.stats();
    const seconds = Math.max(0.001, (now - this.lastProgress.at) / 1000);
    const eventsPerSecond = Math.round((this.tally.total - this.lastProgress.records) / seconds);
    this.lastProgress = { at: now, records: this.tally.total };
    return {
      elapsedSeconds: Math.round((now - this.wallStart) / 100) / 10,
      eventsPerSecond,
      records: this.tally.total,
      sessions: this.sessions(),
      purchases: this.tally.purchases,
      failures:
        sender.failedEntries + sender.callErrors + (orders?.failed ?? 0) + (this.restocking?.stats().failedWrites ?? 0),
      throttles: sender.throttledEntries,
      queued: sender.queuedRecords,
      lost: sender.lostRecords,
      abandoned: sender.abandonedRecords,
    };
  }

  /**
   * Sends what is queued, however long that takes (stopNow abandons it), waits for the orders and
   * closes the recording.
   */
  async finish(): Promise<void> {
    this.timing.generatingMs += performance.now() - this.busySince;
    this.stopProgress();
    await this.sender.drain();
    await this.orders?.flush();
    if (this.recordingError) throw this.recordingError;
    await this.recorder?.close();
  }

  close(): void {
    this.stopProgress();
    this.options.stopNow?.removeEventListener('abort', this.closeSender);
    this.sender.close();
  }
}

/** Why a run that stopped before its end did: a signal (or stop at once), or a stream that failed. */
function haltedBy(context: RunContext): 'signal' | 'stream-error' {
  return context.sender.failure ? 'stream-error' : 'signal';
}

async function generate(
  options: SimulationOptions,
  context: RunContext,
  model: TrafficModel,
  startTime: number,
  restocking: Restocking | null,
) {
  const duration = options.durationSeconds ?? null;
  const endAt = duration === null ? Number.POSITIVE_INFINITY : startTime + duration * 1000;
  const fast = (options.pace ?? 'realtime') === 'fast';
  let simulatedUntil = startTime;
  while (!context.halted) {
    const wallNow = startTime + (performance.now() - context.clockStart);
    const horizon = Math.min(endAt, fast ? endAt : wallNow);
    const deliveryAt = startTime + (restocking?.nextOffset() ?? Number.POSITIVE_INFINITY);
    const until = Math.min(horizon, deliveryAt);
    let emitted = 0;
    for (let record = model.next(until); record !== null; record = model.next(until)) {
      context.emit(record);
      simulatedUntil = record.atMs;
      if (++emitted % CHUNK === 0) {
        if (!fast)
          context.maxLagMs = Math.max(
            context.maxLagMs,
            startTime + (performance.now() - context.clockStart) - record.atMs,
          );
        await context.backPressure();
        await context.yieldToIo();
        if (context.halted) break;
      }
    }
    await context.backPressure();
    if (context.halted) break;
    if (restocking && deliveryAt <= horizon) {
      // The purchases up to the delivery's instant are generated before it, those after it once its
      // writes are in the table: no order relies on units the table does not have yet.
      await context.deliver(restocking);
      continue;
    }
    if (until >= endAt) return { endedBy: 'duration' as const, simulatedUntil: endAt };
    // Wake on a fixed tick, not per event: the events due in one tick go out in one PutRecords call
    // per shard (as a producer library's buffering would), each still stamped with its own time.
    const now = startTime + (performance.now() - context.clockStart);
    await context.sleep(Math.max(TICK_MS, Math.min(model.peekTime(), endAt, deliveryAt) - now));
  }
  return { endedBy: haltedBy(context), simulatedUntil };
}

async function replay(
  options: SimulationOptions,
  context: RunContext,
  startTime: number,
  lines: readonly RecordedLine[],
) {
  const fast = (options.pace ?? 'realtime') === 'fast';
  // The recording's clock starts now, whatever reading it and connecting took.
  const replayStart = performance.now();
  let index = 0;
  for (const line of lines) {
    const due = line.atMs - (performance.now() - replayStart);
    if (!fast && due > 0) {
      await context.backPressure();
      await context.sleep(due);
    }
    if (context.halted) return { endedBy: haltedBy(context), simulatedUntil: startTime + line.atMs };
    if (line.kind === 'valid') context.replayedSessions.add(line.partitionKey);
    const event =
      line.kind === 'valid' || line.kind === 'bot' || line.kind === 'duplicate'
        ? (JSON.parse(line.data) as SimulatedClickEvent)
        : null;
    context.emit({
      atMs: startTime + line.atMs,
      kind: line.kind,
      partitionKey: line.partitionKey,
      data: line.data,
      event,
      order: line.order ?? null,
    });
    if (++index % CHUNK === 0) {
      await context.backPressure();
      await context.yieldToIo();
    }
  }
  return { endedBy: 'replay-complete' as const, simulatedUntil: startTime + (lines.at(-1)?.atMs ?? 0) };
}

/**
 * Runs the simulator against a target: generates a scenario's traffic (or replays a recording),
 * puts every record on the stream, writes purchases' orders, optionally records what the stream
 * accepted, and returns the summary once every record queued was accepted, lost or abandoned. A
 * stream that fails mid-run ends the run (`endedBy: 'stream-error'`) instead of throwing.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  validate(options);
  const target = options.target;
  const startTime = options.startTime ?? Date.now();
  // At realtime pace simulated time follows the wall clock: a start in the past (npm start begins at
  // the minute its seeded history ends) is caught up at once, then the run keeps time.
  const clockStart = performance.now() - Math.max(0, Date.now() - startTime);
  let warmUpMs = 0;
  const seed = options.seed ?? 1;
  const durationMs = (options.durationSeconds ?? null) === null ? null : (options.durationSeconds as number) * 1000;
  // A damaged recording is refused before any service is touched.
  const recorded = options.replay === undefined ? null : await readRecording(options.replay);
  const sender = await KinesisSender.create({
    ...options.sender,
    client: target.kinesis,
    streamName: target.streamName,
  });
  const orders =
    (options.writeOrders ?? true)
      ? new OrderWriter(new OrdersStore(target.documents, target.ordersTable, target.productsTable))
      : null;
  let priceView: PriceView | null = null;
  let recorder: RecordingWriter | null = null;
  let context: RunContext | null = null;
  try {
    recorder = options.out ? await RecordingWriter.create(options.out, startTime) : null;
    let model: TrafficModel | null = null;
    let ledger: StockLedger | null = null;
    let restocking: Restocking | null = null;
    if (recorded === null) {
      priceView = await PriceView.load(target.documentClient, target.productsTable, {
        refreshIntervalMs: options.priceRefreshMs,
      });
      const scenario = buildScenario(options.scenario ?? 'steady', scenarioCatalogueOf(priceView.catalogue), seed, {
        ...options.scenarioParameters,
        durationMs,
      });
      // The order system: it sells what its ledger holds. Purchases before the start are never emitted,
      // so they write no order and must take no stock: the ledger opens once the warm-up is over.
      const stock = orders ? new StockLedger(priceView.inventories) : null;
      let selling = false;
      model = new TrafficModel({
        seed,
        startTime,
        eventsPerSecond: options.rate ?? 100,
        catalogue: priceView.catalogue,
        prices: priceView,
        stock: stock ? { take: (productId, quantity) => !selling || stock.take(productId, quantity) } : undefined,
        scenario,
        funnel: options.funnel,
        warmupMs: options.warmupMs,
      });
      const warmUpStarted = performance.now();
      model.warmUp();
      // warmUp() stops a millisecond short of the start; the steps in between are not emitted either.
      model.next(justBefore(startTime));
      warmUpMs = performance.now() - warmUpStarted;
      selling = true;
      ledger = stock;
      if (stock) {
        const stockStore = new StockStore(target.documents, target.productsTable);
        restocking = new Restocking({
          plan: replenishmentPlan({ supplyShare: model.scenario.supplyShare, ...options.replenishment }),
          productIds: priceView.catalogue.map((product) => product.productId),
          demand: model,
          ledger: stock,
          write: (productId, units, deliveryId, nextDeliveryAt) =>
            stockStore.deliver(productId, units, deliveryId, nextDeliveryAt),
          // Unique per run: a restarted run is a new one, whose first delivery tops up from what the table holds.
          runId: randomUUID(),
          startTime,
          durationMs,
        });
      }
      priceView.start();
    }
    context = new RunContext(options, sender, orders, recorder, model, clockStart, restocking);
    const sessions = context.sessions;
    context.startProgress();
    const outcome =
      model === null
        ? await replay(options, context, startTime, recorded ?? [])
        : await generate(options, context, model, startTime, restocking);
    await context.finish();
    const wallSeconds = (performance.now() - context.wallStart) / 1000;
    const counts = context.tally.counts();
    return {
      mode: model === null ? 'replay' : 'generate',
      scenario: model?.scenario.name ?? null,
      scenarioDescription: model?.scenario.description ?? null,
      seed: model === null ? null : seed,
      replayedFrom: options.replay ?? null,
      recordedTo: options.out ?? null,
      startTime: toIso(startTime),
      pace: options.pace ?? 'realtime',
      targetRate: model === null ? null : (options.rate ?? 100),
      simulatedSeconds: Math.round(Math.max(0, outcome.simulatedUntil - startTime)) / 1000,
      wallSeconds: Math.round(wallSeconds * 1000) / 1000,
      recordsPerSecond: Math.round(counts.total / Math.max(wallSeconds, 0.001)),
      maxLagSeconds: Math.round(context.maxLagMs) / 1000,
      timing: {
        warmUpSeconds: Math.round(warmUpMs) / 1000,
        generatingSeconds: Math.round(context.timing.generatingMs) / 1000,
        waitingForSenderSeconds: Math.round(context.timing.waitingForSenderMs) / 1000,
      },
      sessions: sessions(),
      botSessions: model?.stats().botSessions ?? 0,
      records: counts,
      orders: orders?.stats() ?? { written: 0, existing: 0, soldOut: 0, failed: 0, pending: 0, lastError: null },
      stock: model && ledger && restocking ? stockSummary(model, ledger, restocking) : null,
      sender: sender.stats(),
      endedBy: sender.failure ? 'stream-error' : outcome.endedBy,
      stream: target.streamName,
    };
  } finally {
    context?.close();
    sender.close();
    await priceView?.stop();
    await recorder?.close().catch(() => undefined);
  }
}

function stockSummary(model: TrafficModel, ledger: StockLedger, restocking: Restocking): StockSummary {
  const { lostPurchases, lostUnits } = model.stats();
  const { deliveries, failedWrites, lastError } = restocking.stats();
  return {
    plan: restocking.plan,
    unitsSold: ledger.unitsSold,
    lostPurchases,
    lostUnits,
    deliveries,
    unitsDelivered: ledger.unitsDelivered,
    soldOutAtEnd: ledger.soldOut().length,
    failedDeliveryWrites: failedWrites,
    lastDeliveryError: lastError,
  };
}
