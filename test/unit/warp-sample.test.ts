import { describe, expect, it } from 'vitest';
import { buildWarpMap } from '../../src/pipeline/warp/grid.js';
import { buildMipPyramid, sampleWarp } from '../../src/pipeline/warp/sample.js';
import { fitTps } from '../../src/pipeline/warp/tps.js';
import type { RgbaImage } from '../../src/pipeline/types.js';

function image(w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(px(x, y), (y * w + x) * 4);
  return { width: w, height: h, data };
}

function variance(img: RgbaImage, channel: number, margin: number): number {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let y = margin; y < img.height - margin; y++) {
    for (let x = margin; x < img.width - margin; x++) {
      const v = img.data[(y * img.width + x) * 4 + channel]!;
      s += v;
      s2 += v * v;
      n++;
    }
  }
  return s2 / n - (s / n) ** 2;
}

describe('sampleWarp', () => {
  it('reproduces the image through the identity map', () => {
    const img = image(64, 48, (x, y) => [(x * 7) & 255, (y * 11) & 255, (x * y) & 255, 255]);
    const map = buildWarpMap((x, y, o) => { o[0] = x; o[1] = y; }, { x: 0, y: 0, width: 64, height: 48 }, 8);
    const out = sampleWarp(buildMipPyramid(img), map);
    let maxDiff = 0;
    for (let i = 0; i < img.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.data[i]! - img.data[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('prefilters a 4× downscale of 1-px stripes to uniform grey; point sampling aliases', () => {
    const img = image(512, 512, (x) => (x % 2 === 0 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    // Slightly off 4× (and rotated a little) so point sampling beats against the stripes.
    const tps = fitTps(
      [{ x: 0, y: 0 }, { x: 120, y: 0 }, { x: 0, y: 120 }, { x: 120, y: 120 }],
      [{ x: 3, y: 1 }, { x: 3 + 4.1 * 120, y: 1 + 8 }, { x: 3 - 8, y: 1 + 4.1 * 120 }, { x: 3 + 4.1 * 120 - 8, y: 9 + 4.1 * 120 }],
    );
    const map = buildWarpMap(tps.mapInto, { x: 0, y: 0, width: 120, height: 120 }, 8);
    const pyr = buildMipPyramid(img);
    const tri = sampleWarp(pyr, map);
    const nearest = sampleWarp(pyr, map, { filter: 'nearest' });
    const bilinear = sampleWarp(pyr, map, { filter: 'bilinear' });
    const vTri = variance(tri, 1, 4);
    const vNear = variance(nearest, 1, 4);
    const vBil = variance(bilinear, 1, 4);
    expect(vNear).toBeGreaterThan(3000);
    expect(vBil).toBeGreaterThan(500);
    expect(vTri).toBeLessThan(30);
    // And the grey is the stripes' mean, not darker or lighter.
    let mean = 0;
    for (let i = 0; i < 120 * 120; i++) mean += tri.data[i * 4 + 1]!;
    expect(Math.abs(mean / (120 * 120) - 127.5)).toBeLessThan(4);
  });

  it('prefilters a fine check near the pixel rate (a gingham sleeve narrowed 2.5×) without moiré bands', () => {
    // 5-px check; 2.5× down with a slight rotation puts it at 2 px, which no output can hold: the
    // right answer is its mean, and any beat left shows as slow bands of variance.
    const img = image(400, 400, (x, y) => ((Math.floor(x / 2.5) + Math.floor(y / 2.5)) % 2 === 0 ? [230, 230, 230, 255] : [40, 40, 40, 255]));
    const tps = fitTps(
      [{ x: 0, y: 0 }, { x: 140, y: 0 }, { x: 0, y: 140 }, { x: 140, y: 140 }],
      [{ x: 5, y: 3 }, { x: 5 + 2.5 * 140, y: 3 + 12 }, { x: 5 - 12, y: 3 + 2.5 * 140 }, { x: 5 + 2.5 * 140 - 12, y: 15 + 2.5 * 140 }],
    );
    const map = buildWarpMap(tps.mapInto, { x: 0, y: 0, width: 140, height: 140 }, 8);
    const out = sampleWarp(buildMipPyramid(img), map, { lodBias: 0.75 });
    // A 2×2-box pyramid leaves a variance near 50 here; the [1 3 3 1] one under 1.
    expect(variance(out, 1, 4)).toBeLessThan(10);
  });

  it('leaves no dark fringe at alpha edges (premultiplied)', () => {
    // A white disc on transparent black: colour of transparent pixels must not bleed in.
    const img = image(128, 128, (x, y) => ((x - 64) ** 2 + (y - 64) ** 2 < 40 ** 2 ? [255, 255, 255, 255] : [0, 0, 0, 0]));
    // Downscale by 2.6 and shift by a fraction, so edges are heavily interpolated.
    const map = buildWarpMap((x, y, o) => { o[0] = x * 2.6 + 0.3; o[1] = y * 2.6 + 0.7; }, { x: 0, y: 0, width: 49, height: 49 }, 8);
    const out = sampleWarp(buildMipPyramid(img), map);
    let minRgb = 255;
    let partial = 0;
    for (let i = 0; i < 49 * 49; i++) {
      const a = out.data[i * 4 + 3]!;
      if (a === 0) continue;
      if (a < 250) partial++;
      minRgb = Math.min(minRgb, out.data[i * 4]!, out.data[i * 4 + 1]!, out.data[i * 4 + 2]!);
    }
    expect(partial).toBeGreaterThan(20);
    expect(minRgb).toBeGreaterThanOrEqual(250);
  });

  it('outside the map and outside the garment is transparent', () => {
    const img = image(16, 16, () => [200, 10, 10, 255]);
    const map = buildWarpMap((x, y, o) => { o[0] = x < 8 ? x + 100 : NaN; o[1] = y; }, { x: 0, y: 0, width: 16, height: 16 }, 4);
    const out = sampleWarp(buildMipPyramid(img), map);
    for (let i = 0; i < 256; i++) expect(out.data[i * 4 + 3]).toBe(0);
  });
});
