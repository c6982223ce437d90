/**
 * EventBridge's "Glue Job State Change" events of the rich path's job: when a run ops asked to
 * restart has ended, start the new run (PipelineControl.onRunEnded). Other ended runs, and events
 * redelivered after the restart finished, change nothing.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { GLUE_JOB_NAME_ENV, GlueJobRuns } from '../store/glue-job-runs.js';
import { GlueRestartStore } from '../store/glue-restart-store.js';
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
const control = new PipelineControl({
  // Glue's calls signed with the function's AWS config: the Glue client is not bundled (glue-job-runs.ts).
  glue: new GlueJobRuns({ config: aws, endpoint: undefined }, jobName),
  restarts: new GlueRestartStore(documents, tableNames),
});

async function onStateChange(event: EventBridgeEvent<'Glue Job State Change', GlueJobStateChangeDetail>) {
  const restart = await control.onRunEnded(event.detail);
  if (restart !== null) logger.info('Glue job restart finished', { restart });
  return { restart };
}

export const handler = instrumented(onStateChange, runtime);
