// Print-free shading of the torso (multiplicative luminance gain) and the scene's light colour.
import { PARSE_LABELS, type ModelAnalysis } from '../../types.js';
import { boxBlur } from '../../composite/guided-filter.js';
import { ycc } from '../skin.js';
import { distanceInside, distanceUpTo, grow } from './raster.js';

const L = PARSE_LABELS;

export interface Shading {
  width: number;
  height: number;
  gain: Float32Array;
  source: 'clothing' | 'body-shape';
}

export const GAIN_MIN = 0.6;
export const GAIN_MAX = 1.25;
/** Old tops darker than this (median luma) carry no readable folds. */
const DARK = 45;
/** Above this share of print / colour-block pixels the top is too busy to read folds from. */
const BUSY = 0.45;

/**
 * Folds and light from the old top without its print: luminance is averaged only over pixels of
 * the top's dominant colour and brightness (print, text and colour blocks get weight 0, as do
 * pixels on chroma edges), so the average carries on across them from the plain fabric around.
 * Normalised by the median and clamped; just off the old top it goes on smoothed, turning into the
 * body-shape gain further out. Dark or busy tops get the body-shape gain everywhere.
 */
export function shadingMap(a: ModelAnalysis, old: Uint8Array, shape: Float32Array): Shading {
  const { width: W, height: H } = a;
  const n = W * H;
  const img = a.image.data;
  const lum = new Float32Array(n), cb = new Float32Array(n), cr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Chromaticity, not chroma: it stays put when a fold darkens a saturated colour.
    const R = img[i * 4]!, G = img[i * 4 + 1]!, B = img[i * 4 + 2]!;
    const sum = R + G + B + 3;
    lum[i] = ycc(R, G, B)[0];
    cb[i] = (255 * (R + 1)) / sum; cr[i] = (255 * (G + 1)) / sum;
  }
  const inside: number[] = [];
  for (let i = 0; i < n; i += 2) if (old[i]) inside.push(i);
  if (inside.length < 200) return { width: W, height: H, gain: shape, source: 'body-shape' };
  const med = (f: (i: number) => number) => inside.map(f).sort((p, q) => p - q)[inside.length >> 1]!;
  const mL = med((i) => lum[i]!), mB = med((i) => cb[i]!), mR = med((i) => cr[i]!);
  const S = Math.hypot(a.measurements.shoulder_left.x - a.measurements.shoulder_right.x, a.measurements.shoulder_left.y - a.measurements.shoulder_right.y) || Math.max(W, H) / 4;
  // Chroma edges: gradient of lightly smoothed chromaticity.
  const sb = boxBlur(cb, W, H, 1), sr = boxBlur(cr, W, H, 1);
  const wt = new Float32Array(n);
  let kept = 0, total = 0;
  for (let i = 0; i < n; i++) {
    if (!old[i]) continue;
    total++;
    const x = i % W;
    const gx = x > 0 && x < W - 1 ? Math.hypot(sb[i + 1]! - sb[i - 1]!, sr[i + 1]! - sr[i - 1]!) : 0;
    const gy = i >= W && i < n - W ? Math.hypot(sb[i + W]! - sb[i - W]!, sr[i + W]! - sr[i - W]!) : 0;
    const dc = Math.hypot(cb[i]! - mB, cr[i]! - mR);
    const ratio = lum[i]! / Math.max(1, mL);
    // Off the dominant colour, far off its brightness, or on a colour edge: print, not fold.
    if (dc > 14 || ratio < 0.45 || ratio > 1.6 || Math.max(gx, gy) > 5) continue;
    wt[i] = 1;
    kept++;
  }
  if (mL < DARK || 1 - kept / total > BUSY) return { width: W, height: H, gain: shape, source: 'body-shape' };
  // A print's anti-aliased rim passes for plain fabric a shade darker: it drew the print's outline as
  // a dark smudge. And the band along the old top's outline holds its hems, cuffs and the shadows at
  // its edges, which a longer or looser garment showed as the old top's ghost. Both are left out; the
  // gain there comes from the plain fabric further in.
  // Only solid print counts (a knit's or a weave's scattered specks are no print), and only while
  // most of the plain fabric is left: a busy top would be left with too few pixels to read.
  const print = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (old[i] && !wt[i]) print[i] = 1;
  const rim = grow(grow(print, W, H, -1), W, H, 1 + Math.max(2, Math.round(S / 60)));
  const fromEdge = distanceInside(old, W, H);
  const band = Math.max(3, 0.07 * S);
  let left = 0;
  for (let i = 0; i < n; i++) if (wt[i] && !rim[i] && fromEdge[i]! >= band) left++;
  if (left >= 0.6 * kept) for (let i = 0; i < n; i++) if (wt[i] && (rim[i] || fromEdge[i]! < band)) wt[i] = 0;
  // Normalised convolution (two box passes ≈ a tent) of the kept luminance.
  const r = Math.max(3, Math.round(S / 30));
  const num = new Float32Array(n);
  for (let i = 0; i < n; i++) num[i] = wt[i]! * lum[i]!;
  const sN = boxBlur(boxBlur(num, W, H, r), W, H, r);
  const sW = boxBlur(boxBlur(wt, W, H, r), W, H, r);
  // Where the print is wide, the tent sees no plain fabric: widen the look until it does.
  const sN2 = boxBlur(sN, W, H, r * 4), sW2 = boxBlur(sW, W, H, r * 4);
  const raw = new Float32Array(n);
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!old[i]) continue;
    const w1 = sW[i]!, w2 = sW2[i]!;
    const v1 = w1 > 1e-3 ? sN[i]! / w1 : 0, v2 = w2 > 1e-4 ? sN2[i]! / w2 : mL;
    const blend = Math.min(1, w1 / 0.3);
    raw[i] = v1 * blend + v2 * (1 - blend);
    if ((i & 1) === 0) vals.push(raw[i]!);
  }
  vals.sort((p, q) => p - q);
  const norm = vals[vals.length >> 1]! || 1;
  // Off the old top (where a looser or longer garment reaches) the clothing gain goes on, smoothed,
  // turning into the body-shape gain only well away from it. A step at the old top's outline (the
  // body-shape gain is lower) drew the old top's hems and sides through a loose garment as a ghost.
  const gain = new Float32Array(n);
  const inOld = new Float32Array(n), gw = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (!old[i]) continue;
    gain[i] = Math.min(GAIN_MAX, Math.max(GAIN_MIN, raw[i]! / norm));
    inOld[i] = 1; gw[i] = gain[i]!;
  }
  const reach = Math.max(4, Math.round(S / 10));
  const eW = boxBlur(boxBlur(inOld, W, H, reach), W, H, reach), eG = boxBlur(boxBlur(gw, W, H, reach), W, H, reach);
  // The smoothed gain reaches two box radii out: it has turned into the body-shape gain by then.
  const far = 2 * reach;
  const away = distanceUpTo(old, W, H, far);
  for (let i = 0; i < n; i++) {
    if (old[i]) continue;
    const t = Math.min(1, away[i]! / far);
    const e = eW[i]! > 1e-3 ? eG[i]! / eW[i]! : shape[i]!;
    gain[i] = e * (1 - t) + shape[i]! * t;
  }
  return { width: W, height: H, gain, source: 'clothing' };
}

