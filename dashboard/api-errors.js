/**
 * How a client reads an ops API error answer: the one definition for the dashboard and the ops
 * client (clients/ops-client.ts imports it). Plain JS beside the page's other modules, so the page
 * runs it as served.
 */

/** Codes for the answers API Gateway gives itself (`{"message"}` only), and for non-JSON bodies. */
export const GATEWAY_CODES = Object.freeze({
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  500: 'internal',
  503: 'unavailable',
});

/** A body that is not the API's own is quoted up to this many characters. */
const MAX_QUOTED_CHARS = 500;

/**
 * The API's `{error, message, field, requestId}` from a non-2xx answer's body; API Gateway's own
 * `{"message"}` (or a body that is not JSON) is given a code by status, `http_<status>` otherwise.
 *
 * @param {number} status
 * @param {string} text
 * @returns {import('../functions/domain/api-types.js').ApiError}
 */
export function errorBodyOf(status, text) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const object = parsed !== null && typeof parsed === 'object' ? parsed : {};
  const body = {
    error: typeof object.error === 'string' ? object.error : (GATEWAY_CODES[status] ?? `http_${status}`),
    message: typeof object.message === 'string' ? object.message : text.slice(0, MAX_QUOTED_CHARS) || `HTTP ${status}`,
  };
  if (typeof object.field === 'string') body.field = object.field;
  if (typeof object.requestId === 'string') body.requestId = object.requestId;
  return body;
}
