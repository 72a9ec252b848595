// Print-free shading of the torso (multiplicative luminance gain) and the scene's light colour.
import { PARSE_LABELS, type ModelAnalysis } from '../../types.js';
import { boxBlur } from '../../composite/guided-filter.js';
import { distanceTo } from './raster.js';

const L = PARSE_LABELS;

export interface Shading {
  width: number;
  height: number;
  gain: Float32Array;
  source: 'clothing' | 'body-shape';
}

export const GAIN_MIN = 0.6;
export const GAIN_MAX = 1.25;

export function shadingMap(a: ModelAnalysis, body: Uint8Array, old: Uint8Array): Shading {
  const { width: W, height: H } = a;
  const n = W * H;
  const img = a.image.data;
  const lum = new Float32Array(n);
  for (let i = 0; i < n; i++) lum[i] = 0.2126 * img[i * 4]! + 0.7152 * img[i * 4 + 1]! + 0.0722 * img[i * 4 + 2]!;
  const r = Math.max(4, Math.round(Math.max(W, H) / 60));
  const smooth = boxBlur(lum, W, H, r);
  const vals: number[] = [];
  for (let i = 0; i < n; i += 3) if (old[i]) vals.push(smooth[i]!);
  vals.sort((p, q) => p - q);
  const med = vals.length ? vals[vals.length >> 1]! : 1;
  const shape = bodyShapeGain(body, W, H);
  const gain = new Float32Array(n);
  for (let i = 0; i < n; i++) gain[i] = old[i] && med > 1 ? Math.min(GAIN_MAX, Math.max(GAIN_MIN, smooth[i]! / med)) : shape[i]!;
  return { width: W, height: H, gain, source: 'clothing' };
}

/** A gentle falloff toward the body outline: the sides of a rounded body turn away from the light. */
export function bodyShapeGain(body: Uint8Array, W: number, H: number): Float32Array {
  const outside = new Uint8Array(W * H);
  for (let i = 0; i < outside.length; i++) outside[i] = body[i] ? 0 : 1;
  const d = distanceTo(outside, W, H);
  let maxD = 1;
  for (let i = 0; i < d.length; i++) if (d[i]! > maxD) maxD = d[i]!;
  const reach = maxD * 0.8;
  const g = new Float32Array(W * H);
  for (let i = 0; i < g.length; i++) {
    const t = Math.min(1, d[i]! / reach);
    g[i] = body[i] ? 0.82 + 0.2 * Math.sqrt(t) : 1;
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
