/** `npm start --glue-engine spark`: a DuckDB run's recording replayed through the Glue job's own PySpark code. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsPythonSuites, warnSkipped } from '../helpers/glue-python.js';
import { lastLineJson, portsOf, serversOnPorts, startProcess } from '../helpers/npm-start-process.js';

warnSkipped('npm start --glue-engine spark');

describe.runIf(runsPythonSuites)('npm start --glue-engine spark', () => {
  it('replays a DuckDB run’s recording through the Glue job’s PySpark code: the same records read and accepted, rich-path prices moved', {
    timeout: 420_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clickprice-npm-start-spark-'));
    const recording = join(dir, 'run.jsonl');
    try {
      // --drain: each run's rich path aggregates everything sent before the summary counts it.
      // Four times the default rate, replayed as fast as the stream takes it: demand far over the seeded
      // baseline in whichever windows the replay falls, so the rich path has evidence to act on.
      // History: a few minutes past the 10 windows a baseline needs (pricing-defaults.ts), not the
      // default 30, whose seeding at this rate took 24 s of each run.
      const common = ['--rate', '400', '--drain', '--history-minutes', '12'];
      const duckdb = startProcess(['--duration', '8', ...common, '--record', recording]);
      expect(await duckdb.exited, duckdb.output().stderr).toBe(0);
      // Long enough for the whole replay to reach the stream while Spark starts beside it on a busy
      // machine (CI): a run cut short would replay, and count, only part of the recording.
      const spark = startProcess(['--duration', '30', ...common, '--replay', recording, '--glue-engine', 'spark']);
      expect(await spark.exited, spark.output().stderr).toBe(0);

      const [fromDuckdb, fromSpark] = [duckdb, spark].map((run) => lastLineJson(run.output().stdout));
      const counts = ({ richPath }: { richPath: Record<string, unknown> }) => ({
        recordsRead: richPath.recordsRead,
        eventsAggregated: richPath.eventsAggregated,
        recordsRejected: richPath.recordsRejected,
      });
      expect(fromSpark.richPath.engine).toBe('spark');
      expect(fromSpark.simulator.endedBy).toBe('replay-complete');
      expect(fromSpark.richPath.recordsRead).toBe(fromDuckdb.simulator.records);
      expect(counts(fromSpark)).toEqual(counts(fromDuckdb));
      expect(spark.output().stdout).toMatch(/\(.*rich-path\)/);
      expect(serversOnPorts(portsOf(fromSpark))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
