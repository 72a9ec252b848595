// A sleeve's outer edge leaves the shoulder outwards first: a rounded shoulder, not a notch under a corner.
import { describe, expect, it } from 'vitest';
import { sleeveMeshes } from '../../src/pipeline/warp/garment-warp.js';
import type { SleeveTarget } from '../../src/pipeline/warp/targets.js';

// A hanging arm down x = 100 (outer side +x), the shoulder point on its outer edge's inner side,
// the armpit below and inside it, a short sleeve.
const target: SleeveTarget = {
  side: 'left',
  garment: { capOuter: { x: 0, y: 0 }, capInner: { x: 0, y: 60 }, cuffOuter: { x: 50, y: 0 }, cuffInner: { x: 50, y: 50 } },
  capOuter: { x: 106, y: 100 },
  capInner: { x: 86, y: 170 },
  arm: [{ x: 100, y: 40 }, { x: 100, y: 100 }, { x: 100, y: 200 }, { x: 100, y: 300 }],
  cuffAt: 230,
  halfWidth: [22, 22, 22, 22],
};

describe('sleeveMeshes', () => {
  it('opens the outer edge from the shoulder point like a round shoulder (on average 65% of the way out over its drop)', () => {
    const { dst } = sleeveMeshes(target);
    const xs: number[] = [], ys: number[] = [];
    for (let r = 0; r < dst.rows; r++) { xs.push(dst.x[r * 2]!); ys.push(dst.y[r * 2]!); }
    const x0 = xs[0]!, y0 = ys[0]!, xEnd = Math.max(...xs);
    // The arm's outer edge plus the mesh's widening, well outside the shoulder point.
    expect(xEnd).toBeGreaterThan(x0 + 15);
    const r1 = xs.findIndex((x) => x >= x0 + 0.99 * (xEnd - x0));
    expect(r1).toBeGreaterThan(1);
    // The mean share of the way out over that drop (trapezoids between rows): a round shoulder
    // (a quarter circle) is about 0.75; an edge that first runs down the arm, then out (smoothstep,
    // a notch under the shoulder), is under 0.5.
    let area = 0;
    for (let r = 1; r <= r1; r++) area += ((xs[r]! + xs[r - 1]!) / 2 - x0) * (ys[r]! - ys[r - 1]!);
    expect(area / ((xEnd - x0) * (ys[r1]! - y0))).toBeGreaterThanOrEqual(0.65);
  });
});
