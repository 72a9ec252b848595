// `tryon demo`: analyses every sample model and garment and writes overlays and contact sheets.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { NetworkRegistry } from '../inference/registry.js';
import { createLogger } from '../logger.js';
import { analyzeGarment } from '../pipeline/garment/analyze.js';
import { garmentOverlays } from '../pipeline/garment/overlay.js';
import { decodeLimits } from '../pipeline/limits.js';
import { analyzeModel } from '../pipeline/person/analyze.js';
import { modelOverlays } from '../pipeline/person/overlay.js';
import { expandImages, progress, readInput, writeOutputs } from './io.js';
import { contactSheet, type SheetRow } from './sheet.js';

const SAMPLES = fileURLToPath(new URL('../../samples', import.meta.url));

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string', short: 'o', default: 'out/demo' } } });
  const out = values.out!;
  const cfg = loadConfig();
  const nets = NetworkRegistry.fromConfig(cfg, createLogger('warn'));
  const limits = decodeLimits(cfg);

  const modelRows: SheetRow[] = [];
  for (const file of await expandImages([path.join(SAMPLES, 'models')])) {
    const bytes = await readInput(file);
    const a = await analyzeModel(bytes, nets, { limits });
    const o = await modelOverlays(a);
    await writeOutputs(path.join(out, 'models', path.basename(file)), o);
    const caption = `${path.basename(file)} — pose ${a.pose.score.toFixed(2)}, ${a.suitability.suitable ? 'suitable' : 'not suitable'}${a.suitability.reasons.length ? ': ' + a.suitability.reasons.join('; ') : ''}`;
    modelRows.push({ caption, tiles: [bytes, ...Object.values(o)] });
    progress(`model ${path.basename(file)}: ${caption}`);
  }
  const garmentRows: SheetRow[] = [];
  for (const file of await expandImages([path.join(SAMPLES, 'garments')])) {
    const bytes = await readInput(file);
    const a = await analyzeGarment(bytes, { limits });
    const o = await garmentOverlays(a);
    await writeOutputs(path.join(out, 'garments', path.basename(file)), o);
    const caption = `${path.basename(file)} — ${a.category}, cut-out confidence ${a.cutout.confidence.toFixed(2)}`;
    garmentRows.push({ caption, tiles: [bytes, ...Object.values(o)] });
    progress(`garment ${path.basename(file)}: ${caption}`);
  }
  await writeOutputs(out, { 'models.png': await contactSheet(modelRows, 280), 'garments.png': await contactSheet(garmentRows, 240) });
  progress(`wrote ${path.join(out, 'models.png')} and ${path.join(out, 'garments.png')}`);
  return 0;
}
