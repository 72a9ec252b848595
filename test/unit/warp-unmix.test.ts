// Soft cut-out edges are part backdrop: unmixed against the backdrop colour before the garment is warped.
import { describe, expect, it } from 'vitest';
import { defringeRim, unmixBackdrop } from '../../src/pipeline/warp/garment-warp.js';

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

describe('defringeRim', () => {
  const w = 40, h = 40, bg: [number, number, number] = [240, 240, 240];
  /** A square of `colour` with a one-pixel outline counted solid but half backdrop. */
  const square = (colour: number[]) => {
    const img = new Uint8Array(w * h * 4);
    for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) {
      const o = (y * w + x) * 4;
      const rim = x === 10 || x === 29 || y === 10 || y === 29;
      for (let c = 0; c < 3; c++) img[o + c] = rim ? Math.round((colour[c]! + bg[c]!) / 2) : colour[c]!;
      img[o + 3] = 255;
    }
    return img;
  };

  it('gives a dark garment’s pale outline the garment’s colour and the alpha of its share, leaving the inside alone', () => {
    const navy = [30, 40, 90];
    const img = square(navy);
    const inside = img.slice((20 * w + 20) * 4, (20 * w + 20) * 4 + 4);
    defringeRim(img, w, h, bg);
    for (const [x, y] of [[10, 20], [29, 15], [20, 10], [18, 29]] as const) {
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) expect(Math.abs(img[o + c]! - navy[c]!)).toBeLessThanOrEqual(2);
      expect(Math.abs(img[o + 3]! - 128)).toBeLessThanOrEqual(4);
    }
    expect([...img.slice((20 * w + 20) * 4, (20 * w + 20) * 4 + 4)]).toEqual([...inside]);
  });

  it('leaves a garment of the backdrop’s own colour alone (a white tee on white)', () => {
    const img = square([250, 250, 250]);
    const before = Uint8Array.from(img);
    defringeRim(img, w, h, bg);
    expect([...img]).toEqual([...before]);
  });

  it('leaves a clean striped edge alone: a white stripe running out to the outline is garment, not backdrop', () => {
    // Navy and white stripes three rows each, solid to the outline, on a light backdrop.
    const img = new Uint8Array(w * h * 4);
    for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) {
      const o = (y * w + x) * 4;
      img.set(Math.floor(y / 3) % 2 ? [30, 40, 90, 255] : [252, 252, 252, 255], o);
    }
    const before = Uint8Array.from(img);
    defringeRim(img, w, h, bg);
    expect([...img]).toEqual([...before]);
  });
});
