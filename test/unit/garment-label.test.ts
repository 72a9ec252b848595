// The brand label inside the back, seen through the neck opening, is painted over with the fabric around it; prints are not.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';

const TEE = 'samples/garments/white-tee.jpg';

/** The white tee (768 wide) with a patch painted at (x, y, w, h): a dark label, or a light one with a dark border and a line of text. */
async function withPatch(x: number, y: number, w: number, h: number, kind: 'dark' | 'light'): Promise<{ bytes: Buffer; fabric: number[] }> {
  const { data, info } = await sharp(TEE).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (xx: number, yy: number) => (yy * info.width + xx) * 3;
  const fabric = [0, 1, 2].map((c) => data[at(x + w / 2, y + h + 12) + c]!);
  for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) {
    const border = xx < x + 2 || xx >= x + w - 2 || yy < y + 2 || yy >= y + h - 2;
    const text = yy >= y + h / 2 - 2 && yy < y + h / 2 + 2 && xx >= x + 8 && xx < x + w - 8 && (xx >> 2) % 2 === 0;
    const c = kind === 'dark' ? (text ? [230, 230, 230] : [25, 30, 45]) : border || text ? [20, 20, 20] : [246, 244, 240];
    data.set(c, at(xx, yy));
  }
  return { bytes: await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer(), fabric };
}

/** Mean RGB distance of the analysis image from `fabric` over the box. */
function distance(img: { width: number; data: Uint8Array }, x: number, y: number, w: number, h: number, fabric: number[]): number {
  let s = 0, n = 0;
  for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) {
    const o = (yy * img.width + xx) * 4;
    s += Math.hypot(img.data[o]! - fabric[0]!, img.data[o + 1]! - fabric[1]!, img.data[o + 2]! - fabric[2]!); n++;
  }
  return s / n;
}

describe('the label inside the back', () => {
  it('is painted over with the fabric when it hangs from the neck point, dark or light with a dark border', async () => {
    // The tee's neck point (front of its neckline dent) is at (384, 274).
    for (const kind of ['dark', 'light'] as const) {
      const { bytes, fabric } = await withPatch(359, 272, 50, 24, kind);
      const a = await analyzeGarment(bytes, { category: 'top' });
      expect(a.width).toBe(768);
      expect(distance(a.image, 359, 272, 50, 24, fabric), kind).toBeLessThan(12);
    }
  });

  it('leaves a centred print further down the front, a print off the centre and the rest of the photo as they were', async () => {
    const { data: photo } = await sharp(TEE).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    // A label-sized dark patch 70 px below the neck point (a print on the chest), and one by the neck but off to the side.
    for (const [x, y] of [[359, 344], [300, 272]] as const) {
      const { bytes, fabric } = await withPatch(x, y, 50, 24, 'dark');
      const a = await analyzeGarment(bytes, { category: 'top' });
      expect(distance(a.image, x, y, 50, 24, fabric), `${x},${y}`).toBeGreaterThan(100);
    }
    // With no label, every pixel is the photo's.
    const a = await analyzeGarment(readFileSync(TEE), { category: 'top' });
    let diff = 0;
    for (let i = 0; i < a.width * a.height; i++) for (let c = 0; c < 3; c++) diff = Math.max(diff, Math.abs(a.image.data[i * 4 + c]! - photo[i * 3 + c]!));
    expect(diff).toBe(0);
  });
});
