// The torso's rounding falls off towards its sides only: the outline's bottom (the hips' cut) is no edge of the body.
import { describe, expect, it } from 'vitest';
import { bodyShapeGain } from '../../src/pipeline/person/layers/shading.js';

const W = 100, H = 120;

describe('bodyShapeGain with an open bottom', () => {
  // A torso 60 wide from y = 10 down to y = 80; below it, a garment may go on.
  const body = new Uint8Array(W * H);
  for (let y = 10; y < 80; y++) for (let x = 20; x < 80; x++) body[y * W + x] = 1;

  it('shows no band along the cut and no step below it: the gain goes on down each column', () => {
    const g = bodyShapeGain(body, W, H, true);
    for (const x of [25, 35, 50, 65, 75]) {
      // Just above the cut as in the middle of the torso, and the same below it.
      expect(Math.abs(g[79 * W + x]! - g[45 * W + x]!)).toBeLessThan(0.005);
      expect(Math.abs(g[90 * W + x]! - g[79 * W + x]!)).toBeLessThan(0.005);
    }
    // Still round across: the sides darker than the middle.
    expect(g[45 * W + 50]! - g[45 * W + 21]!).toBeGreaterThan(0.08);
  });

  it('closed (a sleeve, a tube with a cuff), the bottom is an edge like the sides', () => {
    const g = bodyShapeGain(body, W, H);
    expect(g[45 * W + 50]! - g[79 * W + 50]!).toBeGreaterThan(0.08);
  });

  it('goes on past the outline at the edge\'s value: fabric standing off the body is no brighter band', () => {
    const g = bodyShapeGain(body, W, H);
    // Beside the side edge, above the shoulders' edge and below the closed bottom.
    for (const [inside, out] of [[45 * W + 20, 45 * W + 15], [10 * W + 50, 5 * W + 50], [79 * W + 50, 90 * W + 50]] as const) {
      expect(Math.abs(g[out]! - g[inside]!)).toBeLessThan(0.05);
    }
  });
});
