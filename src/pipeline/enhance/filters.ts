// Small pixel helpers shared by the enhancement steps: luma planes, smooth blurs, mask bounds.
import { boxBlur } from '../composite/guided-filter.js';
import { maskExtent } from '../image.js';
import type { Box, Mask, RgbaImage } from '../types.js';

/** Rec. 601 luma of a region of an RGBA image, 0..255, as a float plane of region size. */
export function lumaPlane(img: RgbaImage, r: Box): Float32Array {
  const out = new Float32Array(r.width * r.height);
  const d = img.data;
  for (let y = 0; y < r.height; y++) {
    let s = ((r.y + y) * img.width + r.x) * 4;
    const o = y * r.width;
    for (let x = 0; x < r.width; x++, s += 4) out[o + x] = 0.299 * d[s]! + 0.587 * d[s + 1]! + 0.114 * d[s + 2]!;
  }
  return out;
}

/** One colour channel (0 R, 1 G, 2 B) of a region as a float plane. */
export function channelPlane(img: RgbaImage, r: Box, c: number): Float32Array {
  const out = new Float32Array(r.width * r.height);
  const d = img.data;
  for (let y = 0; y < r.height; y++) {
    let s = ((r.y + y) * img.width + r.x) * 4 + c;
    const o = y * r.width;
    for (let x = 0; x < r.width; x++, s += 4) out[o + x] = d[s]!;
  }
  return out;
}

/** Three box passes: close to a Gaussian of σ ≈ r + 0.5, at O(1) per pixel whatever r is. */
export function smoothBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  if (r < 1) return src.slice();
  const a = boxBlur(src, w, h, r);
  const b = boxBlur(a, w, h, r);
  return boxBlur(b, w, h, r, a);
}

/** Bounding box of mask pixels ≥ 1, grown by `pad` and clipped to the image; null for an empty mask. */
export function maskBounds(mask: Mask, pad: number): Box | null {
  const e = maskExtent(mask.data, mask.width, mask.height);
  if (!e) return null;
  return clipBox({ x: e.x0 - pad, y: e.y0 - pad, width: e.x1 - e.x0 + 1 + 2 * pad, height: e.y1 - e.y0 + 1 + 2 * pad }, mask.width, mask.height);
}

/** Integer box inside a w×h image. */
export function clipBox(b: Box, w: number, h: number): Box {
  const x0 = Math.max(0, Math.floor(b.x));
  const y0 = Math.max(0, Math.floor(b.y));
  const x1 = Math.min(w, Math.ceil(b.x + b.width));
  const y1 = Math.min(h, Math.ceil(b.y + b.height));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

export function copyImage(img: RgbaImage): RgbaImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

export function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Separable [1 2 1]/4 binomial blur (σ ≈ 0.7), edges clamped: the finest-scale low-pass, for print sharpening. */
export function binomialBlur(src: Float32Array, w: number, h: number): Float32Array {
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const l = src[row + (x > 0 ? x - 1 : 0)]!;
      const r = src[row + (x < w - 1 ? x + 1 : x)]!;
      tmp[row + x] = (l + 2 * src[row + x]! + r) * 0.25;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : 0) * w;
    const dn = (y < h - 1 ? y + 1 : y) * w;
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = (tmp[up + x]! + 2 * tmp[row + x]! + tmp[dn + x]!) * 0.25;
  }
  return out;
}
