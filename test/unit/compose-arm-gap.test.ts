// A garment a little narrower than the old top leaves a sliver of invented backdrop between its side
// and a hanging arm: the render closes it with the garment's edge in shadow, and only there.
import { describe, expect, it } from 'vitest';
import { composeRender } from '../../src/pipeline/composite/compose.js';
import { PARSE_LABELS as L, type ModelAnalysis, type ModelLayers, type RgbaImage } from '../../src/pipeline/types.js';

const W = 120, H = 100, S = 200;
const rgba = (f: (x: number, y: number) => [number, number, number, number] | null): RgbaImage => {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const v = f(x, y);
    if (v) data.set(v, (y * W + x) * 4);
  }
  return { width: W, height: H, data };
};
const mask = (f: (x: number, y: number) => boolean) => {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (f(x, y)) data[y * W + x] = 255;
  return { width: W, height: H, data };
};

/** Garment over x < 40; invented backdrop over 40 ≤ x < gapEnd; the arm from gapEnd to 80; real backdrop beyond. */
function scene(gapEnd: number) {
  const lab = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) lab[y * W + x] = x < 40 ? L.torso_clothing : x < gapEnd ? L.torso_clothing : x < 80 ? L.right_arm : L.background;
  const kp = { x: 0, y: 0, score: 0 };
  const model = {
    width: W, height: H, image: rgba(() => [230, 230, 230, 255]), mask: mask((x) => x < 80), parsing: { width: W, height: H, data: lab },
    measurements: { shoulder_width: S, shoulder_left: { x: 100, y: 0 }, shoulder_right: { x: 0, y: 0 } },
    pose: { keypoints: new Proxy({}, { get: () => kp }) },
  } as unknown as ModelAnalysis;
  const layers = {
    agnostic: rgba((x) => (x >= 40 && x < gapEnd ? [240, 240, 240, 255] : x >= gapEnd && x < 80 ? [200, 150, 120, 255] : [230, 230, 230, 255])),
    old_clothing: mask((x) => x < gapEnd),
    filled_skin: mask((x) => x < 40),
    filled_background: mask((x) => x >= 40 && x < gapEnd),
    body: mask((x) => x < 40 || (x >= gapEnd && x < 80)),
    front: rgba(() => null),
    arms: rgba((x) => (x >= gapEnd && x < 80 ? [200, 150, 120, 255] : null)),
  } as unknown as ModelLayers;
  const panel = rgba((x) => (x < 40 ? [40, 60, 150, 255] : null));
  return composeRender({ model, layers, garment: panel, panel, sleeves: null, collar: null, tuck: false, shadow: 0, sidesFrom: 10 });
}

describe('closing the gap between garment and arm', () => {
  it('paints a narrow invented gap in the garment edge’s colour, shadowed, from the row given down', () => {
    const out = scene(46);
    for (const y of [20, 60, 90]) for (let x = 40; x < 46; x++) {
      const o = (y * W + x) * 4;
      expect([out.data[o], out.data[o + 1], out.data[o + 2]]).toEqual([32, 48, 120]);
    }
    // Above the row given (the armpit), the invented backdrop stays.
    expect(out.data[(5 * W + 42) * 4]).toBe(240);
  });

  it('leaves a gap wider than 6% of the shoulders alone: there the arm hangs clear of the body', () => {
    const out = scene(56);
    expect(out.data[(50 * W + 45) * 4]).toBe(240);
  });
});
