/**
 * Who calls an ops route and what they ask: the actor is the access token's user, never the body's,
 * and an action's body may carry only the fields the action knows.
 */
import { InvalidInputError } from '../../domain/errors.js';
import { HttpError } from './http-error.js';
import { type HttpEvent, jsonBody } from './http-request.js';

/**
 * Who is acting: the token's user (Cognito access tokens carry `username`; client-credentials tokens
 * only `sub`). The authorizer has already verified the token; a token naming nobody cannot be recorded.
 */
export function actorOf(event: HttpEvent): string {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  for (const claim of ['username', 'sub']) {
    const value = claims[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  throw new HttpError(403, 'forbidden', 'the access token names no user (no username or sub claim)');
}

/**
 * An action's JSON body with only `fields`. The actor is never taken from a body (it is the token's),
 * so a body naming one is refused rather than ignored; so is any field the action does not know.
 */
export function actionBody(event: HttpEvent, fields: readonly string[]): Record<string, unknown> {
  const body = jsonBody(event);
  if (Object.hasOwn(body, 'actor')) {
    throw new InvalidInputError('actor', 'is taken from the access token; a request must not name one');
  }
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) {
      throw new InvalidInputError(key, `is not a field of this request (expected ${fields.join(', ')})`);
    }
  }
  return body;
}
