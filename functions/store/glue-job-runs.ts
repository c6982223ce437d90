/**
 * The runs of one Glue job, through the Glue API: which are active, stopping them, starting one. The
 * deploy-time starter (handlers/glue-job-starter.ts) uses it to start the streaming job and to restart
 * it on a new script, and the pipeline API reports and restarts it; they speak only GetJobRuns,
 * BatchStopJobRun and StartJobRun.
 *
 * Those three calls are signed with another client's config (signed-aws-request.ts) instead of the Glue
 * client, which added 36 KB to the pipeline API's and glue-run-events' bundles (esbuild, minified): AWS
 * JSON 1.1, a POST of `/` with `X-Amz-Target: AWSGlue.<Operation>` and times as epoch seconds, as
 * Glue's API reference documents it and the Glue client sends it. Locally the same requests reach
 * local/glue-json-server.ts.
 */
import type { GlueRunView } from '../domain/pipeline-health.js';
import { toIso } from '../domain/time.js';
import { type AwsJsonProtocol, AwsJsonService, type SdkClientConfig } from './signed-aws-request.js';

/** The environment variable naming the Glue job to functions that read or restart it. */
export const GLUE_JOB_NAME_ENV = 'GLUE_JOB_NAME';

/** States of a run that holds the job's one concurrent run (MaxConcurrentRuns 1). */
export const ACTIVE_RUN_STATES: ReadonlySet<string> = new Set(['STARTING', 'RUNNING', 'STOPPING', 'WAITING']);
/** Active states a stop request applies to (a STOPPING run is already on its way). */
const STOPPABLE_RUN_STATES: ReadonlySet<string> = new Set(['STARTING', 'RUNNING', 'WAITING']);

const GLUE: AwsJsonProtocol = {
  signingName: 'glue',
  endpointId: 'GLUE',
  endpointPrefix: 'glue',
  version: '1.1',
  targetPrefix: 'AWSGlue',
};

/** Where Glue is and what signs for it: any SDK client's config, and Glue's endpoint. */
export interface GlueConnection {
  readonly config: SdkClientConfig;
  /** Undefined: as the SDK finds Glue's (AWS_ENDPOINT_URL_GLUE, else the region's). */
  readonly endpoint: string | undefined;
}

/** A run as GetJobRuns describes it (the fields read here). */
export interface JobRun {
  readonly Id?: string;
  readonly JobRunState?: string;
  /** Epoch seconds, as Glue's JSON gives times. */
  readonly StartedOn?: number;
  readonly LastModifiedOn?: number;
  readonly CompletedOn?: number;
  readonly ErrorMessage?: string;
}

interface BatchStopJobRunError {
  readonly JobRunId?: string;
  readonly ErrorDetail?: { readonly ErrorCode?: string; readonly ErrorMessage?: string };
}

/** Glue refused a start: the job's one allowed run (MaxConcurrentRuns 1) is already going. */
export function isConcurrentRunsExceeded(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConcurrentRunsExceededException';
}

export class GlueJobRuns {
  private readonly glue: AwsJsonService;

  constructor(
    connection: GlueConnection,
    readonly jobName: string,
  ) {
    this.glue = new AwsJsonService(connection.config, GLUE, connection.endpoint);
  }

  /** The job's active runs (Glue lists newest first; an active run is among the first page). */
  async active(): Promise<JobRun[]> {
    const { JobRuns = [] } = await this.glue.call<{ JobRuns?: JobRun[] }>('GetJobRuns', {
      JobName: this.jobName,
      MaxResults: 50,
    });
    return JobRuns.filter((run) => ACTIVE_RUN_STATES.has(run.JobRunState ?? ''));
  }

  /** The job's newest run, or null when it never ran. */
  async latest(): Promise<GlueRunView | null> {
    const { JobRuns = [] } = await this.glue.call<{ JobRuns?: JobRun[] }>('GetJobRuns', {
      JobName: this.jobName,
      MaxResults: 1,
    });
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
    const { Errors = [] } = await this.glue.call<{ Errors?: BatchStopJobRunError[] }>('BatchStopJobRun', {
      JobName: this.jobName,
      JobRunIds: ids,
    });
    const refused = Errors.filter((error) => error.ErrorDetail?.ErrorCode !== 'EntityNotFoundException');
    if (refused.length > 0) {
      const reasons = refused.map((error) => `${error.JobRunId}: ${error.ErrorDetail?.ErrorMessage ?? 'refused'}`);
      throw new Error(`Glue refused to stop runs of ${this.jobName}: ${reasons.join('; ')}`);
    }
    return ids;
  }

  /** Starts a run with the job's own arguments; resolves with its id. */
  async start(): Promise<string> {
    // Not sent twice unless Glue surely did not start it: a second start would find the first run.
    const { JobRunId } = await this.glue.call<{ JobRunId?: string }>('StartJobRun', { JobName: this.jobName }, false);
    if (!JobRunId) throw new Error(`Glue started a run of ${this.jobName} without an id`);
    return JobRunId;
  }
}

function runView(run: JobRun): GlueRunView {
  return {
    id: run.Id ?? 'unknown',
    state: run.JobRunState ?? 'UNKNOWN',
    startedAt: isoOf(run.StartedOn),
    lastModifiedAt: isoOf(run.LastModifiedOn),
    completedAt: isoOf(run.CompletedOn),
    errorMessage: run.ErrorMessage ?? null,
  };
}

/** Glue's epoch seconds (with a fraction) to the millisecond, as the SDK reads them. */
function isoOf(epochSeconds: number | undefined): string | null {
  return epochSeconds === undefined ? null : toIso(Math.round(epochSeconds * 1000));
}
