/**
 * The CloudFormation custom resource that keeps the Glue streaming job running what was deployed
 * (infra/constructs/glue-streaming-job.ts): on Create it starts a run; on Update (the script, the
 * package, the SQL or an argument changed, so the job definition changed) it stops the running run
 * and, once Glue reports it stopped, starts one on the new definition; on Delete it stops the job's
 * runs so the job is removed idle. A streaming run resumes from its checkpoint, so a restart loses
 * nothing and counts nothing twice.
 *
 * Invoked by the CDK Provider framework, which answers CloudFormation with what this returns, or with
 * the error it throws (the deployment then rolls back).
 */
import { GlueClient } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import { type GlueConnection, GlueJobRuns } from '../store/glue-job-runs.js';

export interface StarterEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly JobName?: unknown };
}

export interface StarterResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly JobRunId: string };
}

/** How often Glue is asked whether the stopped run has stopped. */
export const POLL_INTERVAL_MS = 5_000;
/** Time kept back from the Lambda's own timeout to report a failure instead of being cut off. */
const MARGIN_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the job has no active run, or throws once `deadline` (epoch ms) passes. */
async function whenIdle(runs: GlueJobRuns, deadline: number, pollMs: number): Promise<void> {
  for (;;) {
    const active = await runs.active();
    if (active.length === 0) return;
    if (Date.now() + pollMs > deadline) {
      const states = active.map((run) => `${run.Id} ${run.JobRunState}`).join(', ');
      throw new Error(`runs of ${runs.jobName} still active at the deadline: ${states}`);
    }
    await sleep(pollMs);
  }
}

/** The starter's work, given where Glue is (the tests give a local fake of the API). */
export async function handleStarterEvent(
  event: StarterEvent,
  glue: GlueConnection,
  options: { readonly deadline: number; readonly pollMs?: number },
): Promise<StarterResult> {
  const jobName = event.ResourceProperties.JobName;
  if (typeof jobName !== 'string' || jobName === '') throw new Error('JobName must be the name of the Glue job');
  const runs = new GlueJobRuns(glue, jobName);
  const pollMs = options.pollMs ?? POLL_INTERVAL_MS;
  if (event.RequestType === 'Create') {
    // A run already going (a retried Create) is the run: a second one could not start anyway.
    const [running] = await runs.active();
    if (running?.Id && running.JobRunState !== 'STOPPING') {
      return { PhysicalResourceId: jobName, Data: { JobRunId: running.Id } };
    }
    await whenIdle(runs, options.deadline, pollMs);
    return { PhysicalResourceId: jobName, Data: { JobRunId: await runs.start() } };
  }
  // Update and Delete stop the run of the job this resource started (the old name on a rename).
  const stopping = new GlueJobRuns(glue, event.PhysicalResourceId ?? jobName);
  await stopping.stopActive();
  await whenIdle(stopping, options.deadline, pollMs);
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: stopping.jobName, Data: { JobRunId: '' } };
  }
  await whenIdle(runs, options.deadline, pollMs);
  return { PhysicalResourceId: jobName, Data: { JobRunId: await runs.start() } };
}

// The Glue client's config signs the calls (and sets their retries): the starter has no other client.
const glue: GlueConnection = { config: new GlueClient({}).config, endpoint: undefined };

export async function handler(event: StarterEvent, context: Context): Promise<StarterResult> {
  return handleStarterEvent(event, glue, { deadline: Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS });
}
