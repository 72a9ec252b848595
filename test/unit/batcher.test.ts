// StatementBatcher: calls of one turn share a batch, calls made while a batch is in flight share the next, one key per batch, a bad item fails alone.
import { describe, expect, it } from 'vitest';
import { StatementBatcher } from '../../src/batcher.js';

function recorder(fail: (items: string[]) => boolean = () => false, delayMs = 20) {
  const batches: string[][] = [];
  const b = new StatementBatcher<string, string>(
    async (items) => {
      batches.push([...items]);
      await new Promise((r) => setTimeout(r, delayMs));
      if (fail(items)) throw new Error(`batch of ${items.length} failed`);
      return items.map((i) => i.toUpperCase());
    },
    (i) => i.split('#')[0],
  );
  return { b, batches };
}

describe('StatementBatcher', () => {
  it('sends the calls of one turn together, and the calls made while that batch runs together in the next', async () => {
    const { b, batches } = recorder();
    const first = ['a', 'b', 'c'].map((x) => b.call(x));
    // Still in flight when these come (the batch takes 20 ms).
    await new Promise((r) => setTimeout(r, 5));
    const second = ['d', 'e'].map((x) => b.call(x));
    expect(await Promise.all([...first, ...second])).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    // Idle again: a lone call goes out by itself.
    expect(await b.call('f')).toBe('F');
    expect(batches).toHaveLength(3);
  });

  it('never puts two calls with the same key in one batch', async () => {
    const { b, batches } = recorder();
    const out = await Promise.all(['x#1', 'y', 'x#2', 'x#3'].map((i) => b.call(i)));
    expect(out).toEqual(['X#1', 'Y', 'X#2', 'X#3']);
    expect(batches).toEqual([['x#1', 'y'], ['x#2'], ['x#3']]);
  });

  it('when a batch fails, runs each of its calls alone: only the bad one is rejected', async () => {
    const { b, batches } = recorder((items) => items.includes('bad'), 1);
    const results = await Promise.allSettled(['ok1', 'bad', 'ok2'].map((i) => b.call(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('batch of 1 failed');
    expect(batches).toEqual([['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
  });

  it('caps a batch at its maximum size', async () => {
    const batches: number[] = [];
    const b = new StatementBatcher<number, number>(async (items) => (batches.push(items.length), items), String, 4);
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => b.call(i)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches).toEqual([4, 4, 2]);
  });
});
