// Local contrast: a large-radius unsharp mask on luma, small and clamped, so a flat photo gains depth without halos.
import type { Box, Mask, RgbaImage } from '../types.js';
import { clamp255, lumaPlane, smoothBlur } from './filters.js';


export interface LocalContrastOptions {
  /** Fraction of the local detail added back, 0..1 (0.25 is already strong). */
  amount: number;
  /** Blur radius in pixels; default 1/40 of the long edge. */
  radius?: number;
  /** Largest luma change of one pixel, levels; keeps halos at strong edges faint. */
  clamp?: number;
  /** Only these pixels change, by weight 0..255. */
  weight?: Mask;
  /** Only pixels in this box are touched (e.g. the weight mask's bounds, grown by the radius). */
  region?: Box;
}

export function defaultContrastRadius(w: number, h: number): number {
  return Math.max(4, Math.round(Math.max(w, h) / 40));
}

/** Adds clamped local luma detail to R, G and B alike (so hue stays), in place. */
export function localContrast(img: RgbaImage, opts: LocalContrastOptions): void {
  if (opts.amount <= 0) return;
  const region = opts.region ?? { x: 0, y: 0, width: img.width, height: img.height };
  const { width: rw, height: rh } = region;
  if (rw === 0 || rh === 0) return;
  const radius = opts.radius ?? defaultContrastRadius(img.width, img.height);
  const luma = lumaPlane(img, region);
  const blur = coarseBlur(luma, rw, rh, radius);
  const limit = opts.clamp ?? 12;
  const amount = opts.amount;
  const d = img.data;
  const wd = opts.weight?.data;
  for (let y = 0; y < rh; y++) {
    const row = y * rw;
    let o = ((region.y + y) * img.width + region.x) * 4;
    let mi = (region.y + y) * img.width + region.x;
    for (let x = 0; x < rw; x++, o += 4, mi++) {
      let t = amount;
      if (wd) {
        const w = wd[mi]!;
        if (w === 0) continue;
        t *= w / 255;
      }
      let delta = (luma[row + x]! - blur[row + x]!) * t;
      delta = delta > limit ? limit : delta < -limit ? -limit : delta;
      if (delta > -0.5 && delta < 0.5) continue;
      d[o] = clamp255(d[o]! + delta);
      d[o + 1] = clamp255(d[o + 1]! + delta);
      d[o + 2] = clamp255(d[o + 2]! + delta);
    }
  }
}

/**
 * A wide Gaussian-like blur computed on a grid `radius / 4` times coarser and read back bilinearly:
 * the blur removes everything the coarse grid cannot hold, and it costs a few ms instead of tens.
 */
function coarseBlur(src: Float32Array, w: number, h: number, radius: number): Float32Array {
  const f = Math.max(1, Math.floor(radius / 4));
  const cw = Math.ceil(w / f);
  const ch = Math.ceil(h / f);
  const small = new Float32Array(cw * ch);
  const count = new Float32Array(cw * ch);
  for (let y = 0; y < h; y++) {
    const cy = ((y / f) | 0) * cw;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const c = cy + ((x / f) | 0);
      small[c] += src[row + x]!;
      count[c] += 1;
    }
  }
  for (let i = 0; i < small.length; i++) small[i] = small[i]! / count[i]!;
  // The same σ as three box passes of radius r/2 at full resolution, in coarse cells.
  const blurred = smoothBlur(small, cw, ch, Math.max(1, Math.round(radius / 2 / f)));
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    // Coarse cell centres sit at (i + 0.5)·f − 0.5 in fine pixels.
    let fy = (y + 0.5) / f - 0.5;
    fy = fy < 0 ? 0 : fy > ch - 1 ? ch - 1 : fy;
    const y0 = fy | 0;
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = fy - y0;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let fx = (x + 0.5) / f - 0.5;
      fx = fx < 0 ? 0 : fx > cw - 1 ? cw - 1 : fx;
      const x0 = fx | 0;
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = fx - x0;
      const a = blurred[y0 * cw + x0]! + (blurred[y0 * cw + x1]! - blurred[y0 * cw + x0]!) * tx;
      const b = blurred[y1 * cw + x0]! + (blurred[y1 * cw + x1]! - blurred[y1 * cw + x0]!) * tx;
      out[row + x] = a + (b - a) * ty;
    }
  }
  return out;
}
