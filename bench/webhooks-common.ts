// What the two webhook benches share: the receiver (a child process), the record store (Postgres in a private schema, or PGlite), the 8 emitters, CPU accounting and the lost/duplicated tally.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../src/db/index.js';
import type { ReceiverRequest, ReceiverStats } from './webhooks-receiver.js';

/** Postgres the benches use unless BENCH_DATABASE_URL or DATABASE_URL says otherwise (production runs on Postgres). */
export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  opened: OpenedDatabase;
  kind: 'postgres' | 'pglite';
  /** Why PGlite was used, when it was. */
  note?: string;
  /** Drops the private schema (Postgres) and closes. */
  close(): Promise<void>;
}

/**
 * Records in a private schema of the bench Postgres (dropped afterwards); PGlite in memory when
 * BENCH_DATABASE_URL=pglite or when no Postgres answers.
 */
export async function openBenchDatabase(name: string, maxConnections: number, url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL): Promise<BenchDatabase> {
  const pglite = async (note?: string): Promise<BenchDatabase> => {
    const opened = await openDatabase({ inMemory: true });
    return { opened, kind: 'pglite', ...(note ? { note } : {}), close: () => opened.close() };
  };
  if (url === 'pglite') return pglite();
  const schema = `${name}_${randomBytes(4).toString('hex')}`;
  let opened: OpenedDatabase;
  try {
    opened = await openDatabase({ databaseUrl: url, schema, maxConnections });
  } catch (err) {
    return pglite(`Postgres unreachable (${(err as Error).message.split('\n')[0]}); records on PGlite`);
  }
  return {
    opened,
    kind: 'postgres',
    async close() {
      try {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db);
      } finally {
        await opened.close();
      }
    },
  };
}

export interface BenchReceiver {
  url: string;
  setSecret(secret: string): Promise<void>;
  stats(): Promise<ReceiverStats>;
  /** Verified requests per event id. */
  ids(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** Starts bench/webhooks-receiver.ts as a child process (same loader as this process: tsx). */
export async function startReceiver(): Promise<BenchReceiver> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./webhooks-receiver.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters: { resolve(m: Record<string, unknown>): void; reject(e: Error): void }[] = [];
  child.on('message', (m: Record<string, unknown>) => waiters.shift()?.resolve(m));
  child.on('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`the bench receiver exited (${code})`));
  });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => void waiters.push({ resolve, reject }));
  const ask = async (req: ReceiverRequest) => {
    const reply = next();
    child.send(req);
    return reply;
  };
  const port = (await next()).listening as number;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    setSecret: async (secret) => void (await ask({ cmd: 'secret', secret })),
    stats: async () => (await ask({ cmd: 'stats' })).stats as ReceiverStats,
    ids: async () => new Map((await ask({ cmd: 'ids' })).ids as [string, number][]),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ cmd: 'close' } satisfies ReceiverRequest);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}

/** Runs `emit` for `events` new event ids from `emitters` loops at once (like render workers finishing renders). */
export async function emitConcurrently(events: number, emitters: number, emit: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < events) await emit(next++);
  };
  await Promise.all(Array.from({ length: emitters }, loop));
}

/** This process's CPU time (user + system) from now, in ms. */
export function cpuClock(): () => number {
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
}

export interface Tally {
  lost: number;
  duplicated: number;
}

/** Emitted ids never received, and ids received more than once. */
export function tally(emitted: Iterable<string>, received: Map<string, number>): Tally {
  let lost = 0;
  for (const id of emitted) if (!received.has(id)) lost++;
  let duplicated = 0;
  for (const n of received.values()) if (n > 1) duplicated++;
  return { lost, duplicated };
}

/** Polls the receiver until `count` distinct events arrived or `timeoutMs` passed; then waits `settleMs` for late duplicates. */
export async function waitForDeliveries(receiver: BenchReceiver, count: number, timeoutMs: number, settleMs = 1000): Promise<ReceiverStats> {
  const until = Date.now() + timeoutMs;
  let s = await receiver.stats();
  while (s.distinct < count && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    s = await receiver.stats();
  }
  await new Promise((r) => setTimeout(r, settleMs));
  return receiver.stats();
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const round2 = (x: number) => Math.round(x * 100) / 100;
