// The guided filter snaps a blurred mask onto the guide's edges, and the fast variant agrees with it.
import { describe, expect, it } from 'vitest';
import { boxBlur as boxMean, fastGuidedFilter, guidedFilter } from '../../src/pipeline/composite/guided-filter.js';

const W = 120, H = 80, EDGE = 57;

function scene() {
  const guide = new Float32Array(W * H);
  const ideal = new Float32Array(W * H);
  const blurred = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = x < EDGE;
      guide[y * W + x] = inside ? 0.8 : 0.2;
      ideal[y * W + x] = inside ? 1 : 0;
      // A coarse network's edge: a 16-px ramp, centred 4 px off the true edge.
      blurred[y * W + x] = Math.max(0, Math.min(1, (EDGE + 4 - x) / 16 + 0.5));
    }
  }
  return { guide, ideal, blurred };
}

const meanAbs = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('guided filter', () => {
  it('box mean of a constant is the constant, and of a ramp is the ramp inside the border', () => {
    const c = new Float32Array(W * H).fill(0.3);
    expect(Math.max(...boxMean(c, W, H, 5).map((v) => Math.abs(v - 0.3)))).toBeLessThan(1e-6);
    const ramp = Float32Array.from({ length: W * H }, (_, i) => i % W);
    expect(boxMean(ramp, W, H, 3)[40 * W + 60]).toBeCloseTo(60, 5);
  });

  it('moves a blurred, shifted edge onto the guide edge', () => {
    const { guide, ideal, blurred } = scene();
    const out = guidedFilter(guide, blurred, W, H, 12, 1e-3);
    // The step at the true edge: 1/16 in the network's ramp, most of the full step after filtering.
    const row0 = 40 * W;
    expect(blurred[row0 + EDGE - 1]! - blurred[row0 + EDGE]!).toBeLessThan(0.07);
    expect(out[row0 + EDGE - 1]! - out[row0 + EDGE]!).toBeGreaterThan(0.5);
    expect(meanAbs(out, ideal)).toBeLessThan(meanAbs(blurred, ideal) * 1.1);
    // The 0.5 crossing of a middle row lands within a pixel of the true edge.
    const row = 40 * W;
    let crossing = 0;
    for (let x = 1; x < W; x++) if (out[row + x - 1]! >= 0.5 && out[row + x]! < 0.5) crossing = x;
    expect(Math.abs(crossing - EDGE)).toBeLessThanOrEqual(1);
  });

  it('the fast (subsampled) filter stays close to the exact one', () => {
    const { guide, blurred } = scene();
    const exact = guidedFilter(guide, blurred, W, H, 12, 1e-3);
    const fast = fastGuidedFilter(guide, blurred, W, H, 12, 1e-3, 3);
    expect(meanAbs(exact, fast)).toBeLessThan(0.03);
  });
});
