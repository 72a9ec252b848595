// A compute thread: loads the networks once, runs preparation and renders off the main event loop, keeps an LRU of prepared inputs.
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { NetworkRegistry } from '../inference/registry.js';
import { estimateTone } from '../pipeline/enhance/tone.js';
import { InputError } from '../pipeline/errors.js';
import { analyzeGarment } from '../pipeline/garment/analyze.js';
import { decodeImage, resizeRgba } from '../pipeline/image.js';
import { decodeLimits } from '../pipeline/limits.js';
import { parseRenderOptions } from '../pipeline/options.js';
import { analyzeModel } from '../pipeline/person/analyze.js';
import { prepareModelLayers } from '../pipeline/person/layers/index.js';
import { renderTryOn } from '../pipeline/render.js';
import { decodePreparedGarment, decodePreparedModel, encodePreparedGarment, encodePreparedModel, type PreparedModel } from '../pipeline/serialize.js';
import type { GarmentAnalysis, ModelAnalysis, RgbaImage } from '../pipeline/types.js';
import type { ToneParams } from '../pipeline/enhance/index.js';
import type { JsonObject } from '../db/schema.js';
import type {
  ComputeTask,
  MainMessage,
  PreparedGarmentOutput,
  PreparedModelOutput,
  PrepareGarmentTask,
  PrepareModelTask,
  RenderOutput,
  RenderTask,
  ThreadInit,
  ThreadMessage,
  WireError,
} from './compute-tasks.js';
import { LruCache } from './lru.js';

const port = parentPort!;
const { config } = workerData as ThreadInit;
const limits = decodeLimits(config);
const nets = NetworkRegistry.fromConfig(config);
// Compact blobs: masks shrink ~20×; decoding costs ~150 ms per model, paid once per thread thanks to the cache.
const ENCODE = { compress: true };

type Cached = { kind: 'model'; value: PreparedModel } | { kind: 'garment'; value: GarmentAnalysis };
const cache = new LruCache<string, Cached>(config.PREPARED_CACHE_SIZE);

const round = (v: number) => Math.round(v * 10) / 10;
const jsonOf = (v: unknown) => JSON.parse(JSON.stringify(v)) as JsonObject;

function send(m: ThreadMessage, transfer: ArrayBuffer[] = []) {
  port.postMessage(m, transfer);
}

function toWire(e: unknown): WireError {
  if (e instanceof InputError) return { name: e.name, message: e.message, code: e.code };
  if (e instanceof Error) {
    // Zod errors on options are bad input too: the caller sent them.
    if (e.name === 'ZodError') return { name: 'InputError', message: `invalid render options: ${e.message}`, code: 'bad-option' };
    return { name: e.name, message: e.message, stack: e.stack };
  }
  return { name: 'Error', message: String(e) };
}

function garmentSummary(g: GarmentAnalysis): JsonObject {
  return jsonOf({
    category: g.category,
    category_source: g.category_source,
    category_confidence: g.category_confidence,
    cutout: g.cutout,
    landmarks: g.landmarks,
    has_collar_back: g.collar_back !== null,
    width: g.width,
    height: g.height,
    timings_ms: g.timings_ms,
  });
}

function modelSummary(a: ModelAnalysis, prep: PreparedModel): JsonObject {
  return jsonOf({
    width: a.width,
    height: a.height,
    person_box: a.person_box,
    pose: { network: a.pose.network, score: a.pose.score, keypoints: a.pose.keypoints },
    face: a.face ? { box: a.face.box, score: a.face.score } : null,
    arm_in_front: a.arm_in_front,
    measurements: a.measurements,
    suitability: a.suitability,
    shading_source: prep.layers.shading.source,
    timings_ms: { ...a.timings_ms, ...Object.fromEntries(Object.entries(prep.layers.timings_ms).map(([k, v]) => [`layers_${k}`, v])) },
  });
}

async function prepareGarment(task: PrepareGarmentTask): Promise<{ out: PreparedGarmentOutput; transfer: ArrayBuffer[] }> {
  const g = await analyzeGarment(task.bytes, { category: task.category, limits });
  const t = performance.now();
  const blob = encodePreparedGarment(g, ENCODE);
  g.timings_ms.encode = round(performance.now() - t);
  if (task.cacheKey) cache.set(task.cacheKey, { kind: 'garment', value: g });
  return {
    out: { blob, summary: garmentSummary(g), category: g.category, width: g.width, height: g.height },
    transfer: [blob.buffer as ArrayBuffer],
  };
}

