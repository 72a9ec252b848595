// The garment takes on the scene's light: luminance gain of the folds and the photo's colour temperature, hue kept.
import { maskExtent } from '../image.js';
import { bodyShapeGain } from '../person/layers/shading.js';
import type { ModelLayers, RgbaImage } from '../types.js';

/**
 * Shades the warped garment in place (model-sized, straight alpha). Every channel of a pixel is
 * multiplied by the same gain, and a pixel that would clip is scaled down as a whole, so the print's
 * hue and saturation never change; only the scene's white balance (layers.light) tints it, as it
 * tints everything else in the photo.
 */
export function shadeGarment(garment: RgbaImage, layers: ModelLayers, strength: number): void {
  if (strength <= 0) return;
  const { width: W, height: H, data } = garment;
  const sh = layers.shading;
  const same = sh.width === W && sh.height === H;
  const sx = sh.width / W, sy = sh.height / H;
  const [lr, lg, lb] = layers.light;
  const lm = (lr + lg + lb) / 3 || 1;
  // Half strength for the temperature: the garment photo has its own (usually neutral) white balance.
  const tk = 0.5 * strength;
  const tr = (lr / lm) ** tk, tg = (lg / lm) ** tk, tb = (lb / lm) ** tk;
  for (let y = 0; y < H; y++) {
    const gy = same ? y : Math.min(sh.height - 1, Math.floor((y + 0.5) * sy));
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const o = i * 4;
      if (data[o + 3] === 0) continue;
      const gx = same ? x : Math.min(sh.width - 1, Math.floor((x + 0.5) * sx));
      const raw = sh.gain[gy * sh.width + gx]!;
      const g = Number.isFinite(raw) && raw > 0 ? raw ** strength : 1;
      let r = data[o]! * g * tr;
      let gg = data[o + 1]! * g * tg;
      let b = data[o + 2]! * g * tb;
      const m = Math.max(r, gg, b);
      if (m > 255) {
        const k = 255 / m;
        r *= k;
        gg *= k;
        b *= k;
      }
      data[o] = r + 0.5;
      data[o + 1] = gg + 0.5;
      data[o + 2] = b + 0.5;
    }
  }
}

/**
 * Shades warped sleeves as tubes: darker towards their own outline, brightest along the middle (each
 * sleeve's bodyShapeGain), in the scene's light. The photo's gain does not fit a sleeve: it
 * holds the old arm's rounding in a narrower band and the backdrop's flat 1 beside it, which read as
 * dark streaks down a sleeve wider than the arm.
 */
export function shadeSleeves(sleeves: RgbaImage, layers: ModelLayers, strength: number): void {
  if (strength <= 0) return;
  const { width: W, height: H, data } = sleeves;
  const alpha = new Uint8Array(W * H);
  for (let i = 0; i < alpha.length; i++) alpha[i] = data[i * 4 + 3]! >= 128 ? 1 : 0;
  const box = maskExtent(alpha, W, H);
  if (!box) return;
  const gain = new Float32Array(W * H).fill(1);
  // One sleeve on each side of the body: a distance transform over each half of the sleeves' box
  // (with a pixel of margin, which is outside), each tube rounded by its own width.
  const mid = (box.x0 + box.x1) >> 1;
  for (const [xa, xb] of [[box.x0, mid], [mid + 1, box.x1]] as const) {
    if (xb < xa) continue;
    const x0 = Math.max(0, xa - 1), y0 = Math.max(0, box.y0 - 1), x1 = Math.min(W - 1, xb + 1), y1 = Math.min(H - 1, box.y1 + 1);
    const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    const inside = new Uint8Array(bw * bh);
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) inside[y * bw + x] = alpha[(y + y0) * W + x + x0]!;
    const g = bodyShapeGain(inside, bw, bh);
    for (let y = 0; y < bh; y++) for (let x = Math.max(0, xa - x0); x <= Math.min(bw - 1, xb - x0); x++) gain[(y + y0) * W + x + x0] = g[y * bw + x]!;
  }
  shadeGarment(sleeves, { ...layers, shading: { ...layers.shading, width: W, height: H, gain } }, strength);
}
