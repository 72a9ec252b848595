// The backdrop of a garment photo: a lit plane fitted to the border, and the edge strength that stops a flood.
import type { RgbaImage } from '../types.js';
import { borderIndices } from './mask-ops.js';

/** Background as a plane per channel (a + b·x + c·y): lit backdrops have a gradient. */
export interface Plane {
  coef: Float64Array; // 3 channels × 3 coefficients
  noise: number;
}

export function fitBackground(image: RgbaImage): Plane {
  const { width: w, height: h, data } = image;
  const band = Math.max(2, Math.round(Math.min(w, h) * 0.006));
  const idx: number[] = [];
  const step = 2;
  for (let y = 0; y < h; y += step)
    for (let x = 0; x < w; x += step) if (x < band || y < band || x >= w - band || y >= h - band) idx.push(y * w + x);
  let use = idx;
  const coef = new Float64Array(9);
  let noise = 4;
  // Garment pixels touching the border are outliers: refit twice without them.
  for (let it = 0; it < 3; it++) {
    solvePlanes(data, w, use, coef);
    const res = idx.map((i) => residual(data, w, coef, i));
    const sorted = use.map((i) => residual(data, w, coef, i)).sort((a, b) => a - b);
    const med = sorted[sorted.length >> 1] ?? 0;
    noise = Math.max(1.5, med * 1.5);
    const lim = Math.max(8, 4 * noise);
    use = idx.filter((_, k) => res[k]! <= lim);
    if (use.length < idx.length * 0.2) use = idx;
  }
  return { coef, noise };
}

function residual(d: Uint8Array, w: number, coef: Float64Array, i: number): number {
  const x = (i % w) / w, y = Math.floor(i / w) / w;
  let m = 0;
  for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(d[4 * i + c]! - (coef[3 * c]! + coef[3 * c + 1]! * x + coef[3 * c + 2]! * y)));
  return m;
}

function solvePlanes(d: Uint8Array, w: number, idx: number[], coef: Float64Array): void {
  // Normal equations of a 3-parameter least squares fit, one right-hand side per channel.
  const A = new Float64Array(9);
  const B = new Float64Array(9);
  for (const i of idx) {
    const f = [1, (i % w) / w, Math.floor(i / w) / w];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) A[3 * r + c]! += f[r]! * f[c]!;
      for (let ch = 0; ch < 3; ch++) B[3 * ch + r]! += f[r]! * d[4 * i + ch]!;
    }
  }
  for (let ch = 0; ch < 3; ch++) {
    const sol = solve3(A, [B[3 * ch]!, B[3 * ch + 1]!, B[3 * ch + 2]!]);
    coef.set(sol, 3 * ch);
  }
}

function solve3(A: Float64Array, b: number[]): number[] {
  const m = [0, 1, 2].map((r) => [A[3 * r]!, A[3 * r + 1]!, A[3 * r + 2]!, b[r]!]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]! || 1e-9;
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / piv;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return [0, 1, 2].map((r) => m[r]![3]! / (m[r]![r]! || 1e-9));
}

/** Max over channels of the Sobel derivative on a 3×3-smoothed image, in grey levels per pixel. */
export function gradient(d: Uint8Array, w: number, h: number): Float32Array {
  const n = w * h;
  const g = new Float32Array(n);
  const row = new Float32Array(n);
  const sm = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    // Separable 3×3 box, then Sobel on the result; borders stay zero.
    for (let y = 0; y < h; y++) {
      const o = y * w;
      for (let x = 1; x < w - 1; x++) row[o + x] = d[4 * (o + x - 1) + c]! + d[4 * (o + x) + c]! + d[4 * (o + x + 1) + c]!;
    }
    for (let y = 1; y < h - 1; y++) {
      const o = y * w;
      for (let x = 1; x < w - 1; x++) sm[o + x] = (row[o + x - w]! + row[o + x]! + row[o + x + w]!) / 9;
    }
    for (let y = 2; y < h - 2; y++) {
      const o = y * w;
      for (let x = 2; x < w - 2; x++) {
        const i = o + x;
        const a = sm[i - w - 1]!, b = sm[i - w]!, cc = sm[i - w + 1]!, dd = sm[i - 1]!, f = sm[i + 1]!, gg = sm[i + w - 1]!, hh = sm[i + w]!, k = sm[i + w + 1]!;
        const gx = cc + 2 * f + k - a - 2 * dd - gg;
        const gy = gg + 2 * hh + k - a - 2 * b - cc;
        const m = Math.sqrt(gx * gx + gy * gy) / 8;
        if (m > g[i]!) g[i] = m;
      }
    }
  }
  return g;
}

// A ramp stored in whole grey levels steps by one level now and then: that much (in channel sums) is
// not texture.
const QUANT = 3;

/**
 * Fine texture: mean absolute second difference of luminance across and along (|2L − left − right| and
 * |2L − up − down|), measured at full resolution and averaged over each f×f block (the coarse grid,
 * floor(w/f) × floor(h/f)). Rib knit and frills show here though the coarse image and its smoothed
 * gradient have averaged them away; a smooth ramp (a soft shadow, lit fabric) measures nothing.
 */
export function fineTexture(image: RgbaImage, f: number): Float32Array {
  const { width: W, height: H, data: d } = image;
  const w = Math.floor(W / f), h = Math.floor(H / f);
  const out = new Float32Array(w * h);
  const k = 1 / (3 * f * f);
  const lum = (p: number) => d[p]! + d[p + 1]! + d[p + 2]!;
  for (let y = 1; y < Math.min(h * f, H - 1); y++) {
    const o = ((y / f) | 0) * w;
    for (let x = 1; x < Math.min(w * f, W - 1); x++) {
      const p = 4 * (y * W + x);
      const l2 = 2 * lum(p);
      const s = Math.max(0, Math.abs(l2 - lum(p - 4) - lum(p + 4)) - QUANT) + Math.max(0, Math.abs(l2 - lum(p - 4 * W) - lum(p + 4 * W)) - QUANT);
      out[o + ((x / f) | 0)] += s * k;
    }
  }
  return out;
}

/**
 * The most fine texture the backdrop itself has (JPEG noise, paper grain): the 95th percentile over the
 * image border, as a noisy photo's backdrop is smooth in most places and grainy in patches.
 */
export function borderTexture(tex: Float32Array, w: number, h: number): number {
  const v = Array.from(borderIndices(w, h), (i) => tex[i]!).sort((a, b) => a - b);
  return v[Math.floor(0.95 * (v.length - 1))] ?? 0;
}
