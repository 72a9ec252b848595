// Fault: Postgres stops for 10 s while renders are in flight. The processes stay up, jobs wait for the database
// without spending attempts, the batch completes with every render succeeded, and the API answers 503 problem+json
// during the outage and normally after. Runs a private Postgres cluster (initdb + pg_ctl) so stopping it harms no one.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRendersOnce, freePort, inspectSettledRenderQueue, sleep, startStack, waitFor, type Stack } from './faults-harness.js';

const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const OUTAGE_MS = 10_000;

/** Postgres refuses to run as root: when we are root, its commands run as the `postgres` user. */
function pgCommand(cmd: string, args: string[]): { status: number | null; out: string } {
  const bin = join(PG_BIN, cmd);
  const asRoot = process.getuid?.() === 0;
  const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' }) : spawnSync(bin, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function preflight(): void {
  const missing: string[] = [];
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) missing.push(`initdb and pg_ctl in ${PG_BIN} (apt-get install postgresql, or set TEST_PG_BIN)`);
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) missing.push('a `postgres` user to run the server as (Postgres refuses root)');
  if (missing.length) throw new Error(`The Postgres fault test needs ${missing.join(' and ')}.`);
}

class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'tryon-faults-pg-'));
  constructor(readonly port: number) {}
  get url() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  init() {
    if (process.getuid?.() === 0) {
      const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
      chownSync(this.dir, Number(id), Number(gid));
    }
    const r = pgCommand('initdb', ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    if (r.status !== 0) throw new Error(`initdb failed: ${r.out}`);
  }
  start() {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    const r = pgCommand('pg_ctl', ['-D', join(this.dir, 'data'), '-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
    if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.out}`);
  }
  /** Fast shutdown: sessions are ended with an error, as when an operator stops the server. */
  stop() {
    const r = pgCommand('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', '-t', '60', 'stop']);
    if (r.status !== 0) throw new Error(`pg_ctl stop failed: ${r.out}`);
  }
  running() {
    return pgCommand('pg_ctl', ['-D', join(this.dir, 'data'), 'status']).status === 0;
  }
  destroy() {
    if (this.running()) pgCommand('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', 'stop']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('Postgres stopped for 10 s mid-batch', () => {
  let pg: PrivatePostgres;
  let s: Stack;

  beforeAll(async () => {
    preflight();
    pg = new PrivatePostgres(await freePort());
    pg.init();
    pg.start();
    // Each render holds its thread 2 s longer than it needs, so renders are surely in flight when Postgres stops.
    s = await startStack({ databaseUrl: pg.url, env: { FAULT_INJECT_RENDER_HANG_MS: '2000' } });
    await s.startApi();
    s.startWorker();
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    pg?.destroy();
  });

  it('loses nothing, ends the batch with every render succeeded, and the API answers 503 during the outage', async () => {
    const batch = await s.batchInFlight();
    pg.stop();
    const downAt = Date.now();

    // The API while the database is down: alive, not ready (saying the database check fails), and a clear 503 problem, at once.
    expect((await fetch(`${s.apiUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${s.apiUrl}/readyz`);
    expect(ready.status).toBe(503);
    const checks = ((await ready.json()) as { checks: Record<string, { ok: boolean; error?: string }> }).checks;
    expect([checks.redis!.ok, checks.queue!.ok, checks.database!.ok, checks.storage!.ok]).toEqual([true, true, false, true]);
    for (const path of [`/v1/tryons/${batch.id}`, '/v1/garments']) {
      const res = await s.api(path, { signal: AbortSignal.timeout(15_000) });
      expect(res.status, path).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('retry-after')).toBeTruthy();
      const problem = (await res.json()) as { type: string; detail: string };
      expect(problem.type).toBe('https://tryon.dev/problems/service-unavailable');
      expect(problem.detail).toMatch(/database \(Postgres\) is unreachable.*Retry/);
    }

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    // Every process lived through the outage.
    for (const p of s.procs) expect(p.running(), `${p.name} survived the outage\n${s.logs()}`).toBe(true);
    pg.start();

    const done = await s.waitBatchCompleted(batch.id, 120_000);
    await expectRendersOnce(s, done, 3);
    // Jobs that met the outage waited for the database (no attempt spent); none failed.
    const worker = s.procs.find((p) => p.name.startsWith('worker'))!;
    expect(worker.out()).toMatch(/the database is unreachable; the job waits without spending an attempt/);
    await inspectSettledRenderQueue(s.env.REDIS_URL!, s.env.QUEUE_PREFIX!, 3, s.logs, async (queue) => {
      expect(await queue.getJobCounts('completed', 'failed', 'active', 'delayed')).toMatchObject({ completed: 3, failed: 0, active: 0, delayed: 0 });
    });

    // And normal answers after.
    await waitFor('/readyz 200 again', async () => (await fetch(`${s.apiUrl}/readyz`)).status === 200, 30_000, 250, s.logs);
    expect((await s.api('/v1/garments')).status).toBe(200);
    for (const p of s.procs) expect(p.running(), `${p.name} is still running`).toBe(true);
  }, 300_000);
});
