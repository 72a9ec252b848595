// `tryon render` and `tryon eval`: one garment on many models, or every garment on every person.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { loadConfig } from '../config.js';
import { NetworkRegistry } from '../inference/registry.js';
import { createLogger } from '../logger.js';
import { analyzeGarment } from '../pipeline/garment/analyze.js';
import { decodeLimits } from '../pipeline/limits.js';
import { renderOptionsSchema, type RenderOptions } from '../pipeline/options.js';
import { analyzeModel } from '../pipeline/person/analyze.js';
import { prepareModelLayers } from '../pipeline/person/layers/index.js';
import { renderPaste, renderTryOn } from '../pipeline/render.js';
import type { GarmentAnalysis, GarmentCategory, ModelAnalysis, ModelLayers, RgbaImage } from '../pipeline/types.js';
import { CliError, expandImages, progress, readInput, writeOutputs } from './io.js';
import { contactSheet, type SheetRow } from './sheet.js';

type Method = 'tryon' | 'paste';

interface Prepared {
  model: ModelAnalysis;
  layers: ModelLayers;
  ms: number;
}

function toJpeg(img: RgbaImage, quality = 90): Promise<Buffer> {
  // sharp writes no metadata unless asked: the result carries no EXIF/XMP of its inputs.
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality, mozjpeg: true })
    .toBuffer();
}

