/**
 * Lambda's execution environments, as a stream mapping meets them: a shard's batches run one at a
 * time, but not in one environment. Each invocation goes to an environment of a small pool, chosen at
 * random (Lambda gives a shard no affinity), and an environment is recycled after a random number of
 * invocations (deploys, scaling and idle reaping all do that in AWS). Each environment loads its own
 * instance of the handler module, so module-scope state lives and dies with it: code that counts on
 * that state surviving from one batch to the next fails here as it would on Lambda. Only the handler
 * module is instantiated afresh (local/stream-handlers.ts): state in modules it imports is shared,
 * which is why a handler keeps its environment's state in its own module scope.
 */
import type { StreamHandler } from './invoke-handler.js';

export interface ExecutionEnvironmentOptions {
  /** Environments that may be warm at once. @default 3 */
  readonly size?: number;
  /** An environment serves a random number of invocations in [min, max], then is recycled. @default [3, 30] */
  readonly recycleAfterInvocations?: readonly [number, number];
  /** Seeds the choices, so a run can be repeated. @default 1 */
  readonly seed?: number;
}

/** Loads a fresh instance of the handler module: `instance` numbers it (one per environment). */
export type HandlerLoader<TEvent> = (instance: number) => Promise<StreamHandler<TEvent>>;

interface Environment<TEvent> {
  readonly handler: StreamHandler<TEvent>;
  readonly instance: number;
  servesLeft: number;
  /** One invocation at a time per environment, as in Lambda. */
  busy: boolean;
}

/** An environment lent to one invocation; released when the invocation ends. */
export interface EnvironmentLease<TEvent> {
  readonly handler: StreamHandler<TEvent>;
  readonly coldStart: boolean;
  release(): void;
}

export interface EnvironmentStats {
  /** Environments started (cold starts), recycled ones included. */
  readonly started: number;
  readonly recycled: number;
}

export class ExecutionEnvironments<TEvent> {
  private readonly slots: (Environment<TEvent> | null)[];
  private readonly range: readonly [number, number];
  private random: () => number;
  private instances = 0;
  private recycled = 0;

  constructor(
    private readonly load: HandlerLoader<TEvent>,
    options: ExecutionEnvironmentOptions = {},
  ) {
    const size = options.size ?? 3;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a whole number ≥ 1, got ${size}`);
    const [min, max] = options.recycleAfterInvocations ?? [3, 30];
    if (!Number.isInteger(min) || min < 1 || !Number.isInteger(max) || max < min) {
      throw new RangeError(`recycleAfterInvocations must be whole numbers 1 ≤ min ≤ max, got [${min}, ${max}]`);
    }
    this.slots = new Array(size).fill(null);
    this.range = [min, max];
    this.random = seededRandom(options.seed ?? 1);
  }

  /**
   * An environment for the next invocation: a random warm one among those not busy, as Lambda reuses
   * an idle environment; else a new one in a free slot (an empty one, or one that served its count);
   * when every one is busy, Lambda starts another, and so does this, dropping it once released.
   */
  async acquire(): Promise<EnvironmentLease<TEvent>> {
    const free = this.slots.flatMap((environment, index) => (environment?.busy ? [] : [index]));
    const warm = free.filter((index) => (this.slots[index]?.servesLeft ?? 0) > 0);
    const pool = warm.length > 0 ? warm : free;
    const overflow = pool.length === 0;
    const slot = overflow ? this.slots.length : (pool[Math.floor(this.random() * pool.length)] as number);
    const previous = this.slots[slot] ?? null;
    let environment = previous;
    let coldStart = false;
    if (environment === null || environment.servesLeft === 0) {
      const instance = ++this.instances;
      const [min, max] = this.range;
      const servesLeft = min + Math.floor(this.random() * (max - min + 1));
      // Busy while it loads: a concurrent acquire must not pick the slot meanwhile.
      this.slots[slot] = { handler: () => undefined, instance, servesLeft, busy: true };
      try {
        environment = { handler: await this.load(instance), instance, servesLeft, busy: true };
      } catch (error) {
        // A failed start leaves the slot as it was (an overflow slot, gone), for the next invocation to try.
        if (overflow) this.slots.splice(slot, 1);
        else this.slots[slot] = previous;
        throw error;
      }
      if (previous !== null) this.recycled++;
      this.slots[slot] = environment;
      coldStart = true;
    }
    const leased = environment;
    leased.busy = true;
    leased.servesLeft--;
    return {
      handler: leased.handler,
      coldStart,
      release: () => {
        leased.busy = false;
        // An environment started beyond the pool's size lives for its one invocation.
        if (overflow) this.slots.splice(this.slots.indexOf(leased), 1);
      },
    };
  }

  stats(): EnvironmentStats {
    return { started: this.instances, recycled: this.recycled };
  }
}

/** mulberry32: small, fast and good enough to spread invocations; seeded for repeatable runs. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
