import { MAPPING_DEFAULTS, MAPPING_LIMITS } from './constants.js';
import { InvalidMappingConfigError } from './errors.js';
import { validateFilterCriteria } from './filter-criteria.js';
import {
  type EventSourceMappingConfig,
  type ResolvedMappingConfig,
  type SourceKind,
  StartingPosition,
} from './types.js';

const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof EventSourceMappingConfig>([
  'startingPosition',
  'batchSize',
  'maximumBatchingWindowInSeconds',
  'reportBatchItemFailures',
  'bisectBatchOnFunctionError',
  'maximumRetryAttempts',
  'maximumRecordAgeInSeconds',
  'filterCriteria',
  'onFailure',
  'parallelizationFactor',
  'functionTimeoutSeconds',
  'memorySizeMb',
  'pollIntervalMs',
  'retryDelayMs',
  'shardDiscoveryIntervalMs',
]);

function integerIn(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidMappingConfigError(field, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function booleanOf(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidMappingConfigError(field, `must be true or false, got ${value}`);
  return value;
}

/**
 * Fills defaults and checks every setting against the ranges Lambda's CreateEventSourceMapping
 * accepts, so a mapping that would fail to deploy fails locally too, with the setting named.
 */
export function resolveMappingConfig(kind: SourceKind, config: EventSourceMappingConfig): ResolvedMappingConfig {
  // A misspelled option would otherwise be silently ignored and its default used.
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    throw new InvalidMappingConfigError(unknown.join(', '), `unknown setting; known: ${[...KNOWN_KEYS].join(', ')}`);
  }

  const startingPosition = config.startingPosition as string;
  if (startingPosition === 'AT_TIMESTAMP') {
    throw new InvalidMappingConfigError('startingPosition', 'AT_TIMESTAMP is not implemented by the local poller');
  }
  if (!Object.values(StartingPosition).includes(startingPosition as StartingPosition)) {
    throw new InvalidMappingConfigError('startingPosition', `must be TRIM_HORIZON or LATEST, got ${startingPosition}`);
  }
  if (config.onFailure !== undefined && typeof config.onFailure?.send !== 'function') {
    throw new InvalidMappingConfigError('onFailure', 'must be an OnFailureDestination (an object with send(record))');
  }
  if (config.parallelizationFactor !== undefined && config.parallelizationFactor !== 1) {
    throw new InvalidMappingConfigError('parallelizationFactor', 'only 1 is implemented locally');
  }

  const maximumRecordAgeInSeconds = config.maximumRecordAgeInSeconds ?? MAPPING_DEFAULTS.maximumRecordAgeInSeconds;
  if (maximumRecordAgeInSeconds !== -1) {
    const { min, max } = MAPPING_LIMITS.maximumRecordAgeInSeconds;
    integerIn('maximumRecordAgeInSeconds', maximumRecordAgeInSeconds, min, max);
  }
  validateFilterCriteria(kind, config.filterCriteria);

  const limits = MAPPING_LIMITS;
  return {
    startingPosition: startingPosition as StartingPosition,
    batchSize: integerIn(
      'batchSize',
      config.batchSize ?? MAPPING_DEFAULTS.batchSize,
      limits.batchSize.min,
      limits.batchSize.max,
    ),
    maximumBatchingWindowInSeconds: integerIn(
      'maximumBatchingWindowInSeconds',
      config.maximumBatchingWindowInSeconds ?? MAPPING_DEFAULTS.maximumBatchingWindowInSeconds,
      limits.maximumBatchingWindowInSeconds.min,
      limits.maximumBatchingWindowInSeconds.max,
    ),
    reportBatchItemFailures: booleanOf(
      'reportBatchItemFailures',
      config.reportBatchItemFailures ?? MAPPING_DEFAULTS.reportBatchItemFailures,
    ),
    bisectBatchOnFunctionError: booleanOf(
      'bisectBatchOnFunctionError',
      config.bisectBatchOnFunctionError ?? MAPPING_DEFAULTS.bisectBatchOnFunctionError,
    ),
    maximumRetryAttempts: integerIn(
      'maximumRetryAttempts',
      config.maximumRetryAttempts ?? MAPPING_DEFAULTS.maximumRetryAttempts,
      limits.maximumRetryAttempts.min,
      limits.maximumRetryAttempts.max,
    ),
    maximumRecordAgeInSeconds,
    filterCriteria: config.filterCriteria,
    functionTimeoutSeconds: integerIn(
      'functionTimeoutSeconds',
      config.functionTimeoutSeconds ?? MAPPING_DEFAULTS.functionTimeoutSeconds,
      limits.functionTimeoutSeconds.min,
      limits.functionTimeoutSeconds.max,
    ),
    memorySizeMb: integerIn(
      'memorySizeMb',
      config.memorySizeMb ?? MAPPING_DEFAULTS.memorySizeMb,
      limits.memorySizeMb.min,
      limits.memorySizeMb.max,
    ),
    pollIntervalMs: integerIn('pollIntervalMs', config.pollIntervalMs ?? MAPPING_DEFAULTS.pollIntervalMs, 1, 60_000),
    retryDelayMs: integerIn('retryDelayMs', config.retryDelayMs ?? MAPPING_DEFAULTS.retryDelayMs, 0, 60_000),
    shardDiscoveryIntervalMs: integerIn(
      'shardDiscoveryIntervalMs',
      config.shardDiscoveryIntervalMs ?? MAPPING_DEFAULTS.shardDiscoveryIntervalMs,
      10,
      600_000,
    ),
  };
}
