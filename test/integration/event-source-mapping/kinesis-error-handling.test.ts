/**
 * Error handling of a Kinesis mapping against kinesalite: bisection, retry limits, record age, and the
 * on-failure destination record of Lambda's "Retain discarded batch records" guide.
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, it } from 'vitest';
import {
  InMemoryOnFailureDestination,
  type KinesisOnFailureRecord,
} from '../../../local/event-source-mapping/index.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { numbered, payloadsOf, putPayloads, recordingKinesisHandler, scratchOf, waitFor } from './helpers.js';

const stack = useLocalStack();

const hasPoison = (event: KinesisStreamEvent) =>
  payloadsOf(event).some((payload) => (payload as { poison?: boolean }).poison === true);

const arrivalIso = (event: KinesisStreamEvent, index: number) =>
  new Date((event.Records[index]?.kinesis.approximateArrivalTimestamp ?? 0) * 1000).toISOString();

describe.concurrent('BisectBatchOnFunctionError', () => {
  it('isolates one poison record without consuming retries, and the rest of the batch is processed', async (context) => {
    // Prepare: record 5 of 8 makes the handler throw.
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const payloads = numbered(8).map((payload) => (payload.n === 5 ? { ...payload, poison: true } : payload));
    const seq = await putPayloads(stack.clients, streamName, payloads);
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler((event) => {
      if (hasPoison(event)) throw new Error('poison');
    });
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 8,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 1,
        onFailure: destination,
      },
    });
    await mapping.waitForIdle();
    // Assess: halves until the poison is alone; only its own single-record failures count as retries.
    const at = (...indexes: number[]) => indexes.map((index) => seq[index]);
    context
      .expect(invocations.map((invocation) => invocation.sequenceNumbers))
      .toEqual([at(0, 1, 2, 3, 4, 5, 6, 7), at(0, 1, 2, 3), at(4, 5, 6, 7), at(4, 5), at(4), at(5), at(5), at(6, 7)]);
    context.expect(destination.records).toHaveLength(1);
    context.expect(destination.records[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 5 },
      KinesisBatchInfo: { startSequenceNumber: seq[5], endSequenceNumber: seq[5], batchSize: 1 },
    });
    context.expect(mapping.stats()).toMatchObject({ retries: 1, recordsSucceeded: 7, recordsDiscarded: 1 });
    context.expect(mapping.stats().shards[0]?.checkpoint).toBe(seq[7]);
  });

  it('without bisection, the same poison record takes its whole batch to the destination', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const payloads = numbered(8).map((payload) => (payload.n === 5 ? { ...payload, poison: true } : payload));
    const seq = await putPayloads(stack.clients, streamName, payloads);
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler((event) => {
      if (hasPoison(event)) throw new Error('poison');
    });
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: { startingPosition: 'TRIM_HORIZON', batchSize: 8, maximumRetryAttempts: 1, onFailure: destination },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([seq, seq]);
    context.expect(destination.records[0]).toMatchObject({
      KinesisBatchInfo: { startSequenceNumber: seq[0], endSequenceNumber: seq[7], batchSize: 8 },
    });
  });

  it('splits a partial batch response at the failed record instead of consuming a retry', async (context) => {
    // Prepare: with no retries allowed, only a split lets the failed record be tried again.
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(6));
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler((event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[3]?.kinesis.sequenceNumber }] } : undefined,
    );
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        reportBatchItemFailures: true,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 0,
        onFailure: destination,
      },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([seq, seq.slice(3)]);
    context.expect(destination.records).toEqual([]);
  });
});

describe.concurrent('MaximumRetryAttempts', () => {
  it('exhausted sends the documented record to the on-failure destination, then the shard moves on', async (context) => {
    // Prepare: the first five records always fail; later ones succeed.
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(5));
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler((event) => {
      if (payloadsOf(event).some((payload) => (payload as { n: number }).n < 5)) throw new Error('cannot process');
    });
    const mapping = await scratch.startKinesis({
      streamName,
      functionName: 'clickstream-test',
      handler,
      config: { startingPosition: 'TRIM_HORIZON', batchSize: 10, maximumRetryAttempts: 2, onFailure: destination },
    });
    // Act
    await waitFor('the discarded batch', () => destination.records.length === 1);
    const later = await putPayloads(stack.clients, streamName, numbered(2, 5));
    await mapping.waitForIdle();
    // Assess: one try and two retries, then the next records.
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([seq, seq, seq, later]);
    const lastFailed = invocations[2] ?? context.expect.unreachable();
    const record = destination.records[0] as KinesisOnFailureRecord;
    context
      .expect(Object.keys(record))
      .toEqual(['requestContext', 'responseContext', 'version', 'timestamp', 'KinesisBatchInfo']);
    context.expect(record).toEqual({
      requestContext: {
        requestId: lastFailed.context.awsRequestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-test',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: context.expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: seq[0],
        endSequenceNumber: seq[4],
        approximateArrivalOfFirstRecord: arrivalIso(lastFailed.event, 0),
        approximateArrivalOfLastRecord: arrivalIso(lastFailed.event, 4),
        batchSize: 5,
        streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`,
      },
    });
    context.expect(mapping.stats().shards[0]?.checkpoint).toBe(later[1]);
  });

  it('of -1 retries until the handler succeeds, discarding nothing', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(3));
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler((_, call) => {
      if (call <= 4) throw new Error(`failure ${call}`);
    });
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: { startingPosition: 'TRIM_HORIZON', maximumRetryAttempts: -1, onFailure: destination },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual(Array(5).fill(seq));
    context.expect(destination.records).toEqual([]);
  });

  it('exhausted by a record that keeps failing in partial responses discards from that record on', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(5));
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler((event) => ({
      batchItemFailures: event.Records.filter((record) => record.kinesis.sequenceNumber === seq[2]).map((record) => ({
        itemIdentifier: record.kinesis.sequenceNumber,
      })),
    }));
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: {
        startingPosition: 'TRIM_HORIZON',
        reportBatchItemFailures: true,
        maximumRetryAttempts: 1,
        onFailure: destination,
      },
    });
    await mapping.waitForIdle();
    // Assess: records 0 and 1 were checkpointed by the first response and never come back.
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([seq, seq.slice(2)]);
    context.expect(destination.records[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      KinesisBatchInfo: { startSequenceNumber: seq[2], endSequenceNumber: seq[4], batchSize: 3 },
    });
    context.expect(destination.records[0]?.responseContext).not.toHaveProperty('functionError');
  });
});

describe.concurrent('MaximumRecordAgeInSeconds', () => {
  it('sends records older than the limit to the destination without invoking, and delivers newer ones', async (context) => {
    // Prepare: the mapping's clock runs two minutes ahead, so the records already look old.
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const old = await putPayloads(stack.clients, streamName, numbered(3));
    const clock = { offsetMs: 120_000, now: () => Date.now() + clock.offsetMs };
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler();
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      clock,
      config: { startingPosition: 'TRIM_HORIZON', maximumRecordAgeInSeconds: 60, onFailure: destination },
    });
    // Act
    await waitFor('the expired records', () => destination.records.length === 1);
    clock.offsetMs = 0;
    const fresh = await putPayloads(stack.clients, streamName, numbered(2, 3));
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([fresh]);
    const [record] = destination.records;
    context.expect(record).toMatchObject({
      requestContext: { condition: 'RecordAgeExceeded', approximateInvokeCount: 0 },
      KinesisBatchInfo: { startSequenceNumber: old[0], endSequenceNumber: old[2], batchSize: 3 },
    });
    context.expect(record).not.toHaveProperty('responseContext');
  });

  it('ends the retries of a batch whose records grow too old while it fails', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(2));
    const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingKinesisHandler(() => {
      throw new Error('always');
    });
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      clock,
      config: {
        startingPosition: 'TRIM_HORIZON',
        maximumRecordAgeInSeconds: 60,
        maximumRetryAttempts: -1,
        retryDelayMs: 20,
        onFailure: destination,
      },
    });
    await waitFor('a few retries', () => invocations.length >= 3);
    // Act
    clock.offsetMs = 61_000;
    await mapping.waitForIdle();
    // Assess
    context.expect(destination.records).toHaveLength(1);
    context.expect(destination.records[0]).toMatchObject({
      requestContext: { condition: 'RecordAgeExceeded' },
      responseContext: { functionError: 'Unhandled' },
      KinesisBatchInfo: { startSequenceNumber: seq[0], endSequenceNumber: seq[1], batchSize: 2 },
    });
    context.expect(destination.records[0]?.requestContext.approximateInvokeCount).toBe(invocations.length);
  });
});
