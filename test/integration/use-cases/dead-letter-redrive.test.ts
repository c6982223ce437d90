/**
 * Auditing a dead-letter redrive from the pipeline API: the request is on record before the redrive
 * function is invoked, so a redrive whose answer is lost (the function timed out with a batch in
 * flight) is still in the history; a finished one adds its tally. The history is in DynamoDB Local;
 * the redrive function is a loopback server answering as Lambda's Invoke does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GLOBAL_HISTORY_ID } from '../../../functions/domain/price-history.js';
import { DeadLetterRedrives } from '../../../functions/store/dead-letter-redrives.js';
import { LambdaApi } from '../../../functions/store/lambda-api.js';
import { PriceHistoryStore } from '../../../functions/store/price-history-store.js';
import { DeadLetterRedrive } from '../../../functions/use-cases/dead-letter-redrive.js';
import { type CapturedRequest, startCapturingServer } from '../../helpers/capturing-server.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const stack = useLocalStack();
const REQUEST = { actor: 'alice', reason: 'the table throttled', consumer: 'clickstream' } as const;

describe('DeadLetterRedrive audits', () => {
  let lambda: Awaited<ReturnType<typeof startCapturingServer>>;
  let history: PriceHistoryStore;
  let redrive: DeadLetterRedrive;

  beforeAll(async () => {
    lambda = await startCapturingServer({ status: 200, body: '{"outcomes":[]}' });
  });
  afterAll(() => lambda.close());

  beforeEach(async () => {
    const names = await createScratchTables(stack.clients.dynamodb, ['priceHistory']);
    history = new PriceHistoryStore(stack.clients.documents, names.priceHistory);
    const config = new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    }).config;
    const redrives = new DeadLetterRedrives(new LambdaApi(config, lambda.endpoint), 'dlq-redrive');
    redrive = new DeadLetterRedrive({ redrives, history });
    lambda.captured.splice(0);
  });

  const audited = async () =>
    (await history.all(GLOBAL_HISTORY_ID)).map(({ reasonCode, actor, explanation }) => ({
      reasonCode,
      actor,
      explanation,
    }));

  it('records the request before the redrive starts, and its tally when it ends', async () => {
    lambda.answer({ status: 200, body: '{"outcomes":[{"letter":"m-1","outcome":"replayed","records":4}]}' });
    const answer = await redrive.redrive(REQUEST);

    expect(answer.change).toMatchObject({ reasonCode: 'dlq_redriven', actor: 'alice' });
    expect(lambda.captured).toHaveLength(1);
    const rows = await audited();
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          reasonCode: 'dlq_redrive_requested',
          actor: 'alice',
          explanation: "Redrive of clickstream's dead letters asked for: the table throttled",
        },
        {
          reasonCode: 'dlq_redriven',
          actor: 'alice',
          explanation: "Redrive of clickstream's dead letters (1 replayed): the table throttled",
        },
      ]),
    );
  });

  it('keeps the request on record when the redrive function fails before answering', async () => {
    // What Invoke answers when the function ran past its timeout.
    lambda.answer({
      status: 200,
      headers: { 'x-amz-function-error': 'Unhandled' },
      body: '{"errorMessage":"2026-12-07T12:00:25.000Z Task timed out after 25.00 seconds"}',
    });
    await expect(redrive.redrive(REQUEST)).rejects.toThrow(/Task timed out/);

    expect(lambda.captured.map((request: CapturedRequest) => request.url)).toEqual([
      '/2015-03-31/functions/dlq-redrive/invocations',
    ]);
    expect(await audited()).toEqual([
      {
        reasonCode: 'dlq_redrive_requested',
        actor: 'alice',
        explanation: "Redrive of clickstream's dead letters asked for: the table throttled",
      },
    ]);
  });

  it('refuses a bad request before recording or invoking anything', async () => {
    await expect(redrive.redrive({ ...REQUEST, max: 0 })).rejects.toThrow(/max/);
    expect(lambda.captured).toHaveLength(0);
    expect(await audited()).toEqual([]);
  });
});
