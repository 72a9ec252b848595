// Synthesised torso skin reads as skin: the person's lit tone, round shading across the torso, no step at real skin.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { deltaE76, rgbToLab } from '../../src/pipeline/metrics.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { bodyOutline } from '../../src/pipeline/person/layers/body-outline.js';
import { prepareModelLayers } from '../../src/pipeline/person/layers/index.js';
import { grow } from '../../src/pipeline/person/layers/raster.js';
import { fillTorso } from '../../src/pipeline/person/layers/skin-fill.js';
import { PARSE_LABELS, type ModelAnalysis, type ModelLayers } from '../../src/pipeline/types.js';

const L = PARSE_LABELS;
const SKIN = new Set<number>([L.left_arm, L.right_arm, L.neck, L.torso_skin]);
// Frontal, bare arms and neck, the whole torso under the old top (filled down to the skirt).
const SAMPLE = 'samples/models/cgi-model-9.jpg';
let a: ModelAnalysis, layers: ModelLayers, torso: Uint8Array;
/** fillTorso alone over the torso's filled skin, under a flat gain: its own relief, without the outline's. */
let flat: Float32Array;

beforeAll(async () => {
  a = await analyzeModel(readFileSync(SAMPLE), new NetworkRegistry({ networksDir: 'models' }));
  layers = await prepareModelLayers(a);
  torso = bodyOutline(a).torsoInner;
  const n = a.width * a.height, lab = a.parsing.data;
  const hole = new Uint8Array(n), skin = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (layers.filled_skin.data[i] && torso[i]) hole[i] = 1;
    else if (SKIN.has(lab[i]!) && !layers.old_clothing.data[i]) skin[i] = 1;
  }
  // As the agnostic person takes its skin sources: a little inside the visible skin.
  const skinSrc = grow(skin, a.width, a.height, -2);
  flat = new Float32Array(n * 3);
  fillTorso(a, hole, skinSrc, new Float32Array(n).fill(1), flat);
}, 300_000);

const luma = (p: Uint8Array, i: number) => 0.299 * p[i * 4]! + 0.587 * p[i * 4 + 1]! + 0.114 * p[i * 4 + 2]!;

function labOf(p: Uint8Array, keep: (i: number) => boolean): Float64Array {
  let r = 0, g = 0, b = 0, c = 0;
  for (let i = 0; i < p.length / 4; i++) if (keep(i)) { r += p[i * 4]!; g += p[i * 4 + 1]!; b += p[i * 4 + 2]!; c++; }
  expect(c).toBeGreaterThan(500);
  const out = new Float64Array(3);
  rgbToLab(Math.round(r / c), Math.round(g / c), Math.round(b / c), out);
  return out;
}

/** Filled torso skin between the waist's upper third and the hips: the midriff. */
function midriff(i: number): boolean {
  const y = (i / a.width) | 0, m = a.measurements;
  return layers.filled_skin.data[i]! > 0 && torso[i] === 1 && y >= m.chest.y + 0.5 * (m.waist.y - m.chest.y) && y <= m.hip.y;
}

