// Flat-lay tops: the front neckline as a seam inside the outline, below the back neckline that tops it.
import type { RgbaImage, ScoredPoint } from '../types.js';
import { erode } from './mask-ops.js';
import type { Shape } from './shape.js';

/** An outline's neck dent shallower than this, in neck widths, may be the back neckline. */
const SHALLOW = 0.1;
/** Deepest front neckline looked for below the neck's corners, in shoulder widths (a crew or scoop neck). */
const MAX_DEPTH = 0.32;
/** Steepest descent of the neckline per column towards the centre (a U's sides near its corners). */
const MAX_STEP = 4;
/** Gradient, in shares of the band's typical one, at which a pixel counts as fully on an edge. */
const EDGE_OVER_TYPICAL = 2.5;
/** A found neckline's mean edge response must reach this, and this many times the band's mean. */
const MIN_MEAN = 0.5, MIN_CONTRAST = 2;
/** Of the curves scoring at least this share of the best one, the lowest is the front neckline. */
const LOWEST_OF = 0.85;
/** Pixels of the outline's own edge left out: the back neckline itself is not the front one. */
const OUTLINE_MARGIN = 3;

/**
 * A top photographed flat shows its back neckline as the outline's top edge and, below it, the inside
 * of the back (often with the label) down to the front neckline, a seam or colour edge running from one
 * neck corner down to the centre and up to the other. Found as the best-edged path from each corner
 * that only descends towards the centre line (each side its own), the two meeting on an edge there; of
 * the paths nearly as well edged as the best, the lowest (those above it are the inside of the back:
 * the back neckline's binding, the label's edges). Returns the front neckline's centre, or null when
 * the outline's own neck dent is deep (it is the front neckline) or no path stands out from the band's
 * texture (a print, a plain front with no inner back showing). `shoulderWidth` bounds its depth.
 */
export function frontNecklineInside(image: RgbaImage, shape: Shape, left: ScoredPoint, right: ScoredPoint, front: ScoredPoint, shoulderWidth: number): ScoredPoint | null {
  const { width: w, height: h, bin } = shape;
  const H = shape.box.y1 - shape.box.y0 + 1;
  const cx = Math.round((left.x + right.x) / 2);
  const neckW = left.x - right.x;
  if (neckW < 20 || front.y - Math.min(left.y, right.y) > SHALLOW * neckW) return null;
  const y0 = Math.max(0, Math.round(Math.min(left.y, right.y)) - 2);
  const y1 = Math.min(h - 2, Math.round(Math.max(left.y, right.y) + MAX_DEPTH * shoulderWidth));
  const x0 = Math.max(1, Math.round(right.x)), x1 = Math.min(w - 2, Math.round(left.x));
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  if (bh < 10 || cx <= x0 || cx >= x1) return null;
  const inner = erode(bin, w, h, OUTLINE_MARGIN);
  const lum = (x: number, y: number) => {
    const i = 4 * (y * w + x);
    return 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
  };
  // Gradient of the 3×3-smoothed luma (a seam is a line a pixel or two wide; noise is finer).
  const sm = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += lum(Math.min(w - 1, Math.max(0, x0 + x + dx)), Math.min(h - 1, Math.max(0, y0 + y + dy)));
      sm[y * bw + x] = s / 9;
    }
  const g = new Float32Array(bw * bh);
  const gs: number[] = [];
  for (let y = 1; y < bh - 1; y++)
    for (let x = 1; x < bw - 1; x++) {
      const k = y * bw + x;
      if (!inner[(y0 + y) * w + x0 + x]) continue;
      g[k] = Math.hypot(sm[k + 1]! - sm[k - 1]!, sm[k + bw]! - sm[k - bw]!) / 2;
      gs.push(g[k]!);
    }
  if (gs.length < 100) return null;
  gs.sort((a, b) => a - b);
  const T = EDGE_OVER_TYPICAL * Math.max(2, gs[gs.length >> 1]!);
  const e = new Float32Array(bw * bh);
  let bandMean = 0;
  for (let k = 0; k < e.length; k++) {
    e[k] = Math.min(1, g[k]! / T);
    bandMean += e[k]!;
  }
  bandMean /= gs.length;
  // Each side: best path score from its corner ending at each row of the centre column.
  const side = (corner: ScoredPoint, dir: 1 | -1) => {
    const startX = Math.round(corner.x) - x0, cols = Math.abs(cx - x0 - startX);
    let prev = new Float32Array(bh).fill(-Infinity);
    const cy = Math.round(corner.y) - y0;
    for (let y = Math.max(0, cy - 2); y <= Math.min(bh - 1, cy + 2 * MAX_STEP); y++) prev[y] = 0;
    for (let c = 1; c <= cols; c++) {
      const x = startX + dir * c;
      const cur = new Float32Array(bh).fill(-Infinity);
      for (let y = 0; y < bh; y++) {
        let best = -Infinity;
        for (let d = 0; d <= MAX_STEP && y - d >= 0; d++) if (prev[y - d]! > best) best = prev[y - d]!;
        if (best > -Infinity) cur[y] = best + e[y * bw + x]!;
      }
      prev = cur;
    }
    return { score: prev, cols };
  };
  const r = side(right, 1), l = side(left, -1);
  const cols = Math.max(1, l.cols + r.cols);
  // Mean edge response along the path ending at each row, where the centre itself is on an edge.
  const mean = new Float32Array(bh).fill(-Infinity);
  let best = -Infinity;
  for (let y = 1; y < bh - 1; y++) {
    let onEdge = 0;
    for (let d = -2; d <= 2; d++) onEdge += Math.max(e[(y - 1) * bw + cx - x0 + d]!, e[y * bw + cx - x0 + d]!, e[(y + 1) * bw + cx - x0 + d]!) / 5;
    if (onEdge < MIN_MEAN) continue;
    let rb = -Infinity;
    for (let d = -2; d <= 2; d++) if (y + d >= 0 && y + d < bh) rb = Math.max(rb, r.score[y + d]!);
    mean[y] = (l.score[y]! + rb) / cols;
    best = Math.max(best, mean[y]!);
  }
  if (!(best >= MIN_MEAN) || best < MIN_CONTRAST * bandMean) return null;
  let by = -1;
  for (let y = bh - 2; y >= 1 && by < 0; y--) if (mean[y]! >= LOWEST_OF * best) by = y;
  const y = y0 + by;
  if (by < 0 || y <= front.y + 0.02 * H) return null;
  return { x: cx, y, score: Math.min(0.9, 0.4 + 0.5 * mean[by]!) };
}
