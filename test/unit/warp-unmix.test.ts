// Soft cut-out edges are part backdrop: unmixed against the backdrop colour before the garment is warped.
import { describe, expect, it } from 'vitest';
import { unmixBackdrop } from '../../src/pipeline/warp/garment-warp.js';

describe('unmixBackdrop', () => {
  it('recovers the garment colour of an edge pixel blended with a white backdrop, and leaves solid and empty pixels alone', () => {
    const garment = [30, 40, 90], bg: [number, number, number] = [240, 242, 245];
    const px: number[] = [];
    for (const a of [255, 191, 128, 64, 0]) {
      const f = a / 255;
      px.push(...garment.map((c, k) => Math.round(f * c + (1 - f) * bg[k]!)), a);
    }
    const img = Uint8Array.from(px);
    const before = Uint8Array.from(img);
    unmixBackdrop(img, bg);
    // Solid and empty: untouched.
    expect([...img.subarray(0, 4)]).toEqual([...before.subarray(0, 4)]);
    expect([...img.subarray(16, 20)]).toEqual([...before.subarray(16, 20)]);
    // Three quarters and half opaque: the garment's colour within rounding.
    for (const o of [4, 8]) for (let c = 0; c < 3; c++) expect(Math.abs(img[o + c]! - garment[c]!)).toBeLessThanOrEqual(2);
    // A quarter opaque: unmixed as at a third, so much darker than the blend, never brighter.
    for (let c = 0; c < 3; c++) {
      expect(img[12 + c]!).toBeLessThan(before[12 + c]! - 40);
      expect(img[12 + c]!).toBeGreaterThanOrEqual(0);
    }
  });
});
