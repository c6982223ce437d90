/**
 * The fast path's Lambda: Kinesis `clicks` stream → demand counters → surge pricing. Thin: it turns
 * the event into records, runs processClickRecords, and reports per-record failures as a partial
 * batch response (Lambda then retries from the lowest failed sequence number).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamEvent } from 'aws-lambda';
import { rememberedRecordsBudget, SessionActivity } from '../domain/session-activity.js';
import { DemandStore } from '../store/demand-store.js';
import { PriceStore } from '../store/price-store.js';
import { QuarantineStore } from '../store/quarantine-store.js';
import { rawSpillFromEnv } from '../store/raw-spill.js';
import { SessionLogStore } from '../store/session-log-store.js';
import { clickRecordsOf, processClickRecords } from './clickstream-processor.js';
import { recordDecisionMetrics } from './decision-metrics.js';
import { instrumented } from './instrumentation.js';
import { MinuteHistoryCache } from './minute-history.js';
import { createHandlerRuntime, partialBatchResponse } from './runtime.js';

const MB = 1024 * 1024;
const runtime = createHandlerRuntime('clickstream');
const { documents: client, aws, tableNames, logger, metrics } = runtime;
const dependencies = {
  demand: new DemandStore(client, tableNames.demand),
  // Records over the item limit are kept whole in the spill bucket (locally a folder).
  quarantine: new QuarantineStore(client, tableNames.quarantine, Date.now, rawSpillFromEnv(aws)),
  prices: new PriceStore(client, tableNames),
  // The session rules' memory: a copy of the session log kept in module scope, so a warm environment
  // reads only what other environments logged since (see session-state-sync.ts). An environment is
  // given any shard's batches: beyond half its memory, the shards least recently seen are dropped.
  activity: new SessionActivity({
    sessionLog: true,
    maxRememberedRecords: rememberedRecordsBudget(Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 1024) * MB),
  }),
  sessionLog: new SessionLogStore(client, tableNames.sessionLog),
  cooldowns: new Map<string, number>(),
  history: new MinuteHistoryCache(),
};

async function lambdaHandler(event: KinesisStreamEvent) {
  const { failures, stats } = await processClickRecords(clickRecordsOf(event.Records), dependencies);

  metrics.addMetric('RecordsReceived', MetricUnit.Count, stats.records);
  metrics.addMetric('EventsCounted', MetricUnit.Count, stats.counted);
  metrics.addMetric('RecordsQuarantined', MetricUnit.Count, stats.quarantined);
  metrics.addMetric('BotEventsExcluded', MetricUnit.Count, stats.botEvents + stats.cappedEvents);
  metrics.addMetric('DuplicateEvents', MetricUnit.Count, stats.duplicates);
  metrics.addMetric('PriceChanges', MetricUnit.Count, stats.decisions.applied);
  metrics.addMetric('SessionLogReads', MetricUnit.Count, stats.sessionLog.reads);
  metrics.addMetric('SessionLogWrites', MetricUnit.Count, stats.sessionLog.writes);
  recordDecisionMetrics(metrics, {
    decisions: stats.decisions.applied + stats.decisions.no_change + stats.decisions.duplicate,
    changesByReason: stats.changesByReason,
    latencyStartMs: stats.oldestArrivalMs,
  });
  if (failures.size > 0) logger.warn('records failed; Lambda will retry from the lowest', { failures: failures.size });
  logger.debug('batch processed', { stats });

  return partialBatchResponse(event.Records, failures, (record) => record.kinesis.sequenceNumber);
}

export const handler = instrumented(lambdaHandler, runtime);
