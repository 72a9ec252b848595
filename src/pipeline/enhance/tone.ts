// Global white balance and tone: estimated once from the model photo, applied as per-channel lookup tables.
import type { Mask, RgbaImage } from '../types.js';

/** A global colour correction that can be applied to any image (the person, later the garment region). */
export interface ToneParams {
  /** Per-channel gains of the white balance (1 = unchanged), normalised to keep luma. */
  gains: [number, number, number];
  /** Levels: input black and white points, 0..255. */
  black: number;
  white: number;
  /** Strength of the mid-tone S-curve, 0 = linear. */
  contrast: number;
}

export const IDENTITY_TONE: ToneParams = { gains: [1, 1, 1], black: 0, white: 255, contrast: 0 };

/** Largest white-balance gain change; a stronger cast is more likely a coloured scene than a cast. */
const MAX_GAIN = 1.3;
/** Levels never clip more than this much of the range at either end. */
const MAX_BLACK = 24;
const MIN_WHITE = 228;
const CONTRAST = 0.12;
/** Share of pixels that look grey above which the white balance is fully trusted. */
const GREY_SHARE_TRUSTED = 0.25;

export interface ToneEstimateOptions {
  whiteBalance: boolean;
  tone: boolean;
}

/**
 * Estimates the correction from the image's near-neutral pixels (a robust grey-world: pixels whose
 * chroma is small after the current estimate, iterated) mixed with a white patch (the brightest
 * unclipped pixels), and levels from luma percentiles.
 */
export function estimateTone(img: RgbaImage, opts: ToneEstimateOptions): ToneParams {
  const n = img.width * img.height;
  const step = Math.max(1, Math.floor(n / 120_000));
  const d = img.data;
  const rs: number[] = [];
  const gs: number[] = [];
  const bs: number[] = [];
  const lumaHist = new Float64Array(256);
  for (let i = 0; i < n; i += step) {
    const r = d[i * 4]!;
    const g = d[i * 4 + 1]!;
    const b = d[i * 4 + 2]!;
    lumaHist[Math.round(0.299 * r + 0.587 * g + 0.114 * b)]! += 1;
    // Blown-out pixels carry no colour; a pixel with one channel clipped still does (a bright
    // backdrop under a warm cast clips red first, and is the best witness of that cast).
    if (r >= 250 && g >= 250) continue;
    if (g >= 250 && b >= 250) continue;
    if (r >= 250 && b >= 250) continue;
    if (r + g + b < 60) continue;
    rs.push(r);
    gs.push(g);
    bs.push(b);
  }
  const gains: [number, number, number] = opts.whiteBalance ? whiteBalanceGains(rs, gs, bs) : [1, 1, 1];
  let black = 0;
  let white = 255;
  if (opts.tone) {
    black = Math.min(MAX_BLACK, percentile(lumaHist, 0.005));
    white = Math.max(MIN_WHITE, percentile(lumaHist, 0.995));
    if (white - black < 64) {
      black = 0;
      white = 255;
    }
  }
  return { gains, black, white, contrast: opts.tone ? CONTRAST : 0 };
}

