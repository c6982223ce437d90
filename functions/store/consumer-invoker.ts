/**
 * The redrive's consumer in AWS: the consumer function itself, invoked synchronously with the event
 * read back from the stream, as its event-source mapping would have invoked it.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { StreamEvent } from './stream-batch-reader.js';

/** Invokes the consumer with an event; resolves to its response, rejects when the function failed. */
export type ConsumerInvoker = (event: StreamEvent) => Promise<unknown>;

/** Invokes the function (RequestResponse); a function error (thrown, timed out) rejects with its message. */
export function lambdaInvoker(client: LambdaClient, functionName: string): ConsumerInvoker {
  return async (event: StreamEvent) => {
    const response = await client.send(
      new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
    );
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    const payload: unknown = text === '' ? null : JSON.parse(text);
    if (response.FunctionError !== undefined) {
      const message = (payload as { errorMessage?: unknown } | null)?.errorMessage;
      throw new Error(`${functionName} failed (${response.FunctionError}): ${String(message ?? text)}`);
    }
    return payload;
  };
}
