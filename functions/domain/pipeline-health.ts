/**
 * How healthy each path of the pricing pipeline is, from what can be read of it: the rich path's Glue
 * job run and the fast path's quarantine. Pure: the thresholds are data (PIPELINE_THRESHOLDS), served
 * with every answer so the dashboard shows what a colour means.
 */

export type HealthStatus = 'ok' | 'warn' | 'down';

export const PIPELINE_THRESHOLDS = {
  /** A Glue streaming run takes about a minute to start; longer than this is worth a look. */
  glueStartingWarnSeconds: 300,
  /** A stop longer than this is stuck: Glue stops a streaming run after its batch in flight. */
  glueStoppingWarnSeconds: 300,
  /** Bad records set aside in the last hour: a few are normal (broken clients), this many are not. */
  quarantinedLastHourWarn: 100,
} as const;

/** A Glue job run as the pipeline reports it. */
export interface GlueRunView {
  readonly id: string;
  /** Glue's JobRunState: STARTING, RUNNING, STOPPING, STOPPED, SUCCEEDED, FAILED, TIMEOUT, ERROR, WAITING. */
  readonly state: string;
  readonly startedAt: string | null;
  /** When its state last changed (a stop asked for, say). */
  readonly lastModifiedAt: string | null;
  readonly completedAt: string | null;
  readonly errorMessage: string | null;
}

export interface PathHealth {
  readonly status: HealthStatus;
  /** Why, in a sentence ops can act on. */
  readonly why: string;
}

const ageSeconds = (since: string | null, now: number) => (since === null ? 0 : (now - Date.parse(since)) / 1_000);

/** The rich path is up while its one streaming run runs; anything else means no aggregates are written. */
export function richPathHealth(run: GlueRunView | null, now: number): PathHealth {
  if (run === null) return { status: 'down', why: 'the Glue job has never run: no windows are aggregated' };
  const age = Math.round(ageSeconds(run.startedAt, now));
  switch (run.state) {
    case 'RUNNING':
      return { status: 'ok', why: `run ${run.id} running for ${age} s` };
    case 'STARTING':
    case 'WAITING':
      return age > PIPELINE_THRESHOLDS.glueStartingWarnSeconds
        ? { status: 'warn', why: `run ${run.id} still ${run.state} after ${age} s` }
        : { status: 'warn', why: `run ${run.id} ${run.state}: windows resume from the checkpoint once it runs` };
    case 'STOPPING': {
      const stopping = Math.round(ageSeconds(run.lastModifiedAt ?? run.startedAt, now));
      return stopping > PIPELINE_THRESHOLDS.glueStoppingWarnSeconds
        ? { status: 'warn', why: `run ${run.id} still stopping after ${stopping} s` }
        : { status: 'warn', why: `run ${run.id} stopping: no new run until it has stopped` };
    }
    default: {
      const error = run.errorMessage === null ? '' : `: ${run.errorMessage}`;
      return { status: 'down', why: `no run is active; the last, ${run.id}, ended ${run.state}${error}` };
    }
  }
}

/** The fast path, as far as its quarantine shows it. */
export function fastPathHealth(quarantinedLastHour: number): PathHealth {
  return quarantinedLastHour >= PIPELINE_THRESHOLDS.quarantinedLastHourWarn
    ? { status: 'warn', why: `${quarantinedLastHour} bad records quarantined in the last hour` }
    : { status: 'ok', why: `${quarantinedLastHour} bad records quarantined in the last hour` };
}

const RANK: Readonly<Record<HealthStatus, number>> = { ok: 0, warn: 1, down: 2 };

/** The worst of the paths' statuses. */
export function worstOf(statuses: readonly HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((worst, status) => (RANK[status] > RANK[worst] ? status : worst), 'ok');
}