/**
 * A gentle falloff toward the body outline: the sides of a rounded body turn away from the light.
 * `open`: the outline's bottom is a cut, not an edge (the torso's outline ends at the hips, a garment
 * may reach past them): each column goes on down from its lowest outline pixel, so no darker band
 * runs along the cut and no step shows below it.
 */
export function bodyShapeGain(body: Uint8Array, W: number, H: number, open = false): Float32Array {
  if (open) {
    const ext = new Uint8Array(body);
    for (let x = 0; x < W; x++) {
      let last = -1;
      for (let y = 0; y < H; y++) if (body[y * W + x]) last = y;
      for (let y = last + 1; last >= 0 && y < H; y++) ext[y * W + x] = 1;
    }
    body = ext;
  }
  const d = distanceInside(body, W, H);
  let maxD = 1;
  for (let i = 0; i < d.length; i++) if (d[i]! > maxD) maxD = d[i]!;
  const reach = maxD * 0.8;
  const g = new Float32Array(W * H);
  for (let i = 0; i < g.length; i++) {
    const t = Math.min(1, d[i]! / reach);
    g[i] = body[i] ? 0.86 + 0.18 * Math.sqrt(t) : 0.86;
  }
  return g;
}

/** Grey-world light colour of the background and the face, as gains normalised to mean 1. */
export function sceneLight(a: ModelAnalysis): [number, number, number] {
  const lab = a.parsing.data, img = a.image.data;
  let r = 0, g = 0, b = 0;
  for (let i = 0; i < lab.length; i += 2) {
    const l = lab[i]!;
    if (l !== L.background && l !== L.face) continue;
    r += lin(img[i * 4]!); g += lin(img[i * 4 + 1]!); b += lin(img[i * 4 + 2]!);
  }
  const m = (r + g + b) / 3 || 1;
  return r + g + b === 0 ? [1, 1, 1] : [r / m, g / m, b / m];
}

const lin = (v: number) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
