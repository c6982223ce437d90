import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EventSourceMappingError, HandlerTimeoutError } from '../../../local/event-source-mapping/errors.js';
import { type InvocationSettings, invokeHandler } from '../../../local/event-source-mapping/invoke-handler.js';
import { loadHandler } from '../../../local/event-source-mapping/support.js';

const SETTINGS: InvocationSettings = {
  functionName: 'fn',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
  memorySizeMb: 256,
  timeoutSeconds: 1,
  logStreamName: '2026/11/21/[$LATEST]00000000000000000000000000000000',
  clock: { now: () => Date.now() },
};

describe('invokeHandler', () => {
  it('settles with an async handler returned value', async () => {
    await expect(invokeHandler(async () => ({ batchItemFailures: [] }), {}, 'r-1', SETTINGS)).resolves.toEqual({
      batchItemFailures: [],
    });
  });

  it('settles with a synchronous two-parameter handler return value, and rejects with its throw', async () => {
    await expect(invokeHandler(() => 'sync', {}, 'r-1', SETTINGS)).resolves.toBe('sync');
    const throwing = () => {
      throw new TypeError('bad record');
    };
    await expect(invokeHandler(throwing, {}, 'r-1', SETTINGS)).rejects.toThrow(TypeError);
  });

  it('settles a callback-style handler through the legacy context methods too', async () => {
    const viaSucceed = (_event: unknown, context: Context, _callback: unknown) => context.succeed({ ok: true });
    const viaFail = (_event: unknown, context: Context, _callback: unknown) => context.fail('nope');
    await expect(invokeHandler(viaSucceed, {}, 'r-1', SETTINGS)).resolves.toEqual({ ok: true });
    await expect(invokeHandler(viaFail, {}, 'r-1', SETTINGS)).rejects.toThrow('nope');
  });

  it('gives the handler its request id and remaining time, and times out as "Task timed out"', async () => {
    let seen: Context | undefined;
    const never = (_event: unknown, context: Context) => {
      seen = context;
      return new Promise(() => {});
    };
    await expect(invokeHandler(never, {}, 'r-42', SETTINGS)).rejects.toThrow(HandlerTimeoutError);
    await expect(invokeHandler(never, {}, 'r-42', SETTINGS)).rejects.toThrow('r-42 Task timed out after 1.00 seconds');
    expect(seen?.awsRequestId).toBe('r-42');
    expect(seen?.getRemainingTimeInMillis()).toBe(0);
  });
});

describe('loadHandler', () => {
  it('imports the named export of a handler module, and names a missing one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'esm-handler-'));
    try {
      const path = join(directory, 'handler.mjs');
      await writeFile(path, 'export const handler = async (event) => event.Records.length;\n', 'utf8');
      const handler = await loadHandler<{ Records: unknown[] }>(path);
      expect(await handler({ Records: [1, 2] }, {} as Context, () => {})).toBe(2);
      await expect(loadHandler(path, 'main')).rejects.toThrow(EventSourceMappingError);
      await expect(loadHandler(path, 'main')).rejects.toThrow(/no function export named main/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
