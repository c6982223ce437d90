/**
 * Checkpoints kept across restarts (a FileCheckpointStore, as `npm start -- --data-dir` uses), and
 * stop() semantics, against kinesalite.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { FileCheckpointStore, type MappingCheckpoint } from '../../../local/event-source-mapping/index.js';
import { uniqueName, useLocalStack } from '../../helpers/local-stack.js';
import { numbered, putPayloads, recordingKinesisHandler, scratchOf, waitFor } from './helpers.js';

const stack = useLocalStack();

async function temporaryDirectory(defer: (cleanup: () => Promise<unknown>) => void): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'esm-checkpoints-'));
  defer(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

describe.concurrent('a restarted mapping with a file checkpoint store', () => {
  it('resumes from its checkpoint: nothing checkpointed is redelivered, nothing put while stopped is skipped', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const directory = await temporaryDirectory(scratch.defer);
    const mappingId = uniqueName('restart');
    const first = recordingKinesisHandler();
    const before = await putPayloads(stack.clients, streamName, numbered(5));
    const firstRun = await scratch.startKinesis({
      streamName,
      mappingId,
      handler: first.handler,
      checkpoints: new FileCheckpointStore(directory),
      config: { startingPosition: 'TRIM_HORIZON', batchSize: 2 },
    });
    await firstRun.waitForIdle();
    await firstRun.stop();
    const whileStopped = await putPayloads(stack.clients, streamName, numbered(4, 5));
    // Act: a new store object and LATEST, so only the file can say where to resume.
    const second = recordingKinesisHandler();
    const secondRun = await scratch.startKinesis({
      streamName,
      mappingId,
      handler: second.handler,
      checkpoints: new FileCheckpointStore(directory),
      config: { startingPosition: 'LATEST', batchSize: 2 },
    });
    await secondRun.waitForIdle();
    // Assess
    context.expect(first.invocations.flatMap((invocation) => invocation.sequenceNumbers)).toEqual(before);
    context.expect(second.invocations.flatMap((invocation) => invocation.sequenceNumbers)).toEqual(whileStopped);
    const saved = JSON.parse(
      await readFile(new FileCheckpointStore(directory).pathOf(mappingId), 'utf8'),
    ) as MappingCheckpoint;
    context.expect(saved).toMatchObject({
      version: 1,
      mappingId,
      eventSourceArn: secondRun.eventSourceArn,
      shards: { 'shardId-000000000000': { sequenceNumber: whileStopped.at(-1) } },
    });
  });

  it('started at LATEST before any record arrived, still delivers what arrived while it was stopped', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const directory = await temporaryDirectory(scratch.defer);
    const mappingId = uniqueName('latest');
    await putPayloads(stack.clients, streamName, numbered(2));
    const firstRun = await scratch.startKinesis({
      streamName,
      mappingId,
      handler: async () => {},
      checkpoints: new FileCheckpointStore(directory),
      config: { startingPosition: 'LATEST' },
    });
    await firstRun.waitForIdle();
    await firstRun.stop();
    const whileStopped = await putPayloads(stack.clients, streamName, numbered(3, 2));
    // Act
    const { handler, invocations } = recordingKinesisHandler();
    const secondRun = await scratch.startKinesis({
      streamName,
      mappingId,
      handler,
      checkpoints: new FileCheckpointStore(directory),
      config: { startingPosition: 'LATEST' },
    });
    await secondRun.waitForIdle();
    // Assess: the records from before the first start stay undelivered, as LATEST means.
    context.expect(invocations.flatMap((invocation) => invocation.sequenceNumbers)).toEqual(whileStopped);
  });

  it('resumes a partially failed batch at its lowest failed record', async (context) => {
    // Prepare: record 2 fails; the long retry delay leaves the mapping waiting when it is stopped.
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const directory = await temporaryDirectory(scratch.defer);
    const mappingId = uniqueName('partial');
    const seq = await putPayloads(stack.clients, streamName, numbered(5));
    const failing = recordingKinesisHandler(() => ({ batchItemFailures: [{ itemIdentifier: seq[2] }] }));
    const firstRun = await scratch.startKinesis({
      streamName,
      mappingId,
      handler: failing.handler,
      checkpoints: new FileCheckpointStore(directory),
      config: { startingPosition: 'TRIM_HORIZON', reportBatchItemFailures: true, retryDelayMs: 30_000 },
    });
    await waitFor('the first invocation', () => failing.invocations.length === 1);
    const stopStarted = Date.now();
    await firstRun.stop();
    // Not the 30 s retry delay (slack for a busy CI machine).
    context.expect(Date.now() - stopStarted).toBeLessThan(5_000);
    // Act
    const { handler, invocations } = recordingKinesisHandler();
    const secondRun = await scratch.startKinesis({
      streamName,
      mappingId,
      handler,
      checkpoints: new FileCheckpointStore(directory),
      config: { startingPosition: 'TRIM_HORIZON', reportBatchItemFailures: true },
    });
    await secondRun.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([seq.slice(2)]);
  });
});

describe('stop()', () => {
  it('lets the in-flight batch finish, checkpoints it, and leaves no timer running', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const directory = await temporaryDirectory(scratch.defer);
    const mappingId = uniqueName('stop');
    const seq = await putPayloads(stack.clients, streamName, numbered(3));
    const timersBefore = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    let finished = false;
    const slow = recordingKinesisHandler(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    const firstRun = await scratch.startKinesis({
      streamName,
      mappingId,
      handler: slow.handler,
      checkpoints: new FileCheckpointStore(directory),
      config: { startingPosition: 'TRIM_HORIZON', maximumBatchingWindowInSeconds: 0 },
    });
    await waitFor('the invocation to start', () => slow.invocations.length === 1);
    // Act
    await firstRun.stop();
    // Assess
    context.expect(finished).toBe(true);
    context
      .expect(process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length)
      .toBeLessThanOrEqual(timersBefore);
    const saved = await new FileCheckpointStore(directory).load(mappingId);
    context.expect(saved?.shards['shardId-000000000000']?.sequenceNumber).toBe(seq[2]);
  });
});
