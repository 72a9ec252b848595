// The chest shown by an open neckline carries the collarbones (a lit ridge with a shadow under it,
// strongest by the neck) and the hollow between their heads; nothing of them far down the chest.
// And the old top takes the neck's edge pixels with it: left, they drew a dark line round the old
// neckline that read as a necklace.
import { describe, expect, it } from 'vitest';
import { collarbones } from '../../src/pipeline/person/layers/skin-fill.js';
import { oldClothing } from '../../src/pipeline/person/layers/old-clothing.js';
import type { Skeleton } from '../../src/pipeline/person/skeleton.js';
import { PARSE_LABELS as L, type ModelAnalysis } from '../../src/pipeline/types.js';

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

describe('oldClothing at the neckline', () => {
  it('takes the neck pixels right at the old top\'s edge, and none further up the neck', () => {
    const W = 120, H = 160, n = W * H;
    const lab = new Uint8Array(n), top = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = i % W, y = (i / W) | 0;
      if (y >= 60) { lab[i] = L.torso_clothing; top[i] = 1; }
      else if (Math.abs(x - 60) < 20 && y >= 20) lab[i] = L.neck;
      else lab[i] = L.background;
    }
    const a = { width: W, height: H, parsing: { width: W, height: H, data: lab } } as unknown as ModelAnalysis;
    const old = oldClothing(a, top);
    expect(old[59 * W + 60]).toBeGreaterThan(0);
    expect(old[50 * W + 60]).toBe(0);
  });
});
