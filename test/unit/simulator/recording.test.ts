import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingFileError, ReplayFileError } from '../../../simulator/errors.js';
import { RecordingWriter, readRecording } from '../../../simulator/recording.js';
import { modelOf, START, scenarioOf, takeUntil } from './fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'clickprice-recording-'));

describe('recording', () => {
  it('writes every record with its kind, partition key, exact data and order, and reads them back', async () => {
    // Prepare: a run with bad records (odd bytes included) and purchases.
    const records = takeUntil(
      modelOf({ seed: 3, eventsPerSecond: 200, scenario: scenarioOf('bad-events', 3) }),
      20_000,
    );
    const path = join(directory, 'round-trip.jsonl');

    // Act
    const writer = await RecordingWriter.create(path, START);
    for (const record of records) writer.write(record);
    await writer.close();
    const lines = await readRecording(path);

    // Assess
    expect(lines.map((line) => [line.seq, line.atMs, line.kind, line.partitionKey, line.data])).toEqual(
      records.map((record, index) => [index, record.atMs - START, record.kind, record.partitionKey, record.data]),
    );
    expect(lines.map((line) => line.order ?? null)).toEqual(records.map((record) => record.order));
  });

  it('refuses a file it cannot read, naming it', async () => {
    const path = join(directory, 'missing.jsonl');
    await expect(readRecording(path)).rejects.toThrow(ReplayFileError);
    await expect(readRecording(path)).rejects.toThrow(`cannot read replay file ${path}`);
  });

  it.each([
    ['a line that is not JSON', '{"seq":0,\n', /line 1: not JSON/],
    [
      'a line that is not a record',
      '{"seq":0,"atMs":0,"kind":"valid","data":"{}"}\n',
      /line 1: not a recorded record .*partitionKey/,
    ],
    ['an unknown kind', '{"seq":0,"atMs":0,"kind":"weird","partitionKey":"k","data":"{}"}\n', /line 1: .*kind/],
    ['an empty file', '\n\n', /holds no records/],
  ])('refuses %s before sending anything', async (_, content, message) => {
    const path = join(directory, `bad-${Math.abs(content.length)}-${content.charCodeAt(2)}.jsonl`);
    writeFileSync(path, content);
    await expect(readRecording(path)).rejects.toThrow(message);
  });

  it('refuses an --out path it cannot create', async () => {
    await expect(RecordingWriter.create(join(directory, 'no-such-dir', 'out.jsonl'), START)).rejects.toThrow(
      RecordingFileError,
    );
  });
});
