/**
 * How healthy each path of the pricing pipeline is, from what can be read of it: the rich path's Glue
 * job run and its last committed batch; the fast path's event-source mapping, its function's metrics,
 * its dead-letter queue and its quarantine. Pure: the thresholds are data (PIPELINE_THRESHOLDS), served
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
  /** The fast path's iterator age: a minute behind is a backlog, ten minutes means prices lag demand. */
  iteratorAgeWarnSeconds: 60,
  iteratorAgeDownSeconds: 600,
  /** The newest record the rich path has committed: a window is a minute, plus its grace and a batch. */
  richLagWarnSeconds: 300,
} as const;

/**
 * The rich path's last committed batch, as the engine (the Glue job, or a local engine) records it
 * after the batch's rows are written: the item `rich-path-progress` of the pricing-config table.
 */
export interface RichPathProgress {
  readonly batchId: number;
  readonly windowStart: string;
  readonly windowEnd: string;
  /** Stream records the batch read, and those of them the click rules refused. */
  readonly records: number;
  readonly rejected: number;
  /** Aggregate rows written. */
  readonly rows: number;
  /** When the batch's newest record reached the stream. */
  readonly newestArrivalAt: string;
  readonly committedAt: string;
  readonly engine: 'glue' | 'duckdb' | 'spark';
}

/** The fast path's event-source mapping, as Lambda's GetEventSourceMapping describes it. */
export interface MappingView {
  readonly id: string;
  /** Enabled, Disabled, Creating, Enabling, Disabling, Updating, Deleting. */
  readonly state: string;
  /** "OK", "PROBLEM: …" or "No records processed". */
  readonly lastProcessingResult: string | null;
}

/** The fast path's numbers over the last hour, from its function's and its dead-letter queue's metrics. */
export interface FastPathMetrics {
  readonly invocationsLastHour: number;
  readonly errorsLastHour: number;
  /** The newest IteratorAge (the age of the last record of a batch when sent); null when nothing ran lately. */
  readonly iteratorAgeSeconds: number | null;
  /** Discarded batches sent to the dead-letter queue in the last hour, and those waiting there. */
  readonly deadLettersSentLastHour: number;
  readonly deadLettersWaiting: number | null;
}

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

/**
 * The rich path is up while its one streaming run runs and keeps up; anything else means no aggregates
 * are written. Behind means clicks are arriving (`clicksArriving`: the fast path read some lately) but
 * the newest record the run has committed is older than the threshold: with no clicks there is no
 * batch to commit, and an old newest record is no fault.
 */
export function richPathHealth(
  run: GlueRunView | null,
  progress: RichPathProgress | null,
  now: number,
  clicksArriving: boolean,
): PathHealth {
  const health = runHealth(run, now);
  if (health.status !== 'ok' || run === null) return health;
  const limit = PIPELINE_THRESHOLDS.richLagWarnSeconds;
  const lag = richPathLagSeconds(progress, now);
  if (lag === null) {
    const age = Math.round(ageSeconds(run.startedAt, now));
    return clicksArriving && age > limit
      ? { status: 'warn', why: `run ${run.id} running for ${age} s with clicks arriving, but no batch committed` }
      : { status: 'ok', why: `run ${run.id} running for ${age} s, no batch committed yet` };
  }
  return clicksArriving && lag > limit
    ? { status: 'warn', why: `run ${run.id} running, but its newest committed record is ${lag} s old` }
    : { status: 'ok', why: `run ${run.id} running; newest committed record ${lag} s old` };
}

/** How old the newest record the rich path has committed is, in whole seconds; null before its first batch. */
export function richPathLagSeconds(progress: RichPathProgress | null, now: number): number | null {
  return progress === null ? null : Math.max(0, Math.round(ageSeconds(progress.newestArrivalAt, now)));
}

function runHealth(run: GlueRunView | null, now: number): PathHealth {
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

/**
 * The fast path: down when its mapping does not poll or its backlog is ten minutes old; amber on a
 * minute's backlog, function errors, dead letters waiting or many bad records. Each finding at the
 * worst status is named; `null` inputs are what could not be read, said as such.
 */
export function fastPathHealth(input: {
  readonly mapping: MappingView | null;
  readonly metrics: FastPathMetrics | null;
  readonly quarantinedLastHour: number;
}): PathHealth {
  const findings: PathHealth[] = [];
  const { mapping, metrics, quarantinedLastHour } = input;
  const t = PIPELINE_THRESHOLDS;
  if (mapping === null) findings.push({ status: 'warn', why: 'its event-source mapping could not be read' });
  else if (mapping.state === 'Disabled' || mapping.state === 'Deleting')
    findings.push({ status: 'down', why: `its event-source mapping is ${mapping.state}: no clicks are read` });
  else if (mapping.state !== 'Enabled')
    findings.push({ status: 'warn', why: `its event-source mapping is ${mapping.state}` });
  if (metrics === null) findings.push({ status: 'warn', why: 'its metrics could not be read' });
  else {
    const age = metrics.iteratorAgeSeconds;
    if (age !== null && age > t.iteratorAgeWarnSeconds)
      findings.push({
        status: age > t.iteratorAgeDownSeconds ? 'down' : 'warn',
        why: `${Math.round(age)} s behind the stream`,
      });
    if (metrics.errorsLastHour > 0)
      findings.push({ status: 'warn', why: `${metrics.errorsLastHour} failed invocations in the last hour` });
    if ((metrics.deadLettersWaiting ?? 0) > 0)
      findings.push({ status: 'warn', why: `${metrics.deadLettersWaiting} discarded batches wait in the DLQ` });
  }
  if (quarantinedLastHour >= t.quarantinedLastHourWarn)
    findings.push({ status: 'warn', why: `${quarantinedLastHour} bad records quarantined in the last hour` });
  const status = worstOf(findings.map((finding) => finding.status));
  if (status === 'ok') {
    const age = metrics?.iteratorAgeSeconds;
    const behind = age === null || age === undefined ? 'idle' : `${Math.round(age)} s behind the stream`;
    return {
      status,
      why: `reading clicks, ${behind}; ${quarantinedLastHour} bad records quarantined in the last hour`,
    };
  }
  return {
    status,
    why: findings
      .filter((finding) => finding.status === status)
      .map((finding) => finding.why)
      .join('; '),
  };
}

const RANK: Readonly<Record<HealthStatus, number>> = { ok: 0, warn: 1, down: 2 };

/** The worst of the paths' statuses. */
export function worstOf(statuses: readonly HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((worst, status) => (RANK[status] > RANK[worst] ? status : worst), 'ok');
}
