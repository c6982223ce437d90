import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runsPythonSuites, warnSkipped } from '../helpers/glue-python.js';

/** Runs the same entry point as `npm start` (package.json execs exactly this). */
function startProcess(args: string[]) {
  return watch(
    spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * `npm start` itself, in a process group of its own as a terminal would run it, so a test can press
 * Ctrl-C: a SIGINT to the whole group.
 */
function npmStart(args: string[]) {
  return watch(spawn('npm', ['start', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
}

/** What a stop is tested on needs no seeded history, which is most of a start-up's time on a busy machine. */
const NO_HISTORY = ['--history-minutes', '0'];

function watch(child: ChildProcessByStdio<null, Readable, Readable>) {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Server processes still running that were started for one of these ports. */
function serversOnPorts(ports: string[]): string[] {
  const processes = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n');
  return processes.filter(
    (line) => /DynamoDBLocal|kinesalite/.test(line) && ports.some((port) => line.includes(` ${port} `)),
  );
}

function portsOf(summary: { endpoints: Record<string, string> }): string[] {
  return Object.values(summary.endpoints).map((endpoint) => new URL(endpoint).port);
}

/** Waits until the run says it is serving (or fails if it exits first). */
async function untilReady(run: ReturnType<typeof watch>): Promise<void> {
  while (!run.output().stdout.includes('Press Ctrl-C')) {
    if (run.child.exitCode !== null) throw new Error(`exited early: ${run.output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function lastLineJson(stdout: string) {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}

describe('npm start', () => {
  it('with --duration runs, seeds, simulates, exits 0 with a JSON summary last, and leaves no server behind', {
    timeout: 90_000,
  }, async () => {
    const launched = Date.now();
    const run = startProcess(['--duration', '3', '--rate', '200']);
    expect(await run.exited).toBe(0);
    const exited = Date.now();
    const { stdout } = run.output();
    expect(stdout).toMatch(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/table priceHistory\s+clickprice-price-history/);
    expect(stdout).toMatch(/simulator: flash-sale at 200 events\/s/);
    const summary = lastLineJson(stdout);
    expect(summary).toMatchObject({ status: 'stopped', endedBy: 'duration', catalogue: { created: 240, existing: 0 } });
    expect(serversOnPorts(portsOf(summary))).toEqual([]);
    // Half an hour of steady demand history was seeded before the simulator started.
    expect(summary.history).toMatchObject({ minutes: 30 });
    expect(summary.history.demandItems).toBeGreaterThan(1_000);
    expect(summary.history.aggregateRows).toBeGreaterThan(1_000);
    // The simulator ran inside the run and stopped before the stack: 3 s at 200 events/s, after it
    // caught up from the top of the minute where the history ends (the minute the run began in), so
    // no more than 200 a second from that minute's start until the run ended (a fifth more for chance).
    expect(summary.simulator).toMatchObject({ scenario: 'flash-sale', lost: 0, endedBy: 'signal' });
    expect(summary.simulator.records).toBeGreaterThan(500);
    const simulatedSeconds = (exited - Math.floor(launched / 60_000) * 60_000) / 1000;
    expect(summary.simulator.records).toBeLessThan(200 * simulatedSeconds * 1.2);
    // Every record sent went through the local event-source mapping into the clickstream handler.
    expect(summary.pipeline).toMatchObject({ recordsProcessed: summary.simulator.records, recordsDiscarded: 0 });
    expect(stdout).toMatch(/fast path: clicks stream → clickstream handler → price store/);
  });

  it('leaves the simulator out with --no-simulator', async () => {
    const run = startProcess(['--duration', '1', '--no-simulator']);
    expect(await run.exited).toBe(0);
    expect(lastLineJson(run.output().stdout).simulator).toBeNull();
  });

  it('with --data-dir resumes where it stopped: data kept, no record processed twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'clickprice-start-'));
    try {
      // No seeded history: what is checked is the stream's and the mapping's state, and seeding 30
      // minutes (14,000 items) is most of a run's time on a busy CI machine.
      const first = startProcess(['--duration', '3', '--rate', '200', '--history-minutes', '0', '--data-dir', dataDir]);
      expect(await first.exited).toBe(0);
      const before = lastLineJson(first.output().stdout);
      const second = startProcess(['--duration', '2', '--no-simulator', '--data-dir', dataDir]);
      expect(await second.exited).toBe(0);
      const after = lastLineJson(second.output().stdout);

      expect(before.pipeline.recordsProcessed).toBe(before.simulator.records);
      // The stream and the checkpoints were kept: the restarted mapping had nothing left to read.
      expect(after.catalogue).toEqual({ created: 0, existing: 240 });
      expect(after.pipeline).toMatchObject({ invocations: 0, recordsProcessed: 0 });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Two full runs of the stack, each starting a JVM: longer than one test's default.
  }, 90_000);

  it('stops cleanly on SIGTERM mid-run, leaving no server behind', async () => {
    const run = startProcess(NO_HISTORY);
    await untilReady(run);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const summary = lastLineJson(run.output().stdout);
    expect(summary.endedBy).toBe('SIGTERM');
    expect(serversOnPorts(portsOf(summary))).toEqual([]);
  }, 90_000);

  it('stops cleanly on Ctrl-C, which stops its servers at the same moment, with its JSON summary last', async () => {
    const run = npmStart(NO_HISTORY);
    await untilReady(run);
    // Ctrl-C: SIGINT to the whole process group, DynamoDB Local's JVM and kinesalite included, and
    // npm sends its own SIGINT on to the run as well. The run must still finish its shutdown and say
    // so: not vanish once nothing is left running, nor die of the second SIGINT.
    process.kill(-(run.child.pid as number), 'SIGINT');
    expect(await run.exited).toBe(0);
    const summary = lastLineJson(run.output().stdout);
    expect(summary).toMatchObject({ status: 'stopped', endedBy: 'SIGINT' });
    expect(serversOnPorts(portsOf(summary))).toEqual([]);
  }, 90_000);

  it.each([
    [['--duration=-5'], /--duration must be a positive integer, got "-5"/],
    [['--duration', 'soon'], /--duration must be a positive integer, got "soon"/],
    [['--dynamodb-port', '70000'], /--dynamodb-port must be a port between 1 and 65535/],
    [['--bogus'], /Unknown option '--bogus'[\s\S]*usage: npm start/],
    [
      ['--scenario', 'cyber-monday'],
      /--scenario must be one of steady, flash-sale, black-friday, bot-attack, bad-events/,
    ],
    [['--rate', '0'], /--rate must be a positive integer, got "0"/],
    [['--glue-engine', 'flink'], /--glue-engine must be one of duckdb, spark/],
    [['--record', 'a.jsonl', '--replay', 'b.jsonl'], /--record and --replay exclude each other/],
    [['--replay', 'no-such-recording.jsonl'], /cannot read replay file no-such-recording\.jsonl/],
  ])('rejects %j with exit code 2 and says what is wrong', async (args, message) => {
    const run = startProcess(args);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(message);
  });
});

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
      const common = ['--duration', '8', '--rate', '400', '--drain', '--history-minutes', '12'];
      const duckdb = startProcess([...common, '--record', recording]);
      expect(await duckdb.exited, duckdb.output().stderr).toBe(0);
      // Long enough for the whole replay to reach the stream while Spark starts beside it on a busy
      // machine (CI): a run cut short would replay, and count, only part of the recording.
      const spark = startProcess([
        '--duration',
        '30',
        '--rate',
        '400',
        '--drain',
        '--history-minutes',
        '12',
        '--replay',
        recording,
        '--glue-engine',
        'spark',
      ]);
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
