// CPU-heavy pipeline work on worker_threads (one per core by default), so the event loop stays free to renew job locks.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { InputError, type InputErrorCode } from '../pipeline/errors.js';
import type { GarmentCategory } from '../pipeline/types.js';
import type {
  ComputeTask,
  MainMessage,
  PreparedGarmentOutput,
  PreparedModelOutput,
  RenderOutput,
  TaskOutputs,
  ThreadInit,
  ThreadMessage,
  WireError,
} from './compute-tasks.js';

export type { PreparedGarmentOutput, PreparedModelOutput, RenderOutput } from './compute-tasks.js';

/** A prepared input by its blob key, and how to fetch its bytes if the thread does not hold it. */
export interface PreparedSource {
  key: string;
  load(): Promise<Uint8Array>;
}

export interface RenderRequest {
  model: PreparedSource;
  garment: PreparedSource;
  options: unknown;
  background?: Uint8Array;
  jpegQuality?: number;
}

export interface ComputePool {
  readonly size: number;
  prepareGarment(bytes: Uint8Array, category: GarmentCategory | undefined, opts?: { cacheKey?: string }): Promise<PreparedGarmentOutput>;
  prepareModel(bytes: Uint8Array, opts?: { cacheKey?: string }): Promise<PreparedModelOutput>;
  /** Renders on the thread that holds the prepared inputs when one is free; `onStage` hears the thread's stages. */
  render(req: RenderRequest, onStage?: (stage: string) => void): Promise<RenderOutput>;
  /** Waits until every thread has started (networks load lazily, on first use). */
  ready(): Promise<void>;
  terminate(): Promise<void>;
}

/** A thread died under a task (out of memory, a native crash): transient, the job is retried. */
export class ComputeThreadError extends Error {
  override readonly name = 'ComputeThreadError';
}

/** A render ran past RENDER_TIMEOUT_MS: its thread was stopped and replaced. Not retried: the same inputs would likely hang again. */
export class RenderTimeoutError extends Error {
  override readonly name = 'RenderTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(
      `The render did not finish within ${timeoutMs} ms (RENDER_TIMEOUT_MS); it was stopped. ` +
        'Re-render it (other options may help); if it keeps happening with these inputs, report it.',
    );
  }
}

interface Pending {
  id: number;
  task: ComputeTask;
  /** Cache keys this task would like to find in its thread. */
  affinity: string[];
  resolve(v: unknown): void;
  reject(e: Error): void;
  onStage?: (stage: string) => void;
  onMiss?: (keys: string[]) => Promise<ComputeTask>;
  /** Longest the task may hold a thread (ms); past it the thread is terminated and replaced. */
  timeoutMs?: number;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  current: Pending | null;
  cached: Set<string>;
}

export function poolSize(cfg: Pick<Config, 'WORKER_CONCURRENCY'>): number {
  return cfg.WORKER_CONCURRENCY > 0 ? cfg.WORKER_CONCURRENCY : Math.max(1, availableParallelism());
}

