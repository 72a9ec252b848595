// One Redis subscriber connection per API process, shared by every Server-Sent Events stream.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { withTimeout } from './router.js';

type Listener = (message: string) => void;

export class EventHub {
  #sub: Redis | null = null;
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  #connection(): Redis {
    if (!this.#sub) {
      // A subscriber may queue commands while (re)connecting: after a Redis restart it resubscribes on its own.
      const sub = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1, lazyConnect: false });
      sub.on('error', (err: Error) => this.log.debug({ err: err.message }, 'event subscriber connection error'));
      sub.on('message', (channel: string, message: string) => {
        for (const l of this.#listeners.get(channel) ?? []) l(message);
      });
      this.#sub = sub;
    }
    return this.#sub;
  }

  /** Listens to a channel; resolves once Redis confirmed the subscription, so nothing published after it is missed. */
  async subscribe(channel: string, listener: Listener): Promise<() => void> {
    const sub = this.#connection();
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    const unsubscribe = () => {
      const s = this.#listeners.get(channel);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) {
        this.#listeners.delete(channel);
        sub.unsubscribe(channel).catch(() => {});
      }
    };
    try {
      await withTimeout(sub.subscribe(channel), this.timeoutMs, 'Redis subscribe');
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    const sub = this.#sub;
    this.#sub = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}
