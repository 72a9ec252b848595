// Group commit for hot statements and queue writes: calls made while one batch is in flight go together in the next one.

interface Waiting<I, O> {
  item: I;
  key: string;
  resolve(out: O): void;
  reject(err: unknown): void;
}

/**
 * Runs `run` over batches of calls, one batch in flight at a time. A call made when nothing is in
 * flight goes out on the next turn of the event loop (with whatever else was called in this turn);
 * calls made meanwhile wait and go together in the next batch. So one caller pays no delay worth
 * speaking of, and many concurrent callers share statements, commits and round trips.
 *
 * `run` returns one output per item, in order. Items with the same key never share a batch (the
 * later one waits for the next), so a batch never updates one row twice. When a batch of several
 * fails, each of its items is run again alone, so one bad item fails only its own call.
 */
export class StatementBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly keyOf: (item: I) => string,
    private readonly maxBatch = 200,
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, key: this.keyOf(item), resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch: Waiting<I, O>[] = [];
        const keys = new Set<string>();
        const later: Waiting<I, O>[] = [];
        for (const w of this.waiting) {
          if (batch.length < this.maxBatch && !keys.has(w.key)) {
            batch.push(w);
            keys.add(w.key);
          } else later.push(w);
        }
        this.waiting = later;
        await this.settle(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async settle(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const out = await this.run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(out[i] as O));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      for (const w of batch) await this.settle([w]);
    }
  }
}
