import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInstrumentation } from '../../../functions/handlers/instrumentation.js';

/** What the process wrote to stdout and stderr while `act` ran (Powertools writes both through console). */
async function output(act: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await act();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.join('');
}

afterEach(() => vi.restoreAllMocks());

describe('the instrumentation every handler runs under', () => {
  it('says nothing when an invocation measured nothing (a dashboard file), at the INFO level handlers log at', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const { metrics } = createInstrumentation('dashboard');

    const written = await output(async () => {
      metrics.publishStoredMetrics();
    });

    expect(written).toBe('');
  });

  it('still publishes what was measured, and passes Metrics’ other warnings on as warnings', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const { metrics } = createInstrumentation('clickstream');

    const written = await output(async () => {
      metrics.addMetric('RecordsReceived', 'Count', 3);
      metrics.publishStoredMetrics();
      // A dimension that cannot be added: Metrics warns, and that warning must stay one.
      metrics.addDimension('stage', '');
    });

    expect(written).toContain('"RecordsReceived":3');
    expect(written).not.toContain('No application metrics');
    const warnings = written
      .split('\n')
      .filter((line) => line.startsWith('{') && !line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as { level: string; message: string });
    expect(warnings).toEqual([
      expect.objectContaining({ level: 'WARN', message: expect.stringMatching(/The dimension stage doesn't meet/) }),
    ]);
  });
});
