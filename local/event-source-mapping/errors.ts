/** The base of the local event-source mapping's errors. */
export class EventSourceMappingError extends Error {
  override name = 'EventSourceMappingError';
}

/** A mapping configuration Lambda would reject at CreateEventSourceMapping; `field` names the setting. */
export class InvalidMappingConfigError extends EventSourceMappingError {
  override name = 'InvalidMappingConfigError';
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** A filter pattern that is not valid JSON, or uses an operator the local filter does not implement. */
export class FilterPatternError extends EventSourceMappingError {
  override name = 'FilterPatternError';
  constructor(
    readonly pattern: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`filter pattern ${pattern}: ${message}`, options);
  }
}

/** The stream or table the mapping reads from does not exist or has no stream. */
export class EventSourceNotFoundError extends EventSourceMappingError {
  override name = 'EventSourceNotFoundError';
}

/** A checkpoint file that exists but cannot be read as a checkpoint. */
export class CheckpointStoreError extends EventSourceMappingError {
  override name = 'CheckpointStoreError';
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** The handler did not settle within the function timeout, as Lambda's "Task timed out". */
export class HandlerTimeoutError extends EventSourceMappingError {
  override name = 'HandlerTimeoutError';
  constructor(
    readonly awsRequestId: string,
    readonly timeoutSeconds: number,
  ) {
    super(`${awsRequestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  }
}

/** waitForIdle() gave up: the mapping still had records buffered or an invocation in flight. */
export class IdleTimeoutError extends EventSourceMappingError {
  override name = 'IdleTimeoutError';
}
