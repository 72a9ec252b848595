// The arms layer (in front of the garment's body panel) holds the arms the agnostic person drew under a long old sleeve, not only the photo's bare arms.
import { describe, expect, it } from 'vitest';
import { armsLayer } from '../../src/pipeline/person/layers/front.js';
import { PARSE_LABELS as L } from '../../src/pipeline/types.js';
import { leftArmOutline, paintScene } from './arm-outline.js';

const W = 120, H = 220;
const SKIN = [180, 130, 100] as const;

/** An arm down x 50..70: in a dark old sleeve (y 40..120), bare below it (y 120..180); the agnostic person shows skin along all of it. */
function scene() {
  const inArm = (x: number, y: number) => x >= 50 && x <= 70 && y >= 40 && y < 180;
  const { a } = paintScene(W, H, (x, y) => {
    if (!inArm(x, y)) return null;
    return y < 120 ? { c: [30, 30, 50], label: L.torso_clothing } : { c: SKIN, label: L.left_arm };
  });
  const mask = new Uint8Array(W * H);
  const agnostic = new Uint8Array(W * H * 4), old = new Uint8Array(W * H), drawn = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      agnostic.set(inArm(x, y) ? [...SKIN, 255] : [235, 235, 235, 255], i * 4);
      if (!inArm(x, y)) continue;
      mask[i] = 255;
      if (y < 120) { old[i] = 1; if (y >= 60) drawn[i] = 1; }
    }
  }
  Object.assign(a, {
    mask: { width: W, height: H, data: mask },
    measurements: { shoulder_width: 80 },
    pose: { keypoints: { left_wrist: { x: 60, y: 185, score: 0.9 }, right_wrist: { x: 0, y: 0, score: 0 } } },
  });
  return { a, agnostic: { width: W, height: H, data: agnostic }, old, drawn };
}

const alphaAt = (img: { data: Uint8Array }, x: number, y: number) => img.data[(y * W + x) * 4 + 3]!;

describe('armsLayer with arms drawn under the old top', () => {
  it('holds the drawn arm opaque in its own colour, soft only at its outline', () => {
    const { a, agnostic, old, drawn } = scene();
    const with_ = armsLayer(a, agnostic, old, drawn);
    const without = armsLayer(a, agnostic, old);
    expect(alphaAt(without, 60, 90)).toBe(0);
    for (const y of [65, 90, 115]) expect(alphaAt(with_, 60, y), `row ${y}`).toBeGreaterThanOrEqual(250);
    const o = (90 * W + 60) * 4;
    expect(Math.hypot(with_.data[o]! - SKIN[0], with_.data[o + 1]! - SKIN[1], with_.data[o + 2]! - SKIN[2])).toBeLessThan(3);
    // A pixel's softening at the outline, nothing further out; the old sleeve above the drawn part stays out.
    expect(alphaAt(with_, 50, 90)).toBeGreaterThan(60);
    expect(alphaAt(with_, 50, 90)).toBeLessThan(250);
    expect(alphaAt(with_, 47, 90)).toBe(0);
    expect(alphaAt(with_, 60, 50)).toBe(0);
  });

  it('meets the bare arm below the old hem with no see-through line', () => {
    const { a, agnostic, old, drawn } = scene();
    const layer = armsLayer(a, agnostic, old, drawn);
    for (let y = 112; y <= 128; y++) expect(alphaAt(layer, 60, y), `row ${y}`).toBeGreaterThanOrEqual(245);
  });
});

describe('armsLayer with a drawn blob beside the arm', () => {
  it('leaves out drawn pixels standing out past the arm\'s outline when given the skeleton, and keeps the arm', () => {
    const { a, agnostic, old, drawn } = scene();
    // A blob of "drawn arm" on old top beside the bare arm's inner edge (x 44–49, y 140–150).
    const blob = Uint8Array.from(drawn);
    for (let y = 140; y <= 150; y++) for (let x = 44; x < 50; x++) { const i = y * W + x; blob[i] = 1; old[i] = 1; agnostic.data.set([...SKIN, 255], i * 4); }
    const sk = leftArmOutline(W, H, [12, 12], [11, 11]).skeleton;
    const without = armsLayer(a, agnostic, old, blob);
    const with_ = armsLayer(a, agnostic, old, blob, undefined, sk);
    expect(alphaAt(without, 45, 145)).toBeGreaterThan(200);
    expect(alphaAt(with_, 45, 145)).toBeLessThan(60);
    for (const y of [90, 145, 170]) expect(alphaAt(with_, 60, y), `row ${y}`).toBeGreaterThanOrEqual(250);
  });
});
