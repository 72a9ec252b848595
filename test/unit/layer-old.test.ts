// Layering: which uncovered regions of the photo's top stay under the garment rather than get synthesised skin.
import { describe, expect, it } from 'vitest';
import { keepOldTopUnder } from '../../src/pipeline/composite/layer-old.js';
import type { ModelAnalysis, ModelLayers, RgbaImage } from '../../src/pipeline/types.js';

const W = 200, H = 300;
const mask = () => ({ width: W, height: H, data: new Uint8Array(W * H) });
const kp = (x: number, y: number) => ({ x, y, score: 0.9 });

/** Old top over the torso and both arms; the garment covers it all but `holes` (x0, y0, x1, y1). */
function scene(holes: [number, number, number, number][]) {
  const model = {
    width: W, height: H,
    image: { width: W, height: H, data: new Uint8Array(W * H * 4).fill(200) },
    pose: { keypoints: { left_shoulder: kp(140, 50), right_shoulder: kp(60, 50), left_hip: kp(130, 200), right_hip: kp(70, 200) } },
    measurements: { torso_length: 150 },
  } as unknown as ModelAnalysis;
  const old = mask(), skin = mask();
  for (let y = 40; y < 220; y++) for (let x = 30; x < 170; x++) old.data[y * W + x] = skin.data[y * W + x] = 255;
  const garment: RgbaImage = { width: W, height: H, data: new Uint8Array(W * H * 4) };
  for (let i = 0; i < W * H; i++) if (old.data[i]) garment.data[i * 4 + 3] = 255;
  for (const [x0, y0, x1, y1] of holes) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) garment.data[(y * W + x) * 4 + 3] = 0;
  const layers = { old_clothing: old, filled_skin: skin } as unknown as ModelLayers;
  let area = 0;
  for (let i = 0; i < W * H; i++) if (garment.data[i * 4 + 3]! >= 128) area++;
  return { model, layers, garment, area, out: new Uint8Array(W * H * 4) };
}

const count = (m: { data: Uint8Array } | null) => (m ? m.data.reduce((n, v) => n + (v ? 1 : 0), 0) : 0);

describe('keepOldTopUnder', () => {
  it('synthesises skin in a small neckline opening (a V over a crew neck) but keeps the photo’s top in a large one', () => {
    // About 3% of the garment's area below the neck: skin, not a second garment showing.
    const small = scene([[85, 40, 115, 65]]);
    expect((30 * 25) / small.area).toBeLessThan(0.06);
    expect(keepOldTopUnder(small.out, small.model, small.layers, small.garment, null)).toBeNull();
    // A strappy top's whole chest (over 6%): the photo's top stays, a layered look.
    const large = scene([[70, 40, 130, 90]]);
    const kept = keepOldTopUnder(large.out, large.model, large.layers, large.garment, null);
    expect(count(kept)).toBe(60 * 50);
  });

  it('keeps the photo’s long sleeves under short ones at a smaller share than a neckline needs', () => {
    // An arm below the shoulders outside the shoulder keypoints, 2–6% of the garment's area on each side.
    const s = scene([[30, 120, 55, 170], [145, 120, 170, 170]]);
    const share = (25 * 50) / s.area;
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.06);
    expect(count(keepOldTopUnder(s.out, s.model, s.layers, s.garment, null))).toBe(2 * 25 * 50);
  });
});
