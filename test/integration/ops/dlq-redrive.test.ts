import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateRowSchema } from '../../../functions/domain/aggregate.js';
import type { RedriveOutcome } from '../../../functions/domain/dead-letters.js';
import { minuteOf, toIso } from '../../../functions/domain/time.js';
import { lambdaInvoker } from '../../../functions/store/consumer-invoker.js';
import { DemandStore } from '../../../functions/store/demand-store.js';
import { SqsDeadLetterQueue } from '../../../functions/store/sqs-dead-letter-queue.js';
import { streamBatchReader } from '../../../functions/store/stream-batch-reader.js';
import { redrive } from '../../../functions/use-cases/redrive-dead-letters.js';
import { discoveryPath, writeDiscovery } from '../../../local/api-discovery.js';
import { JsonLinesDeadLetterQueue, localConsumerInvoker } from '../../../local/dead-letters.js';
import { buildOnFailureRecord, OnFailureCondition, SourceKind } from '../../../local/event-source-mapping/index.js';
import { localStackEnvironment } from '../../../local/local-stack.js';
import { startFakeDeadLetterAws } from '../../helpers/fake-dead-letter-aws.js';
import { productView } from '../../helpers/fast-path-records.js';
import { createScratchStream, putRecords } from '../../helpers/kinesis-batches.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { readWholeStream } from '../../helpers/stream-records.js';

/**
 * `npm run ops -- dlq redrive`'s engine against the local stack: a discarded batch named by its
 * on-failure record is read back from the stream by position and run through the real consumer
 * handler, once whole; a second redrive of the same batch changes nothing (exactly once by position).
 */
const run = promisify(execFile);
const stack = useLocalStack();
const dir = mkdtempSync(join(tmpdir(), 'clickprice-dlq-'));
const queuePath = join(dir, 'clickstream.jsonl');
const productId = `PDLQ${randomUUID().slice(0, 8)}`;
const at = Date.now();
let streamArn = '';
let sequenceNumbers: string[] = [];

function onFailureLine(kind: SourceKind, arn: string, shardId: string, sequences: readonly string[]): string {
  return JSON.stringify(
    buildOnFailureRecord({
      kind,
      shardId,
      streamArn: arn,
      records: sequences.map((sequenceNumber) => ({ sequenceNumber, arrivalMs: at })),
      condition: OnFailureCondition.RETRY_ATTEMPTS_EXHAUSTED,
      requestId: randomUUID(),
      functionArn: 'arn:aws:lambda:local:000000000000:function:clickstream',
      approximateInvokeCount: 3,
      timestampMs: at,
    }),
  );
}

async function redriveFile(consumer: 'clickstream' | 'aggregates', path: string): Promise<RedriveOutcome[]> {
  const queue = new JsonLinesDeadLetterQueue(path);
  try {
    return await redrive(queue, streamBatchReader(stack.clients.streams), await localConsumerInvoker(consumer), {
      max: 100,
    });
  } finally {
    await queue.close();
  }
}

beforeAll(async () => {
  // The handlers read their tables and endpoints from the environment, as on Lambda.
  Object.assign(process.env, localStackEnvironment(stack));
  ({ arn: streamArn, sequenceNumbers } = await viewsOnScratchStream(productId, 30));
  // Views 11–30 were discarded; a line that is no on-failure record sits in the queue too.
  writeFileSync(
    queuePath,
    `${onFailureLine(SourceKind.KINESIS, streamArn, 'shardId-000000000000', sequenceNumbers.slice(10))}\n{"not":"a dead letter"}\n`,
  );
}, 60_000);

