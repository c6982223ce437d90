/**
 * The redrive's consumer in AWS: the consumer function itself, invoked synchronously with the event
 * read back from the stream, as its event-source mapping would have invoked it.
 */
import type { LambdaApi } from './lambda-api.js';
import { invokeSync } from './lambda-invoke.js';
import type { StreamEvent } from './stream-batch-reader.js';

/** Invokes the consumer with an event; resolves to its response, rejects when the function failed. */
export type ConsumerInvoker = (event: StreamEvent) => Promise<unknown>;

/** Invokes the function (RequestResponse); a function error (thrown, timed out) rejects with its message. */
export function lambdaInvoker(lambda: LambdaApi, functionName: string): ConsumerInvoker {
  return (event: StreamEvent) => invokeSync(lambda, functionName, event);
}
