// Redis connections for BullMQ: workers wait through outages, producers fail fast so the API answers 503 at once.
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.js';

export type QueueSettings = Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>;

/**
 * - worker: `maxRetriesPerRequest: null` (BullMQ requires it for blocking commands; a worker waits
 *   for Redis to come back rather than failing jobs).
 * - producer: `enableOfflineQueue: false` and one retry per request, so a call made while Redis is
 *   down rejects immediately instead of queueing in memory.
 * - publisher: events and small reads from workers; queues offline commands briefly (no data loss
 *   while reconnecting) but gives up after a few retries.
 */
export type ConnectionRole = 'worker' | 'producer' | 'publisher' | 'subscriber';

export function redisOptions(role: ConnectionRole): RedisOptions {
  const base: RedisOptions = {
    lazyConnect: false,
    // Reconnect quickly at first, then at most every 2 s.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    connectionName: `tryon-${role}`,
  };
  switch (role) {
    case 'worker':
    case 'subscriber':
      return { ...base, maxRetriesPerRequest: null };
    case 'producer':
      return { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 };
    case 'publisher':
      return { ...base, maxRetriesPerRequest: 3 };
  }
}

export function createRedis(url: string, role: ConnectionRole): Redis {
  const redis = new Redis(url, redisOptions(role));
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash the process.
  redis.on('error', () => {});
  return redis;
}

/**
 * Gives a connection still being made (a new process's first request can arrive before it is) up to
 * `ms` to become ready. Returns at once when it is ready or not connecting (down, closed).
 */
export async function settleConnect(connection: Redis, ms = 300): Promise<void> {
  if (!['wait', 'connecting', 'connect'].includes(connection.status)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      connection.off('ready', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    connection.once('ready', done);
  });
}

/** True when the URL answers PING within the timeout. */
export async function redisReachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
