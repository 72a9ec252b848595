// Ghost-mannequin photos: the back of the collar seen through the neck opening, darker than the front.
import type { Mask, RgbaImage, ScoredPoint } from '../types.js';
import { components, dilate, erode } from './mask-ops.js';
import type { Shape } from './shape.js';

/** Interquartile range of the front's brightness, over its median, beyond which the front is a print. */
const BUSY_FRONT = 0.35;

export function findCollarBack(image: RgbaImage, shape: Shape, marks: Record<string, ScoredPoint>): Mask | null {
  const nl = marks.neck_left, nr = marks.neck_right, al = marks.armpit_left, ar = marks.armpit_right;
  if (!nl || !nr || !al || !ar) return null;
  const { width: w, height: h, bin, cx } = shape;
  const H = shape.box.y1 - shape.box.y0 + 1, W = shape.box.x1 - shape.box.x0 + 1;
  const neckW = nl.x - nr.x;
  if (neckW < 0.05 * W) return null;
  const lum = (i: number) => 0.299 * image.data[4 * i]! + 0.587 * image.data[4 * i + 1]! + 0.114 * image.data[4 * i + 2]!;
  // The front's brightness: the chest just below the armpits.
  const ay = Math.round((al.y + ar.y) / 2);
  const ref: number[] = [];
  for (let y = ay; y < Math.min(h, ay + 0.15 * H); y += 2)
    for (let x = Math.round(cx - 0.15 * W); x <= cx + 0.15 * W; x += 2) if (bin[y * w + x]) ref.push(lum(y * w + x));
  if (ref.length < 20) return null;
  ref.sort((a, b) => a - b);
  const front = ref[ref.length >> 1]!;
  // A striped or printed front: "darker than the front" picks its dark print, not a collar (the
  // stripes in the opening were cut out one by one and the rest drawn as a ghost over the chest).
  const q1 = ref[ref.length >> 2]!, q3 = ref[(3 * ref.length) >> 2]!;
  if (q3 - q1 > BUSY_FRONT * Math.max(front, 1)) return null;
  const x0 = Math.max(0, Math.round(nr.x)), x1 = Math.min(w - 1, Math.round(nl.x));
  const y0 = shape.box.y0, y1 = Math.min(h - 1, Math.round(Math.min(nl.y, nr.y) + 0.2 * H));
  const dark = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (!bin[i]) continue;
      const l = lum(i);
      if (l < 0.8 * front && front - l > 15) dark[i] = 1;
    }
  const { labels, sizes } = components(dark, w, h);
  let best = 0;
  for (let l = 1; l < sizes.length; l++) if (!best || sizes[l]! > sizes[best]!) best = l;
  if (!best || sizes[best]! < 0.003 * shape.area) return null;
  let bx0 = w, bx1 = -1, by0 = h, sx = 0;
  for (let i = 0; i < labels.length; i++)
    if (labels[i] === best) {
      const x = i % w, y = (i / w) | 0;
      bx0 = Math.min(bx0, x);
      bx1 = Math.max(bx1, x);
      by0 = Math.min(by0, y);
      sx += x;
    }
  // It must span the opening, sit at its top and be centred: a dark print lower down is not a collar.
  const centre = sx / sizes[best]!;
  if (bx1 - bx0 < 0.4 * neckW || by0 > Math.min(nl.y, nr.y) + 0.05 * H || Math.abs(centre - cx) > 0.1 * W) return null;
  let region: Uint8Array = new Uint8Array(w * h);
  for (let i = 0; i < labels.length; i++) region[i] = labels[i] === best ? 1 : 0;
  region = erode(dilate(region, w, h, 2), w, h, 2);
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) if (region[i] && bin[i]) data[i] = 255;
  return { width: w, height: h, data };
}

/**
 * The brand label inside the back, seen through the neck opening: a compact patch (dark, or a light
 * label's dark border and text) standing out from the fabric around it, centred, hanging from about
 * the outline's neck point (the back neckline). Worn, it is against the neck, out of sight; left in,
 * it showed on the wearer's chest or in the opening. Returns the patch (1 = label, grown by a pixel
 * or two) or null when there is none.
 */
