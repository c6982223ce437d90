/**
 * Fast-path benchmarks (issue 5):
 * - handler throughput on one core for a 10,000-record batch, excluding I/O: decode, validate, dedup,
 *   judge bots, pre-aggregate — against a bare base64 + JSON.parse loop over the same batch
 *   (fast-path-throughput.ts, run in several fresh processes, each pinned to one core);
 * - DynamoDB write requests per 10,000 events, against DynamoDB Local: the target is one per distinct
 *   (product, minute) in the batch;
 * - the session log's requests per batch (issue 19), against DynamoDB Local: 20 batches of 500 (the
 *   deployed batch size) of one shard, through one warm environment and then each through a fresh one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { classifyBatch } from '../functions/domain/click-batch.js';
import { SessionActivity } from '../functions/domain/session-activity.js';
import { clickRecordsOf, processClickRecords } from '../functions/handlers/clickstream-processor.js';
import { DemandStore } from '../functions/store/demand-store.js';
import { PriceStore } from '../functions/store/price-store.js';
import { QuarantineStore } from '../functions/store/quarantine-store.js';
import { SessionLogStore } from '../functions/store/session-log-store.js';
import { startLocalStack } from '../local/local-stack.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import { benchBatch } from './fast-path-events.js';
import { BATCH, median, type ThroughputResult } from './fast-path-throughput.js';
import type { BenchResult } from './run.js';

/** Fresh processes measured, one after another; the median one is reported. */
const PROCESSES = 5;

/**
 * The first core this process may run on, to pin the measured processes to (`taskset`, Linux), or
 * undefined where that is not possible: they then run unpinned, and the result says so.
 */
function oneCore(): number | undefined {
  if (!existsSync('/proc/self/status')) return undefined;
  const first = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (first === undefined) return undefined;
  // taskset itself may be missing (a minimal image): then the processes run unpinned.
  return spawnSync('taskset', ['-c', first, 'true']).status === 0 ? Number(first) : undefined;
}

function throughputInProcess(core: number | undefined): ThroughputResult {
  const script = fileURLToPath(new URL('./fast-path-throughput.ts', import.meta.url));
  // The same Node and loader flags as this process (`--import tsx`).
  const node = [process.execPath, ...process.execArgv, script];
  const [command, ...args] = core === undefined ? node : ['taskset', '-c', String(core), ...node];
  const child = spawnSync(command as string, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`throughput process failed (${child.status ?? child.signal})`);
  return JSON.parse(child.stdout) as ThroughputResult;
}

function throughput() {
  const core = oneCore();
  const runs = Array.from({ length: PROCESSES }, () => throughputInProcess(core));
  const of = (key: keyof ThroughputResult) => runs.map((run) => run[key]);
  return {
    // Each the median over the processes (each process gives the median of its rounds).
    handlerEventsPerSecond: median(of('handlerEventsPerSecond')),
    bareLoopEventsPerSecond: median(of('bareLoopEventsPerSecond')),
    ratioToBareLoop: median(of('ratioToBareLoop')),
    logEncodingEventsPerSecond: median(of('logEncodingEventsPerSecond')),
    ratioToBareLoopWithLogEncoding: median(of('ratioToBareLoopWithLogEncoding')),
    pinnedToOneCore: core !== undefined,
    processes: runs,
  };
}

/** Counts the requests leaving a client, by command name. */
function countRequests(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return counts;
}

/** Counts the requests leaving a client for one table, by command name. */
function countTableRequests(client: DynamoDBClient, tableName: string): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if ((args.input as { TableName?: string }).TableName === tableName) {
        const name = context.commandName ?? 'unknown';
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'initialize', name: `countRequests-${tableName}` },
  );
  return counts;
}

/** Batches of the deployed size (definitions/event-sources.ts) the session log is measured over. */
const LOG_BATCHES = 20;
const LOG_BATCH_SIZE = 500;

/**
 * The session log's requests per batch: through one warm environment (the common path: one Query
 * that finds nothing new, one PutItem), and each batch through a fresh one (a cold start reads the
 * horizon back). Also the bytes an entry of 500 events takes.
 */