/** `count` views of `product` at `at` on a stream of one shard of their own: its ARN and their sequence numbers. */
async function viewsOnScratchStream(
  product: string,
  count: number,
): Promise<{ arn: string; sequenceNumbers: string[] }> {
  const streamName = await createScratchStream(stack.clients.kinesis, 1);
  const views = Array.from({ length: count }, () => productView(product, { eventTime: toIso(at) }));
  await putRecords(stack.clients.kinesis, streamName, views);
  const records = await readWholeStream(stack.clients.kinesis, streamName);
  return {
    arn: `arn:aws:kinesis:${stack.region}:000000000000:stream/${streamName}`,
    sequenceNumbers: records.map((record) => record.sequenceNumber),
  };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function viewsCounted(product = productId): Promise<number> {
  const [minute] = await new DemandStore(stack.clients.documents, stack.tableNames.demand).minutes(
    product,
    minuteOf(toIso(at)),
    1,
  );
  return minute?.views ?? 0;
}

describe('a dead-letter redrive of the clickstream consumer', () => {
  it('replays exactly the discarded range through the handler and removes its dead letter, keeping what it cannot read', async () => {
    const outcomes = await redriveFile('clickstream', queuePath);

    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['replayed', 'malformed']);
    expect(outcomes[0]).toMatchObject({ records: 20, batch: { source: 'kinesis', streamArn } });
    expect(await viewsCounted()).toBe(20);
    expect(readFileSync(queuePath, 'utf8')).toBe('{"not":"a dead letter"}\n');
  });

  it('counts nothing twice when the same batch is redriven again', async () => {
    const again = join(dir, 'again.jsonl');
    writeFileSync(
      again,
      `${onFailureLine(SourceKind.KINESIS, streamArn, 'shardId-000000000000', sequenceNumbers.slice(10))}\n`,
    );

    const outcomes = await redriveFile('clickstream', again);

    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['replayed']);
    expect(await viewsCounted()).toBe(20);
  });

  it('keeps the dead letter of a batch that is no longer in the stream, saying why', async () => {
    const gone = join(dir, 'gone.jsonl');
    const last = sequenceNumbers.at(-1) ?? '0';
    const beyond = (BigInt(last) + 10n ** 20n).toString();
    writeFileSync(gone, `${onFailureLine(SourceKind.KINESIS, streamArn, 'shardId-000000000000', [last, beyond])}\n`);

    const outcomes = await redriveFile('clickstream', gone);

    expect(outcomes).toMatchObject([{ outcome: 'failed', reason: expect.stringMatching(/no longer in the stream/) }]);
    expect(readFileSync(gone, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('a dead-letter redrive of the aggregates consumer', () => {
  it('reads the batch back from the table’s DynamoDB stream and runs it through the aggregates handler', async () => {
    const table = stack.tableNames.aggregates;
    const windowStart = toIso(Math.floor(at / 60_000) * 60_000);
    await stack.clients.documentClient.send(
      new PutCommand({
        TableName: table,
        Item: {
          // Every field of an aggregate row at zero, then this window's identity and three views.
          ...Object.fromEntries(Object.keys(aggregateRowSchema.shape).map((field) => [field, 0])),
          productId,
          windowStart,
          windowEnd: toIso(Math.floor(at / 60_000) * 60_000 + 60_000),
          views: 3,
          sessions: 3,
          category: 'home-garden',
          inventory: 10,
          price: 1999,
        },
      }),
    );
    const { Table } = await stack.clients.dynamodb.send(new DescribeTableCommand({ TableName: table }));
    const arn = Table?.LatestStreamArn ?? '';
    const { StreamDescription } = await stack.clients.dynamodbStreams.send(
      new DescribeStreamCommand({ StreamArn: arn }),
    );
    let found: { shardId: string; sequence: string } | undefined;
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator: iterator } = await stack.clients.dynamodbStreams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      for (let page = 0; iterator && page < 50 && found === undefined; page++) {
        const result = await stack.clients.dynamodbStreams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        const ours = result.Records?.find((record) => record.dynamodb?.NewImage?.productId?.S === productId);
        if (ours) found = { shardId: shard.ShardId ?? '', sequence: ours.dynamodb?.SequenceNumber ?? '' };
        if ((result.Records ?? []).length === 0) break;
        iterator = result.NextShardIterator;
      }
    }
    expect(found).toBeDefined();
    const path = join(dir, 'aggregates.jsonl');
    writeFileSync(path, `${onFailureLine(SourceKind.DYNAMODB, arn, found?.shardId ?? '', [found?.sequence ?? ''])}\n`);

    const outcomes = await redriveFile('aggregates', path);

    expect(outcomes).toMatchObject([{ outcome: 'replayed', records: 1, batch: { source: 'dynamodb' } }]);
    // Nothing left to put back: the queue file is gone until the next discarded batch.
    expect(existsSync(path)).toBe(false);
  });
});

describe('a dead-letter redrive in AWS (SQS and Lambda, faked at the HTTP level)', () => {
  it('receives the queue’s messages, invokes the function with each batch, deletes only what went through', async () => {
    const handler = await localConsumerInvoker('clickstream');
    const product = `PDLQ${randomUUID().slice(0, 8)}`;
    const { arn, sequenceNumbers: sequences } = await viewsOnScratchStream(product, 12);
    const replayable = onFailureLine(SourceKind.KINESIS, arn, 'shardId-000000000000', sequences.slice(0, 10));
    const failing = onFailureLine(SourceKind.KINESIS, arn, 'shardId-000000000000', sequences.slice(10));
    let invocations = 0;
    const aws = await startFakeDeadLetterAws([replayable, failing], 'clickprice-dev-clickstream', async (event) => {
      // The second invocation stands for a function that still fails: it throws.
      if (++invocations === 2) throw new Error('DynamoDB is throttling');
      return handler(event as never);
    });
    try {
      const outcomes = await redrive(
        new SqsDeadLetterQueue(aws.sqs.config, aws.queueUrl),
        streamBatchReader(stack.clients.streams),
        lambdaInvoker(aws.lambda, 'clickprice-dev-clickstream'),
        { max: 10 },
      );

      expect(outcomes).toMatchObject([
        { id: 'm-1', outcome: 'replayed', records: 10 },
        { id: 'm-2', outcome: 'failed', reason: expect.stringMatching(/Unhandled.*DynamoDB is throttling/) },
      ]);
      expect([...aws.messages.keys()]).toEqual(['m-2']);
      expect(aws.calls.filter((call) => call.startsWith('Invoke'))).toHaveLength(2);
      expect(await viewsCounted(product)).toBe(10);
    } finally {
      await aws.close();
    }
  });
});

describe('npm run ops -- dlq redrive, against the local stack it finds', () => {
  it('replays the local dead letters of the consumer named and prints what became of each', async () => {
    // The discovery file `npm start` writes, here for the suite's shared stack and a data dir of its own.
    const runtimeDir = mkdtempSync(join(tmpdir(), 'clickprice-dlq-cli-'));
    const deadLetterDir = join(runtimeDir, 'dlq');
    const product = `PDLQ${randomUUID().slice(0, 8)}`;
    const { arn, sequenceNumbers: sequences } = await viewsOnScratchStream(product, 4);
    mkdirSync(deadLetterDir);
    writeFileSync(
      join(deadLetterDir, 'clickstream.jsonl'),
      `${onFailureLine(SourceKind.KINESIS, arn, 'shardId-000000000000', sequences)}\n`,
    );
    writeDiscovery(
      {
        url: 'http://127.0.0.1:9',
        token: 'unused',
        pid: process.pid,
        startedAt: toIso(at),
        pipeline: { environment: localStackEnvironment(stack), deadLetterDir },
      },
      discoveryPath({ XDG_RUNTIME_DIR: runtimeDir }),
    );
    try {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'ops/cli.ts', 'dlq', 'redrive', 'clickstream', '--json'],
        {
          env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
        },
      );

      expect(JSON.parse(stdout)).toMatchObject([{ id: 'line 1', outcome: 'replayed', records: 4 }]);
      expect(await viewsCounted(product)).toBe(4);
      expect(existsSync(join(deadLetterDir, 'clickstream.jsonl'))).toBe(false);
    } finally {
      rmSync(runtimeDir, { recursive: true, force: true });
    }
  });
});
