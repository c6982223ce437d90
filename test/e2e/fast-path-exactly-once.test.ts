import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIso } from '../../functions/domain/time.js';
import { silentLogger } from '../../local/event-source-mapping/index.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline.js';
import { localStackTarget } from '../../local/simulation-target.js';
import { generateCatalogue } from '../../simulator/catalogue.js';
import { loadCatalogue } from '../../simulator/catalogue-loader.js';
import { readRecording } from '../../simulator/recording.js';
import { runSimulation, type SimulationSummary } from '../../simulator/run-simulation.js';
import { counted, recount } from '../helpers/demand-recount.js';
import { scanAll } from '../helpers/local-stack.js';
import { readWholeStream } from '../helpers/stream-records.js';

let stack: LocalStack;
let pipeline: LocalPipeline;
let summary: SimulationSummary;
const dir = mkdtempSync(join(tmpdir(), 'clickprice-e2e-'));
const recording = join(dir, 'run.jsonl');

beforeAll(async () => {
  stack = await startLocalStack();
  await loadCatalogue(stack.clients.documentClient, stack.tableNames.products, generateCatalogue(toIso(Date.now())));
  pipeline = await startLocalPipeline(stack, { logger: silentLogger });
  summary = await runSimulation({
    target: localStackTarget(stack),
    scenario: 'bad-events',
    rate: 300,
    durationSeconds: 15,
    seed: 7,
    pace: 'fast',
    out: recording,
  });
  await pipeline.waitForIdle(60_000);
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the fast path, end to end with the simulator', () => {
  it('counts exactly the valid, unique, non-bot events sent: nothing lost, nothing counted twice', async () => {
    // Recount from the stream, with the rules in plain TypeScript; the recording says which records are bad.
    const lines = await readRecording(recording);
    const expected = recount(
      await readWholeStream(stack.clients.kinesis, stack.streamName),
      new Map(lines.map((line) => [line.data, line.kind])),
    );
    const actual = await counted(stack.clients.documentClient, stack.tableNames.demand);

    expect(summary.sender.lostRecords).toBe(0);
    expect(summary.records.valid).toBeGreaterThan(3_000);
    expect(summary.records.duplicate).toBeGreaterThan(0);
    expect(expected.excluded.duplicate).toBeGreaterThan(0);
    expect(Object.fromEntries(actual.counters)).toEqual(Object.fromEntries(expected.counters));
    expect(actual.excluded).toEqual(expected.excluded);
  });

  it('quarantines every bad record with a reason, and discards nothing', async () => {
    const lines = await readRecording(recording);
    const bad = lines.filter((line) => line.kind.startsWith('bad:'));
    const quarantined = await scanAll(stack.clients.documentClient, stack.tableNames.quarantine);

    expect(bad.length).toBeGreaterThan(100);
    expect(quarantined).toHaveLength(bad.length);
    expect(quarantined.every((item) => typeof item.reason === 'string' && item.reason.length > 0)).toBe(true);
    expect(pipeline.mappings[0]?.stats()).toMatchObject({ recordsDiscarded: 0, recordsSucceeded: lines.length });
  });
});
