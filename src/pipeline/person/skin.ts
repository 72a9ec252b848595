// Skin colour model learnt from the person's own face (chroma Gaussian plus a brightness range).
import type { Face, Mask, RgbaImage } from '../types.js';

export interface SkinModel {
  cb: number;
  cr: number;
  /** Inverse chroma covariance (symmetric 2×2: a, b, c = [[a, b], [b, c]]). */
  ia: number;
  ib: number;
  ic: number;
  yLo: number;
  yHi: number;
  /** True when learnt from a face; false for the generic fallback. */
  fromFace: boolean;
}

/** Full-range BT.601 chroma and luma of one RGB pixel. */
export function ycc(r: number, g: number, b: number): [number, number, number] {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  return [y, chromaB(r, g, b), chromaR(r, g, b)];
}

/** BT.601 blue-difference chroma (Cb) alone: per-pixel loops need not allocate ycc()'s array. */
export function chromaB(r: number, g: number, b: number): number {
  return 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
}

/** BT.601 red-difference chroma (Cr) alone. */
export function chromaR(r: number, g: number, b: number): number {
  return 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
}

/** Learns the model from cheek and forehead pixels inside the face; generic when there is no face. */
export function learnSkin(img: RgbaImage, face: Face | null, mask: Mask): SkinModel {
  const generic: SkinModel = { cb: 110, cr: 152, ia: 1 / 120, ib: 0, ic: 1 / 80, yLo: 40, yHi: 250, fromFace: false };
  if (!face) return generic;
  const b = face.box;
  // The middle of the face box below the brows and above the mouth is mostly skin.
  const x0 = Math.round(b.x + b.width * 0.25), x1 = Math.round(b.x + b.width * 0.75);
  const y0 = Math.round(b.y + b.height * 0.35), y1 = Math.round(b.y + b.height * 0.7);
  const ys: number[] = [], cbs: number[] = [], crs: number[] = [];
  for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++) {
      if (mask.data[y * img.width + x]! < 128) continue;
      const p = (y * img.width + x) * 4;
      const [Y, Cb, Cr] = ycc(img.data[p]!, img.data[p + 1]!, img.data[p + 2]!);
      if (Y < 30 || Y > 245) continue;
      ys.push(Y); cbs.push(Cb); crs.push(Cr);
    }
  }
  if (ys.length < 50) return generic;
  // Median-centred so eyes and nostrils inside the window do not drag the model.
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;
  const mcb = med(cbs), mcr = med(crs), my = med(ys);
  let sbb = 0, sbr = 0, srr = 0, n = 0;
  for (let i = 0; i < ys.length; i++) {
    const db = cbs[i]! - mcb, dr = crs[i]! - mcr;
    if (db * db + dr * dr > 400) continue;
    sbb += db * db; sbr += db * dr; srr += dr * dr; n++;
  }
  // A floor on the spread: arms and legs are often tanned or shaded differently from a lit (or made-up) cheek.
  sbb = sbb / n + 30; srr = srr / n + 30; sbr /= n;
  const det = sbb * srr - sbr * sbr;
  return { cb: mcb, cr: mcr, ia: srr / det, ib: -sbr / det, ic: sbb / det, yLo: Math.max(15, my * 0.35), yHi: Math.min(255, my * 1.35 + 25), fromFace: true };
}

/** Squared Mahalanobis chroma distance of a pixel to the skin model (≤ 9 ≈ within 3σ), Infinity outside the brightness range. */
export function skinDistance(m: SkinModel, r: number, g: number, b: number): number {
  // ycc() written out: this runs for every person pixel, and the array it returns is not free.
  const Y = 0.299 * r + 0.587 * g + 0.114 * b;
  if (Y < m.yLo || Y > m.yHi) return Infinity;
  const Cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const Cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  const db = Cb - m.cb, dr = Cr - m.cr;
  return m.ia * db * db + 2 * m.ib * db * dr + m.ic * dr * dr;
}
