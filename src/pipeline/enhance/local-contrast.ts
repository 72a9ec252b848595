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
  // Three box passes of radius r/2 give a Gaussian-like blur of about the wanted σ.
  const luma = lumaPlane(img, region);
  const blur = smoothBlur(luma, rw, rh, Math.max(1, Math.round(radius / 2)));
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
