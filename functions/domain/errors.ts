/** The base of clickprice's errors: each says what a caller (API, CLI, handler) can act on. */
export class ClickpriceError extends Error {
  override name = 'ClickpriceError';
}

/** Input that breaks a rule; `field` names the offending field (APIs answer 400 with it). */
export class InvalidInputError extends ClickpriceError {
  override name = 'InvalidInputError';
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message.startsWith(`${field}:`) ? message : `${field}: ${message}`, options);
  }
}

/** A product (or history row) that does not exist (APIs answer 404). */
export class NotFoundError extends ClickpriceError {
  override name = 'NotFoundError';
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} not found`);
  }
}

/** A request that conflicts with the current state, e.g. unfreezing a product that is not frozen (409). */
export class ConflictError extends ClickpriceError {
  override name = 'ConflictError';
}
