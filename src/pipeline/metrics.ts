// Image comparison numbers for tests and quality reports: SSIM, colour difference in Lab.
import type { Mask, RgbaImage } from './types.js';

/** One float channel, row-major (e.g. luminance 0..255). */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

export interface CompareOptions {
  /** Only pixels with mask ≥ 128 count. */
  mask?: Mask;
}

/** Rec. 601 luma of an RGBA image, 0..255 (alpha ignored: compare composited images). */
export function toGrey(img: RgbaImage): GreyImage {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 4]! + 0.587 * d[i * 4 + 1]! + 0.114 * d[i * 4 + 2]!;
  return { width: img.width, height: img.height, data: out };
}

function isGrey(img: RgbaImage | GreyImage): img is GreyImage {
  return img.data instanceof Float32Array;
}

/**
 * Mean SSIM (Wang et al. 2004: 11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03, range 255) of
 * the luma of two images of one size, averaged over the mask when given. 1 = identical structure.
 */
export function ssim(a: RgbaImage | GreyImage, b: RgbaImage | GreyImage, opts: CompareOptions = {}): number {
  const map = ssimMap(a, b);
  const mask = opts.mask;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < map.data.length; i++) {
    if (mask && mask.data[i]! < 128) continue;
    sum += map.data[i]!;
    n++;
  }
  return n === 0 ? 1 : sum / n;
}

/** The per-pixel SSIM map behind ssim(). */
export function ssimMap(a: RgbaImage | GreyImage, b: RgbaImage | GreyImage): GreyImage {
  if (a.width !== b.width || a.height !== b.height) throw new Error('ssim: images differ in size');
  const x = isGrey(a) ? a.data : toGrey(a).data;
  const y = isGrey(b) ? b.data : toGrey(b).data;
  const { width: w, height: h } = a;
  const n = w * h;
  const xx = new Float32Array(n);
  const yy = new Float32Array(n);
  const xy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i]! * x[i]!;
    yy[i] = y[i]! * y[i]!;
    xy[i] = x[i]! * y[i]!;
  }
  const mx = gaussian(x, w, h);
  const my = gaussian(y, w, h);
  const sxx = gaussian(xx, w, h);
  const syy = gaussian(yy, w, h);
  const sxy = gaussian(xy, w, h);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ux = mx[i]!;
    const uy = my[i]!;
    const vx = sxx[i]! - ux * ux;
    const vy = syy[i]! - uy * uy;
    const cxy = sxy[i]! - ux * uy;
    out[i] = ((2 * ux * uy + c1) * (2 * cxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
  }
  return { width: w, height: h, data: out };
}

const KERNEL = (() => {
  const k = new Float32Array(11);
  let s = 0;
  for (let i = 0; i < 11; i++) {
    k[i] = Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5));
    s += k[i]!;
  }
  for (let i = 0; i < 11; i++) k[i]! /= s;
  return k;
})();

/** Separable 11-tap Gaussian, renormalised where the window leaves the image. */
function gaussian(src: Float32Array, w: number, h: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      let ws = 0;
      for (let k = -5; k <= 5; k++) {
        const xx = x + k;
        if (xx < 0 || xx >= w) continue;
        s += src[y * w + xx]! * KERNEL[k + 5]!;
        ws += KERNEL[k + 5]!;
      }
      tmp[y * w + x] = s / ws;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      let ws = 0;
      for (let k = -5; k <= 5; k++) {
        const yy = y + k;
        if (yy < 0 || yy >= h) continue;
        s += tmp[yy * w + x]! * KERNEL[k + 5]!;
        ws += KERNEL[k + 5]!;
      }
      out[y * w + x] = s / ws;
    }
  }
  return out;
}

const SRGB_TO_LINEAR = (() => {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return t;
})();

/** sRGB 0..255 to CIE L*a*b* (D65), written to out[0..2]. */
export function rgbToLab(r: number, g: number, b: number, out: Float64Array): void {
  const lr = SRGB_TO_LINEAR[r & 255]!;
  const lg = SRGB_TO_LINEAR[g & 255]!;
  const lb = SRGB_TO_LINEAR[b & 255]!;
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047;
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / 1.08883;
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  out[0] = 116 * fy - 16;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
}

/** CIE76 colour difference: Euclidean distance in Lab. */
export function deltaE76(l1: number, a1: number, b1: number, l2: number, a2: number, b2: number): number {
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}

