import { describe, expect, it } from 'vitest';
import {
  type FastPathMetrics,
  fastPathHealth,
  type GlueRunView,
  type MappingView,
  PIPELINE_THRESHOLDS,
  type RichPathProgress,
  richPathHealth,
  richPathLagSeconds,
  worstOf,
} from '../../../functions/domain/pipeline-health.js';

const NOW = Date.parse('2026-12-06T06:00:00.000Z');
const secondsAgo = (seconds: number) => new Date(NOW - seconds * 1_000).toISOString();
const run = (state: string, startedSecondsAgo = 30, errorMessage: string | null = null): GlueRunView => ({
  id: 'jr_1',
  state,
  startedAt: secondsAgo(startedSecondsAgo),
  lastModifiedAt: secondsAgo(10),
  completedAt: null,
  errorMessage,
});
const committed = (newestSecondsAgo: number): RichPathProgress => ({
  batchId: 41,
  windowStart: secondsAgo(newestSecondsAgo + 60),
  windowEnd: secondsAgo(newestSecondsAgo),
  records: 6_000,
  rejected: 12,
  rows: 230,
  newestArrivalAt: secondsAgo(newestSecondsAgo),
  committedAt: secondsAgo(newestSecondsAgo - 20),
  engine: 'duckdb',
});

describe('richPathHealth: the rich path is up while its streaming run runs and keeps up', () => {
  it('is ok while the run is RUNNING and its newest committed record is recent, saying how old', () => {
    expect(richPathHealth(run('RUNNING', 900), committed(75), NOW, true)).toEqual({
      status: 'ok',
      why: 'run jr_1 running; newest committed record 75 s old',
    });
  });

  it('is amber when clicks arrive but the run commits none, or lags past the threshold', () => {
    const limit = PIPELINE_THRESHOLDS.richLagWarnSeconds;
    expect(richPathHealth(run('RUNNING', limit + 1), null, NOW, true)).toEqual({
      status: 'warn',
      why: `run jr_1 running for ${limit + 1} s with clicks arriving, but no batch committed`,
    });
    expect(richPathHealth(run('RUNNING'), committed(limit), NOW, true).status).toBe('ok');
    expect(richPathHealth(run('RUNNING'), committed(limit + 1), NOW, true)).toEqual({
      status: 'warn',
      why: `run jr_1 running, but its newest committed record is ${limit + 1} s old`,
    });
  });

  it('is ok with no clicks arriving, however old its newest committed record: there is nothing to commit', () => {
    const limit = PIPELINE_THRESHOLDS.richLagWarnSeconds;
    expect(richPathHealth(run('RUNNING', limit + 1), null, NOW, false)).toEqual({
      status: 'ok',
      why: `run jr_1 running for ${limit + 1} s, no batch committed yet`,
    });
    expect(richPathHealth(run('RUNNING'), committed(3_600), NOW, false).status).toBe('ok');
  });

  it('is amber while a run starts or stops, saying so, and past the threshold saying how long', () => {
    expect(richPathHealth(run('STARTING'), null, NOW, true).status).toBe('warn');
    expect(richPathHealth(run('STOPPING'), committed(10), NOW, true)).toMatchObject({
      status: 'warn',
      why: expect.stringMatching(/stopping/),
    });
    const slow = richPathHealth(run('STARTING', PIPELINE_THRESHOLDS.glueStartingWarnSeconds + 1), null, NOW, true);
    expect(slow).toEqual({ status: 'warn', why: 'run jr_1 still STARTING after 301 s' });
    // A stop counts from when it was asked for, not from the run's start.
    expect(richPathHealth(run('STOPPING', 3_600), null, NOW, true).why).toBe(
      'run jr_1 stopping: no new run until it has stopped',
    );
    const stuck = { ...run('STOPPING', 3_600), lastModifiedAt: secondsAgo(400) };
    expect(richPathHealth(stuck, null, NOW, true)).toEqual({
      status: 'warn',
      why: 'run jr_1 still stopping after 400 s',
    });
  });

  it('is down when no run is active, with the last run’s end and error, whatever was committed', () => {
    expect(richPathHealth(run('FAILED', 600, 'OutOfMemory'), committed(5), NOW, true)).toEqual({
      status: 'down',
      why: 'no run is active; the last, jr_1, ended FAILED: OutOfMemory',
    });
    expect(richPathHealth(run('STOPPED'), null, NOW, false).status).toBe('down');
    expect(richPathHealth(null, null, NOW, false)).toMatchObject({
      status: 'down',
      why: expect.stringMatching(/never run/),
    });
  });

  it('measures its lag from the newest committed record’s arrival, none before the first batch', () => {
    expect(richPathLagSeconds(committed(83), NOW)).toBe(83);
    expect(richPathLagSeconds(null, NOW)).toBeNull();
  });
});

