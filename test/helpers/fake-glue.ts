import type { GlueClient } from '@aws-sdk/client-glue';
import type { GlueConnection } from '../../functions/store/glue-job-runs.js';
import { localGlueClient } from '../../local/clients.js';
import { GlueApiError, startGlueJsonServer } from '../../local/glue-json-server.js';

/**
 * A local fake of the Glue API at the HTTP level (local/glue-json-server.ts) for the calls the
 * deploy-time starter makes (GetJobRuns, BatchStopJobRun, StartJobRun), so code under test speaks
 * Glue's wire protocol, signed and with Glue's errors, as it does on AWS. A run asked to stop is
 * STOPPING for `stopPolls` GetJobRuns calls, then STOPPED; MaxConcurrentRuns is 1.
 */
export interface FakeRun {
  Id: string;
  JobName: string;
  JobRunState: string;
  StartedOn: number;
  stopPollsLeft?: number;
}

export interface FakeGlue {
  readonly client: GlueClient;
  /** The client's config and the fake's endpoint: what GlueJobRuns is given. */
  readonly connection: GlueConnection;
  readonly runs: FakeRun[];
  /** Every call, as `Operation JobName`. */
  readonly calls: string[];
  close(): Promise<void>;
}

export async function startFakeGlue(
  options: { readonly stopPolls?: number; readonly jobs?: string[] } = {},
): Promise<FakeGlue> {
  const runs: FakeRun[] = [];
  const calls: string[] = [];
  const jobs = new Set(options.jobs ?? ['clickprice-aggregation']);
  let next = 1;
  const jobRuns = (input: Record<string, unknown>) => {
    const jobName = String(input.JobName ?? '');
    if (!jobs.has(jobName)) throw new GlueApiError('EntityNotFoundException', `Job ${jobName} not found`);
    return { jobName, ofJob: runs.filter((run) => run.JobName === jobName) };
  };
  const call =
    (operation: string, handle: (input: Record<string, unknown>) => unknown) => (input: Record<string, unknown>) => {
      calls.push(`${operation} ${String(input.JobName ?? '')}`);
      return handle(input);
    };
  const server = await startGlueJsonServer({
    GetJobRuns: call('GetJobRuns', (input) => {
      const { ofJob } = jobRuns(input);
      for (const run of ofJob) {
        if (run.JobRunState !== 'STOPPING') continue;
        run.stopPollsLeft = (run.stopPollsLeft ?? 0) - 1;
        if (run.stopPollsLeft < 0) run.JobRunState = 'STOPPED';
      }
      return { JobRuns: [...ofJob].reverse().map(({ stopPollsLeft: _left, ...run }) => run) };
    }),
    BatchStopJobRun: call('BatchStopJobRun', (input) => {
      const { jobName, ofJob } = jobRuns(input);
      const stopped = [];
      const errors = [];
      for (const id of (input.JobRunIds as string[]) ?? []) {
        const run = ofJob.find((candidate) => candidate.Id === id);
        if (run && ['STARTING', 'RUNNING', 'WAITING'].includes(run.JobRunState)) {
          run.JobRunState = 'STOPPING';
          run.stopPollsLeft = options.stopPolls ?? 2;
          stopped.push({ JobName: jobName, JobRunId: id });
        } else {
          errors.push({
            JobName: jobName,
            JobRunId: id,
            ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: `run ${id} is not running` },
          });
        }
      }
      return { SuccessfulSubmissions: stopped, Errors: errors };
    }),
    StartJobRun: call('StartJobRun', (input) => {
      const { jobName, ofJob } = jobRuns(input);
      if (ofJob.some((run) => ['STARTING', 'RUNNING', 'STOPPING', 'WAITING'].includes(run.JobRunState))) {
        throw new GlueApiError('ConcurrentRunsExceededException', `Concurrent runs exceeded for ${jobName}`);
      }
      const run = { Id: `jr_${next++}`, JobName: jobName, JobRunState: 'RUNNING', StartedOn: Date.now() / 1000 };
      runs.push(run);
      return { JobRunId: run.Id };
    }),
  });
  const client = localGlueClient(server.url, { maxAttempts: 1 });
  return {
    client,
    connection: { config: client.config, endpoint: server.url },
    runs,
    calls,
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
