import { describe, expect, it } from 'vitest';
import { inpaint } from '../../src/pipeline/composite/inpaint.js';
import { meanAbsDifference, ssim } from '../../src/pipeline/metrics.js';
import type { Mask, RgbaImage } from '../../src/pipeline/types.js';

function image(w: number, h: number, px: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([...px(x, y), 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}

function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const data = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * w + x] = 255;
  return { width: w, height: h, data };
}

function crop(img: RgbaImage, x0: number, y0: number, w: number, h: number): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, data };
}

describe('inpaint', () => {
  it('restores a periodic texture inside the hole', () => {
    // A checked plaid: period 16 × 12, with a diagonal stripe, in colour.
    const img = image(200, 160, (x, y) => [
      (x % 16) < 8 ? 200 : 60,
      (y % 12) < 5 ? 180 : 40,
      ((x + y) % 20) < 4 ? 250 : 90,
    ]);
    const hole = rectMask(200, 160, 70, 50, 130, 110);
    const out = inpaint(img, hole);
    const a = crop(out, 70, 50, 60, 60);
    const b = crop(img, 70, 50, 60, 60);
    const mad = meanAbsDifference(a, b);
    const s = ssim(a, b);
    expect(mad).toBeLessThan(5);
    expect(s).toBeGreaterThan(0.95);
    // A flat fill (the surroundings' mean) would be far worse: that is what the test guards.
    const flat = image(60, 60, () => [130, 98, 115]);
    expect(meanAbsDifference(flat, b)).toBeGreaterThan(3 * mad);
  });

  it('fills a hole in a flat area with the flat colour and leaves the rest unchanged', () => {
    const img = image(120, 100, (x, y) => (y < 20 ? [20, 20, 200] : [180, 150, 120]));
    const noisy = { ...img, data: new Uint8Array(img.data) };
    const hole = rectMask(120, 100, 40, 40, 80, 80);
    // Garbage inside the hole must not survive.
    for (let y = 40; y < 80; y++) for (let x = 40; x < 80; x++) noisy.data.set([255, 0, 255, 255], (y * 120 + x) * 4);
    const out = inpaint(noisy, hole);
    expect(meanAbsDifference(out, img, { mask: hole })).toBeLessThan(1);
    const outside: Mask = { width: 120, height: 100, data: hole.data.map((v) => 255 - v) };
    expect(meanAbsDifference(out, noisy, { mask: outside })).toBe(0);
  });

  it('copies only from the allowed source region', () => {
    // Left half "skin" (warm), right half "background" (green); the hole sits on the border.
    const img = image(160, 120, (x, y) => (x < 80 ? [210, 160 + ((x * 3 + y * 5) % 20), 130] : [40, 200, 60]));
    const hole = rectMask(160, 120, 60, 40, 100, 80);
    const source = rectMask(160, 120, 0, 0, 80, 120);
    const out = inpaint(img, hole, { sourceMask: source });
    let greenish = 0;
    for (let i = 0; i < 160 * 120; i++) {
      if (!hole.data[i]) continue;
      const g = out.data[i * 4 + 1]!;
      const r = out.data[i * 4]!;
      if (g > r) greenish++;
    }
    expect(greenish).toBe(0);
    // Without the source mask, the right part of the hole takes the green.
    const free = inpaint(img, hole);
    let freeGreen = 0;
    for (let i = 0; i < 160 * 120; i++) if (hole.data[i] && free.data[i * 4 + 1]! > free.data[i * 4]!) freeGreen++;
    expect(freeGreen).toBeGreaterThan(300);
  });

  it('fills a 768×1024 image with a 12% hole from its surroundings', () => {
    const img = image(768, 1024, (x, y) => [
      128 + 60 * Math.sin(x / 9) * Math.cos(y / 13),
      100 + ((x * 7 + y * 3) % 50),
      90 + 40 * Math.sin((x + y) / 17),
    ]);
    const hole = rectMask(768, 1024, 250, 350, 530, 670); // 280 × 320 = 11.4%
    const cpu = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const t0 = cpu();
    const out = inpaint(img, hole);
    const ms = cpu() - t0;
    console.log(`inpaint 768×1024, 11.4% hole: ${ms.toFixed(0)} ms CPU`);
    expect(meanAbsDifference(out, img, { mask: hole })).toBeLessThan(25);
  });
});
