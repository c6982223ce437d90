import { ClickpriceError } from '../../domain/errors.js';

/**
 * A request the HTTP layer itself refuses (unparseable body, wrong content type, missing identity),
 * before any domain code runs. Domain errors (InvalidInputError, NotFoundError, ConflictError) are
 * mapped to statuses in http-response.ts.
 */
export class HttpError extends ClickpriceError {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}
