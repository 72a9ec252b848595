// The lower clothing raised to a shorter garment's hem is its own upper part stretched up: the waistband goes under the
// new hem, the fly and the weave run on up, and the photo's waistband row is fabric (no flat block, no edge at it).
import { describe, expect, it } from 'vitest';
import { raiseLowerClothing } from '../../src/pipeline/composite/raise-lower.js';
import { PARSE_LABELS as L, type ModelAnalysis, type ModelLayers, type RgbaImage } from '../../src/pipeline/types.js';

const W = 200, H = 320;
const kp = (x: number, y: number) => ({ x, y, score: 0.9 });
const BAND = [20, 30, 70], FLY = [150, 150, 150];
/** Jeans from y 200: a waistband (200–209), a fly seam at x 99–100, a diagonal weave. */
const jeans = (x: number, y: number) => (y < 210 ? BAND : x === 99 || x === 100 ? FLY : (x + y) % 6 < 3 ? [50, 70, 120] : [35, 55, 100]);

function scene() {
  const img = new Uint8Array(W * H * 4).fill(235), lab = new Uint8Array(W * H);
  const old = new Uint8Array(W * H), body = new Uint8Array(W * H), skin = new Uint8Array(W * H);
  const panel: RgbaImage = { width: W, height: H, data: new Uint8Array(W * H * 4) };
  for (let y = 40; y < H; y++) {
    for (let x = 30; x < 170; x++) {
      const i = y * W + x;
      body[i] = 255;
      if (y >= 200) { lab[i] = L.lower_clothing; img.set([...jeans(x, y), 255], i * 4); continue; }
      // The old top down to the jeans; the new garment ends at y 150, the old top's place below it filled with skin.
      lab[i] = L.torso_clothing; old[i] = 255; img.set([30, 30, 50, 255], i * 4);
      if (y < 150) panel.data[i * 4 + 3] = 255;
      else skin[i] = 255;
    }
  }
  const model = {
    width: W, height: H, image: { width: W, height: H, data: img }, parsing: { width: W, height: H, data: lab },
    // Arms raised out of the way (no forearm over the strip).
    pose: { keypoints: { left_hip: kp(130, 220), right_hip: kp(70, 220), left_elbow: kp(190, 20), right_elbow: kp(10, 20), left_wrist: kp(195, 5), right_wrist: kp(5, 5) } },
    measurements: { torso_length: 180, shoulder_width: 100 },
  } as unknown as ModelAnalysis;
  const layers = { old_clothing: { width: W, height: H, data: old }, body: { width: W, height: H, data: body }, filled_skin: { width: W, height: H, data: skin } } as unknown as ModelLayers;
  return { img, model, layers, panel };
}

const dist = (px: Uint8Array, x: number, y: number, c: number[]) => {
  const o = (y * W + x) * 4;
  return Math.hypot(px[o]! - c[0]!, px[o + 1]! - c[1]!, px[o + 2]! - c[2]!);
};

describe('raiseLowerClothing carries the garment’s own top up', () => {
  it('puts the waistband under the raised edge, runs the fly and weave up, and leaves no band at the old waistband', () => {
    const { img, model, layers, panel } = scene();
    const out = new Uint8Array(img);
    const raised = raiseLowerClothing(out, model, layers, panel);
    expect(raised).not.toBeNull();
    // The strip's top: the highest painted row at the middle column.
    let top = -1;
    for (let y = 150; y < 200 && top < 0; y++) if (raised!.data[y * W + 80]) top = y;
    expect(top).toBeGreaterThanOrEqual(150);
    expect(top).toBeLessThan(175);
    // The waistband's colour right below it, across the torso.
    for (const x of [60, 80, 120, 140]) expect(dist(out, x, top + 4, BAND), `x ${x}`).toBeLessThan(10);
    // The fly runs on up through the strip; beside it, the weave (not one flat colour).
    for (let y = top + 20; y < 200; y += 5) expect(dist(out, 99, y, FLY), `fly row ${y}`).toBeLessThan(25);
    const row = Array.from({ length: 30 }, (_, k) => out[((top + 30) * W + 60 + k) * 4]!);
    expect(Math.max(...row) - Math.min(...row)).toBeGreaterThan(10);
    // The photo's waistband row is fabric now.
    for (const x of [60, 80, 120, 140]) expect(dist(out, x, 204, BAND), `x ${x}`).toBeGreaterThan(20);
  });
});
