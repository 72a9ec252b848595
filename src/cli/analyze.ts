// `tryon analyze-model` and `tryon analyze-garment`: analysis JSON plus overlays per image.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { NetworkRegistry } from '../inference/registry.js';
import { createLogger } from '../logger.js';
import { analyzeGarment } from '../pipeline/garment/analyze.js';
import { garmentOverlays } from '../pipeline/garment/overlay.js';
import { decodeLimits } from '../pipeline/limits.js';
import { analyzeModel } from '../pipeline/person/analyze.js';
import { modelOverlays } from '../pipeline/person/overlay.js';
import type { GarmentCategory } from '../pipeline/types.js';
import { analysisJson, CliError, expandImages, progress, readInput, writeOutputs } from './io.js';

interface Parsed {
  images: string[];
  out: string;
  category?: GarmentCategory;
}

function parse(argv: string[], withCategory: boolean): Parsed {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, ...(withCategory ? { category: { type: 'string', short: 'c' } } : {}) },
  });
  if (positionals.length === 0) throw new CliError('name at least one image file (or a folder of images)');
  if (!values.out) throw new CliError('--out <dir> is required: the folder to write the analysis and overlays to');
  const category = (values as { category?: string }).category;
  if (category !== undefined && !['top', 'bottom', 'dress'].includes(category)) {
    throw new CliError(`--category must be top, bottom or dress (got "${category}")`);
  }
  return { images: positionals, out: values.out, category: category as GarmentCategory | undefined };
}

function outDir(base: string, file: string, many: boolean): string {
  return many ? path.join(base, path.basename(file).replace(/\.[^.]+$/, '')) : base;
}

/** Runs `one` per image; an image that fails is reported and the rest go on. */
async function eachImage(files: string[], label: string, one: (file: string, i: number) => Promise<string>): Promise<number> {
  let failed = 0;
  for (const [i, file] of files.entries()) {
    const t0 = performance.now();
    try {
      const summary = await one(file, i);
      progress(`[${i + 1}/${files.length}] ${label} ${file}: ${summary} (${Math.round(performance.now() - t0)} ms)`);
    } catch (e) {
      if (files.length === 1) throw e;
      failed++;
      progress(`[${i + 1}/${files.length}] ${label} ${file}: FAILED: ${(e as Error).message}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

export async function analyzeModelCommand(argv: string[]): Promise<number> {
  const args = parse(argv, false);
  const cfg = loadConfig();
  const log = createLogger(cfg.LOG_LEVEL === 'info' ? 'warn' : cfg.LOG_LEVEL);
  const nets = NetworkRegistry.fromConfig(cfg, log);
  const files = await expandImages(args.images);
  const rt = await nets.runtime();
  progress(`tfjs backend: ${rt.backend} (${rt.reason})`);
  return eachImage(files, 'model', async (file) => {
    const a = await analyzeModel(await readInput(file), nets, { limits: decodeLimits(cfg) });
    const overlays = await modelOverlays(a);
    const json = analysisJson({ source: path.resolve(file), ...a }, { image: 'image.png', mask: 'mask.png', parsing: 'parsing.png' });
    await writeOutputs(outDir(args.out, file, files.length > 1), { 'analysis.json': json, ...overlays });
    const v = a.suitability;
    return `pose ${a.pose.score.toFixed(2)}, face ${a.face ? 'yes' : 'no'}, ${v.suitable ? 'suitable' : 'not suitable'} (${v.score.toFixed(2)})${v.reasons.length ? ': ' + v.reasons.join('; ') : ''}`;
  });
}

export async function analyzeGarmentCommand(argv: string[]): Promise<number> {
  const args = parse(argv, true);
  const cfg = loadConfig();
  const files = await expandImages(args.images);
  return eachImage(files, 'garment', async (file) => {
    const a = await analyzeGarment(await readInput(file), { category: args.category, limits: decodeLimits(cfg) });
    const overlays = await garmentOverlays(a);
    const json = analysisJson({ source: path.resolve(file), ...a }, { image: 'cutout.png', mask: 'mask.png', parts: 'parts.png', collar_back: 'collar.png' });
    await writeOutputs(outDir(args.out, file, files.length > 1), { 'analysis.json': json, ...overlays });
    return `${a.category} (${a.category_source}), cut-out ${a.cutout.source} confidence ${a.cutout.confidence.toFixed(2)}, ${Object.keys(a.landmarks).length} landmarks`;
  });
}
