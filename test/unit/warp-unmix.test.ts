// Soft cut-out edges are part backdrop: unmixed against the backdrop colour before the garment is warped.
import { describe, expect, it } from 'vitest';
import { defringeRim, fillArmpitSliver, unmixBackdrop } from '../../src/pipeline/warp/garment-warp.js';

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

describe('fillArmpitSliver', () => {
  const w = 120, h = 120, bg: [number, number, number] = [246, 246, 246];
  const at = { x: 60, y: 50 };
  /**
   * Fabric everywhere except the gap between sleeve and body: open (alpha 0) below row 70, and a
   * sliver of backdrop 7 px wide from row 40 to 70 that the cut-out kept opaque. `fabric` colours the
   * rest; `stripe` adds a backdrop-coloured band across the fabric at row 75, joined to the open gap.
   */
  function garment(fabric: number[], stripe = false): Uint8Array {
    const img = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 4;
        const inGap = Math.abs(x - 60) <= 3 && y >= 40;
        img.set(inGap || (stripe && y >= 74 && y <= 76) ? [...bg, 255] : [...fabric, 255], o);
        if (inGap && y >= 70) img[o + 3] = 0;
      }
    }
    return img;
  }
  const px = (img: Uint8Array, x: number, y: number) => [...img.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)];

  it('fills the backdrop sliver kept at the tip of the gap under the arm with the fabric beside it, and nothing else', () => {
    const fabric = [200, 110, 120];
    const img = garment(fabric);
    const before = Uint8Array.from(img);
    expect(fillArmpitSliver(img, w, h, bg, at, 40)).toBe(7 * 30);
    for (let y = 40; y < 70; y++) for (let x = 57; x <= 63; x++) expect(px(img, x, y)).toEqual([...fabric, 255]);
    // The open gap stays open; everything else is as it was.
    for (let y = 70; y < h; y++) for (let x = 57; x <= 63; x++) expect(px(img, x, y)[3]).toBe(0);
    let changed = 0;
    for (let i = 0; i < w * h; i++) if (img[i * 4] !== before[i * 4] || img[i * 4 + 3] !== before[i * 4 + 3]) changed++;
    expect(changed).toBe(7 * 30);
  });

  it('leaves a white garment on white, and a backdrop-coloured stripe running across the fabric', () => {
    const white = garment([240, 240, 240]);
    expect(fillArmpitSliver(white, w, h, bg, at, 40)).toBe(0);
    const striped = garment([30, 30, 60], true);
    fillArmpitSliver(striped, w, h, bg, at, 40);
    // The sliver is filled; the stripe beside the gap (no fabric wall within reach along it) stays.
    expect(px(striped, 60, 45)).toEqual([30, 30, 60, 255]);
    for (const x of [40, 50, 70, 80]) expect(px(striped, x, 75)).toEqual([...bg, 255]);
  });
});
