import { describe, expect, it } from 'vitest';
import type { Mask, RgbaImage } from '../../src/pipeline/types.js';
import { DRAPE_EASE, drapeOverShoulders } from '../../src/pipeline/warp/shoulder-drape.js';

const W = 200, H = 240, S = 100;
// A person with round shoulders: a disc-topped torso (centre 100, 60; radius 50) over a rectangle, a head above.
const inPerson = (x: number, y: number) => (y >= 60 ? Math.abs(x - 100) <= 50 : Math.hypot(x - 100, y - 60) <= 50) || Math.hypot(x - 100, y - 5) <= 18;
function person(): Mask {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = inPerson(x, y) ? 255 : 0;
  return { width: W, height: H, data };
}
// A flat garment with square shoulders from row 15 and a collar standing up to row 0 between the neck corners.
function garment(): RgbaImage {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const body = y >= 15 && Math.abs(x - 100) <= 58;
      const collar = y < 15 && Math.abs(x - 100) <= 20;
      if (!body && !collar) continue;
      data.set([200, 30, 30, 255], (y * W + x) * 4);
    }
  }
  return { width: W, height: H, data };
}
const targets = { neck_left: { x: 122, y: 15 }, neck_right: { x: 78, y: 15 }, armpit_left: { x: 140, y: 120 }, armpit_right: { x: 60, y: 120 } };
const alpha = (img: RgbaImage, x: number, y: number) => img.data[(y * W + x) * 4 + 3]!;
/** Distance from (x, y) to the round shoulder's outline, outside it. */
const outside = (x: number, y: number) => (y >= 60 ? Math.abs(x - 100) - 50 : Math.hypot(x - 100, y - 60) - 50);

describe('drapeOverShoulders', () => {
  it('cuts the flat corners standing over round shoulders back to the outline plus ease', () => {
    const g = garment();
    const cut = drapeOverShoulders([g], person(), targets, S, 'regular');
    expect(cut).toBeGreaterThan(200);
    const limit = DRAPE_EASE.regular * S + 1 + 0.02 * S + 1;
    let worst = 0, kept = 0;
    // Above the fade (armpit − 0.15 S), outside the neck corners: nothing past ease + feather.
    for (let y = 15; y < 120 - 15; y++) {
      for (let x = 0; x < W; x++) {
        if (Math.abs(x - 100) <= 22 || alpha(g, x, y) < 128) continue;
        kept++;
        worst = Math.max(worst, outside(x, y));
      }
    }
    expect(kept).toBeGreaterThan(5000);
    expect(worst).toBeLessThanOrEqual(limit);
    // The square corner (the garment's shoulder point) is gone; the shoulder's top on the outline stays.
    expect(alpha(g, 157, 16)).toBe(0);
    expect(alpha(g, 100 + 35, 30)).toBe(255);
  });

  it('keeps the collar between the neck corners, everything below the armpits and a slim fit tighter', () => {
    const g = garment();
    drapeOverShoulders([g], person(), targets, S, 'regular');
    // The collar stands above the person's outline (the head's circle is narrower) and is kept whole.
    for (let y = 0; y < 15; y++) for (let x = 80; x <= 120; x++) expect(alpha(g, x, y)).toBe(255);
    // Below the armpits the garment's sides, 8 px outside the body, are untouched.
    for (let y = 121; y < H; y++) expect(alpha(g, 157, y)).toBe(255);
    const slim = garment(), loose = garment();
    const cs = drapeOverShoulders([slim], person(), targets, S, 'slim');
    const cl = drapeOverShoulders([loose], person(), targets, S, 'loose');
    expect(cs).toBeGreaterThan(cl);
  });

  it('cuts every image alike and leaves a garment without armpits (a bottom) alone', () => {
    const a = garment(), b = garment();
    drapeOverShoulders([a, b], person(), targets, S, 'regular');
    expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data))).toBe(0);
    const c = garment();
    expect(drapeOverShoulders([c], person(), { neck_left: targets.neck_left, neck_right: targets.neck_right }, S, 'regular')).toBe(0);
    expect(Buffer.compare(Buffer.from(c.data), Buffer.from(garment().data))).toBe(0);
  });
});
