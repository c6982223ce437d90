import { describe, expect, it } from 'vitest';
import { resolveMappingConfig } from '../../../local/event-source-mapping/config.js';
import { InvalidMappingConfigError } from '../../../local/event-source-mapping/errors.js';
import type { EventSourceMappingConfig } from '../../../local/event-source-mapping/types.js';

describe('resolveMappingConfig', () => {
  it("fills Lambda's defaults", () => {
    expect(resolveMappingConfig('kinesis', { startingPosition: 'LATEST' })).toMatchObject({
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      reportBatchItemFailures: false,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
    });
  });

  it.each([
    ['batchSize', { batchSize: 0 }],
    ['batchSize', { batchSize: 10_001 }],
    ['batchSize', { batchSize: 1.5 }],
    ['maximumBatchingWindowInSeconds', { maximumBatchingWindowInSeconds: 301 }],
    ['maximumBatchingWindowInSeconds', { maximumBatchingWindowInSeconds: 0.5 }],
    ['maximumRetryAttempts', { maximumRetryAttempts: -2 }],
    ['maximumRetryAttempts', { maximumRetryAttempts: 10_001 }],
    ['maximumRecordAgeInSeconds', { maximumRecordAgeInSeconds: 59 }],
    ['maximumRecordAgeInSeconds', { maximumRecordAgeInSeconds: 604_801 }],
    ['startingPosition', { startingPosition: 'AT_TIMESTAMP' }],
    ['startingPosition', { startingPosition: 'EARLIEST' }],
    ['parallelizationFactor', { parallelizationFactor: 2 }],
    ['bisectBatchOnFunctionError', { bisectBatchOnFunctionError: 'yes' }],
    ['batchsize', { batchsize: 10 }],
    ['onFailure', { onFailure: 'arn:aws:sqs:us-east-1:000000000000:dlq' }],
  ])('rejects a %s Lambda would reject, naming it', (field, settings) => {
    const config = { startingPosition: 'LATEST', ...settings } as unknown as EventSourceMappingConfig;
    expect(() => resolveMappingConfig('kinesis', config)).toThrow(InvalidMappingConfigError);
    expect(() => resolveMappingConfig('kinesis', config)).toThrow(new RegExp(`^${field}`));
  });

  it('accepts the limits themselves', () => {
    expect(() =>
      resolveMappingConfig('dynamodb', {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10_000,
        maximumBatchingWindowInSeconds: 300,
        maximumRetryAttempts: 10_000,
        maximumRecordAgeInSeconds: 60,
      }),
    ).not.toThrow();
  });
});
