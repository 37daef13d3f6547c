import { groupCommit } from '../../../lib/group-commit';

interface Item {
  name: string;
  keys?: string[];
  weight?: number;
  bytes?: number;
}

/** Flushes whose end the test decides: `flushes` lists the items of each, `finish(i)` settles the i-th. */
function controlledFlushes(options: { maxWeight?: number; maxBytes?: number; retryAlone?: (error: unknown) => boolean } = {}) {
  const flushes: string[][] = [];
  const finish: Array<(error?: Error, results?: string[]) => void> = [];
  let active = 0;
  let most = 0;
  const submit = groupCommit(
    (items: Item[]) =>
      new Promise<string[]>((resolve, reject) => {
        flushes.push(items.map((item) => item.name));
        active += 1;
        most = Math.max(most, active);
        finish.push((error, results) => {
          active -= 1;
          if (error) reject(error);
          else resolve(results ?? items.map((item) => `stored ${item.name}`));
        });
      }),
    {
      maxWeight: options.maxWeight ?? 100,
      weight: (item) => item.weight ?? 1,
      maxBytes: options.maxBytes ?? 1_000_000,
      bytes: (item) => item.bytes ?? 10,
      keys: (item) => item.keys ?? [item.name],
      retryAlone: options.retryAlone ?? (() => false),
    },
  );
  /** Lets the flush loop move on after a flush settled. */
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  return { submit, flushes, finish, turn, most: () => most };
}

describe('group commit', () => {
  it('flushes a lone item at once, without waiting for others', async () => {
    const { submit, flushes, finish } = controlledFlushes();
    const lone = submit({ name: 'a' });
    expect(flushes).toEqual([['a']]);
    finish[0]();
    await expect(lone).resolves.toBe('stored a');
  });

  it('writes what arrived during a flush together in the next one, one flush at a time, each caller with its own result', async () => {
    const { submit, flushes, finish, turn, most } = controlledFlushes();
    const first = submit({ name: 'a' });
    const others = ['b', 'c', 'd'].map((name) => submit({ name }));
    expect(flushes).toEqual([['a']]);
    finish[0]();
    await first;
    await turn();
    expect(flushes).toEqual([['a'], ['b', 'c', 'd']]);
    finish[1](undefined, ['B', 'C', 'D']);
    await expect(Promise.all(others)).resolves.toEqual(['B', 'C', 'D']);
    expect(most()).toBe(1);
  });

  it('bounds a flush by weight, and flushes an item heavier than the bound on its own', async () => {
    const { submit, flushes, finish, turn } = controlledFlushes({ maxWeight: 5 });
    const all = [submit({ name: 'first' }), submit({ name: 'heavy', weight: 9 }), submit({ name: 'b', weight: 3 }), submit({ name: 'c', weight: 3 }), submit({ name: 'd', weight: 2 })];
    for (let flush = 0; flush < 3; flush++) {
      finish[flush]();
      await turn();
    }
    // `c` does not fit beside `b`, `d` does; `c` goes next, in its order.
    expect(flushes).toEqual([['first'], ['heavy'], ['b', 'd'], ['c']]);
    finish[3]();
    await expect(Promise.all(all)).resolves.toHaveLength(5);
  });

  it('bounds a flush by bytes as well as by weight, and flushes an item larger than the bound on its own', async () => {
    const { submit, flushes, finish, turn } = controlledFlushes({ maxWeight: 2, maxBytes: 100 });
    const all = [
      submit({ name: 'first' }),
      submit({ name: 'large', bytes: 250 }),
      submit({ name: 'b', bytes: 60 }),
      submit({ name: 'c', bytes: 60 }),
      submit({ name: 'd', bytes: 40 }),
      submit({ name: 'e' }),
      submit({ name: 'f' }),
    ];
    for (let flush = 0; flush < 4; flush++) {
      finish[flush]();
      await turn();
    }
    // `large` goes alone; `c` does not fit beside `b` (120 bytes), `d` does (100); then two items at most (weight).
    expect(flushes).toEqual([['first'], ['large'], ['b', 'd'], ['c', 'e'], ['f']]);
    finish[4]();
    await expect(Promise.all(all)).resolves.toHaveLength(7);
  });

  it('leaves an item sharing a key with an earlier one for a later flush, behind every earlier copy', async () => {
    const { submit, flushes, finish, turn } = controlledFlushes({ maxWeight: 3 });
    const all = [submit({ name: 'first' }), submit({ name: 'x1', keys: ['x'] }), submit({ name: 'y', weight: 3 }), submit({ name: 'x2', keys: ['x'] }), submit({ name: 'x3', keys: ['x'] }), submit({ name: 'z' })];
    for (let flush = 0; flush < 3; flush++) {
      finish[flush]();
      await turn();
    }
    // `y` is too heavy beside `x1`, so it waits; no copy of `x` overtakes another.
    expect(flushes).toEqual([['first'], ['x1', 'z'], ['y'], ['x2']]);
    finish[3]();
    await turn();
    expect(flushes[4]).toEqual(['x3']);
    finish[4]();
    await expect(Promise.all(all)).resolves.toHaveLength(6);
  });

  it('fails every caller of a failed flush, and goes on with the next one', async () => {
    const { submit, flushes, finish, turn } = controlledFlushes();
    const first = submit({ name: 'a' });
    const failing = [submit({ name: 'b' }), submit({ name: 'c' })].map((answer) => answer.catch((error: Error) => error.message));
    const later = submit({ name: 'd' });
    finish[0]();
    await first;
    await turn();
    expect(flushes[1]).toEqual(['b', 'c', 'd']);
    finish[1](new Error('database unreachable'));
    expect(await Promise.all(failing)).toEqual(['database unreachable', 'database unreachable']);
    await expect(later).rejects.toThrow('database unreachable');
    await turn();
    const after = submit({ name: 'e' });
    expect(flushes[2]).toEqual(['e']);
    finish[2]();
    await expect(after).resolves.toBe('stored e');
  });

  it('tries each item of a flush again on its own when the error says one item may be at fault', async () => {
    const { submit, flushes, finish, turn } = controlledFlushes({ retryAlone: (error) => (error as Error).message === 'bad row' });
    const first = submit({ name: 'a' });
    const answers = ['b', 'c', 'd'].map((name) => submit({ name }).catch((error: Error) => error.message));
    finish[0]();
    await first;
    await turn();
    finish[1](new Error('bad row'));
    await turn();
    expect(flushes.slice(2).sort()).toEqual([['b'], ['c'], ['d']]);
    // Each on its own: `c` is the bad one this time.
    flushes.slice(2).forEach(([name], index) => finish[2 + index](name === 'c' ? new Error('bad row') : undefined));
    expect(await Promise.all(answers)).toEqual(['stored b', 'bad row', 'stored d']);
  });
});
