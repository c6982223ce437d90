import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConflictError, InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { HttpError } from './http-error.js';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** The JSON body of every error answer: a machine-readable code, a sentence, and the field at fault. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly field?: string;
  readonly requestId?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The error answer for what a route threw; `null` when it is not a client error (a 500 then). */
export function clientErrorResponse(error: unknown): HttpResult | null {
  if (error instanceof HttpError) {
    return jsonResponse(error.statusCode, errorBody(error.code, error.message, error.field));
  }
  if (error instanceof InvalidInputError)
    return jsonResponse(400, errorBody('invalid_request', error.message, error.field));
  if (error instanceof NotFoundError) return jsonResponse(404, errorBody('not_found', error.message, null));
  if (error instanceof ConflictError) return jsonResponse(409, errorBody('conflict', error.message, null));
  return null;
}

/** A 500 that says nothing of the internals, but gives the request id to look up in the logs. */
export function internalErrorResponse(requestId: string): HttpResult {
  return jsonResponse(500, { error: 'internal', message: 'internal error; see the logs', requestId });
}

function errorBody(code: string, message: string, field: string | null): ErrorBody {
  return field === null ? { error: code, message } : { error: code, message, field };
}
