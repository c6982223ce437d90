/**
 * EventBridge's "Glue Job State Change" events of the rich path's job: when a run ops asked to
 * restart has ended, start the new run (PipelineControl.onRunEnded); when a run ended in TIMEOUT,
 * start the next (GlueRunKeeper). Other ended runs, and events redelivered after the new run
 * started, change nothing.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { toIso } from '../domain/time.js';
import { GLUE_JOB_NAME_ENV, GlueJobRuns } from '../store/glue-job-runs.js';
import { GlueRestartStore } from '../store/glue-restart-store.js';
import { PriceHistoryStore } from '../store/price-history-store.js';
import { GlueRunKeeper } from '../use-cases/glue-run-keeper.js';
import { PipelineControl } from '../use-cases/pipeline-control.js';
import { instrumented } from './instrumentation.js';
import { createHandlerRuntime } from './runtime.js';

/** The `detail` of a "Glue Job State Change" event (the fields read here). */
export interface GlueJobStateChangeDetail {
  readonly jobName: string;
  readonly jobRunId: string;
  readonly state: string;
  readonly message?: string;
}

const runtime = createHandlerRuntime('glue-run-events');
const { documents, aws, tableNames, logger } = runtime;
const jobName = process.env[GLUE_JOB_NAME_ENV];
if (!jobName) throw new Error(`${GLUE_JOB_NAME_ENV} must name the Glue job`);
// Glue's calls signed with the function's AWS config: the Glue client is not bundled (glue-job-runs.ts).
const glue = new GlueJobRuns({ config: aws, endpoint: undefined }, jobName);
const control = new PipelineControl({ glue, restarts: new GlueRestartStore(documents, tableNames) });
const keeper = new GlueRunKeeper({ glue, history: new PriceHistoryStore(documents, tableNames.priceHistory) });

async function onStateChange(event: EventBridgeEvent<'Glue Job State Change', GlueJobStateChangeDetail>) {
  const restart = await control.onRunEnded(event.detail);
  if (restart !== null) logger.info('Glue job restart finished', { restart });
  // After the restart: a run it started is active, and the keeper leaves it be.
  // The event's own time (second precision), as history rows write time: a redelivery writes the same row.
  const resumed = await keeper.onRunEnded(event.detail, toIso(Date.parse(event.time)));
  if (resumed !== null) logger.warn('Glue job run timed out; the next run started', { ...resumed });
  return { restart, resumed };
}

export const handler = instrumented(onStateChange, runtime);