export function findLabel(image: RgbaImage, shape: Shape, marks: Record<string, ScoredPoint>): Uint8Array | null {
  const nl = marks.neck_left, nr = marks.neck_right, f = marks.neck_front;
  if (!nl || !nr || !f) return null;
  const { width: w, height: h, bin, cx } = shape;
  const neckW = nl.x - nr.x;
  if (neckW < 10) return null;
  const x0 = Math.max(0, Math.round(cx - LABEL_WINDOW * neckW)), x1 = Math.min(w - 1, Math.round(cx + LABEL_WINDOW * neckW));
  const y0 = Math.max(0, Math.round(Math.min(nl.y, nr.y, f.y))), y1 = Math.min(h - 1, Math.round(f.y + LABEL_DEPTH * neckW));
  const d = image.data;
  // The fabric around: the window's median colour.
  const cs: number[][] = [[], [], []];
  for (let y = y0; y <= y1; y += 2) for (let x = x0; x <= x1; x += 2) { const i = y * w + x; if (bin[i]) for (let c = 0; c < 3; c++) cs[c]!.push(d[i * 4 + c]!); }
  if (cs[0]!.length < 50) return null;
  const med = cs.map((v) => v.sort((a, b) => a - b)[v.length >> 1]!);
  const stand = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
    const i = y * w + x;
    if (bin[i] && Math.hypot(d[i * 4]! - med[0]!, d[i * 4 + 1]! - med[1]!, d[i * 4 + 2]! - med[2]!) > LABEL_CONTRAST) stand[i] = 1;
  }
  // A light label's border and text join into its patch.
  const { labels, sizes } = components(dilate(stand, w, h, 2), w, h);
  const boxes = new Map<number, { x0: number; x1: number; y0: number; y1: number; sx: number; n: number; edge: boolean }>();
  for (let y = Math.max(0, y0 - 2); y <= Math.min(h - 1, y1 + 2); y++) for (let x = Math.max(0, x0 - 2); x <= Math.min(w - 1, x1 + 2); x++) {
    const l = labels[y * w + x]!;
    if (!l) continue;
    const b = boxes.get(l) ?? { x0: x, x1: x, y0: y, y1: y, sx: 0, n: 0, edge: false };
    b.x0 = Math.min(b.x0, x); b.x1 = Math.max(b.x1, x); b.y0 = Math.min(b.y0, y); b.y1 = Math.max(b.y1, y);
    b.sx += x; b.n++;
    // Reaching the window's sides or bottom: part of something larger (a print, the opening's edge).
    if (x <= x0 || x >= x1 || y >= y1) b.edge = true;
    boxes.set(l, b);
  }
  let best: { x0: number; x1: number; y0: number; y1: number } | null = null, bestN = 0;
  for (const [l, b] of boxes) {
    const bw = b.x1 - b.x0 + 1, bh = b.y1 - b.y0 + 1;
    if (b.edge || sizes[l]! !== b.n) continue;
    if (Math.abs(b.sx / b.n - cx) > 0.1 * neckW || bw < 0.1 * neckW || bw > 0.5 * neckW || bh < 0.04 * neckW || bh > 0.4 * neckW) continue;
    // Hanging from the back neckline, not a front print lower down; a patch, mostly filled.
    if (b.y0 > f.y + 0.1 * neckW || b.n < 0.5 * bw * bh) continue;
    if (b.n > bestN) { best = b; bestN = b.n; }
  }
  if (!best) return null;
  // All of its box: a light label's plain middle is label too.
  const patch = new Uint8Array(w * h);
  for (let y = best.y0; y <= best.y1; y++) for (let x = best.x0; x <= best.x1; x++) if (bin[y * w + x]) patch[y * w + x] = 1;
  return dilate(patch, w, h, 1);
}

/**
 * Paints over `patch` with the fabric around it: each pixel the mean of the linear blends between the
 * nearest pixels outside the patch along its row and along its column (only garment pixels count).
 */
export function paintOver(image: RgbaImage, bin: Uint8Array, patch: Uint8Array): void {
  const { width: w, height: h, data } = image;
  const src = new Uint8Array(data);
  const outside = (i: number) => !!bin[i] && !patch[i];
  for (let i = 0; i < patch.length; i++) {
    if (!patch[i]) continue;
    const x = i % w, y = (i / w) | 0;
    const acc = [0, 0, 0];
    let wsum = 0;
    for (const [dx, dy] of [[1, 0], [0, 1]] as const) {
      let a = -1, b = -1, da = 0, db = 0;
      for (let k = 1; k < 200 && a < 0; k++) { const xx = x - k * dx, yy = y - k * dy; if (xx < 0 || yy < 0) break; if (outside(yy * w + xx)) { a = yy * w + xx; da = k; } }
      for (let k = 1; k < 200 && b < 0; k++) { const xx = x + k * dx, yy = y + k * dy; if (xx >= w || yy >= h) break; if (outside(yy * w + xx)) { b = yy * w + xx; db = k; } }
      if (a < 0 && b < 0) continue;
      // Nearer sides weigh more; a direction with both ends counts fully.
      for (let c = 0; c < 3; c++) {
        const v = a >= 0 && b >= 0 ? (src[a * 4 + c]! * db + src[b * 4 + c]! * da) / (da + db) : src[(a >= 0 ? a : b) * 4 + c]!;
        acc[c] += v;
      }
      wsum++;
    }
    if (!wsum) continue;
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.round(acc[c]! / wsum);
  }
}

/** Half width (in neck widths) of the window searched for a label, and its depth below the neck point. */
const LABEL_WINDOW = 0.3, LABEL_DEPTH = 0.6;
/** RGB distance from the fabric's median colour at which a pixel stands out as label. */
const LABEL_CONTRAST = 60;
