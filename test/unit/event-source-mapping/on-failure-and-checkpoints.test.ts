import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileCheckpointStore,
  InMemoryCheckpointStore,
  type MappingCheckpoint,
} from '../../../local/event-source-mapping/checkpoint-store.js';
import { CheckpointStoreError } from '../../../local/event-source-mapping/errors.js';
import {
  buildOnFailureRecord,
  JsonLinesOnFailureDestination,
} from '../../../local/event-source-mapping/on-failure-destination.js';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});
async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'esm-unit-'));
  directories.push(directory);
  return directory;
}

describe('buildOnFailureRecord', () => {
  it("reproduces the Kinesis example invocation record of Lambda's guide", () => {
    const record = buildOnFailureRecord({
      kind: 'kinesis',
      shardId: 'shardId-000000000001',
      streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
      records: [
        {
          sequenceNumber: '49601189658422359378836298521827638475320189012309704722',
          arrivalMs: Date.parse('2019-11-14T00:38:04.835Z'),
        },
        {
          sequenceNumber: '49601189658422359378836298522902373528957594348623495186',
          arrivalMs: Date.parse('2019-11-14T00:38:05.580Z'),
        },
      ],
      condition: 'RetryAttemptsExhausted',
      requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5',
      functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
      approximateInvokeCount: 1,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      timestampMs: Date.parse('2019-11-14T00:38:06.021Z'),
    });
    expect(JSON.stringify(record)).toBe(
      JSON.stringify({
        requestContext: {
          requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5',
          functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 1,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: '2019-11-14T00:38:06.021Z',
        KinesisBatchInfo: {
          shardId: 'shardId-000000000001',
          startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
          endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
          approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
          approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
          batchSize: 2,
          streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
        },
      }),
    );
  });

  it('writes DDBStreamBatchInfo with whole-second arrival times for DynamoDB Streams', () => {
    const record = buildOnFailureRecord({
      kind: 'dynamodb',
      shardId: 'shardId-00000001573689847184-864758bb',
      streamArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388',
      records: [{ sequenceNumber: '800000000003126276362', arrivalMs: Date.parse('2019-11-14T00:13:19Z') }],
      condition: 'RecordAgeExceeded',
      requestId: 'r',
      functionArn: 'f',
      approximateInvokeCount: 0,
      timestampMs: 0,
    });
    expect(record).toMatchObject({
      DDBStreamBatchInfo: {
        startSequenceNumber: '800000000003126276362',
        endSequenceNumber: '800000000003126276362',
        approximateArrivalOfFirstRecord: '2019-11-14T00:13:19Z',
        batchSize: 1,
      },
    });
    expect(record).not.toHaveProperty('responseContext');
  });
});

describe('JsonLinesOnFailureDestination', () => {
  it('appends one JSON document per line, creating the directory', async () => {
    const path = join(await temporaryDirectory(), 'nested', 'failures.jsonl');
    const destination = new JsonLinesOnFailureDestination(path);
    const record = buildOnFailureRecord({
      kind: 'kinesis',
      shardId: 's',
      streamArn: 'a',
      records: [{ sequenceNumber: '1', arrivalMs: 0 }],
      condition: 'RetryAttemptsExhausted',
      requestId: 'r',
      functionArn: 'f',
      approximateInvokeCount: 1,
      timestampMs: 0,
    });
    await destination.send(record);
    await destination.send(record);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([record, record]);
  });
});

const checkpoint = (sequenceNumber: string): MappingCheckpoint => ({
  version: 1,
  mappingId: 'fn--stream/with:odd chars',
  eventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
  updatedAt: '2026-11-21T23:00:00.000Z',
  shards: { 'shardId-000000000000': { sequenceNumber } },
});

describe('FileCheckpointStore', () => {
  it('keeps the last save across store instances, replacing the file whole', async () => {
    const directory = await temporaryDirectory();
    await new FileCheckpointStore(directory).save(checkpoint('1'));
    await new FileCheckpointStore(directory).save(checkpoint('2'));
    expect(await new FileCheckpointStore(directory).load('fn--stream/with:odd chars')).toEqual(checkpoint('2'));
    expect(await readdir(directory)).toEqual(['fn--stream_with_odd_chars.json']);
  });

  it('has no checkpoint for a mapping never saved', async () => {
    expect(await new FileCheckpointStore(await temporaryDirectory()).load('never')).toBeUndefined();
  });

  it('refuses a file that is not a checkpoint, saying how to recover', async () => {
    const directory = await temporaryDirectory();
    const store = new FileCheckpointStore(directory);
    await writeFile(store.pathOf('broken'), '{"version":1,', 'utf8');
    await expect(store.load('broken')).rejects.toThrow(CheckpointStoreError);
    await expect(store.load('broken')).rejects.toThrow(/delete it/);
  });
});

describe('InMemoryCheckpointStore', () => {
  it('returns what was saved, unaffected by later changes to the saved object', async () => {
    const store = new InMemoryCheckpointStore();
    const saved = checkpoint('1');
    await store.save(saved);
    (saved.shards as Record<string, unknown>)['shardId-000000000000'] = { sequenceNumber: '9' };
    expect(await store.load(saved.mappingId)).toEqual(checkpoint('1'));
  });
});
