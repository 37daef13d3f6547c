export interface GroupCommitOptions<Item> {
  /** Most weight (e.g. rows) per flush; an item heavier than that is flushed on its own. */
  maxWeight: number;
  weight(item: Item): number;
  /**
   * Most bytes (e.g. payload text) per flush: the flush's parameters are held several times over while its
   * statement is built and sent, so a burst of large items makes several flushes rather than one huge
   * one; an item larger than that is flushed on its own.
   */
  maxBytes: number;
  bytes(item: Item): number;
  /**
   * What may appear only once in a flush (its unique keys): an item sharing one with an item before it
   * waits for a later flush, where it meets what the earlier one committed.
   */
  keys(item: Item): string[];
  /** A flush that failed with this error is tried again item by item, so that one item's fault fails only its caller. */
  retryAlone(error: unknown): boolean;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the items submitted while a flush runs are written together by the next one, which
 * starts as soon as that one ends. A lone item is flushed at once (there is no timer); under load each
 * flush carries what arrived meanwhile, up to `maxWeight` and `maxBytes`. `flush` answers one result
 * per item, in order; every caller's promise settles with the flush that held its item, and a failed
 * flush fails all of its callers (unless `retryAlone` says to try each item again on its own).
 */
export function groupCommit<Item, Result>(flush: (items: Item[]) => Promise<Result[]>, options: GroupCommitOptions<Item>): (item: Item) => Promise<Result> {
  let queue: Array<Waiting<Item, Result>> = [];
  let flushing = false;

  /** The next flush's items, in arrival order; what does not fit stays queued, in order. */
  const take = (): Array<Waiting<Item, Result>> => {
    const batch: Array<Waiting<Item, Result>> = [];
    const rest: Array<Waiting<Item, Result>> = [];
    // Keys of the items taken and of those left behind: a later copy must not overtake an earlier one.
    const seen = new Set<string>();
    let weight = 0;
    let bytes = 0;
    for (const waiting of queue) {
      const keys = options.keys(waiting.item);
      const itemWeight = options.weight(waiting.item);
      const itemBytes = options.bytes(waiting.item);
      const fits = batch.length === 0 || (weight + itemWeight <= options.maxWeight && bytes + itemBytes <= options.maxBytes && !keys.some((key) => seen.has(key)));
      for (const key of keys) seen.add(key);
      if (!fits) {
        rest.push(waiting);
        continue;
      }
      batch.push(waiting);
      weight += itemWeight;
      bytes += itemBytes;
    }
    queue = rest;
    return batch;
  };

  const settle = async (batch: Array<Waiting<Item, Result>>): Promise<void> => {
    let results: Result[];
    try {
      results = await flush(batch.map((waiting) => waiting.item));
    } catch (error) {
      if (batch.length > 1 && options.retryAlone(error)) await Promise.all(batch.map((waiting) => settle([waiting])));
      else for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => waiting.resolve(results[index]));
  };

  const run = async (): Promise<void> => {
    flushing = true;
    try {
      while (queue.length > 0) await settle(take());
    } finally {
      flushing = false;
    }
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!flushing) void run();
    });
}
