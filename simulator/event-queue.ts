/**
 * A min-heap of things due at a simulated time. Ties are broken by insertion order, so the order in
 * which simultaneous sessions act — and with it every event a seed produces — never depends on the
 * heap's internal layout.
 */
export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly orders: number[] = [];
  private readonly items: T[] = [];
  private inserted = 0;

  get size(): number {
    return this.items.length;
  }

  /** The earliest due time, or Infinity when empty. */
  peekTime(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  push(at: number, item: T): void {
    this.times.push(at);
    this.orders.push(this.inserted++);
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  /** Removes and returns the earliest item; undefined when empty. */
  pop(): T | undefined {
    const count = this.items.length;
    if (count === 0) return undefined;
    const top = this.items[0];
    const lastTime = this.times.pop() as number;
    const lastOrder = this.orders.pop() as number;
    const lastItem = this.items.pop() as T;
    if (count > 1) {
      this.times[0] = lastTime;
      this.orders[0] = lastOrder;
      this.items[0] = lastItem;
      this.siftDown(0);
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const timeA = this.times[a] as number;
    const timeB = this.times[b] as number;
    return timeA < timeB || (timeA === timeB && (this.orders[a] as number) < (this.orders[b] as number));
  }

  private swap(a: number, b: number): void {
    const time = this.times[a] as number;
    this.times[a] = this.times[b] as number;
    this.times[b] = time;
    const order = this.orders[a] as number;
    this.orders[a] = this.orders[b] as number;
    this.orders[b] = order;
    const item = this.items[a] as T;
    this.items[a] = this.items[b] as T;
    this.items[b] = item;
  }

  private siftUp(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.before(child, parent)) return;
      this.swap(child, parent);
      child = parent;
    }
  }

  private siftDown(index: number): void {
    const count = this.items.length;
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < count && this.before(left, smallest)) smallest = left;
      if (right < count && this.before(right, smallest)) smallest = right;
      if (smallest === parent) return;
      this.swap(parent, smallest);
      parent = smallest;
    }
  }
}
