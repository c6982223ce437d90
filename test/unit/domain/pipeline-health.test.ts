import { describe, expect, it } from 'vitest';
import {
  fastPathHealth,
  type GlueRunView,
  PIPELINE_THRESHOLDS,
  richPathHealth,
  worstOf,
} from '../../../functions/domain/pipeline-health.js';

const NOW = Date.parse('2026-12-06T06:00:00.000Z');
const run = (state: string, startedSecondsAgo = 30, errorMessage: string | null = null): GlueRunView => ({
  id: 'jr_1',
  state,
  startedAt: new Date(NOW - startedSecondsAgo * 1_000).toISOString(),
  lastModifiedAt: new Date(NOW - 10_000).toISOString(),
  completedAt: null,
  errorMessage,
});

describe('richPathHealth: the rich path is up while its streaming run runs', () => {
  it('is ok while the run is RUNNING', () => {
    expect(richPathHealth(run('RUNNING', 90), NOW)).toEqual({ status: 'ok', why: 'run jr_1 running for 90 s' });
  });

  it('is amber while a run starts or stops, saying so, and past the threshold saying how long', () => {
    expect(richPathHealth(run('STARTING'), NOW).status).toBe('warn');
    expect(richPathHealth(run('STOPPING'), NOW)).toMatchObject({
      status: 'warn',
      why: expect.stringMatching(/stopping/),
    });
    const slow = richPathHealth(run('STARTING', PIPELINE_THRESHOLDS.glueStartingWarnSeconds + 1), NOW);
    expect(slow).toEqual({ status: 'warn', why: 'run jr_1 still STARTING after 301 s' });
    // A stop counts from when it was asked for, not from the run's start.
    expect(richPathHealth(run('STOPPING', 3_600), NOW).why).toBe('run jr_1 stopping: no new run until it has stopped');
    const stuck = { ...run('STOPPING', 3_600), lastModifiedAt: new Date(NOW - 400_000).toISOString() };
    expect(richPathHealth(stuck, NOW)).toEqual({ status: 'warn', why: 'run jr_1 still stopping after 400 s' });
  });

  it('is down when no run is active, with the last run’s end and error', () => {
    expect(richPathHealth(run('FAILED', 600, 'OutOfMemory'), NOW)).toEqual({
      status: 'down',
      why: 'no run is active; the last, jr_1, ended FAILED: OutOfMemory',
    });
    expect(richPathHealth(run('STOPPED'), NOW).status).toBe('down');
    expect(richPathHealth(null, NOW)).toMatchObject({ status: 'down', why: expect.stringMatching(/never run/) });
  });
});

describe('fastPathHealth', () => {
  it('turns amber at the quarantine threshold, not before', () => {
    const limit = PIPELINE_THRESHOLDS.quarantinedLastHourWarn;
    expect(fastPathHealth(limit - 1).status).toBe('ok');
    expect(fastPathHealth(limit)).toEqual({ status: 'warn', why: `${limit} bad records quarantined in the last hour` });
  });
});

describe('worstOf', () => {
  it('is the worst status, ok for none', () => {
    expect(worstOf([])).toBe('ok');
    expect(worstOf(['ok', 'warn', 'ok'])).toBe('warn');
    expect(worstOf(['warn', 'down', 'ok'])).toBe('down');
  });
});
