/**
 * Derives an independent seed for one concern of a run (arrivals, bots, bad events…) from the run's
 * seed. Each concern draws from its own generator, so turning on bad events or bots does not shift a
 * single draw of the shoppers' traffic: the same seed gives the same shoppers under every scenario.
 */
export function deriveSeed(seed: number, concern: string): number {
  // FNV-1a over the concern's name, then mixed with both halves of the seed.
  let hash = 0x811c9dc5;
  for (let index = 0; index < concern.length; index++) {
    hash ^= concern.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / 4_294_967_296) >>> 0;
  return (Math.imul(hash ^ low, 0x9e3779b1) ^ Math.imul(high + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
}