async function parseOptions(raw: string | undefined): Promise<RenderOptions> {
  if (!raw) return renderOptionsSchema.parse({});
  let json: unknown;
  try {
    json = JSON.parse(raw.trim().startsWith('{') ? raw : await readFile(raw, 'utf8'));
  } catch (e) {
    throw new CliError(`--options must be JSON or a JSON file (${(e as Error).message})`);
  }
  const parsed = renderOptionsSchema.safeParse(json);
  if (!parsed.success) {
    throw new CliError(`--options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

function method(v: string | undefined): Method {
  if (v === undefined || v === 'tryon') return 'tryon';
  if (v === 'paste') return 'paste';
  throw new CliError(`--method must be tryon or paste (got "${v}")`);
}

function category(v: string | undefined): GarmentCategory | undefined {
  if (v === undefined) return undefined;
  if (v === 'top' || v === 'bottom' || v === 'dress') return v;
  throw new CliError(`--category must be top, bottom or dress (got "${v}")`);
}

const stem = (f: string) => path.basename(f).replace(/\.[^.]+$/, '');

/** Prepares each model photo once (analysis + layers), keyed by path. */
class ModelCache {
  private readonly cache = new Map<string, Promise<Prepared>>();
  constructor(
    private readonly nets: NetworkRegistry,
    private readonly limits: ReturnType<typeof decodeLimits>,
  ) {}
  get(file: string): Promise<Prepared> {
    let p = this.cache.get(file);
    if (!p) {
      p = (async () => {
        const t0 = performance.now();
        const model = await analyzeModel(await readInput(file), this.nets, { limits: this.limits });
        const layers = await prepareModelLayers(model);
        return { model, layers, ms: performance.now() - t0 };
      })();
      this.cache.set(file, p);
    }
    return p;
  }
}

function runOne(m: Method, prepared: Prepared, garment: GarmentAnalysis, options: RenderOptions) {
  const input = { model: prepared.model, layers: prepared.layers, garment };
  return m === 'paste' ? renderPaste(input, options) : renderTryOn(input, options);
}

function setup() {
  const cfg = loadConfig();
  const nets = NetworkRegistry.fromConfig(cfg, createLogger(cfg.LOG_LEVEL === 'info' ? 'warn' : cfg.LOG_LEVEL));
  return { cfg, nets, limits: decodeLimits(cfg) };
}

export async function renderCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    // `--models a.jpg b.jpg`: the images after the first are positionals, models all the same.
    allowPositionals: true,
    options: {
      garment: { type: 'string', short: 'g' },
      models: { type: 'string', short: 'm', multiple: true },
      out: { type: 'string', short: 'o' },
      options: { type: 'string' },
      sheet: { type: 'string' },
      category: { type: 'string' },
      method: { type: 'string' },
    },
  });
  if (!values.garment) throw new CliError('--garment <image> is required');
  if (!values.models?.length) throw new CliError('--models <image|dir>... is required');
  values.models.push(...positionals);
  if (!values.out) throw new CliError('--out <dir> is required');
  const options = await parseOptions(values.options);
  const m = method(values.method);
  const { nets, limits } = setup();
  const garmentBytes = await readInput(values.garment);
  const garment = await analyzeGarment(garmentBytes, { category: category(values.category), limits });
  progress(`garment ${values.garment}: ${garment.category}, cut-out confidence ${garment.cutout.confidence.toFixed(2)}`);
  const cache = new ModelCache(nets, limits);
  const files = await expandImages(values.models);
  const rows: SheetRow[] = [];
  let failed = 0;
  for (const [i, file] of files.entries()) {
    try {
      const prepared = await cache.get(file);
      const r = runOne(m, prepared, garment, options);
      const jpeg = await toJpeg(r.image);
      await writeOutputs(values.out, {
        [`${stem(file)}.jpg`]: jpeg,
        [`${stem(file)}.quality.json`]: JSON.stringify({ model: file, garment: values.garment, method: m, options, quality: r.quality, timings_ms: r.timings_ms }, null, 2),
      });
      rows.push({ caption: `${stem(file)} — ${r.quality.needs_review ? 'needs review: ' + r.quality.reasons.join('; ') : 'ok'}`, tiles: [await readInput(file), garmentBytes, jpeg] });
      progress(`[${i + 1}/${files.length}] ${file}: render ${Math.round(r.timings_ms.total ?? 0)} ms${r.quality.needs_review ? ', needs review' : ''}`);
    } catch (e) {
      if (files.length === 1) throw e;
      failed++;
      progress(`[${i + 1}/${files.length}] ${file}: FAILED: ${(e as Error).message}`);
    }
  }
  if (values.sheet) {
    await writeOutputs(path.dirname(values.sheet), { [path.basename(values.sheet)]: await contactSheet(rows) });
    progress(`contact sheet: ${values.sheet}`);
  }
  return failed ? 1 : 0;
}

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      people: { type: 'string', multiple: true },
      garments: { type: 'string', multiple: true },
      out: { type: 'string', short: 'o' },
      options: { type: 'string' },
      method: { type: 'string' },
      panels: { type: 'boolean', default: false },
    },
  });
  if (!values.people?.length || !values.garments?.length || !values.out) {
    throw new CliError('usage: tryon eval --people <dir|image>... --garments <dir|image>... --out <dir> [--method tryon|paste] [--options json] [--panels]');
  }
  const out = values.out;
  const options = await parseOptions(values.options);
  const m = method(values.method);
  const { nets, limits } = setup();
  const people = await expandImages(values.people);
  const garmentFiles = await expandImages(values.garments);
  const cache = new ModelCache(nets, limits);
  const metrics: { renders: unknown[]; failures: unknown[]; garments: unknown[]; models: unknown[] } = { renders: [], failures: [], garments: [], models: [] };
  const panelKey: Record<string, { model: string; garment: string; method: Method }> = {};
  const renderMs: number[] = [];
  const rowsByPerson = new Map<string, SheetRow[]>();

  for (const gFile of garmentFiles) {
    const gBytes = await readInput(gFile);
    let garment: GarmentAnalysis;
    const tg = performance.now();
    try {
      garment = await analyzeGarment(gBytes, { limits });
    } catch (e) {
      metrics.failures.push({ garment: gFile, stage: 'garment', error: (e as Error).message });
      progress(`garment ${gFile}: FAILED: ${(e as Error).message}`);
      continue;
    }
    metrics.garments.push({ garment: gFile, category: garment.category, cutout_confidence: garment.cutout.confidence, prepare_ms: Math.round(performance.now() - tg) });
    for (const pFile of people) {
      try {
        const prepared = await cache.get(pFile);
        const r = runOne(m, prepared, garment, options);
        const jpeg = await toJpeg(r.image);
        const name = `${stem(pFile)}__${stem(gFile)}`;
        await writeOutputs(path.join(out, 'renders'), { [`${name}.jpg`]: jpeg });
        renderMs.push(r.timings_ms.total ?? 0);
        metrics.renders.push({ model: pFile, garment: gFile, method: m, quality: r.quality, timings_ms: r.timings_ms });
        const rows = rowsByPerson.get(pFile) ?? [];
        rows.push({ caption: `${name} — q ${r.quality.needs_review ? 'REVIEW: ' + r.quality.reasons.join('; ') : 'ok'}`, tiles: [await readInput(pFile), gBytes, jpeg] });
        rowsByPerson.set(pFile, rows);
        if (values.panels) {
          const id = randomBytes(4).toString('hex');
          panelKey[id] = { model: pFile, garment: gFile, method: m };
          await writeOutputs(path.join(out, 'panels'), { [`${id}.jpg`]: await panel([await readInput(pFile), gBytes, jpeg]) });
        }
        progress(`${name}: ${Math.round(r.timings_ms.total ?? 0)} ms${r.quality.needs_review ? ' (needs review)' : ''}`);
      } catch (e) {
        metrics.failures.push({ model: pFile, garment: gFile, error: (e as Error).message });
        progress(`${stem(pFile)} × ${stem(gFile)}: FAILED: ${(e as Error).message}`);
      }
    }
  }
  for (const pFile of people) {
    const p = await cache.get(pFile).catch(() => null);
    if (p) metrics.models.push({ model: pFile, prepare_ms: Math.round(p.ms), suitability: p.model.suitability, pose_score: p.model.pose.score });
  }
  const sorted = [...renderMs].sort((a, b) => a - b);
  const summary = {
    method: m,
    renders: metrics.renders.length,
    failures: metrics.failures.length,
    needs_review: metrics.renders.filter((r) => (r as { quality: { needs_review: boolean } }).quality.needs_review).length,
    render_ms_p50: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
  };
  const files: Record<string, Buffer | string> = { 'metrics.json': JSON.stringify({ summary, ...metrics }, null, 2) };
  for (const [pFile, rows] of rowsByPerson) files[`sheet-${stem(pFile)}.png`] = await contactSheet(rows, 300);
  await writeOutputs(out, files);
  if (values.panels) await writeOutputs(path.join(out, 'panels-key'), { 'key.json': JSON.stringify(panelKey, null, 2) });
  progress(`${JSON.stringify(summary)}\nwrote ${path.join(out, 'metrics.json')} and contact sheets`);
  return 0;
}

/** Model | garment | render side by side at one height, for blind rating (QUALITY.md). */
async function panel(images: Buffer[], height = 768): Promise<Buffer> {
  const tiles = await Promise.all(images.map((b) => sharp(b).resize({ height }).flatten({ background: '#ffffff' }).jpeg().toBuffer({ resolveWithObject: true })));
  const width = tiles.reduce((s, t) => s + t.info.width, 0);
  let left = 0;
  const layers = tiles.map((t) => {
    const l = { input: t.data, top: 0, left };
    left += t.info.width;
    return l;
  });
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers).jpeg({ quality: 88 }).toBuffer();
}
