import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  lastLineJson,
  npmStart,
  portsOf,
  serversOnPorts,
  startProcess,
  untilReady,
} from '../helpers/npm-start-process.js';

/** What a stop is tested on needs no seeded history, which is most of a start-up's time on a busy machine. */
const NO_HISTORY = ['--history-minutes', '0'];

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

  // At once, not one by one: each is a process of its own, refused before any server starts.
  it.concurrent.for<[string[], RegExp]>([
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
  ])('rejects %j with exit code 2 and says what is wrong', async ([args, message], { expect }) => {
    const run = startProcess(args);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(message);
  });
});
