/**
 * The redrive's consumer locally: the very handler module the local event-source mapping invokes
 * (functions/handlers/clickstream.ts or aggregates.ts), loaded in this process with the local stack's
 * environment, and invoked as the mapping invokes it.
 */
import { randomUUID } from 'node:crypto';
import { invokeHandler, logStreamNameFor } from '../../local/event-source-mapping/invoke-handler.js';
import { loadStreamHandler, type StreamConsumer } from '../../local/pipeline.js';
import type { ConsumerInvoker, StreamEvent } from './redrive.js';

/** Loads the consumer's handler; the environment (tables, endpoints) must be set before the first load. */
export async function localConsumerInvoker(consumer: StreamConsumer): Promise<ConsumerInvoker> {
  const handler = await loadStreamHandler<StreamEvent>(consumer);
  return (event) =>
    invokeHandler(handler, event, randomUUID(), {
      functionName: consumer,
      functionArn: `arn:aws:lambda:local:000000000000:function:${consumer}`,
      memorySizeMb: 1024,
      timeoutSeconds: 30,
      logStreamName: logStreamNameFor(Date.now()),
      clock: { now: () => Date.now() },
    });
}
