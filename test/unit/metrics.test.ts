import { describe, expect, it } from 'vitest';
import { deltaE2000, meanColourDifference, rgbToLab, ssim } from '../../src/pipeline/metrics.js';
import type { Mask, RgbaImage } from '../../src/pipeline/types.js';

function image(w: number, h: number, px: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([...px(x, y), 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}

describe('ssim', () => {
  const print = image(96, 96, (x, y) => {
    const v = ((x >> 3) + (y >> 3)) % 2 ? 220 : 40;
    return [v, (v + x) & 255, 255 - v];
  });

  it('is 1 for identical images and drops as structure is lost', () => {
    expect(ssim(print, print)).toBeCloseTo(1, 6);
    // Shift by one pixel: structure mostly intact but not identical.
    const shifted = image(96, 96, (x, y) => {
      const xx = Math.max(0, x - 1);
      const v = ((xx >> 3) + (y >> 3)) % 2 ? 220 : 40;
      return [v, (v + xx) & 255, 255 - v];
    });
    const s1 = ssim(print, shifted);
    expect(s1).toBeLessThan(0.95);
    expect(s1).toBeGreaterThan(0.5);
    // A flat grey has none of the print's structure: only the luminance term is left.
    const flat = image(96, 96, () => [130, 130, 130]);
    expect(ssim(print, flat)).toBeLessThan(0.5);
    expect(ssim(print, flat)).toBeLessThan(s1 - 0.2);
  });

  it('counts only the masked pixels when a mask is given', () => {
    const half = image(96, 96, (x, y) => (x < 48 ? [print.data[(y * 96 + x) * 4]!, print.data[(y * 96 + x) * 4 + 1]!, print.data[(y * 96 + x) * 4 + 2]!] : [0, 0, 0]));
    const left: Mask = { width: 96, height: 96, data: new Uint8Array(96 * 96) };
    for (let y = 0; y < 96; y++) for (let x = 0; x < 40; x++) left.data[y * 96 + x] = 255;
    expect(ssim(print, half, { mask: left })).toBeGreaterThan(0.99);
    expect(ssim(print, half)).toBeLessThan(0.7);
  });
});

describe('colour difference', () => {
  it('converts sRGB to Lab like the reference (D65)', () => {
    const lab = new Float64Array(3);
    rgbToLab(255, 255, 255, lab);
    expect(lab[0]).toBeCloseTo(100, 2);
    expect(Math.abs(lab[1]!)).toBeLessThan(0.01);
    rgbToLab(255, 0, 0, lab);
    // sRGB red: L 53.24, a 80.09, b 67.20.
    expect(lab[0]).toBeCloseTo(53.24, 1);
    expect(lab[1]).toBeCloseTo(80.09, 1);
    expect(lab[2]).toBeCloseTo(67.2, 1);
  });

  it('matches the CIEDE2000 test data of Sharma, Wu and Dalal', () => {
    const pairs: [number, number, number, number, number, number, number][] = [
      [50, 2.6772, -79.7751, 50, 0, -82.7485, 2.0425],
      [50, 3.1571, -77.2803, 50, 0, -82.7485, 2.8615],
      [50, -1.3802, -84.2814, 50, 0, -82.7485, 1.0],
      [50, 2.5, 0, 50, 0, -2.5, 4.3065],
      [50, 2.5, 0, 73, 25, -18, 27.1492],
      [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
      [22.7233, 20.0904, -46.694, 23.0331, 14.973, -42.5619, 2.0373],
      [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
      [90.8027, -2.0831, 1.441, 91.1528, -1.6435, 0.0447, 1.4441],
      [50, 2.49, -0.001, 50, -2.49, 0.0009, 7.1792],
      [50, 0, 0, 50, -1, 2, 2.3669],
      [2.0776, 0.0795, -1.135, 0.9033, -0.0636, -0.5514, 0.9082],
    ];
    for (const [l1, a1, b1, l2, a2, b2, expected] of pairs) {
      expect(deltaE2000(l1, a1, b1, l2, a2, b2)).toBeCloseTo(expected, 3);
    }
  });

  it('mean colour difference: 0 for equal images, small for a slight tint, large for another colour', () => {
    const a = image(16, 16, () => [200, 120, 80]);
    const tint = image(16, 16, () => [202, 121, 80]);
    const blue = image(16, 16, () => [40, 60, 200]);
    expect(meanColourDifference(a, a)).toBe(0);
    expect(meanColourDifference(a, tint)).toBeLessThan(1.5);
    expect(meanColourDifference(a, blue)).toBeGreaterThan(30);
    expect(meanColourDifference(a, blue, { formula: 'de76' })).toBeGreaterThan(meanColourDifference(a, blue));
  });
});