function fromWire(e: WireError): Error {
  if (e.code) return new InputError(e.code as InputErrorCode, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * Starts the thread entry. From TypeScript sources (tsx, vitest) the thread registers tsx's loader
 * first; from a build it loads the compiled .js directly.
 */
function spawnThread(init: ThreadInit): Worker {
  const entry = new URL('./compute-thread' + (import.meta.url.endsWith('.ts') ? '.ts' : '.js'), import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: init });
  // The ESM build of tsx's API (the package maps `require` to a CJS build that cannot run in an eval worker).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); }).catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

export function createComputePool(cfg: Config, log: Logger, size = poolSize(cfg)): ComputePool {
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closing = false;
  let bootFailures = 0;

  const start = (): Slot => {
    const worker = spawnThread({ config: cfg });
    let markReady!: () => void;
    const slot: Slot = { worker, ready: new Promise<void>((r) => (markReady = r)), current: null, cached: new Set() };
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'ready') {
        started = true;
        bootFailures = 0;
        return markReady();
      }
      const p = slot.current;
      if (!p || p.id !== m.id) return;
      if (m.type === 'stage') return p.onStage?.(m.stage);
      if (m.type === 'miss') {
        // Fetch the bytes on the main thread (I/O) and send the task again to the same thread.
        if (!p.onMiss) return finish(slot, () => p.reject(new Error(`compute thread lacks ${m.keys.join(', ')}`)));
        p.onMiss(m.keys).then(
          (task) => {
            p.task = task;
            p.onMiss = undefined;
            slot.worker.postMessage({ id: p.id, task } satisfies MainMessage);
          },
          (e: Error) => finish(slot, () => p.reject(e)),
        );
        return;
      }
      slot.cached = new Set(m.cached);
      if (m.type === 'done') finish(slot, () => p.resolve(m.result));
      else finish(slot, () => p.reject(fromWire(m.error)));
    });
    worker.on('error', (e) => log.error({ err: e }, 'compute thread error'));
    let started = false;
    worker.on('exit', (code) => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      markReady();
      if (!started && ++bootFailures >= 3) {
        // A thread that cannot even start (a broken install) would otherwise be restarted forever.
        closing = true;
        const err = new ComputeThreadError(`compute threads fail to start (exit code ${code}); see the log above`);
        slot.current?.reject(err);
        for (const p of queue.splice(0)) p.reject(err);
        log.error({ code }, 'compute threads fail to start; the pool is closed');
        return;
      }
      if (slot.current?.timer) clearTimeout(slot.current.timer);
      if (slot.current) slot.current.reject(new ComputeThreadError(`compute thread exited (code ${code}) during a ${slot.current.task.kind} task`));
      slot.current = null;
      if (!closing) {
        log.warn({ code }, 'compute thread exited; starting another');
        slots.push(start());
        dispatch();
      }
    });
    return slot;
  };

  const finish = (slot: Slot, settle: () => void) => {
    if (slot.current?.timer) clearTimeout(slot.current.timer);
    slot.current = null;
    settle();
    dispatch();
  };

  // A hung task: the thread cannot be interrupted from inside, so it is terminated; its exit starts a replacement.
  const timeOut = (slot: Slot, p: Pending) => {
    if (slot.current !== p) return;
    slot.current = null;
    // Out of the rotation at once: nothing may be dispatched to a thread that is being terminated.
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    log.warn({ task: p.task.kind, timeout_ms: p.timeoutMs }, 'compute task ran past its timeout; terminating its thread');
    p.reject(new RenderTimeoutError(p.timeoutMs!));
    void slot.worker.terminate();
  };

  // Prefer an idle thread that already holds a task's prepared inputs; else first come, first served.
  const dispatch = () => {
    for (const slot of slots) {
      if (slot.current || queue.length === 0) continue;
      let pick = queue.findIndex((p) => p.affinity.length > 0 && p.affinity.every((k) => slot.cached.has(k)));
      if (pick < 0) {
        // Leave a task for an idle thread that holds its inputs, if there is one.
        const othersIdle = slots.filter((s) => s !== slot && !s.current);
        pick = queue.findIndex((p) => !othersIdle.some((s) => p.affinity.length > 0 && p.affinity.every((k) => s.cached.has(k))));
        if (pick < 0) pick = 0;
      }
      const [p] = queue.splice(pick, 1);
      slot.current = p!;
      // The clock starts once the thread is up (a replacement thread may still be booting).
      if (p!.timeoutMs) void slot.ready.then(() => slot.current === p && !p.timer && (p.timer = setTimeout(() => timeOut(slot, p), p.timeoutMs)));
      slot.worker.postMessage({ id: p!.id, task: p!.task } satisfies MainMessage);
    }
  };

  const submit = <K extends keyof TaskOutputs>(
    task: ComputeTask & { kind: K },
    extra: Partial<Pick<Pending, 'affinity' | 'onStage' | 'onMiss' | 'timeoutMs'>> = {},
  ): Promise<TaskOutputs[K]> => {
    if (closing) return Promise.reject(new Error('compute pool is closed'));
    return new Promise<TaskOutputs[K]>((resolve, reject) => {
      queue.push({
        id: nextId++,
        task,
        affinity: extra.affinity ?? [],
        resolve: resolve as (v: unknown) => void,
        reject,
        onStage: extra.onStage,
        onMiss: extra.onMiss,
        timeoutMs: extra.timeoutMs,
      });
      dispatch();
    });
  };

  for (let i = 0; i < size; i++) slots.push(start());
  log.info({ threads: size, render_timeout_ms: cfg.RENDER_TIMEOUT_MS }, 'compute pool started');
  if (cfg.FAULT_INJECT_RENDER_HANG_MS > 0) {
    log.warn(
      { hang_ms: cfg.FAULT_INJECT_RENDER_HANG_MS, key: cfg.FAULT_INJECT_RENDER_HANG_KEY ?? '(every render)' },
      'FAULT_INJECT_RENDER_HANG_MS is set: renders are made to hang on purpose (a test setting; keep it 0 in production)',
    );
  }

  return {
    size,
    prepareGarment: (bytes, category, opts = {}) =>
      submit({ kind: 'prepareGarment', bytes, category, cacheKey: opts.cacheKey }),
    prepareModel: (bytes, opts = {}) => submit({ kind: 'prepareModel', bytes, cacheKey: opts.cacheKey }),
    render(req, onStage) {
      const base = { kind: 'render' as const, options: req.options, background: req.background, jpegQuality: req.jpegQuality };
      return submit(
        { ...base, model: { key: req.model.key }, garment: { key: req.garment.key } },
        {
          affinity: [req.model.key, req.garment.key],
          onStage,
          timeoutMs: cfg.RENDER_TIMEOUT_MS,
          onMiss: async (keys) => {
            const [m, g] = await Promise.all([
              keys.includes(req.model.key) ? req.model.load() : undefined,
              keys.includes(req.garment.key) ? req.garment.load() : undefined,
            ]);
            return { ...base, model: { key: req.model.key, bytes: m }, garment: { key: req.garment.key, bytes: g } };
          },
        },
      );
    },
    async ready() {
      await Promise.all(slots.map((s) => s.ready));
    },
    async terminate() {
      closing = true;
      for (const p of queue.splice(0)) p.reject(new Error('compute pool is closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