describe('fastPathHealth: the fast path is up while its mapping polls and keeps up', () => {
  const enabled: MappingView = { id: 'esm-1', state: 'Enabled', lastProcessingResult: 'OK' };
  const quiet: FastPathMetrics = {
    invocationsLastHour: 3_600,
    errorsLastHour: 0,
    iteratorAgeSeconds: 0.4,
    deadLettersSentLastHour: 0,
    deadLettersWaiting: 0,
  };
  const health = (changes: { mapping?: MappingView | null; metrics?: Partial<FastPathMetrics> | null; q?: number }) =>
    fastPathHealth({
      mapping: changes.mapping === undefined ? enabled : changes.mapping,
      metrics: changes.metrics === null ? null : { ...quiet, ...changes.metrics },
      quarantinedLastHour: changes.q ?? 0,
    });

  it('is ok when enabled, current and clean, saying how far behind it reads', () => {
    expect(health({})).toEqual({
      status: 'ok',
      why: 'reading clicks, 0 s behind the stream; 0 bad records quarantined in the last hour',
    });
    expect(health({ metrics: { iteratorAgeSeconds: null } }).why).toMatch(/^reading clicks, idle;/);
  });

  it('is down when its mapping does not poll, or its backlog passes the down threshold', () => {
    expect(health({ mapping: { ...enabled, state: 'Disabled' } })).toEqual({
      status: 'down',
      why: 'its event-source mapping is Disabled: no clicks are read',
    });
    const { iteratorAgeWarnSeconds: warn, iteratorAgeDownSeconds: down } = PIPELINE_THRESHOLDS;
    expect(health({ metrics: { iteratorAgeSeconds: warn } }).status).toBe('ok');
    expect(health({ metrics: { iteratorAgeSeconds: warn + 1 } })).toEqual({
      status: 'warn',
      why: `${warn + 1} s behind the stream`,
    });
    expect(health({ metrics: { iteratorAgeSeconds: down + 1 } }).status).toBe('down');
  });

  it('names every finding at the worst status: errors, dead letters waiting, quarantine', () => {
    const limit = PIPELINE_THRESHOLDS.quarantinedLastHourWarn;
    expect(health({ q: limit - 1 }).status).toBe('ok');
    expect(health({ metrics: { errorsLastHour: 2, deadLettersWaiting: 1 }, q: limit })).toEqual({
      status: 'warn',
      why: `2 failed invocations in the last hour; 1 discarded batches wait in the DLQ; ${limit} bad records quarantined in the last hour`,
    });
    // Dead letters already redriven (sent, none waiting) are no finding.
    expect(health({ metrics: { deadLettersSentLastHour: 4, deadLettersWaiting: 0 } }).status).toBe('ok');
  });

  it('says what could not be read instead of guessing', () => {
    expect(health({ mapping: null, metrics: null })).toEqual({
      status: 'warn',
      why: 'its event-source mapping could not be read; its metrics could not be read',
    });
    expect(health({ mapping: { ...enabled, state: 'Updating' } }).why).toBe('its event-source mapping is Updating');
  });
});

describe('worstOf', () => {
  it('is the worst status, ok for none', () => {
    expect(worstOf([])).toBe('ok');
    expect(worstOf(['ok', 'warn', 'ok'])).toBe('warn');
    expect(worstOf(['warn', 'down', 'ok'])).toBe('down');
  });
});
