// What the load test starts and must always take down again: child processes (own process groups), a private redis-server, a private Postgres database.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { alive } from '../../src/db/pglite-lock.js';
import { freePort } from '../../src/queue/local-redis.js';
export { freePort };


export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for error messages. */
  tail(): string;
  exited(): boolean;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Every child this run started, so that any way out (error, Ctrl-C, deadline) takes them all down. */
export class Children {
  private readonly all: Child[] = [];
  private readonly servers = new Set<Child>();

  /** `server`: something the other children use (stopped after them). */
  start(name: string, cmd: string, args: string[], opts: { cwd?: string; env: Record<string, string | undefined>; server?: boolean }): Child {
    // Own process group (detached): a terminal's Ctrl-C reaches only this script, which then stops them in order.
    const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let tail = '';
    const keep = (b: Buffer) => (tail = (tail + b.toString()).slice(-6000));
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    proc.on('error', (err) => keep(Buffer.from(`\n[spawn error] ${err.message}\n`)));
    const exited = () => proc.exitCode !== null || proc.signalCode !== null;
    const child: Child = {
      name,
      proc,
      tail: () => tail,
      exited,
      async stop(graceMs = 15_000) {
        if (exited() || proc.pid === undefined) return;
        const done = new Promise<void>((r) => proc.once('exit', () => r()));
        signalGroup(proc.pid, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(proc.pid!, 'SIGKILL'), graceMs);
        await done;
        clearTimeout(timer);
        // Anything it left in its group (there should be nothing) goes too.
        signalGroup(proc.pid, 'SIGKILL');
      },
    };
    this.all.push(child);
    if (opts.server) this.servers.add(child);
    return child;
  }

  async stopAll(graceMs = 15_000): Promise<void> {
    // The API and workers at once (each finishes its active jobs), then the servers they use.
    const [servers, users] = [this.all.filter((c) => this.servers.has(c)), this.all.filter((c) => !this.servers.has(c))];
    await Promise.all(users.map((c) => c.stop(graceMs).catch(() => {})));
    await Promise.all(servers.map((c) => c.stop(graceMs).catch(() => {})));
  }

  /** Last resort on process exit (synchronous): SIGKILL every group still alive. */
  killAllNow(): void {
    for (const c of this.all) if (c.proc.pid !== undefined && !c.exited()) signalGroup(c.proc.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Polls `check` until it returns a value; fails early when `child` exits, or after `ms`. */
export async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, ms: number, child?: Child, everyMs = 200): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    if (child?.exited()) throw new Error(`${what}: ${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}):\n${child.tail()}`);
    const v = await check().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: timed out after ${Math.round(ms / 1000)} s${child ? `; ${child.name} said:\n${child.tail()}` : ''}`);
    await sleep(everyMs);
  }
}

/**
 * A redis-server of our own (no persistence), so that INFO commandstats and CPU count this run's commands only.
 * Started through a small wrapper that stops it if this process dies without cleaning up; `pid` is redis-server's own.
 */
export async function startPrivateRedis(children: Children): Promise<{ url: string; port: number; version: string; pid: number; child: Child }> {
  const port = await freePort();
  const wrapper = fileURLToPath(new URL('./guard-run.mjs', import.meta.url));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];
  const child = children.start('redis-server', process.execPath, [wrapper, 'redis-server', ...args], { env: { PATH: process.env.PATH }, server: true });
  const url = `redis://127.0.0.1:${port}`;
  const found = await until(
    'redis-server to answer',
    async () => {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      try {
        await r.connect();
        const info = await r.info('server');
        return { version: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown', pid: Number(/process_id:(\d+)/.exec(info)?.[1]) };
      } finally {
        r.disconnect();
      }
    },
    15_000,
    child,
    100,
  );
  return { url, port, ...found, child };
}

/** A database of our own on the local Postgres, made now and dropped (with its connections) by `drop`. */
export async function createPrivateDatabase(adminUrl: string, name: string): Promise<{ url: string; version: string; drop(): Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let version = 'unknown';
  try {
    version = (await admin.query<{ v: string }>('select version() as v')).rows[0]?.v.split(' on ')[0] ?? version;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  let dropped = false;
  return {
    url: u.toString(),
    version,
    async drop() {
      if (dropped) return;
      dropped = true;
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Databases of earlier runs that were killed before they could drop them: `loadtest_<pid>_<tag>` whose process is gone. */
export async function dropStaleDatabases(adminUrl: string): Promise<string[]> {
  // Only on this machine's Postgres: a pid says nothing about a run on another machine.
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(adminUrl).hostname)) return [];
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const dropped: string[] = [];
  try {
    const rows = (await admin.query<{ datname: string }>(`select datname from pg_database where datname ~ '^loadtest_[0-9]+_[0-9a-f]{4}$'`)).rows;
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[1]);
      if (alive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      dropped.push(datname);
    }
  } finally {
    await admin.end();
  }
  return dropped;
}

/** File folders of earlier runs that were killed: `tryon-loadtest-<pid>-*` whose process is gone. */
export function removeStaleDataDirs(tmp: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmp)) {
    const m = /^tryon-loadtest-(\d+)-/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    rmSync(join(tmp, name), { recursive: true, force: true });
    removed.push(join(tmp, name));
  }
  return removed;
}

export interface PgStats {
  xact_commit: number;
  xact_rollback: number;
  tup_returned: number;
  tup_fetched: number;
  tup_inserted: number;
  tup_updated: number;
  tup_deleted: number;
  numbackends: number;
}

/** pg_stat_database of one database, read from a connection to another (so reading does not count). */
export async function readPgStats(admin: pg.Client, database: string): Promise<PgStats> {
  await admin.query('select pg_stat_clear_snapshot()');
  const r = await admin.query(
    `select xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, numbackends
       from pg_stat_database where datname = $1`,
    [database],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`no pg_stat_database row for ${database}`);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as unknown as PgStats;
}

export function pgDelta(a: PgStats, b: PgStats): Omit<PgStats, 'numbackends'> {
  return {
    xact_commit: b.xact_commit - a.xact_commit,
    xact_rollback: b.xact_rollback - a.xact_rollback,
    tup_returned: b.tup_returned - a.tup_returned,
    tup_fetched: b.tup_fetched - a.tup_fetched,
    tup_inserted: b.tup_inserted - a.tup_inserted,
    tup_updated: b.tup_updated - a.tup_updated,
    tup_deleted: b.tup_deleted - a.tup_deleted,
  };
}
