/**
 * Lambda's execution environments as the local mapping emulates them: fresh module state per
 * environment, no affinity, recycling after a seeded random count, one invocation at a time each.
 */
import { describe, expect, it } from 'vitest';
import {
  ExecutionEnvironments,
  type HandlerLoader,
  type StreamHandler,
} from '../../../local/event-source-mapping/index.js';

/** A loader whose "module" keeps a counter in its own scope, as a handler module keeps its state. */
function countingModules(): { load: HandlerLoader<unknown>; loaded: number[] } {
  const loaded: number[] = [];
  const load: HandlerLoader<unknown> = async (instance) => {
    loaded.push(instance);
    let invocations = 0; // module scope of this instance
    const handler: StreamHandler<unknown> = async () => ({ instance, invocation: ++invocations });
    return handler;
  };
  return { load, loaded };
}

type Call = { instance: number; invocation: number; coldStart: boolean };

/** The calls by the instance that served them, in order (Map.groupBy is Node 21+). */
function byInstanceOf(calls: readonly Call[]): Map<number, Call[]> {
  const groups = new Map<number, Call[]>();
  for (const call of calls) groups.set(call.instance, [...(groups.get(call.instance) ?? []), call]);
  return groups;
}

async function invokeOnce(environments: ExecutionEnvironments<unknown>): Promise<Call> {
  const lease = await environments.acquire();
  try {
    return {
      ...((await lease.handler({}, {} as never, () => undefined)) as { instance: number; invocation: number }),
      coldStart: lease.coldStart,
    };
  } finally {
    lease.release();
  }
}

describe('ExecutionEnvironments', () => {
  it('gives each environment its own module instance, starts each cold, and routes with no affinity', async () => {
    const { load } = countingModules();
    const environments = new ExecutionEnvironments(load, { size: 2, recycleAfterInvocations: [100, 100], seed: 3 });
    // Two shards' invocations at once warm two environments, each cold; later ones go to either.
    const both = await Promise.all([environments.acquire(), environments.acquire()]);
    expect(both.map((lease) => lease.coldStart)).toEqual([true, true]);
    for (const lease of both) {
      await lease.handler({}, {} as never, () => undefined);
      lease.release();
    }
    const calls: Call[] = [];
    for (let call = 0; call < 40; call++) calls.push(await invokeOnce(environments));

    // Both environments serve (no affinity), each counting only its own invocations, none cold again.
    const byInstance = byInstanceOf(calls);
    expect([...byInstance.keys()].sort()).toEqual([1, 2]);
    for (const served of byInstance.values()) {
      expect(served.map((call) => call.invocation)).toEqual(served.map((_, index) => index + 2));
      expect(served.some((call) => call.coldStart)).toBe(false);
    }
  });

  it('recycles an environment after its count: the next invocation there starts cold, with fresh state', async () => {
    const { load, loaded } = countingModules();
    const environments = new ExecutionEnvironments(load, { size: 1, recycleAfterInvocations: [2, 4], seed: 9 });
    const calls: Call[] = [];
    for (let call = 0; call < 30; call++) calls.push(await invokeOnce(environments));

    expect(environments.stats().recycled).toBeGreaterThanOrEqual(30 / 4 - 1);
    expect(loaded).toEqual(loaded.map((_, index) => index + 1));
    for (const call of calls) expect(call.coldStart).toBe(call.invocation === 1);
    // Every run of one instance is 2 to 4 invocations long, the last run possibly cut short.
    const runs = byInstanceOf(calls);
    for (const [instance, run] of runs) {
      if (instance !== loaded.at(-1)) expect(run.length).toBeGreaterThanOrEqual(2);
      expect(run.length).toBeLessThanOrEqual(4);
    }
  });

  it('runs one invocation per environment at a time: a busy pool grows, then shrinks back', async () => {
    const { load, loaded } = countingModules();
    const environments = new ExecutionEnvironments(load, { size: 1, recycleAfterInvocations: [50, 50] });
    // Two invocations at once, both while the first environment is still loading.
    const [first, second] = await Promise.all([environments.acquire(), environments.acquire()]);

    expect(first.handler).not.toBe(second.handler);
    first.release();
    second.release();
    // Back to its size: the next invocations all run in the first environment, warm.
    for (let call = 0; call < 5; call++) expect((await invokeOnce(environments)).coldStart).toBe(false);
    expect(loaded).toEqual([1, 2]);
  });

  it('reuses a warm idle environment before starting another', async () => {
    const { load, loaded } = countingModules();
    const environments = new ExecutionEnvironments(load, { size: 4, recycleAfterInvocations: [100, 100], seed: 7 });
    for (let call = 0; call < 20; call++) await invokeOnce(environments);
    // One invocation at a time: one environment was ever needed.
    expect(loaded).toEqual([1]);
  });

  it('leaves no environment behind when one fails to start, and starts one at the next invocation', async () => {
    let attempts = 0;
    const flaky: HandlerLoader<unknown> = async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('init failed');
      return async () => 'ok';
    };
    const environments = new ExecutionEnvironments(flaky, { size: 1 });

    await expect(environments.acquire()).rejects.toThrow('init failed');
    const lease = await environments.acquire();
    expect(lease.coldStart).toBe(true);
    lease.release();
  });

  it('repeats its choices for a seed', async () => {
    const run = async () => {
      const environments = new ExecutionEnvironments(countingModules().load, { size: 3, seed: 42 });
      const instances = [];
      for (let call = 0; call < 50; call++) instances.push((await invokeOnce(environments)).instance);
      return instances;
    };
    expect(await run()).toEqual(await run());
  });

  it('refuses a pool or a recycle range that cannot work, naming it', () => {
    const { load } = countingModules();
    expect(() => new ExecutionEnvironments(load, { size: 0 })).toThrow(/size must be/);
    expect(() => new ExecutionEnvironments(load, { recycleAfterInvocations: [5, 2] })).toThrow(
      /recycleAfterInvocations/,
    );
  });
});
