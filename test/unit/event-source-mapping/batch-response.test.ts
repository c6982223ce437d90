import { describe, expect, it } from 'vitest';
import { interpretBatchResponse, serializeResponse } from '../../../local/event-source-mapping/batch-response.js';

const IDS = ['101', '102', '103', '104'];

describe('interpretBatchResponse with ReportBatchItemFailures', () => {
  it.each([
    ['null', null],
    ['an empty object', {}],
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
    ['a response without the key', { statusCode: 200 }],
    ['a non-object response', 'done'],
  ])('treats %s as a complete success', (_, response) => {
    expect(interpretBatchResponse(response, IDS, true)).toEqual({ kind: 'success' });
  });

  it.each([
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a wrong key name', { batchItemFailures: [{ itemID: '102' }] }],
    ['an identifier not in the batch', { batchItemFailures: [{ itemIdentifier: '999' }] }],
    ['a numeric identifier', { batchItemFailures: [{ itemIdentifier: 102 }] }],
    ['a list that is not a list', { batchItemFailures: { itemIdentifier: '102' } }],
    ['a null entry', { batchItemFailures: [null] }],
  ])('treats %s as a complete failure', (_, response) => {
    expect(interpretBatchResponse(response, IDS, true)).toMatchObject({ kind: 'failure' });
  });

  it('fails the whole batch when one of several identifiers is invalid', () => {
    const response = { batchItemFailures: [{ itemIdentifier: '103' }, { itemIdentifier: '' }] };
    expect(interpretBatchResponse(response, IDS, true)).toMatchObject({ kind: 'failure' });
  });

  it('reports the lowest failed record by position in the batch, whatever the order given', () => {
    const response = { batchItemFailures: [{ itemIdentifier: '104' }, { itemIdentifier: '102' }] };
    expect(interpretBatchResponse(response, IDS, true)).toEqual({
      kind: 'partial',
      lowestFailedIndex: 1,
      failedItemIdentifiers: ['104', '102'],
    });
  });
});

describe('interpretBatchResponse without ReportBatchItemFailures', () => {
  it('ignores a response that reports failures', () => {
    expect(interpretBatchResponse({ batchItemFailures: [{ itemIdentifier: '102' }] }, IDS, false)).toEqual({
      kind: 'success',
    });
  });
});

describe('serializeResponse', () => {
  it('is what Lambda receives: undefined members vanish and toJSON applies', () => {
    const when = new Date('2026-11-21T23:00:00.000Z');
    expect(serializeResponse({ batchItemFailures: [{ itemIdentifier: undefined }], when })).toEqual({
      batchItemFailures: [{}],
      when: '2026-11-21T23:00:00.000Z',
    });
    expect(serializeResponse(undefined)).toBeNull();
  });

  it('throws for a response Lambda could not serialize', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => serializeResponse(circular)).toThrow();
  });
});
