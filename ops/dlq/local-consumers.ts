/**
 * The redrive's consumer locally: the very handler module the local event-source mapping invokes
 * (functions/handlers/clickstream.ts or aggregates.ts), loaded in this process with the local stack's
 * environment, and invoked as the mapping invokes it.
 */
import { randomUUID } from 'node:crypto';
import {
  invokeHandler,
  logStreamNameFor,
  type StreamHandler,
} from '../../local/event-source-mapping/invoke-handler.js';
import type { ConsumerInvoker, StreamEvent } from './redrive.js';

export const STREAM_CONSUMERS = ['clickstream', 'aggregates'] as const;
export type StreamConsumer = (typeof STREAM_CONSUMERS)[number];

/** Loads the consumer's handler; the environment (tables, endpoints) must be set before the first load. */
export async function localConsumerInvoker(consumer: StreamConsumer): Promise<ConsumerInvoker> {
  const module = (
    consumer === 'clickstream'
      ? await import('../../functions/handlers/clickstream.js')
      : await import('../../functions/handlers/aggregates.js')
  ) as { handler: unknown };
  const handler = module.handler as StreamHandler<StreamEvent>;
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
