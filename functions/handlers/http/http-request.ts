import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidInputError } from '../../domain/errors.js';
import { HttpError } from './http-error.js';

/** What API Gateway (payload format 2.0) hands a Lambda, with or without a JWT authorizer. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: {
    authorizer?: { jwt?: { claims: Record<string, string | number | boolean | string[]>; scopes: string[] | null } };
  };
};

/** The largest JSON body a route accepts: ops requests are a few fields. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A path parameter API Gateway matched (always present for the route key that names it). */
export function pathParameter(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '') throw new InvalidInputError(name, 'is missing from the path');
  return value;
}

/** A query-string parameter, or undefined. API Gateway joins repeated parameters with commas. */
export function queryParameter(event: HttpEvent, name: string): string | undefined {
  const value = event.queryStringParameters?.[name];
  return value === undefined || value === '' ? undefined : value;
}

/** An integer query parameter within [min, max], or the default when absent. */
export function integerParameter(event: HttpEvent, name: string, range: { min: number; max: number; default: number }) {
  const raw = queryParameter(event, name);
  if (raw === undefined) return range.default;
  if (!/^-?\d+$/.test(raw)) throw new InvalidInputError(name, `must be an integer; got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < range.min || value > range.max) {
    throw new InvalidInputError(name, `must be between ${range.min} and ${range.max}; got ${value}`);
  }
  return value;
}

/** The request body parsed as a JSON object; anything else is a 4xx that says what is wrong. */
export function jsonBody(event: HttpEvent): Record<string, unknown> {
  const contentType = headerValue(event, 'content-type');
  if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', `body must be application/json; got ${contentType}`, 'body');
  }
  if (event.body === undefined || event.body === '') throw new InvalidInputError('body', 'a JSON object is required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `body must be at most ${MAX_BODY_BYTES} bytes`, 'body');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('body', `is not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidInputError('body', 'must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** A request header (API Gateway lower-cases header names in payload format 2.0). */
export function headerValue(event: HttpEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}
