/**
 * The runs of one Glue job, through the Glue API: which are active, stopping them, starting one. The
 * deploy-time starter (handlers/glue-job-starter.ts) uses it to start the streaming job and to restart
 * it on a new script, and the pipeline API reports and restarts it; they speak only GetJobRuns,
 * BatchStopJobRun and StartJobRun.
 */
import {
  BatchStopJobRunCommand,
  GetJobRunsCommand,
  type GlueClient,
  type JobRun,
  StartJobRunCommand,
} from '@aws-sdk/client-glue';
import type { GlueRunView } from '../domain/pipeline-health.js';

/** The environment variable naming the Glue job to functions that read or restart it. */
export const GLUE_JOB_NAME_ENV = 'GLUE_JOB_NAME';

/** States of a run that holds the job's one concurrent run (MaxConcurrentRuns 1). */
export const ACTIVE_RUN_STATES: ReadonlySet<string> = new Set(['STARTING', 'RUNNING', 'STOPPING', 'WAITING']);
/** Active states a stop request applies to (a STOPPING run is already on its way). */
const STOPPABLE_RUN_STATES: ReadonlySet<string> = new Set(['STARTING', 'RUNNING', 'WAITING']);

export class GlueJobRuns {
  constructor(
    private readonly client: GlueClient,
    readonly jobName: string,
  ) {}

  /** The job's active runs (Glue lists newest first; an active run is among the first page). */
  async active(): Promise<JobRun[]> {
    const { JobRuns = [] } = await this.client.send(new GetJobRunsCommand({ JobName: this.jobName, MaxResults: 50 }));
    return JobRuns.filter((run) => ACTIVE_RUN_STATES.has(run.JobRunState ?? ''));
  }

  /** The job's newest run, or null when it never ran. */
  async latest(): Promise<GlueRunView | null> {
    const { JobRuns = [] } = await this.client.send(new GetJobRunsCommand({ JobName: this.jobName, MaxResults: 1 }));
    const [run] = JobRuns;
    return run === undefined ? null : runView(run);
  }

  /** Asks every active run to stop; resolves with the ids asked. A stop Glue refuses is an error. */
  async stopActive(): Promise<string[]> {
    return this.stop(await this.active());
  }

  /** Asks those of `runs` (as `active` listed them) that can still be stopped to stop; resolves with their ids. */
  async stop(runs: readonly JobRun[]): Promise<string[]> {
    const ids = runs
      .filter((run) => STOPPABLE_RUN_STATES.has(run.JobRunState ?? ''))
      .flatMap((run) => (run.Id ? [run.Id] : []));
    if (ids.length === 0) return [];
    const { Errors = [] } = await this.client.send(
      new BatchStopJobRunCommand({ JobName: this.jobName, JobRunIds: ids }),
    );
    const refused = Errors.filter((error) => error.ErrorDetail?.ErrorCode !== 'EntityNotFoundException');
    if (refused.length > 0) {
      const reasons = refused.map((error) => `${error.JobRunId}: ${error.ErrorDetail?.ErrorMessage ?? 'refused'}`);
      throw new Error(`Glue refused to stop runs of ${this.jobName}: ${reasons.join('; ')}`);
    }
    return ids;
  }

  /** Starts a run with the job's own arguments; resolves with its id. */
  async start(): Promise<string> {
    const { JobRunId } = await this.client.send(new StartJobRunCommand({ JobName: this.jobName }));
    if (!JobRunId) throw new Error(`Glue started a run of ${this.jobName} without an id`);
    return JobRunId;
  }
}

function runView(run: JobRun): GlueRunView {
  return {
    id: run.Id ?? 'unknown',
    state: run.JobRunState ?? 'UNKNOWN',
    startedAt: run.StartedOn?.toISOString() ?? null,
    lastModifiedAt: run.LastModifiedOn?.toISOString() ?? null,
    completedAt: run.CompletedOn?.toISOString() ?? null,
    errorMessage: run.ErrorMessage ?? null,
  };
}
