// Print sharpening: a small-radius unsharp mask on luma, only inside a mask (the garment region).
import type { Box, Mask, RgbaImage } from '../types.js';
import { binomialBlur, clamp255, lumaPlane, maskBounds, smoothBlur } from './filters.js';

export interface SharpenOptions {
  /** Fraction of the detail added back, 0..2 (0.6 is a clear, clean print sharpen). */
  amount: number;
  /** Blur radius of the unsharp mask, pixels (1 = a 3×3 binomial: the finest detail, print edges and text). */
  radius?: number;
  /** Detail below this many levels is noise or weave and is left alone. */
  threshold?: number;
  /** Bounds of the mask when the caller has them (saves a scan of the whole mask). */
  region?: Box;
}

/** Sharpens in place where mask > 0, by mask weight; pixels outside the mask are never touched. */
export function sharpenInMask(img: RgbaImage, mask: Mask, opts: SharpenOptions): void {
  if (opts.amount <= 0) return;
  const radius = Math.max(1, Math.round(opts.radius ?? 1));
  const region = opts.region ?? maskBounds(mask, radius * 3 + 1);
  if (!region) return;
  const { width: rw, height: rh } = region;
  const luma = lumaPlane(img, region);
  const blur = radius === 1 ? binomialBlur(luma, rw, rh) : smoothBlur(luma, rw, rh, radius);
  const threshold = opts.threshold ?? 2;
  const amount = opts.amount;
  const d = img.data;
  const md = mask.data;
  for (let y = 0; y < rh; y++) {
    const row = y * rw;
    let mi = (region.y + y) * img.width + region.x;
    let o = mi * 4;
    for (let x = 0; x < rw; x++, o += 4, mi++) {
      const w = md[mi]!;
      if (w === 0) continue;
      const detail = luma[row + x]! - blur[row + x]!;
      const mag = Math.abs(detail);
      if (mag <= threshold) continue;
      // Soft threshold: detail just above it fades in, so weave grain does not turn to speckle.
      const delta = Math.sign(detail) * (mag - threshold) * amount * (w / 255);
      d[o] = clamp255(d[o]! + delta);
      d[o + 1] = clamp255(d[o + 1]! + delta);
      d[o + 2] = clamp255(d[o + 2]! + delta);
    }
  }
}
