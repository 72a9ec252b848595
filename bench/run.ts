// `npm run bench`: preparation timings on the samples, webhook delivery throughput, printed as one JSON object on stdout.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { NetworkRegistry } from '../src/inference/registry.js';
import { createLogger } from '../src/logger.js';
import { analyzeGarment } from '../src/pipeline/garment/analyze.js';
import { decodeLimits } from '../src/pipeline/limits.js';
import { analyzeModel } from '../src/pipeline/person/analyze.js';
import { expandImages, readInput } from '../src/cli/io.js';
import { benchParts } from './parts.js';
import { redisReachable } from '../src/queue/connection.js';
import { benchRender } from './render.js';
import { benchWebhooks } from './webhooks.js';
import { benchWebhookQueue } from './webhooks-queue.js';
import { peakRssMb, percentiles } from './stats.js';

const SAMPLES = fileURLToPath(new URL('../samples', import.meta.url));
const PASSES = Number(process.env.BENCH_PASSES ?? 2);

const cfg = loadConfig();
const nets = NetworkRegistry.fromConfig(cfg, createLogger('warn'));
const limits = decodeLimits(cfg);
const rt = await nets.runtime();

const models = await Promise.all((await expandImages([path.join(SAMPLES, 'models')])).map(readInput));
const garments = await Promise.all((await expandImages([path.join(SAMPLES, 'garments')])).map(readInput));

// Warm-up: load every network and JIT the code paths once; not measured.
const tLoad = performance.now();
await analyzeModel(models[0]!, nets, { limits });
await analyzeGarment(garments[0]!, { limits });
const warmupMs = performance.now() - tLoad;

const modelMs: number[] = [];
const garmentMs: number[] = [];
// CPU time of this process per preparation (robust to other load on a shared machine) and the
// pipeline's own wall time per stage.
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const modelCpu: number[] = [];
const garmentCpu: number[] = [];
const modelStages: Record<string, number[]> = {};
const garmentStages: Record<string, number[]> = {};
const addStages = (to: Record<string, number[]>, t: Record<string, number>) => {
  for (const [k, v] of Object.entries(t)) (to[k] ??= []).push(v);
};
for (let pass = 0; pass < PASSES; pass++) {
  for (const bytes of models) {
    const c0 = cpuMs();
    const t0 = performance.now();
    const r = await analyzeModel(bytes, nets, { limits });
    modelMs.push(performance.now() - t0);
    modelCpu.push(cpuMs() - c0);
    addStages(modelStages, r.timings_ms);
  }
  for (const bytes of garments) {
    const c0 = cpuMs();
    const t0 = performance.now();
    const r = await analyzeGarment(bytes, { limits });
    garmentMs.push(performance.now() - t0);
    garmentCpu.push(cpuMs() - c0);
    addStages(garmentStages, r.timings_ms);
  }
}
const stageP50 = (st: Record<string, number[]>) => Object.fromEntries(Object.entries(st).map(([k, v]) => [k, percentiles(v).p50]));

const render = await benchRender(cfg, nets, limits, models, garments);

// 1000 events to a local receiver (a child process): the dispatcher alone (records + HTTP), then the
// production path through the BullMQ webhook queue and the webhook worker role (needs Redis).
// Records on Postgres (BENCH_DATABASE_URL, else DATABASE_URL, else 127.0.0.1:5432/test) in a private
// schema, or PGlite when none answers; each reports CPU ms per delivery of the sending process.
const webhookEvents = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000);
const webhooks = await benchWebhooks(webhookEvents);
const webhookQueue = (await redisReachable(cfg.REDIS_URL))
  ? await benchWebhookQueue(webhookEvents)
  : { webhook_queue_skipped: `Redis not reachable at ${cfg.REDIS_URL}` };

const report = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  backend: rt.backend,
  backend_reason: rt.reason,
  networks_loaded: nets.loaded(),
  warmup_ms: Math.round(warmupMs),
  model_prepare_ms: percentiles(modelMs),
  garment_prepare_ms: percentiles(garmentMs),
  model_prepare_cpu_ms: percentiles(modelCpu),
  garment_prepare_cpu_ms: percentiles(garmentCpu),
  model_prepare_stages_p50_ms: stageP50(modelStages),
  garment_prepare_stages_p50_ms: stageP50(garmentStages),
  ...render,
  ...benchParts(),
  ...webhooks,
  ...webhookQueue,
  peak_rss_mb: peakRssMb(),
  targets: {
    'model_prepare_ms.p50': 600, 'garment_prepare_ms.p50': 250, 'render_ms.p50': 250, batch8_wall_ms: 1500, peak_rss_mb: 1500,
    webhook_deliveries_per_s: 200, webhook_queue_deliveries_per_s: 200, webhook_lost: 0, webhook_duplicated: 0, webhook_queue_lost: 0, webhook_queue_duplicated: 0,
  },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
