/**
 * The partial-batch-response matrix of Lambda's "Configuring partial batch response with Kinesis"
 * guide, against kinesalite: which responses are a complete success, which a complete failure, and
 * where a partial failure resumes.
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, it } from 'vitest';
import type { EventSourceMapping } from '../../../local/event-source-mapping/index.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { numbered, putPayloads, recordingKinesisHandler, scratchOf } from './helpers.js';

const stack = useLocalStack();

const sequenceAt = (event: KinesisStreamEvent, index: number) => event.Records[index]?.kinesis.sequenceNumber;

const BASE_CONFIG = { startingPosition: 'TRIM_HORIZON', batchSize: 10, reportBatchItemFailures: true } as const;

const SUCCESS_RESPONSES: readonly (readonly [string, () => unknown])[] = [
  ['no return value (undefined)', () => undefined],
  ['null', () => null],
  ['an empty response {}', () => ({})],
  ['an empty batchItemFailures list', () => ({ batchItemFailures: [] })],
  ['a null batchItemFailures list', () => ({ batchItemFailures: null })],
];

describe.concurrent('with ReportBatchItemFailures, a response Lambda treats as complete success', () => {
  it.for(SUCCESS_RESPONSES)('%s checkpoints the whole batch, nothing is redelivered', async ([, respond], context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const sequenceNumbers = await putPayloads(stack.clients, streamName, numbered(5));
    const { handler, invocations } = recordingKinesisHandler(respond);
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: BASE_CONFIG });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([sequenceNumbers]);
    context.expect(mapping.stats().shards[0]?.checkpoint).toBe(sequenceNumbers.at(-1));
  });
});

describe.concurrent('with ReportBatchItemFailures, a response Lambda treats as complete failure', () => {
  it.for([
    [
      'a thrown error',
      () => {
        throw new Error('handler failed');
      },
    ],
    ['an itemIdentifier of null', () => ({ batchItemFailures: [{ itemIdentifier: null }] })],
    ['an itemIdentifier that is an empty string', () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
    [
      'an itemIdentifier under a wrong key name',
      (event: KinesisStreamEvent) => ({ batchItemFailures: [{ itemId: sequenceAt(event, 2) }] }),
    ],
    [
      'an itemIdentifier that names no record of the batch',
      () => ({ batchItemFailures: [{ itemIdentifier: '49000000000000000000000000000000000000000000000000000000' }] }),
    ],
    ['a batchItemFailures that is not a list', () => ({ batchItemFailures: 'all of them' })],
  ] as const)('%s retries the whole batch from its first record', async ([, failOnce], context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const sequenceNumbers = await putPayloads(stack.clients, streamName, numbered(5));
    const { handler, invocations } = recordingKinesisHandler((event, call) =>
      call === 1 ? (failOnce as (event: KinesisStreamEvent) => unknown)(event) : undefined,
    );
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: BASE_CONFIG });
    await mapping.waitForIdle();
    // Assess
    context
      .expect(invocations.map((invocation) => invocation.sequenceNumbers))
      .toEqual([sequenceNumbers, sequenceNumbers]);
    context.expect(mapping.stats()).toMatchObject({ invocations: 2, failedInvocations: 1, retries: 1 });
  });
});

describe.concurrent('a partial batch failure', () => {
  it('checkpoints before the failed record and retries from it; earlier records are not redelivered', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const sequenceNumbers = await putPayloads(stack.clients, streamName, numbered(6));
    let mapping: EventSourceMapping | undefined;
    let checkpointAtRetry: string | undefined;
    const { handler, invocations } = recordingKinesisHandler((event, call) => {
      if (call === 1) return { batchItemFailures: [{ itemIdentifier: sequenceAt(event, 2) }] };
      checkpointAtRetry = mapping?.stats().shards[0]?.checkpoint;
      return { batchItemFailures: [] };
    });
    // Act
    mapping = await scratch.startKinesis({ streamName, handler, config: BASE_CONFIG });
    await mapping.waitForIdle();
    // Assess
    context
      .expect(invocations.map((invocation) => invocation.sequenceNumbers))
      .toEqual([sequenceNumbers, sequenceNumbers.slice(2)]);
    context.expect(checkpointAtRetry).toBe(sequenceNumbers[1]);
    context.expect(mapping.stats().shards[0]?.checkpoint).toBe(sequenceNumbers.at(-1));
  });

  it('with several failed records resumes from the lowest, whatever order they are reported in', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const sequenceNumbers = await putPayloads(stack.clients, streamName, numbered(6));
    const { handler, invocations } = recordingKinesisHandler((event, call) =>
      call === 1
        ? {
            batchItemFailures: [4, 1, 3].map((index) => ({ itemIdentifier: sequenceAt(event, index) })),
          }
        : undefined,
    );
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: BASE_CONFIG });
    await mapping.waitForIdle();
    // Assess
    context
      .expect(invocations.map((invocation) => invocation.sequenceNumbers))
      .toEqual([sequenceNumbers, sequenceNumbers.slice(1)]);
  });

  it('of the first record retries the whole batch', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const sequenceNumbers = await putPayloads(stack.clients, streamName, numbered(4));
    const { handler, invocations } = recordingKinesisHandler((event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: sequenceAt(event, 0) }] } : undefined,
    );
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: BASE_CONFIG });
    await mapping.waitForIdle();
    // Assess
    context
      .expect(invocations.map((invocation) => invocation.sequenceNumbers))
      .toEqual([sequenceNumbers, sequenceNumbers]);
  });

  it('is ignored without ReportBatchItemFailures: the batch counts as a success', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const sequenceNumbers = await putPayloads(stack.clients, streamName, numbered(4));
    const { handler, invocations } = recordingKinesisHandler((event) => ({
      batchItemFailures: [{ itemIdentifier: sequenceAt(event, 1) }],
    }));
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: { ...BASE_CONFIG, reportBatchItemFailures: false },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([sequenceNumbers]);
    context.expect(mapping.stats().failedInvocations).toBe(0);
  });
});
