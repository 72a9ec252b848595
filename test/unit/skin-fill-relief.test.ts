// A synthesised arm (no skin of its own to copy) is shaded as a round limb: lit along its middle, darker at its edges.
import { describe, expect, it } from 'vitest';
import type { BodyOutline } from '../../src/pipeline/person/layers/body-outline.js';
import { armRelief } from '../../src/pipeline/person/layers/skin-fill.js';
import type { ModelAnalysis } from '../../src/pipeline/types.js';

const W = 120, H = 200;

describe('armRelief', () => {
  it('darkens the hole towards the arm edges (≥ 15% below the middle) and leaves the rest of the gain alone', () => {
    // A vertical arm along x = 60 from y = 20 to 180, half width 15, entirely inside the hole.
    const upper = { a: { x: 60, y: 20 }, b: { x: 60, y: 100 }, r: 15 };
    const lower = { a: { x: 60, y: 100 }, b: { x: 60, y: 180 }, r: 15 };
    const outline = {
      skeleton: { arms: { left: { upper, lower, hand: null }, right: { upper: null, lower: null, hand: null } } },
      arms: [{ side: 'left', seg: upper, ra: 15, rb: 15 }, { side: 'left', seg: lower, ra: 15, rb: 15 }],
      torsoInner: new Uint8Array(W * H),
    } as unknown as BodyOutline;
    const a = { width: W, height: H } as unknown as ModelAnalysis;
    const hole = new Uint8Array(W * H);
    for (let y = 20; y < 180; y++) for (let x = 45; x <= 75; x++) hole[y * W + x] = 1;
    const shade = new Float32Array(W * H).fill(0.95);
    const g = armRelief(a, outline, hole, shade);
    const row = 120 * W;
    expect(g[row + 60]!).toBeGreaterThan(1);
    expect(g[row + 46]!).toBeLessThan(g[row + 60]! * 0.85);
    expect(g[row + 74]!).toBeLessThan(g[row + 60]! * 0.85);
    // Symmetric across the arm, and untouched outside the hole.
    expect(Math.abs(g[row + 50]! - g[row + 70]!)).toBeLessThan(0.01);
    expect(g[row + 10]).toBeCloseTo(0.95, 6);
    expect(g[5 * W + 60]).toBeCloseTo(0.95, 6);
  });
});
