/**
 * The rich path's Lambda: the aggregates table's DynamoDB stream (new and rewritten rows only; the
 * event-source filter drops REMOVE) → demand index against the product's baseline → pricing policy →
 * price store. Thin: it runs processAggregateRecords and reports per-record failures as a partial batch
 * response (Lambda then retries from the lowest failed sequence number).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { AggregatesStore } from '../store/aggregates-store.js';
import { PriceStore } from '../store/price-store.js';
import { processAggregateRecords } from './aggregates-processor.js';
import { recordDecisionMetrics } from './decision-metrics.js';
import { instrumented } from './instrumentation.js';
import { createHandlerRuntime, partialBatchResponse } from './runtime.js';

const runtime = createHandlerRuntime('aggregates');
const { documents: client, tableNames, logger, metrics } = runtime;
const dependencies = {
  baseline: new AggregatesStore(client, tableNames.aggregates),
  prices: new PriceStore(client, tableNames),
  logger,
};

async function lambdaHandler(event: DynamoDBStreamEvent) {
  const { failures, stats } = await processAggregateRecords(event.Records, dependencies);

  metrics.addMetric('RecordsReceived', MetricUnit.Count, stats.records);
  metrics.addMetric('PriceChanges', MetricUnit.Count, stats.applied);
  metrics.addMetric('DuplicateDecisions', MetricUnit.Count, stats.duplicate);
  metrics.addMetric('InvalidAggregates', MetricUnit.Count, stats.invalid);
  metrics.addMetric('UnknownProducts', MetricUnit.Count, stats.unknown_product);
  recordDecisionMetrics(metrics, {
    decisions: stats.applied + stats.no_change + stats.duplicate,
    changesByReason: stats.changesByReason,
    latencyStartMs: stats.oldestWindowEndMs,
  });
  if (failures.size > 0) logger.warn('records failed; Lambda will retry from the lowest', { failures: failures.size });
  logger.debug('batch processed', { stats });

  return partialBatchResponse(event.Records, failures, (record) => record.dynamodb?.SequenceNumber ?? '');
}

export const handler = instrumented(lambdaHandler, runtime);