async function prepareModel(task: PrepareModelTask): Promise<{ out: PreparedModelOutput; transfer: ArrayBuffer[] }> {
  const analysis = await analyzeModel(task.bytes, nets, { limits });
  const layers = await prepareModelLayers(analysis);
  // The person's global tone is a property of the photo: computed once here, applied per render to the garment region.
  const tone: ToneParams = estimateTone(analysis.image, { whiteBalance: true, tone: true });
  const prep: PreparedModel = { analysis, layers, extra: { tone } };
  const t = performance.now();
  const blob = encodePreparedModel(prep, ENCODE);
  analysis.timings_ms.encode = round(performance.now() - t);
  if (task.cacheKey) cache.set(task.cacheKey, { kind: 'model', value: prep });
  return {
    out: { blob, summary: modelSummary(analysis, prep), width: analysis.width, height: analysis.height },
    transfer: [blob.buffer as ArrayBuffer],
  };
}

function lookup(key: string, bytes: Uint8Array | undefined, kind: 'model' | 'garment'): { value: Cached | undefined; loaded: boolean } {
  const hit = cache.get(key);
  if (hit && hit.kind === kind) return { value: hit, loaded: false };
  if (!bytes) return { value: undefined, loaded: false };
  const value: Cached = kind === 'model' ? { kind, value: decodePreparedModel(bytes) } : { kind, value: decodePreparedGarment(bytes) };
  cache.set(key, value);
  return { value, loaded: true };
}

async function backgroundPixels(bytes: Uint8Array, width: number, height: number): Promise<RgbaImage> {
  const { image } = await decodeImage(bytes, { ...limits, maxEdge: Math.max(width, height) * 2 });
  return image.width === width && image.height === height ? image : resizeRgba(image, width, height);
}

/**
 * Fault injection for the timeout tests (FAULT_INJECT_RENDER_HANG_MS, off by default and announced in
 * the log): blocks this thread synchronously, as a stuck loop would, without spending CPU.
 */
function injectHang(task: RenderTask): void {
  const ms = config.FAULT_INJECT_RENDER_HANG_MS;
  if (!(ms > 0)) return;
  const only = config.FAULT_INJECT_RENDER_HANG_KEY;
  if (only && !task.model.key.includes(only) && !task.garment.key.includes(only)) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function render(id: number, task: RenderTask): Promise<{ out: RenderOutput; transfer: ArrayBuffer[] } | 'miss'> {
  const t0 = performance.now();
  const m = lookup(task.model.key, task.model.bytes, 'model');
  const g = lookup(task.garment.key, task.garment.bytes, 'garment');
  const missing = [...(m.value ? [] : [task.model.key]), ...(g.value ? [] : [task.garment.key])];
  if (missing.length > 0) {
    send({ id, type: 'miss', keys: missing });
    return 'miss';
  }
  injectHang(task);
  const prep = (m.value as Extract<Cached, { kind: 'model' }>).value;
  const garment = (g.value as Extract<Cached, { kind: 'garment' }>).value;
  const load_ms = performance.now() - t0;
  const options = parseRenderOptions(task.options);
  const background = task.background ? await backgroundPixels(task.background, prep.analysis.width, prep.analysis.height) : undefined;
  send({ id, type: 'stage', stage: 'targets' });
  const r = renderTryOn(
    { model: prep.analysis, layers: prep.layers, garment, background, tone: prep.extra?.tone as ToneParams | undefined },
    options,
  );
  send({ id, type: 'stage', stage: 'encode' });
  const t1 = performance.now();
  // sharp writes no metadata unless asked: no EXIF/XMP/ICC of the inputs; pixels are sRGB.
  const jpeg = await sharp(r.image.data, { raw: { width: r.image.width, height: r.image.height, channels: 4 } })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: task.jpegQuality ?? 90 })
    .toBuffer();
  const timings = { ...r.timings_ms, load: round(load_ms), encode: round(performance.now() - t1), thread_total: round(performance.now() - t0) };
  const bytes = new Uint8Array(jpeg);
  return {
    out: {
      jpeg: bytes,
      width: r.image.width,
      height: r.image.height,
      // Where each garment point landed (model pixels): the dashboard draws its body-target handles there.
      quality: jsonOf({ ...r.quality, targets: r.targets.points }),
      needs_review: r.quality.needs_review,
      timings_ms: timings,
      loaded: { model: m.loaded, garment: g.loaded },
    },
    transfer: [bytes.buffer as ArrayBuffer],
  };
}

async function run(id: number, task: ComputeTask): Promise<void> {
  try {
    const r = task.kind === 'prepareGarment' ? await prepareGarment(task) : task.kind === 'prepareModel' ? await prepareModel(task) : await render(id, task);
    if (r === 'miss') return;
    send({ id, type: 'done', result: r.out, cached: cache.keys() }, r.transfer);
  } catch (e) {
    send({ id, type: 'error', error: toWire(e), cached: cache.keys() });
  }
}

port.on('message', (m: MainMessage) => void run(m.id, m.task));
send({ type: 'ready' });
