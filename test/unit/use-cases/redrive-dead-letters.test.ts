/**
 * The redrive's own rules, with in-memory ports (a list of dead letters, a reader and a consumer that
 * answer as told): which letters are removed, which are kept and why, and the time budget.
 * Against the real stream and consumer: test/integration/ops/dlq-redrive.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { DeadLetter, DeadLetterQueue } from '../../../functions/domain/dead-letters.js';
import type { StreamEvent } from '../../../functions/store/stream-batch-reader.js';
import { redrive } from '../../../functions/use-cases/redrive-dead-letters.js';

const letterFor = (id: string) => ({
  id,
  body: JSON.stringify({
    KinesisBatchInfo: {
      shardId: 's-0',
      startSequenceNumber: '1',
      endSequenceNumber: '2',
      streamArn: 'arn:s',
      batchSize: 2,
    },
  }),
});

/** A list of letters: each handed out once, removed or released as the redrive says. */
function queueOf(letters: DeadLetter[]): DeadLetterQueue & { left: DeadLetter[]; released: string[] } {
  const left = [...letters];
  const released: string[] = [];
  let handedOut = 0;
  return {
    left,
    released,
    next: async () => letters[handedOut++] ?? null,
    remove: async (letter) => {
      left.splice(left.indexOf(letter), 1);
    },
    release: async (letter) => {
      released.push(letter.id);
    },
  };
}

const twoRecords = async (): Promise<StreamEvent> => ({ Records: [{}, {}] }) as unknown as StreamEvent;

describe('redrive', () => {
  it('removes a letter only once its batch went through whole; keeps failed and malformed ones, saying why', async () => {
    const queue = queueOf([letterFor('a'), { id: 'b', body: 'junk' }, letterFor('c'), letterFor('d')]);
    let call = 0;
    const invoke = async () => {
      call += 1;
      if (call === 2) return { batchItemFailures: [{ itemIdentifier: '2' }] };
      if (call === 3) throw new Error('throttled');
      return null;
    };

    const outcomes = await redrive(queue, twoRecords, invoke, { max: 10 });

    expect(outcomes.map(({ id, outcome }) => [id, outcome])).toEqual([
      ['a', 'replayed'],
      ['b', 'malformed'],
      ['c', 'failed'],
      ['d', 'failed'],
    ]);
    expect(outcomes[2]).toMatchObject({ reason: 'the consumer reported 1 of 2 records failed, from 2' });
    expect(outcomes[3]).toMatchObject({ reason: 'throttled' });
    expect(queue.left.map((letter) => letter.id)).toEqual(['b', 'c', 'd']);
    // None waits out a visibility timeout: what was not redriven is visible again at once.
    expect(queue.released).toEqual(['b', 'c', 'd']);
  });

  it('begins no new letter once its budget is spent, leaving the rest for the next redrive', async () => {
    const queue = queueOf([letterFor('a'), letterFor('b'), letterFor('c')]);
    let now = 0;
    const slowConsumer = async () => {
      now += 600;
      return null;
    };

    const outcomes = await redrive(queue, twoRecords, slowConsumer, { max: 10, budgetMs: 1_000, clock: () => now });

    expect(outcomes.map((outcome) => outcome.id)).toEqual(['a', 'b']);
    // Never taken from the queue: still there, and never hidden.
    expect(queue.left.map((letter) => letter.id)).toEqual(['c']);
    expect(queue.released).toEqual([]);
  });

  it('takes no more than `max` letters', async () => {
    const queue = queueOf([letterFor('a'), letterFor('b'), letterFor('c')]);
    const outcomes = await redrive(queue, twoRecords, async () => null, { max: 2 });
    expect(outcomes.map((outcome) => outcome.id)).toEqual(['a', 'b']);
    expect(queue.left.map((letter) => letter.id)).toEqual(['c']);
  });
});
