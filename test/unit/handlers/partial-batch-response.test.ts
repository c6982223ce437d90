import { describe, expect, it } from 'vitest';
import { partialBatchResponse, WholeBatchFailedError } from '../../../functions/handlers/runtime.js';

const records = [{ sequence: '100' }, { sequence: '200' }, { sequence: '300' }];
const sequenceOf = (record: { sequence: string }) => record.sequence;

describe('partial batch response', () => {
  it('reports no failure when every record succeeded', () => {
    expect(partialBatchResponse(records, new Map(), sequenceOf)).toEqual({ batchItemFailures: [] });
  });

  it('lists each failed record by its identifier, in the batch order', () => {
    const failures = new Map([
      ['300', 'throttled'],
      ['100', 'conditional check failed'],
    ]);

    expect(partialBatchResponse(records, failures, sequenceOf)).toEqual({
      batchItemFailures: [{ itemIdentifier: '100' }, { itemIdentifier: '300' }],
    });
  });

  it('ignores failures of identifiers the batch does not hold', () => {
    expect(partialBatchResponse(records, new Map([['999', 'elsewhere']]), sequenceOf)).toEqual({
      batchItemFailures: [],
    });
  });

  it('throws when every record failed, so Lambda retries the batch as a whole, naming the first reason', () => {
    const failures = new Map(records.map((record, index) => [record.sequence, `reason ${index}`]));

    expect(() => partialBatchResponse(records, failures, sequenceOf)).toThrow(WholeBatchFailedError);
    expect(() => partialBatchResponse(records, failures, sequenceOf)).toThrow(
      'all 3 records of the batch failed; the first: reason 0',
    );
  });

  it('answers an empty batch with no failures', () => {
    expect(partialBatchResponse([], new Map(), sequenceOf)).toEqual({ batchItemFailures: [] });
  });
});