async function sessionLogPerBatch() {
  const stack = await startLocalStack();
  try {
    const { documentClient, documents, dynamodb } = stack.clients;
    await loadCatalogue(documentClient, stack.tableNames.products, generateCatalogue(new Date().toISOString()));
    const requests = countTableRequests(dynamodb, stack.tableNames.sessionLog);
    const log = new SessionLogStore(documents, stack.tableNames.sessionLog);
    const deps = (activity: SessionActivity) => ({
      demand: new DemandStore(documents, stack.tableNames.demand),
      quarantine: new QuarantineStore(documents, stack.tableNames.quarantine),
      prices: new PriceStore(documents, stack.tableNames),
      activity,
      sessionLog: log,
    });
    const measure = async (fresh: boolean) => {
      // One shard's records, in order: a warm environment's batches follow one another.
      const records = clickRecordsOf(benchBatch(LOG_BATCHES * LOG_BATCH_SIZE).Records);
      const warm = new SessionActivity({ sessionLog: true });
      requests.clear();
      let failed = 0;
      for (let start = 0; start < records.length; start += LOG_BATCH_SIZE) {
        const activity = fresh ? new SessionActivity({ sessionLog: true }) : warm;
        const outcome = await processClickRecords(records.slice(start, start + LOG_BATCH_SIZE), deps(activity));
        failed += outcome.failures.size;
      }
      if (failed > 0) throw new Error(`${failed} records failed while measuring the session log`);
      const of = (command: string) => (requests.get(command) ?? 0) / LOG_BATCHES;
      return { reads: of('QueryCommand'), writes: of('PutItemCommand'), byCommand: Object.fromEntries(requests) };
    };
    const warm = await measure(false);
    const cold = await measure(true);
    const items = await scanAllRecords(documentClient, stack.tableNames.sessionLog);
    return {
      warm,
      cold,
      entryBytesPer500Events: Math.round(
        (items.reduce((sum, item) => sum + item.bytes, 0) / items.reduce((sum, item) => sum + item.records, 0)) * 500,
      ),
    };
  } finally {
    await stack.stop();
  }
}

/** Each session log item's record count and the size of its records attribute. */
async function scanAllRecords(client: DynamoDBDocumentClient, tableName: string) {
  const items: { records: number; bytes: number }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      items.push({ records: item.recordCount as number, bytes: (item.records as Uint8Array).byteLength });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function writesPer10k(): Promise<{
  writeRequests: number;
  distinctProductMinutes: number;
  requestsByCommand: Record<string, number>;
}> {
  const stack = await startLocalStack();
  try {
    const { documentClient, documents, dynamodb } = stack.clients;
    await loadCatalogue(documentClient, stack.tableNames.products, generateCatalogue(new Date().toISOString()));
    const requests = countRequests(dynamodb);
    const event = benchBatch(BATCH);
    const records = clickRecordsOf(event.Records);
    const distinct = classifyBatch(records, new SessionActivity()).contributions.size;
    requests.clear();
    await processClickRecords(records, {
      demand: new DemandStore(documents, stack.tableNames.demand),
      quarantine: new QuarantineStore(documents, stack.tableNames.quarantine),
      prices: new PriceStore(documents, stack.tableNames),
      activity: new SessionActivity(),
    });
    return {
      // The counter writes: UpdateItem is used by nothing else on this path.
      writeRequests: requests.get('UpdateItemCommand') ?? 0,
      distinctProductMinutes: distinct,
      requestsByCommand: Object.fromEntries(requests),
    };
  } finally {
    await stack.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const speed = throughput();
  const writes = await writesPer10k();
  const sessionLog = await sessionLogPerBatch();
  return {
    batchSize: BATCH,
    ...speed,
    counterWriteRequestsPer10kEvents: writes.writeRequests,
    distinctProductMinutesPer10kEvents: writes.distinctProductMinutes,
    // Everything the batch sent: counter writes, the surge-pricing reads and transactions.
    requestsPer10kEventsByCommand: writes.requestsByCommand,
    // The session log (issue 19): requests per batch of 500 beyond the counters' writes.
    stateWriteRequestsPerBatch: sessionLog.warm.writes,
    stateReadRequestsPerBatch: sessionLog.warm.reads,
    coldEnvironmentStateReadRequestsPerBatch: sessionLog.cold.reads,
    sessionLogEntryBytesPer500Events: sessionLog.entryBytesPer500Events,
    targets: {
      handlerEventsPerSecond: { target: 200_000, met: speed.handlerEventsPerSecond >= 200_000 },
      ratioToBareLoop: { target: 2, met: speed.ratioToBareLoop <= 2 },
      counterWriteRequestsPer10kEvents: {
        target: writes.distinctProductMinutes,
        met: writes.writeRequests === writes.distinctProductMinutes,
      },
      stateWriteRequestsPerBatch: { target: 1, met: sessionLog.warm.writes <= 1 },
      stateReadRequestsPerBatch: { target: 1, met: sessionLog.warm.reads <= 1 },
    },
  };
}
