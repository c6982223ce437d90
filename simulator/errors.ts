/** Base of the simulator's errors: each says what went wrong in terms a person running it can act on. */
export class SimulatorError extends Error {
  override name = 'SimulatorError';
}

/** An option given to the simulator is out of range or names something that does not exist. */
export class InvalidSimulationOptionError extends SimulatorError {
  override name = 'InvalidSimulationOptionError';
}

/** A --replay file cannot be read, or a line of it is not a recorded record. */
export class ReplayFileError extends SimulatorError {
  override name = 'ReplayFileError';
  constructor(
    message: string,
    readonly path: string,
    readonly line: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The products table holds no products, so there is nothing to shop for: seed it first. */
export class EmptyCatalogueError extends SimulatorError {
  override name = 'EmptyCatalogueError';
}

/** The stream exists but has no open shard to put records to (it is being deleted or resharded). */
export class NoOpenShardsError extends SimulatorError {
  override name = 'NoOpenShardsError';
}

/** PutRecords failed in a way retrying cannot fix (no such stream, no permission, bad request). */
export class StreamWriteError extends SimulatorError {
  override name = 'StreamWriteError';
}

/** The --out file cannot be created or written. */
export class RecordingFileError extends SimulatorError {
  override name = 'RecordingFileError';
}
