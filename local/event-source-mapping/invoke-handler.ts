/**
 * Calls a handler the way Lambda's Node.js runtime does: with a Lambda context, settling on the
 * returned promise, or, for a callback-style handler (three parameters, no promise), on the callback
 * or the legacy context.done/succeed/fail; bounded by the function timeout.
 */
import { randomBytes } from 'node:crypto';
import type { Callback, Context } from 'aws-lambda';
import { HandlerTimeoutError } from './errors.js';
import type { Clock } from './types.js';

/** A stream handler module's export: async (event, context) => response, or callback style. */
export type StreamHandler<TEvent> = (event: TEvent, context: Context, callback: Callback) => unknown;

export interface InvocationSettings {
  readonly functionName: string;
  readonly functionArn: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly logStreamName: string;
  readonly clock: Clock;
}

/** A log stream name in Lambda's form, one per mapping (as one per execution environment). */
export function logStreamNameFor(epochMs: number): string {
  const day = new Date(epochMs).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Invokes `handler` once; resolves with its response or rejects with its error or a timeout. */
export function invokeHandler<TEvent>(
  handler: StreamHandler<TEvent>,
  event: TEvent,
  awsRequestId: string,
  settings: InvocationSettings,
): Promise<unknown> {
  const deadline = settings.clock.now() + settings.timeoutSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;

  const invocation = new Promise<unknown>((resolve, reject) => {
    const callback: Callback = (error, result) => {
      if (error === undefined || error === null) resolve(result);
      else reject(typeof error === 'string' ? new Error(error) : error);
    };
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: settings.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: settings.functionArn,
      memoryLimitInMB: String(settings.memorySizeMb),
      awsRequestId,
      logGroupName: `/aws/lambda/${settings.functionName}`,
      logStreamName: settings.logStreamName,
      getRemainingTimeInMillis: () => Math.max(0, deadline - settings.clock.now()),
      done: (error, result) => callback(error, result),
      fail: (error) => callback(error),
      succeed: (result: unknown) => callback(null, result),
    };
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      reject(error);
      return;
    }
    if (isThenable(returned)) returned.then(resolve, reject);
    // A non-promise result settles a handler that does not take the callback; one that does settles through it.
    else if (handler.length < 3) resolve(returned);
  });

  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HandlerTimeoutError(awsRequestId, settings.timeoutSeconds)),
      settings.timeoutSeconds * 1000,
    );
  });
  return Promise.race([invocation, timeout]).finally(() => clearTimeout(timer));
}