function whiteBalanceGains(rs: number[], gs: number[], bs: number[]): [number, number, number] {
  const m = rs.length;
  if (m < 100) return [1, 1, 1];
  // Start from the plain grey-world mean, then keep re-estimating from the pixels that look grey
  // under the current estimate, so a large coloured garment or backdrop pulls the estimate less.
  let ir = mean(rs);
  let ig = mean(gs);
  let ib = mean(bs);
  let greyShare = 0;
  for (let it = 0; it < 4; it++) {
    let sr = 0;
    let sg = 0;
    let sb = 0;
    let k = 0;
    const gr = ig / ir;
    const gb = ig / ib;
    for (let i = 0; i < m; i++) {
      const r = rs[i]! * gr;
      const g = gs[i]!;
      const b = bs[i]! * gb;
      const l = (r + g + b) / 3;
      const chroma = (Math.max(r, g, b) - Math.min(r, g, b)) / l;
      if (chroma > 0.12) continue;
      sr += rs[i]!;
      sg += gs[i]!;
      sb += bs[i]!;
      k++;
    }
    greyShare = k / m;
    if (k < m * 0.03) break;
    ir = sr / k;
    ig = sg / k;
    ib = sb / k;
  }
  // White patch: the colour of the brightest unclipped pixels (a studio backdrop, a white shirt).
  const lum = rs.map((r, i) => r + gs[i]! + bs[i]!);
  const sorted = lum.slice().sort((a, b) => a - b);
  const cut = sorted[Math.floor(m * 0.98)]!;
  let wr = 0;
  let wg = 0;
  let wb = 0;
  let wk = 0;
  for (let i = 0; i < m; i++) {
    if (lum[i]! < cut) continue;
    wr += rs[i]!;
    wg += gs[i]!;
    wb += bs[i]!;
    wk++;
  }
  // Grey pixels are the better witness; the white patch only steadies it.
  const er = 0.75 * (ir / ig) + 0.25 * (wr / wg);
  const eb = 0.75 * (ib / ig) + 0.25 * (wb / wg);
  // Few grey pixels (a brick stairway, a coloured set) make the estimate a guess: correct less.
  const trust = Math.min(1, greyShare / GREY_SHARE_TRUSTED);
  let gR = clampGain(1 + (1 / er - 1) * trust);
  let gB = clampGain(1 + (1 / eb - 1) * trust);
  let gG = 1;
  // Keep luma: a white balance must not brighten or darken the photo.
  const lumaGain = 0.299 * gR * er + 0.587 * gG + 0.114 * gB * eb;
  const norm = (0.299 * er + 0.587 + 0.114 * eb) / lumaGain;
  gR *= norm;
  gG *= norm;
  gB *= norm;
  return [gR, gG, gB];
}

function clampGain(g: number): number {
  return Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, g));
}

function mean(a: number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

function percentile(hist: Float64Array, q: number): number {
  let total = 0;
  for (const v of hist) total += v;
  const target = total * q;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += hist[i]!;
    if (acc > target) return i;
  }
  return 255;
}

/** The correction as three 256-entry tables (R, G, B), scaled by strength 0..1 (0 = identity). */
export function toneLut(p: ToneParams, strength: number): Uint8Array {
  const s = Math.min(1, Math.max(0, strength));
  const lut = new Uint8Array(768);
  const black = p.black * s;
  const white = 255 - (255 - p.white) * s;
  const contrast = p.contrast * s;
  for (let c = 0; c < 3; c++) {
    const gain = 1 + (p.gains[c]! - 1) * s;
    for (let v = 0; v < 256; v++) {
      let x = (v * gain - black) / (white - black);
      x = x < 0 ? 0 : x > 1 ? 1 : x;
      // Gentle S-curve: blend towards smoothstep, which steepens mid-tones and eases the ends.
      x = x + contrast * (x * x * (3 - 2 * x) - x);
      lut[c * 256 + v] = Math.round(x * 255);
    }
  }
  return lut;
}

/**
 * Applies the correction in place. With a weight mask only its pixels change, blended by weight
 * (0..255), so the garment region can take the same correction the person took at preparation.
 */
export function applyTone(img: RgbaImage, p: ToneParams, strength: number, weight?: Mask): void {
  if (strength <= 0) return;
  const lut = toneLut(p, strength);
  const d = img.data;
  const n = img.width * img.height;
  if (!weight) {
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      d[o] = lut[d[o]!]!;
      d[o + 1] = lut[256 + d[o + 1]!]!;
      d[o + 2] = lut[512 + d[o + 2]!]!;
    }
    return;
  }
  const wd = weight.data;
  for (let i = 0; i < n; i++) {
    const w = wd[i]!;
    if (w === 0) continue;
    const o = i * 4;
    const r = d[o]!;
    const g = d[o + 1]!;
    const b = d[o + 2]!;
    if (w === 255) {
      d[o] = lut[r]!;
      d[o + 1] = lut[256 + g]!;
      d[o + 2] = lut[512 + b]!;
    } else {
      const t = w / 255;
      d[o] = Math.round(r + (lut[r]! - r) * t);
      d[o + 1] = Math.round(g + (lut[256 + g]! - g) * t);
      d[o + 2] = Math.round(b + (lut[512 + b]! - b) * t);
    }
  }
}
