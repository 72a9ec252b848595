// Layering: which uncovered regions of the photo's top stay under the garment rather than get synthesised skin.
import { describe, expect, it } from 'vitest';
import { keepOldTopUnder } from '../../src/pipeline/composite/layer-old.js';
import { PARSE_LABELS, type ModelAnalysis, type ModelLayers, type RgbaImage } from '../../src/pipeline/types.js';

const L = PARSE_LABELS;

const W = 200, H = 300;
const mask = () => ({ width: W, height: H, data: new Uint8Array(W * H) });
const kp = (x: number, y: number) => ({ x, y, score: 0.9 });

/** Old top over the torso and both arms; the garment covers it all but `holes` (x0, y0, x1, y1). */
function scene(holes: [number, number, number, number][], opts: { bareArms?: boolean; shoulders?: [number, number]; hands?: boolean } = {}) {
  const [xr, xl] = opts.shoulders ?? [60, 140];
  const parsing = mask();
  // Short old sleeves (ending at y 170) and the arms bare below them.
  if (opts.bareArms) for (let y = 170; y < 290; y++) for (let x = 30; x < 55; x++) { parsing.data[y * W + x] = L.right_arm; parsing.data[y * W + x + 115] = L.left_arm; }
  // Hands out of long sleeves, at the wrists.
  if (opts.hands) for (let y = 276; y < 290; y++) for (let x = 36; x < 49; x++) { parsing.data[y * W + x] = L.hands; parsing.data[y * W + x + 116] = L.hands; }
  const model = {
    width: W, height: H,
    image: { width: W, height: H, data: new Uint8Array(W * H * 4).fill(200) },
    parsing,
    pose: { keypoints: { left_shoulder: kp(xl, 50), right_shoulder: kp(xr, 50), left_hip: kp(130, 200), right_hip: kp(70, 200),
      left_elbow: kp(158, 160), right_elbow: kp(42, 160), left_wrist: kp(158, 280), right_wrist: kp(42, 280) } },
    measurements: { torso_length: 150, shoulder_width: 90 },
  } as unknown as ModelAnalysis;
  const old = mask(), skin = mask();
  for (let y = 40; y < 220; y++) {
    for (let x = 30; x < 170; x++) if (!opts.bareArms || y < 170 || (x >= xr && x <= xl)) old.data[y * W + x] = skin.data[y * W + x] = 255;
  }
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

  it('keeps no long sleeve when both hands show (the arms are drawn from the hands\' skin)', () => {
    const s = scene([[30, 120, 55, 170], [145, 120, 170, 170]], { hands: true });
    expect(keepOldTopUnder(s.out, s.model, s.layers, s.garment, null)).toBeNull();
    // One hand hidden (out of frame, in a pocket): the sleeves stay as before.
    const one = scene([[30, 120, 55, 170], [145, 120, 170, 170]], { hands: true });
    for (let i = 0; i < W * H; i++) if (one.model.parsing.data[i] === L.hands && i % W > 100) one.model.parsing.data[i] = 0;
    expect(count(keepOldTopUnder(one.out, one.model, one.layers, one.garment, null))).toBe(2 * 25 * 50);
  });

  it('synthesises arms that show their own bare skin (short old sleeves), and the chest with them, rather than keep the old top unless the garment is cropped', () => {
    const holes: [number, number, number, number][] = [[35, 120, 55, 170], [145, 120, 165, 170]];
    // Bare forearms (2 × 25 × 120 px) over more than half the old sleeves' area beside the shoulders.
    const front = scene(holes, { bareArms: true });
    expect(count(keepOldTopUnder(front.out, front.model, front.layers, front.garment, null))).toBe(0);
    // With bare arms the garment is worn alone: a strappy top's whole chest is synthesised too.
    const chest = scene([...holes, [70, 40, 130, 90]], { bareArms: true });
    expect(count(keepOldTopUnder(chest.out, chest.model, chest.layers, chest.garment, null))).toBe(0);
    // A cropped garment (a midriff to cover) over the same top is layered: its chest stays, its arms are still bare.
    expect(count(keepOldTopUnder(chest.out, chest.model, chest.layers, chest.garment, null, { midriff: true }))).toBe(60 * 50);
    // Seen from the side (shoulder joints 30 px apart for a 150 px torso), the same regions are kept.
    const side = scene(holes, { bareArms: true, shoulders: [85, 115] });
    expect(count(keepOldTopUnder(side.out, side.model, side.layers, side.garment, null))).toBe(2 * 20 * 50);
  });
});
