import { describe, expect, it } from 'vitest';
import { fitInverseTps, fitTps } from '../../src/pipeline/warp/tps.js';
import type { Point } from '../../src/pipeline/types.js';

// A fixed pseudo-random sequence so the test is the same on every run.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('fitTps', () => {
  const rand = rng(7);
  const src: Point[] = Array.from({ length: 12 }, () => ({ x: rand() * 800, y: rand() * 1000 }));
  const dst: Point[] = src.map((p) => ({ x: p.x + 40 * Math.sin(p.y / 150), y: p.y + 30 * Math.cos(p.x / 200) }));

  it('interpolates the control points exactly with lambda 0', () => {
    const tps = fitTps(src, dst);
    for (let i = 0; i < src.length; i++) {
      const q = tps.map(src[i]!);
      expect(Math.hypot(q.x - dst[i]!.x, q.y - dst[i]!.y)).toBeLessThan(1e-6);
    }
    expect(tps.bendingEnergy).toBeGreaterThan(0);
  });

  it('reproduces an affine map everywhere, with no bending', () => {
    const aff = (p: Point): Point => ({ x: 1.2 * p.x - 0.3 * p.y + 15, y: 0.2 * p.x + 0.9 * p.y - 40 });
    const tps = fitTps(src, src.map(aff));
    expect(tps.bendingEnergy).toBeLessThan(1e-6);
    for (let i = 0; i < 50; i++) {
      const p = { x: rand() * 1200 - 200, y: rand() * 1400 - 200 };
      const q = tps.map(p);
      const e = aff(p);
      expect(Math.hypot(q.x - e.x, q.y - e.y)).toBeLessThan(1e-6);
    }
  });

  it('is smooth: between control points the map has no jumps', () => {
    const tps = fitTps(src, dst);
    const out = new Float64Array(2);
    let prevX = NaN;
    let maxJump = 0;
    // Along a horizontal line, 1-px steps: the mapped x must move by about a pixel, never leap.
    for (let x = 0; x <= 800; x++) {
      tps.mapInto(x, 500, out);
      if (!Number.isNaN(prevX)) maxJump = Math.max(maxJump, Math.abs(out[0]! - prevX));
      prevX = out[0]!;
    }
    expect(maxJump).toBeLessThan(2);
  });

  it('regularisation trades exactness for less bending', () => {
    const exact = fitTps(src, dst, 0);
    const smooth = fitTps(src, dst, 1);
    expect(smooth.bendingEnergy).toBeLessThan(exact.bendingEnergy * 0.5);
    let err = 0;
    for (let i = 0; i < src.length; i++) {
      const q = smooth.map(src[i]!);
      err = Math.max(err, Math.hypot(q.x - dst[i]!.x, q.y - dst[i]!.y));
    }
    expect(err).toBeGreaterThan(0.1);
    expect(err).toBeLessThan(60);
  });

  it('fitInverseTps maps body points back to garment points', () => {
    const inv = fitInverseTps(src, dst);
    for (let i = 0; i < src.length; i++) {
      const q = inv.map(dst[i]!);
      expect(Math.hypot(q.x - src[i]!.x, q.y - src[i]!.y)).toBeLessThan(1e-6);
    }
  });

  it('falls back to a similarity for two points or collinear points', () => {
    const two = fitTps([{ x: 0, y: 0 }, { x: 10, y: 0 }], [{ x: 5, y: 5 }, { x: 5, y: 25 }]);
    const q = two.map({ x: 5, y: 0 });
    expect(q.x).toBeCloseTo(5, 6);
    expect(q.y).toBeCloseTo(15, 6);
    const line = [0, 1, 2, 3].map((i) => ({ x: i * 10, y: i * 10 }));
    const shifted = line.map((p) => ({ x: p.x + 3, y: p.y - 2 }));
    const t = fitTps(line, shifted);
    const r = t.map({ x: 100, y: 0 });
    expect(r.x).toBeCloseTo(103, 4);
    expect(r.y).toBeCloseTo(-2, 4);
  });
});
