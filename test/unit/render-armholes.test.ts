// A sleeveless top over a model whose old top hid part of the arms: the arm the agnostic person drew goes behind the
// garment above the garment's armpits (its armhole is cut around the arm there) and in front of it below; the
// photo's own bare arm stays in front everywhere.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { prepareModelLayers } from '../../src/pipeline/person/layers/index.js';
import { renderTryOn } from '../../src/pipeline/render.js';
import type { GarmentAnalysis } from '../../src/pipeline/types.js';

const nets = new NetworkRegistry({ networksDir: 'models' });
let tank: GarmentAnalysis;
beforeAll(async () => {
  tank = await analyzeGarment(readFileSync('samples/garments/tank-straps.jpg'), { category: 'top' });
}, 60_000);

/** Arm pixels (opaque in the prepared arms layer) under the opaque garment, by kind and side of the armpit rows, and how many show the arm. */
async function armsUnderTank(file: string) {
  const model = await analyzeModel(readFileSync(file), nets);
  const layers = await prepareModelLayers(model);
  const r = renderTryOn({ model, garment: tank, layers });
  const W = model.width, arms = layers.arms!.data, img = r.image.data;
  const top = Math.min(r.targets.points.armpit_left!.y, r.targets.points.armpit_right!.y) - 3;
  const low = Math.max(r.targets.points.armpit_left!.y, r.targets.points.armpit_right!.y) + 8;
  const tally = { drawnAbove: [0, 0], drawnBelow: [0, 0], bareAbove: [0, 0] };
  for (let i = 0; i < W * model.height; i++) {
    if (arms[i * 4 + 3]! < 250 || r.garment_mask.data[i]! < 250) continue;
    const y = (i / W) | 0;
    const drawn = layers.old_clothing.data[i]! >= 128;
    const k = drawn ? (y < top ? 'drawnAbove' : y > low ? 'drawnBelow' : null) : y < top ? 'bareAbove' : null;
    if (!k) continue;
    const o = i * 4;
    const d = Math.abs(img[o]! - arms[o]!) + Math.abs(img[o + 1]! - arms[o + 1]!) + Math.abs(img[o + 2]! - arms[o + 2]!);
    tally[k][0]++;
    if (d < 24) tally[k][1]++;
  }
  return tally;
}

describe('a sleeveless top over arms drawn under the old top', () => {
  it('shows the drawn arm below its armpits (ai-upper)', async () => {
    const t = await armsUnderTank('samples/models/ai-upper.jpg');
    expect(t.drawnBelow[0]).toBeGreaterThan(500);
    expect(t.drawnBelow[1] / t.drawnBelow[0]).toBeGreaterThan(0.95);
  }, 60_000);

  it('keeps the photo’s bare arm in front above the armpits, the drawn one behind (cgi-model-13)', async () => {
    const t = await armsUnderTank('samples/models/cgi-model-13.jpg');
    expect(t.bareAbove[0]).toBeGreaterThan(500);
    expect(t.bareAbove[1] / t.bareAbove[0]).toBeGreaterThan(0.95);
    expect(t.drawnAbove[0]).toBeGreaterThan(50);
    expect(t.drawnAbove[1] / t.drawnAbove[0]).toBeLessThan(0.1);
  }, 60_000);
});
