/**
 * The local Glue service: the Glue API (glue-json-server.ts) for the one streaming job the local stack
 * runs, whose runs are runs of the local Glue engine (DuckDB or Spark). StartJobRun starts an engine,
 * BatchStopJobRun stops it after its batch in flight, GetJobRuns and GetJobRun report the runs as
 * Glue does. What reads Glue in AWS (the pipeline API) reads it here through the same client, and a
 * run's state changes are handed on as EventBridge's "Glue Job State Change" events are in AWS.
 */
import { randomUUID } from 'node:crypto';
import type { LocalGlueEngine } from '../glue/local-engine/index.js';
import { GlueApiError, type GlueJsonServer, startGlueJsonServer } from './glue-json-server.js';

/** The local stack's job name (GLUE_JOB_NAME of the handlers). */
export const LOCAL_GLUE_JOB_NAME = 'clickprice-aggregation-local';

/** EventBridge's `detail` of a "Glue Job State Change" event (the states Glue reports a run ending in, and more). */
export interface GlueJobStateChange {
  readonly jobName: string;
  readonly jobRunId: string;
  readonly state: string;
  readonly message: string;
}

export interface LocalGlueServiceOptions {
  /** Starts the engine of a new run; a rejection fails the run with its message. */
  readonly startEngine: () => Promise<LocalGlueEngine>;
  /** Told of every run's state change, in order, one at a time. */
  readonly onStateChange?: (change: GlueJobStateChange) => Promise<void>;
  /** @default a free port */
  readonly port?: number;
}

export interface LocalGlueService {
  /** The Glue endpoint: AWS_ENDPOINT_URL_GLUE of the handlers. */
  readonly url: string;
  readonly jobName: string;
  /** The engine of the active run, if one is running. */
  engine(): LocalGlueEngine | null;
  /** Resolves when every state change so far has been handed on. */
  settled(): Promise<void>;
  /** Stops the active run, then the service. */
  stop(): Promise<void>;
}

interface LocalRun {
  readonly Id: string;
  readonly JobName: string;
  JobRunState: 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';
  readonly StartedOn: number;
  LastModifiedOn: number;
  CompletedOn?: number;
  ErrorMessage?: string;
  engine?: LocalGlueEngine;
  /** Settles when the run's engine has started, or failed to. */
  ended: Promise<void>;
  /** Settles when a stop asked for has stopped the engine. */
  stopped?: Promise<void>;
}

const ACTIVE = new Set(['STARTING', 'RUNNING', 'STOPPING']);
const seconds = (ms: number) => ms / 1_000;

export async function startLocalGlueService(options: LocalGlueServiceOptions): Promise<LocalGlueService> {
  const runs: LocalRun[] = [];
  let notifications = Promise.resolve();

  const setState = (run: LocalRun, state: LocalRun['JobRunState'], message: string) => {
    run.JobRunState = state;
    run.LastModifiedOn = seconds(Date.now());
    if (state === 'STOPPED' || state === 'FAILED') run.CompletedOn = run.LastModifiedOn;
    const change = { jobName: run.JobName, jobRunId: run.Id, state, message };
    notifications = notifications.then(() => options.onStateChange?.(change)).catch(() => undefined);
  };

  const view = ({ engine: _engine, ended: _ended, stopped: _stopped, ...run }: LocalRun) => ({
    ...run,
    Attempt: 0,
    ...(run.CompletedOn === undefined ? {} : { ExecutionTime: Math.round(run.CompletedOn - run.StartedOn) }),
  });

  const jobNamed = (input: Record<string, unknown>) => {
    if (input.JobName !== LOCAL_GLUE_JOB_NAME) {
      throw new GlueApiError('EntityNotFoundException', `Job ${String(input.JobName)} not found`);
    }
  };

  const stopRun = (run: LocalRun): Promise<void> => {
    setState(run, 'STOPPING', 'stop requested');
    run.stopped = (async () => {
      await run.ended.catch(() => undefined);
      await run.engine?.stop();
      if (run.JobRunState === 'STOPPING') setState(run, 'STOPPED', 'Job run stopped');
    })();
    return run.stopped;
  };

  const server: GlueJsonServer = await startGlueJsonServer(
    {
      GetJobRuns(input) {
        jobNamed(input);
        const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
        return { JobRuns: [...runs].reverse().slice(0, max).map(view) };
      },
      GetJobRun(input) {
        jobNamed(input);
        const run = runs.find((candidate) => candidate.Id === input.RunId);
        if (run === undefined)
          throw new GlueApiError('EntityNotFoundException', `Job run ${String(input.RunId)} not found`);
        return { JobRun: view(run) };
      },
      StartJobRun(input) {
        jobNamed(input);
        if (runs.some((run) => ACTIVE.has(run.JobRunState))) {
          throw new GlueApiError(
            'ConcurrentRunsExceededException',
            `Concurrent runs exceeded for ${LOCAL_GLUE_JOB_NAME}`,
          );
        }
        const now = seconds(Date.now());
        const run: LocalRun = {
          Id: `jr_${randomUUID().replace(/-/g, '')}`,
          JobName: LOCAL_GLUE_JOB_NAME,
          JobRunState: 'STARTING',
          StartedOn: now,
          LastModifiedOn: now,
          ended: Promise.resolve(),
        };
        runs.push(run);
        setState(run, 'STARTING', 'run starting');
        run.ended = options.startEngine().then(
          (engine) => {
            run.engine = engine;
            // Stopped while starting: the stop waits for this, then stops the engine.
            if (run.JobRunState === 'STARTING') setState(run, 'RUNNING', 'run running');
          },
          (error: unknown) => {
            run.ErrorMessage = error instanceof Error ? error.message : String(error);
            setState(run, 'FAILED', run.ErrorMessage);
            throw error;
          },
        );
        run.ended.catch(() => undefined);
        return { JobRunId: run.Id };
      },
      BatchStopJobRun(input) {
        jobNamed(input);
        const submitted = [];
        const errors = [];
        for (const id of Array.isArray(input.JobRunIds) ? input.JobRunIds : []) {
          const run = runs.find((candidate) => candidate.Id === id);
          if (run !== undefined && (run.JobRunState === 'STARTING' || run.JobRunState === 'RUNNING')) {
            void stopRun(run);
            submitted.push({ JobName: LOCAL_GLUE_JOB_NAME, JobRunId: id });
          } else {
            errors.push({
              JobName: LOCAL_GLUE_JOB_NAME,
              JobRunId: id,
              ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: `Job run ${String(id)} is not running` },
            });
          }
        }
        return { SuccessfulSubmissions: submitted, Errors: errors };
      },
    },
    options.port,
  );

  return {
    url: server.url,
    jobName: LOCAL_GLUE_JOB_NAME,
    engine: () => runs.findLast((run) => run.JobRunState === 'RUNNING')?.engine ?? null,
    settled: () => notifications,
    async stop() {
      await Promise.all(
        runs
          .filter((run) => run.JobRunState === 'STARTING' || run.JobRunState === 'RUNNING')
          .map((run) => stopRun(run)),
      );
      await Promise.all(runs.flatMap((run) => [run.ended.catch(() => undefined), run.stopped]));
      await notifications;
      await server.close();
    },
  };
}
