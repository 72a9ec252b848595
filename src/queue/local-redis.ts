// Finds a Redis for `npm start`: REDIS_URL, else one on localhost:6379, else a private redis-server child on a free port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Logger } from '../logger.js';
import { redisReachable } from './connection.js';

export interface LocalRedis {
  url: string;
  source: 'REDIS_URL' | 'localhost' | 'spawned';
  /** Stops a spawned redis-server (no-op otherwise). */
  stop(): Promise<void>;
}

export class NoRedisError extends Error {
  override readonly name = 'NoRedisError';
}

export const NO_REDIS_HELP =
  'No Redis found: REDIS_URL is not set, nothing answers on localhost:6379, and `redis-server` is not installed.\n' +
  'Do one of:\n' +
  '  - install Redis so it can be started for you:  sudo apt-get install redis-server   (macOS: brew install redis)\n' +
  '  - run one:                                        docker run -d -p 6379:6379 redis:7\n' +
  '  - point at one you have:                          REDIS_URL=redis://host:6379 npm start';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function hasRedisServer(bin: string): boolean {
  const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export async function findOrStartRedis(
  env: Record<string, string | undefined>,
  log: Logger,
  opts: { localUrl?: string; redisServer?: string; startTimeoutMs?: number } = {},
): Promise<LocalRedis> {
  const explicit = env.REDIS_URL?.trim();
  if (explicit) return { url: explicit, source: 'REDIS_URL', stop: async () => {} };
  const local = opts.localUrl ?? 'redis://127.0.0.1:6379';
  if (await redisReachable(local, 500)) return { url: local, source: 'localhost', stop: async () => {} };
  const bin = opts.redisServer ?? 'redis-server';
  if (!hasRedisServer(bin)) throw new NoRedisError(NO_REDIS_HELP);
  const port = await freePort();
  // In memory only, no snapshots: queue state of a laptop demo; noeviction as BullMQ requires.
  const child: ChildProcess = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const url = `redis://127.0.0.1:${port}`;
  const until = Date.now() + (opts.startTimeoutMs ?? 5000);
  while (!(await redisReachable(url, 300))) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new NoRedisError(`redis-server did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  log.info({ url, pid: child.pid }, 'started a private redis-server (in memory; its queue state ends with this process)');
  // If this process dies without cleaning up, the child must not outlive it.
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  return {
    url,
    source: 'spawned',
    stop: async () => {
      process.off('exit', killChild);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
