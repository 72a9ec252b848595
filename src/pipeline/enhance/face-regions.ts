// Soft masks of a face from its 468 face-mesh landmarks: skin (oval minus eyes, brows, lips) and features.
import type { Box, Face, Mask, Point } from '../types.js';
import { clipBox, smoothBlur } from './filters.js';

// Face-mesh landmark indices (MediaPipe 468-point topology), each list in order around its outline.
// "Right"/"left" are the person's own.
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162,
  21, 54, 103, 67, 109,
];
export const RIGHT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246];
export const LEFT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466];
export const RIGHT_BROW = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46];
export const LEFT_BROW = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276];
export const LIPS_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185];

/** Masks over a region of the image (row-major, region size), weights 0..1. */
export interface FaceRegions {
  region: Box;
  /** Face skin where smoothing may act: the oval, feathered, minus eyes, brows and lips. */
  skin: Float32Array;
  /** Eyes, brows and lips, slightly grown and feathered: kept sharp. */
  features: Float32Array;
  /** Eyes only (the eye openings, not grown), for measuring sharpness. */
  eyes: Float32Array;
  /** Face size in pixels (geometric mean of the oval's extent). */
  size: number;
}

export function faceRegions(face: Face, imgW: number, imgH: number): FaceRegions | null {
  const lm = face.landmarks;
  if (lm.length < 468) return null;
  const oval = FACE_OVAL.map((i) => lm[i]!);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of oval) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  const size = Math.sqrt(Math.max(1, x1 - x0) * Math.max(1, y1 - y0));
  if (size < 12) return null;
  const feather = Math.max(1, Math.round(size * 0.03));
  const pad = feather * 4 + 2;
  const region = clipBox({ x: x0 - pad, y: y0 - pad, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad }, imgW, imgH);
  if (region.width < 4 || region.height < 4) return null;
  const { width: w, height: h } = region;
  const local = (pts: Point[], scale: number): Point[] => scaleAbout(pts, scale).map((p) => ({ x: p.x - region.x, y: p.y - region.y }));

  // The oval's top sits on the hairline and its sides on the jaw: shrink it so smoothing
  // stops short of hair and background, then feather.
  const skinOval = new Float32Array(w * h);
  fillPolygon(skinOval, w, h, local(oval, 0.94));
  const skin = smoothBlur(skinOval, w, h, feather);

  const eyes = new Float32Array(w * h);
  fillPolygon(eyes, w, h, local(RIGHT_EYE.map((i) => lm[i]!), 1));
  fillPolygon(eyes, w, h, local(LEFT_EYE.map((i) => lm[i]!), 1));

  // Grown outlines take in lashes, liner and the lip line, which the landmarks sit just inside.
  const feat = new Float32Array(w * h);
  fillPolygon(feat, w, h, local(RIGHT_EYE.map((i) => lm[i]!), 1.45));
  fillPolygon(feat, w, h, local(LEFT_EYE.map((i) => lm[i]!), 1.45));
  fillPolygon(feat, w, h, local(RIGHT_BROW.map((i) => lm[i]!), 1.3));
  fillPolygon(feat, w, h, local(LEFT_BROW.map((i) => lm[i]!), 1.3));
  fillPolygon(feat, w, h, local(LIPS_OUTER.map((i) => lm[i]!), 1.15));
  const features = smoothBlur(feat, w, h, Math.max(1, Math.round(feather * 0.7)));
  for (let i = 0; i < features.length; i++) {
    // Doubling then clamping grows the feathered mask outwards, so the features are fully protected.
    const f = Math.min(1, features[i]! * 2);
    features[i] = f;
    skin[i] = skin[i]! * (1 - f);
  }
  return { region, skin, features, eyes, size };
}

/** A full-image 0..255 mask from a region mask, e.g. to hand to tests or overlays. */
export function regionToMask(plane: Float32Array, region: Box, imgW: number, imgH: number): Mask {
  const data = new Uint8Array(imgW * imgH);
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      data[(region.y + y) * imgW + region.x + x] = Math.round(plane[y * region.width + x]! * 255);
    }
  }
  return { width: imgW, height: imgH, data };
}

function scaleAbout(pts: Point[], s: number): Point[] {
  if (s === 1) return pts;
  let cx = 0;
  let cy = 0;
  for (const p of pts) {
    cx += p.x;
    cy += p.y;
  }
  cx /= pts.length;
  cy /= pts.length;
  return pts.map((p) => ({ x: cx + (p.x - cx) * s, y: cy + (p.y - cy) * s }));
}

/** Sets pixels whose centre is inside the polygon (even-odd rule) to 1. */
export function fillPolygon(dst: Float32Array, w: number, h: number, poly: Point[]): void {
  const n = poly.length;
  const xs: number[] = [];
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of poly) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const yStart = Math.max(0, Math.floor(minY));
  const yEnd = Math.min(h - 1, Math.ceil(maxY));
  for (let y = yStart; y <= yEnd; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const a = poly[i]!;
      const b = poly[j]!;
      if (a.y > cy === b.y > cy) continue;
      xs.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const to = Math.min(w - 1, Math.floor(xs[k + 1]! - 0.5));
      for (let x = from; x <= to; x++) dst[y * w + x] = 1;
    }
  }
}