/** CIEDE2000 colour difference (Sharma, Wu, Dalal 2005), kL = kC = kH = 1. */
export function deltaE2000(l1: number, a1: number, b1: number, l2: number, a2: number, b2: number): number {
  const rad = Math.PI / 180;
  const c1 = Math.hypot(a1, b1);
  const c2 = Math.hypot(a2, b2);
  const cm = (c1 + c2) / 2;
  const cm7 = cm ** 7;
  const g = 0.5 * (1 - Math.sqrt(cm7 / (cm7 + 25 ** 7)));
  const ap1 = (1 + g) * a1;
  const ap2 = (1 + g) * a2;
  const cp1 = Math.hypot(ap1, b1);
  const cp2 = Math.hypot(ap2, b2);
  const hue = (b: number, ap: number): number => {
    if (b === 0 && ap === 0) return 0;
    const hh = Math.atan2(b, ap) / rad;
    return hh < 0 ? hh + 360 : hh;
  };
  const hp1 = hue(b1, ap1);
  const hp2 = hue(b2, ap2);
  const dL = l2 - l1;
  const dC = cp2 - cp1;
  let dh = 0;
  if (cp1 * cp2 !== 0) {
    dh = hp2 - hp1;
    if (dh > 180) dh -= 360;
    else if (dh < -180) dh += 360;
  }
  const dH = 2 * Math.sqrt(cp1 * cp2) * Math.sin((dh / 2) * rad);
  const lm = (l1 + l2) / 2;
  const cpm = (cp1 + cp2) / 2;
  let hm = hp1 + hp2;
  if (cp1 * cp2 !== 0) {
    if (Math.abs(hp1 - hp2) <= 180) hm = hm / 2;
    else hm = hp1 + hp2 < 360 ? (hm + 360) / 2 : (hm - 360) / 2;
  }
  const t =
    1 -
    0.17 * Math.cos((hm - 30) * rad) +
    0.24 * Math.cos(2 * hm * rad) +
    0.32 * Math.cos((3 * hm + 6) * rad) -
    0.2 * Math.cos((4 * hm - 63) * rad);
  const dTheta = 30 * Math.exp(-(((hm - 275) / 25) ** 2));
  const cpm7 = cpm ** 7;
  const rc = 2 * Math.sqrt(cpm7 / (cpm7 + 25 ** 7));
  const sl = 1 + (0.015 * (lm - 50) ** 2) / Math.sqrt(20 + (lm - 50) ** 2);
  const sc = 1 + 0.045 * cpm;
  const sh = 1 + 0.015 * cpm * t;
  const rt = -Math.sin(2 * dTheta * rad) * rc;
  const tl = dL / sl;
  const tc = dC / sc;
  const th = dH / sh;
  return Math.sqrt(tl * tl + tc * tc + th * th + rt * tc * th);
}

/**
 * Mean colour difference of two RGBA images of one size (over the mask when given), in ΔE:
 * about 1 is just noticeable, 2–3 noticeable side by side, above 5 a different colour.
 */
export function meanColourDifference(a: RgbaImage, b: RgbaImage, opts: CompareOptions & { formula?: 'de2000' | 'de76' } = {}): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('meanColourDifference: images differ in size');
  const de = opts.formula === 'de76' ? deltaE76 : deltaE2000;
  const la = new Float64Array(3);
  const lb = new Float64Array(3);
  let sum = 0;
  let n = 0;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < a.width * a.height; i++) {
    if (opts.mask && opts.mask.data[i]! < 128) continue;
    const o = i * 4;
    rgbToLab(da[o]!, da[o + 1]!, da[o + 2]!, la);
    rgbToLab(db[o]!, db[o + 1]!, db[o + 2]!, lb);
    sum += de(la[0]!, la[1]!, la[2]!, lb[0]!, lb[1]!, lb[2]!);
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

/** Mean absolute difference per RGB channel, 0..255 (over the mask when given). */
export function meanAbsDifference(a: RgbaImage, b: RgbaImage, opts: CompareOptions = {}): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('meanAbsDifference: images differ in size');
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (opts.mask && opts.mask.data[i]! < 128) continue;
    const o = i * 4;
    sum += Math.abs(a.data[o]! - b.data[o]!) + Math.abs(a.data[o + 1]! - b.data[o + 1]!) + Math.abs(a.data[o + 2]! - b.data[o + 2]!);
    n += 3;
  }
  return n === 0 ? 0 : sum / n;
}
