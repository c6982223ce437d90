/**
 * Keeps the rich path's streaming Glue job running: a run that ended in TIMEOUT is followed by a new
 * one. Glue's docs disagree on what a streaming run does at its 7-day timeout (restarted in the
 * maintenance window, or ended), and MaxRetries retries failed runs, not timed-out ones. An event for
 * a run Glue itself replaced, or one redelivered, finds a run active and starts nothing.
 */
import { globalOpsRowOf } from '../domain/price-history.js';
import { POLICY_VERSION } from '../domain/pricing-policy.js';
import { type GlueJobRuns, isConcurrentRunsExceeded } from '../store/glue-job-runs.js';
import type { PriceHistoryStore } from '../store/price-history-store.js';

/** Who the history row names: the run-events function, not a person. */
export const GLUE_RUN_KEEPER_ACTOR = 'glue-run-events';

export class GlueRunKeeper {
  constructor(private readonly deps: { readonly glue: GlueJobRuns; readonly history: PriceHistoryStore }) {}

  /**
   * A run of the job ended (EventBridge's "Glue Job State Change", at `at`): after a TIMEOUT with no
   * run active, records in the global history that it starts the next run, and starts it. The ids, or
   * null when it started nothing.
   */
  async onRunEnded(
    change: { readonly jobName: string; readonly jobRunId: string; readonly state: string },
    at: string,
  ): Promise<{ readonly timedOutRunId: string; readonly newRunId: string } | null> {
    const { glue, history } = this.deps;
    if (change.jobName !== glue.jobName || change.state !== 'TIMEOUT') return null;
    if ((await glue.active()).length > 0) return null;
    // Recorded before the start, keyed by the event: a retry after a start whose answer was lost
    // finds the row there and the run active, and a start that failed is tried again under the same row.
    await history.append(
      globalOpsRowOf({
        changedAt: at,
        decisionId: `glue-timeout-${change.jobRunId}`,
        reasonCode: 'glue_restarted',
        explanation: `Glue job run ${change.jobRunId} ended in TIMEOUT; the next run is started in its place`,
        policyVersion: POLICY_VERSION,
        actor: GLUE_RUN_KEEPER_ACTOR,
        version: 1,
      }),
    );
    let newRunId: string;
    try {
      newRunId = await glue.start();
    } catch (error) {
      // Started by another delivery of the event, or by Glue, since the look above.
      if (isConcurrentRunsExceeded(error)) return null;
      throw error;
    }
    return { timedOutRunId: change.jobRunId, newRunId };
  }
}
