/**
 * Lambda's execution environments, as a stream mapping meets them: a shard's batches run one at a
 * time, but not in one environment. Each invocation goes to an environment of a small pool, chosen at
 * random (Lambda gives a shard no affinity), and an environment is recycled after a random number of
 * invocations (deploys, scaling and idle reaping all do that in AWS). Each environment loads its own
 * instance of the handler module, so module-scope state lives and dies with it: code that counts on
 * that state surviving from one batch to the next fails here as it would on Lambda.
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
   * An environment for the next invocation: a random one of those not busy (when every one is busy,
   * Lambda starts another, and so does this), started afresh if it has served its count.
   */
  async acquire(): Promise<EnvironmentLease<TEvent>> {
    const free = this.slots.flatMap((environment, index) => (environment?.busy ? [] : [index]));
    const slot = free.length > 0 ? (free[Math.floor(this.random() * free.length)] as number) : this.slots.length;
    let environment = this.slots[slot] ?? null;
    let coldStart = false;
    if (environment === null || environment.servesLeft === 0) {
      if (environment !== null) this.recycled++;
      const instance = ++this.instances;
      const [min, max] = this.range;
      const servesLeft = min + Math.floor(this.random() * (max - min + 1));
      // Busy while it loads: a concurrent acquire must not pick the slot's old environment meanwhile.
      this.slots[slot] = { handler: () => undefined, instance, servesLeft, busy: true };
      environment = { handler: await this.load(instance), instance, servesLeft, busy: true };
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
