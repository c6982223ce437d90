/**
 * Pricing ops' control of the pipeline: restarting the rich path's Glue job. A restart stops the
 * active run; the new run is started when Glue reports the old one stopped (its "Glue Job State Change" event, handled by onRunEnded), or at
 * once when no run was active. Every restart is audited in the global history, like a config switch.
 */
import { randomUUID } from 'node:crypto';
import type { GlueRestart, GlueRestartAnswer } from '../domain/api-types.js';
import { ConflictError } from '../domain/errors.js';
import { type GlueRestartRequest, glueRestartRequestSchema } from '../domain/ops-requests.js';
import type { PriceChange } from '../domain/price-change.js';
import { globalOpsRowOf } from '../domain/price-history.js';
import { POLICY_VERSION } from '../domain/pricing-policy.js';
import { toIso } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import { type GlueJobRuns, isConcurrentRunsExceeded } from '../store/glue-job-runs.js';
import type { GlueRestartStore, StoredGlueRestart } from '../store/glue-restart-store.js';

/** Glue states in which a run has ended: a restart waiting for it can start the next. */
const ENDED_STATES: ReadonlySet<string> = new Set(['STOPPED', 'SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR']);

export interface PipelineControlDependencies {
  readonly glue: GlueJobRuns;
  readonly restarts: GlueRestartStore;
  /** @default Date.now */
  readonly clock?: () => number;
}

export class PipelineControl {
  private readonly clock: () => number;

  constructor(private readonly deps: PipelineControlDependencies) {
    this.clock = deps.clock ?? Date.now;
  }

  /**
   * Restarts the Glue job: 202 while the active run stops, 200 when no run was active and a new one
   * started at once. A restart still stopping is a ConflictError (409) naming who asked, and when.
   */
  async restartGlue(input: GlueRestartRequest): Promise<{ status: 200 | 202; answer: GlueRestartAnswer }> {
    const request = parseOrThrow(glueRestartRequestSchema, input);
    const previous = await this.deps.restarts.latest();
    const active = await this.deps.glue.active();
    if (previous?.state === 'stopping') {
      if (active.length > 0) throw inProgress(previous);
      // Its old run has stopped but the event that would have started the next never came: start it now.
      const finished = await this.startNewRun(previous);
      throw new ConflictError(
        `a Glue job restart asked for by ${previous.requestedBy} at ${previous.requestedAt} was still waiting; its old run had stopped, so it ${finished.state === 'done' ? `started run ${finished.newRunId} now` : `failed: ${finished.error}`}`,
      );
    }
    const requestedAt = toIso(this.clock());
    const version = (previous?.version ?? 0) + 1;
    const restart: StoredGlueRestart = {
      requestedAt,
      requestedBy: request.actor,
      reason: request.reason,
      state: 'stopping',
      stoppingRunIds: active.flatMap((run) => (run.Id ? [run.Id] : [])),
      newRunId: null,
      finishedAt: null,
      error: null,
      version,
    };
    const runs =
      restart.stoppingRunIds.length === 0 ? 'no run was active' : `stopping ${restart.stoppingRunIds.join(', ')}`;
    const requested = this.auditRow(
      restart,
      'glue_restart_requested',
      `Glue job restart asked for (${runs}): ${request.reason}`,
      requestedAt,
    );
    if (!(await this.deps.restarts.begin(restart, requested))) {
      const latest = await this.deps.restarts.latest();
      throw latest === null ? new ConflictError('another Glue job restart began at the same time') : inProgress(latest);
    }
    if (restart.stoppingRunIds.length > 0) {
      await this.deps.glue.stop(active);
      return { status: 202, answer: { restart: publicView(restart), change: requested } };
    }
    const finished = await this.startNewRun(restart);
    return {
      status: finished.state === 'done' ? 200 : 202,
      answer: { restart: publicView(finished), change: requested },
    };
  }

  /**
   * A run of the job ended (EventBridge's "Glue Job State Change", or the local Glue service's): if a
   * restart was waiting for it and no run is active any more, starts the new run. Idempotent: a
   * redelivered event finds the restart done.
   */
  async onRunEnded(change: {
    readonly jobName: string;
    readonly jobRunId: string;
    readonly state: string;
  }): Promise<GlueRestart | null> {
    if (change.jobName !== this.deps.glue.jobName || !ENDED_STATES.has(change.state)) return null;
    const restart = await this.deps.restarts.latest();
    if (restart?.state !== 'stopping' || !restart.stoppingRunIds.includes(change.jobRunId)) return null;
    if ((await this.deps.glue.active()).length > 0) return null;
    return publicView(await this.startNewRun(restart));
  }

  private async startNewRun(restart: StoredGlueRestart): Promise<StoredGlueRestart> {
    const finishedAt = toIso(this.clock());
    let outcome: Pick<GlueRestart, 'state' | 'newRunId' | 'finishedAt' | 'error'>;
    try {
      outcome = { state: 'done', newRunId: await this.deps.glue.start(), finishedAt, error: null };
    } catch (error) {
      // Another finisher (the event, or a restart request that found the old run gone) started the
      // run first: that one records the restart done.
      if (isConcurrentRunsExceeded(error)) {
        if (restart.stoppingRunIds.length > 0) return (await this.deps.restarts.latest()) ?? restart;
        // Nothing was stopping: a run was started by someone else since. It is the run asked for.
        const [running] = await this.deps.glue.active();
        outcome = { state: 'done', newRunId: running?.Id ?? null, finishedAt, error: null };
        await this.deps.restarts.finish(restart.requestedAt, outcome, null);
        return { ...restart, ...outcome };
      }
      outcome = {
        state: 'failed',
        newRunId: null,
        finishedAt,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    const explanation =
      outcome.state === 'done'
        ? `Glue job restarted: run ${outcome.newRunId} started (asked for by ${restart.requestedBy} at ${restart.requestedAt})`
        : `Glue job restart failed: ${outcome.error}`;
    const row = this.auditRow({ ...restart, version: restart.version }, 'glue_restarted', explanation, finishedAt);
    // Lost to a concurrent finisher (the event and a retry): that one started the run and wrote the row.
    await this.deps.restarts.finish(restart.requestedAt, outcome, outcome.state === 'done' ? row : null);
    return { ...restart, ...outcome };
  }

  private auditRow(
    restart: StoredGlueRestart,
    reasonCode: 'glue_restart_requested' | 'glue_restarted',
    explanation: string,
    at: string,
  ): PriceChange {
    return globalOpsRowOf({
      changedAt: at,
      decisionId: `ops-${randomUUID()}`,
      reasonCode,
      explanation: explanation.slice(0, 1_000),
      policyVersion: POLICY_VERSION,
      actor: restart.requestedBy,
      version: restart.version,
    });
  }
}

function inProgress(restart: GlueRestart): ConflictError {
  return new ConflictError(
    `a Glue job restart asked for by ${restart.requestedBy} at ${restart.requestedAt} is in progress: waiting for run ${restart.stoppingRunIds.join(', ')} to stop`,
  );
}

/** A restart as the API shows it (without the version of its audit rows). */
export function publicView({ version: _version, ...restart }: StoredGlueRestart): GlueRestart {
  return restart;
}
