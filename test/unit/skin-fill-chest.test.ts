// Detail of filled skin: the chest shown by an open neckline carries the collarbones (a lit ridge
// with a shadow under it, strongest by the neck) and the hollow between their heads, nothing of them
// far down the chest; and filled skin has an uneven tone (mottle) at the scale a thumbnail shows.
import { describe, expect, it } from 'vitest';
import { collarbones, mottle } from '../../src/pipeline/person/layers/skin-fill.js';
import type { Skeleton } from '../../src/pipeline/person/skeleton.js';

// Shoulder joints 100 px apart at y 60; the person's left (image right) at x 150.
const sk = { shoulderL: { x: 150, y: 60 }, shoulderR: { x: 50, y: 60 }, shoulderWidth: 100 } as unknown as Skeleton;

describe('collarbones', () => {
  const g = collarbones(sk);
  it('lights a ridge along each bone with a shadow under it, strongest by the neck', () => {
    for (const side of [1, -1]) {
      // A third of the way out along the bone (it rises a little outwards, from y 64 to 57).
      const x = 100 + side * 30;
      let ridge = -Infinity, ry = 0, shadow = Infinity, sy = 0;
      for (let y = 50; y <= 80; y += 0.5) {
        const v = g(x, y);
        if (v > ridge) { ridge = v; ry = y; }
        if (v < shadow) { shadow = v; sy = y; }
      }
      expect(ridge).toBeGreaterThan(1.02);
      expect(shadow).toBeLessThan(0.97);
      expect(sy).toBeGreaterThan(ry);
      // By the shoulder joint the bone has faded out.
      let far = 0;
      for (let y = 45; y <= 75; y += 0.5) far = Math.max(far, Math.abs(g(100 + side * 49, y) - 1));
      expect(far).toBeLessThan(0.01);
    }
  });

  it('darkens the hollow between the heads and leaves the chest below alone', () => {
    expect(g(100, 65)).toBeLessThan(0.96);
    for (const [x, y] of [[100, 120], [70, 140], [130, 100]] as const) expect(Math.abs(g(x, y) - 1)).toBeLessThan(1e-3);
  });
});

describe('mottle', () => {
  it('varies the skin\'s tone smoothly by a few percent over tens of pixels, not pixel by pixel', () => {
    const H = 1024;
    let s = 0, s2 = 0, n = 0, step = 0, lo = Infinity, hi = -Infinity;
    for (let y = 200; y < 500; y += 3) {
      for (let x = 200; x < 500; x += 3) {
        const v = mottle(x, y, H);
        s += v; s2 += v * v; n++;
        lo = Math.min(lo, v); hi = Math.max(hi, v);
        step = Math.max(step, Math.abs(mottle(x + 1, y, H) - v), Math.abs(mottle(x, y + 1, H) - v));
      }
    }
    const std = Math.sqrt(s2 / n - (s / n) ** 2);
    expect(Math.abs(s / n - 1)).toBeLessThan(0.01);
    expect(std).toBeGreaterThan(0.005);
    expect(std).toBeLessThan(0.02);
    expect(lo).toBeGreaterThanOrEqual(0.975);
    expect(hi).toBeLessThanOrEqual(1.025);
    expect(step).toBeLessThan(0.003);
  });
});