describe('fillTorso on ' + SAMPLE, () => {
  it('fills the midriff in the tone of the lit visible skin (ΔE76 ≤ 10.5)', () => {
    const p = a.image.data, lab = a.parsing.data, old = layers.old_clothing.data;
    const skin = (i: number) => SKIN.has(lab[i]!) && !old[i];
    // Lit skin: the upper quarter of the visible skin's luminance, below its highlights.
    const ls: number[] = [];
    for (let i = 0; i < lab.length; i++) if (skin(i)) ls.push(luma(p, i));
    ls.sort((x, y) => x - y);
    const lo = ls[Math.floor(0.75 * ls.length)]!, hi = ls[Math.floor(0.97 * ls.length)]!;
    const lit = labOf(p, (i) => skin(i) && luma(p, i) >= lo && luma(p, i) <= hi);
    const fill = labOf(layers.agnostic.data, midriff);
    const d = deltaE76(fill[0]!, fill[1]!, fill[2]!, lit[0]!, lit[1]!, lit[2]!);
    // Measured 7.6 with arm capsules sized by the mask, 8.2 with the bare arms' own (narrower) widths,
    // 9.9 once the arms' outlines and the hands by the thighs count as arm skin (the fill a little
    // warmer; a different person's tone is 20 or more).
    expect(d).toBeLessThanOrEqual(10.5);
  });

  it('shades the midriff round by itself: brighter across the middle than within 10% of its sides (≥ 4%)', () => {
    const { width: W } = a;
    const fs = layers.filled_skin.data;
    const m = a.measurements;
    const lum = (i: number) => 0.299 * flat[i * 3]! + 0.587 * flat[i * 3 + 1]! + 0.114 * flat[i * 3 + 2]!;
    // Mid-height of the midriff, averaged over a few rows.
    const y0 = Math.round((m.chest.y + 0.5 * (m.waist.y - m.chest.y) + m.hip.y) / 2);
    const cx = Math.round((m.waist.left + m.waist.right) / 2);
    const inside = (i: number) => fs[i]! > 0 && torso[i] === 1;
    let mid = 0, mc = 0, left = 0, lc = 0, right = 0, rc = 0;
    for (let y = y0 - 4; y <= y0 + 4; y++) {
      expect(inside(y * W + cx)).toBe(true);
      let xl = cx, xr = cx;
      while (xl > 0 && inside(y * W + xl - 1)) xl--;
      while (xr < W - 1 && inside(y * W + xr + 1)) xr++;
      const w = xr - xl + 1, band = Math.max(2, Math.round(0.1 * w));
      for (let x = xl; x <= xr; x++) {
        const v = lum(y * W + x);
        if (Math.abs(x - (xl + xr) / 2) <= 0.1 * w) { mid += v; mc++; }
        if (x < xl + band) { left += v; lc++; }
        if (x > xr - band) { right += v; rc++; }
      }
    }
    expect(mid / mc).toBeGreaterThanOrEqual(1.04 * (left / lc));
    expect(mid / mc).toBeGreaterThanOrEqual(1.04 * (right / rc));
  });

  it('meets the real skin around the torso fill without a step (median ≤ 3, 90th percentile ≤ 16 grey levels)', () => {
    const { width: W, height: H } = a;
    const q = layers.agnostic.data, fs = layers.filled_skin.data, lab = a.parsing.data, old = layers.old_clothing.data;
    const skin = (i: number) => SKIN.has(lab[i]!) && !old[i];
    // 3×3 mean luminance of the result.
    const m3 = (x: number, y: number) => { let s = 0; for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += luma(q, (y + dy) * W + x + dx); return s / 9; };
    const steps: number[] = [];
    for (let y = 5; y < H - 5; y++) {
      for (let x = 5; x < W - 5; x++) {
        const i = y * W + x;
        if (!fs[i] || !torso[i]) continue;
        // A fill pixel on the border with real skin: compare 2 px into the fill with 2 px into the skin.
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
          if (!skin(i + dy * W + dx)) continue;
          if (!fs[i - 2 * dy * W - 2 * dx] || !skin(i + 3 * dy * W + 3 * dx)) continue;
          steps.push(Math.abs(m3(x - 2 * dx, y - 2 * dy) - m3(x + 3 * dx, y + 3 * dy)));
        }
      }
    }
    steps.sort((p, r) => p - r);
    const med = steps[steps.length >> 1]!, p90 = steps[Math.floor(0.9 * steps.length)]!;
    expect(steps.length).toBeGreaterThan(50);
    expect(med).toBeLessThanOrEqual(3);
    // The tail is where the fill meets the arms' inner edges beside the old top: an arm hanging close
    // to the body keeps the photo's shadow line there. 12.4 before arms behind the torso's side were
    // drawn up from their first bare stations (b4dfa79), 15.2 since: an accepted regression on this
    // sample for the broken upper arms that change mended on the real photos.
    expect(p90).toBeLessThanOrEqual(16);
  });
});
