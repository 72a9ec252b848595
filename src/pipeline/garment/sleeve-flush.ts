// Sleeves lying against the body (no armpit dent in the outline): cuff from the outline, armpit from priors and the seam.
import type { Point, RgbaImage } from '../types.js';
import { count, pt, sp, walk, type Shape, type UpperSide } from './shape.js';

/** Armpit depth below the shoulder as a share of the shoulder width, median of real tops (0.22–0.66). */
export const ARMPIT_DEPTH = 0.4;
/** Flat width of a sleeve at the armpit as a share of the shoulder width. */
const SLEEVE_WIDTH = 0.3;

export interface FlushSleeve extends UpperSide {
  /** Where the sleeve parts from the body (the top of the gap under it), if it does. */
  gapApex: Point | null;
}

/**
 * The outline runs from the shoulder down the sleeve's outer edge to the cuff, turns back up into the
 * gap between sleeve and body (if any), then down the side to the hem. The cuff is the first low turn;
 * the armpit lies on the seam between sleeve and body above the gap, found as the strongest vertical
 * edge of the photo near where a sleeve of the usual width would put it.
 */
export function flushSleeve(s: Shape, sgn: number, shoulderIdx: number, bottomIdx: number, S: number, image: RgbaImage | null): FlushSleeve {
  const H = s.box.y1 - s.box.y0 + 1;
  const shoulder = pt(s, shoulderIdx);
  const path = walk(s, sgn, shoulderIdx, bottomIdx);
  // The cuff's outer corner: the lowest point before the outline climbs back by a noticeable amount.
  let low = 0, k = 0;
  const rise = Math.max(4, 0.02 * H);
  for (; k < path.length; k++) {
    const y = pt(s, path[k]!).y;
    if (y > pt(s, path[low]!).y) low = k;
    else if (pt(s, path[low]!).y - y > rise) break;
  }
  const separate = k < path.length;
  // The cuff's end runs across the sleeve, square or slanted up-and-out when the sleeve leans out:
  // its outer corner is the farthest point down-and-out at 45°, as for a hem corner.
  let outerK = low;
  const downOut = (j: number) => pt(s, path[j]!).y + sgn * pt(s, path[j]!).x;
  for (let j = 0; j < Math.min(k, path.length); j++) if (downOut(j) > downOut(outerK)) outerK = j;
  const outerP = pt(s, path[outerK]!);
  // Back from the lowest point along the cuff's end to where the outline climbs into the gap: the inner
  // corner is the lowest and innermost point near the cuff's height, not one up the gap's side.
  let innerK = low, apexK = low;
  const downIn = (p: Point) => p.y - 0.5 * sgn * p.x;
  if (separate) {
    for (let j = low; j < path.length; j++) {
      const p = pt(s, path[j]!);
      if (sgn * (p.x - s.cx) < 0) break; // the other side's cuff
      if (p.y < pt(s, path[apexK]!).y) apexK = j;
      if (p.y > pt(s, path[apexK]!).y + rise) break; // going down the body's side again
      if (p.y >= pt(s, path[low]!).y - 0.05 * S && downIn(p) > downIn(pt(s, path[innerK]!))) innerK = j;
    }
  }
  const innerP = separate ? pt(s, path[innerK]!) : { x: Math.round(outerP.x - sgn * 0.25 * S), y: outerP.y };
  const gapApex = separate ? pt(s, path[apexK]!) : null;
  const cuffW = Math.hypot(outerP.x - innerP.x, outerP.y - innerP.y);

  // The seam: from the gap's apex (or the cuff's inner corner) up to the shoulder's level.
  const yPrior = Math.round(shoulder.y + ARMPIT_DEPTH * S);
  const yBottom = Math.round(gapApex ? gapApex.y : innerP.y);
  const xStart = gapApex ? gapApex.x : innerP.x;
  const seam = image && yBottom - yPrior > 0.05 * S ? traceSeam(s, image, sgn, xStart, yBottom, Math.round(shoulder.y + 0.2 * S), S) : null;
  let armpit: Point;
  let score: number;
  if (seam) {
    // Pick the seam's top end: the highest row where the edge still stands out from the fabric.
    const yA = seam.top > 0 ? Math.round(0.5 * seam.top + 0.5 * yPrior) : yPrior;
    const y = Math.min(yBottom, Math.max(seam.y0, yA));
    armpit = { x: seam.xs[y - seam.y0]!, y };
    score = 0.3 + 0.4 * Math.min(1, Math.max(0, seam.contrast - 1) / 1.5);
  } else {
    const y = Math.min(yBottom, yPrior);
    armpit = { x: Math.round(outerAt(s, sgn, y) - sgn * SLEEVE_WIDTH * S), y };
    score = 0.25;
  }
  const cuffScore = separate ? 0.4 + 0.4 * Math.min(1, cuffW / (0.15 * S)) : 0.2;
  return {
    shoulder: sp(shoulder, 0.6),
    armpit: sp(armpit, score),
    armpitIdx: nearestOnSide(s, sgn, armpit),
    sleeveOuter: sp(outerP, cuffScore),
    sleeveInner: sp(innerP, cuffScore),
    gapApex,
    bodyLimit: gapApex ? sgn * (gapApex.x - s.cx) : sgn * (armpit.x - s.cx),
  };
}

/** Outermost garment pixel on one side in row y. */
function outerAt(s: Shape, sgn: number, y: number): number {
  const row = y * s.width;
  if (sgn > 0) {
    for (let x = s.box.x1; x >= s.box.x0; x--) if (s.bin[row + x]) return x;
  } else for (let x = s.box.x0; x <= s.box.x1; x++) if (s.bin[row + x]) return x;
  return Math.round(s.cx);
}

function nearestOnSide(s: Shape, sgn: number, p: Point): number {
  let best = 0, bd = Infinity;
  for (let i = 0; i < count(s); i++) {
    const q = pt(s, i);
    if ((q.x - s.cx) * sgn < 0) continue;
    const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2;
    if (d < bd) (bd = d), (best = i);
  }
  return best;
}

interface Seam {
  y0: number;
  /** Seam x per row from y0 down to the start row. */
  xs: Int32Array;
  /** Mean edge on the seam over the mean edge of the fabric beside it. */
  contrast: number;
  /** Highest row where the seam's edge still stands out, or −1. */
  top: number;
}

/**
 * Dynamic programming up the rows: the path of strongest vertical edges (|∂L/∂x|) moving at most one
 * pixel per row, kept at a plausible sleeve width from the outer edge.
 */
function traceSeam(s: Shape, image: RgbaImage, sgn: number, x0: number, yBottom: number, yTop: number, S: number): Seam | null {
  const { width: w, data } = image;
  const rows = yBottom - yTop + 1;
  if (rows < 4) return null;
  const dMin = Math.max(3, Math.round(0.1 * S)), dMax = Math.round(0.55 * S);
  const span = dMax - dMin + 1;
  const lum = (i: number) => 0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!;
  const edge = new Float32Array(rows * span);
  const outer = new Int32Array(rows);
  let fabric = 0, nf = 0;
  for (let r = 0; r < rows; r++) {
    const y = yTop + r;
    const xo = outerAt(s, sgn, y);
    outer[r] = xo;
    for (let d = dMin; d <= dMax; d++) {
      const x = xo - sgn * d;
      if (x < 3 || x >= w - 3 || !s.bin[y * w + x]) continue;
      // Averaged over three rows: a seam is continuous, print and weave are not.
      let e = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(image.height - 1, y + 1); yy++) e += Math.abs(lum(yy * w + x + 2) - lum(yy * w + x - 2));
      edge[r * span + d - dMin] = e / 3;
      fabric += e / 3;
      nf++;
    }
  }
  fabric = fabric / Math.max(1, nf) + 1;
  // A wide prior around the usual sleeve width keeps the path off stripes far from it.
  const prior = (d: number) => 0.15 * fabric * Math.abs(d - SLEEVE_WIDTH * S) / (0.2 * S);
  const acc = new Float32Array(rows * span).fill(-1e9);
  const from = new Int16Array(rows * span);
  const rb = rows - 1;
  const dStart = sgn * (outer[rb]! - x0);
  for (let j = 0; j < span; j++) if (Math.abs(j + dMin - dStart) <= Math.max(3, 0.03 * S)) acc[rb * span + j] = edge[rb * span + j]!;
  for (let r = rb - 1; r >= 0; r--) {
    // Offsets are relative to the outer edge, which itself moves: compare absolute x between rows.
    const shift = sgn * (outer[r]! - outer[r + 1]!);
    for (let j = 0; j < span; j++) {
      let best = -1e9, bj = 0;
      for (let dj = -1; dj <= 1; dj++) {
        const pj = j - shift + dj;
        if (pj < 0 || pj >= span) continue;
        const v = acc[(r + 1) * span + pj]!;
        if (v > best) (best = v), (bj = pj);
      }
      acc[r * span + j] = best + edge[r * span + j]! - prior(j + dMin);
      from[r * span + j] = bj;
    }
  }
  let j = 0;
  for (let jj = 1; jj < span; jj++) if (acc[jj]! > acc[j]!) j = jj;
  if (acc[j]! < -1e8) return null;
  const xs = new Int32Array(rows);
  const es = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    xs[r] = outer[r]! - sgn * (j + dMin);
    es[r] = edge[r * span + j]!;
    if (r < rb) j = from[r * span + j]!;
  }
  let on = 0;
  for (let r = 0; r < rows; r++) on += es[r]!;
  const contrast = on / rows / fabric;
  // Top of the seam: scanning up from the bottom, the last row whose running mean edge is still high.
  const win = Math.max(3, Math.round(0.05 * S));
  let top = -1;
  for (let r = rb - win; r >= 0; r--) {
    let m = 0;
    for (let q = r; q < r + win; q++) m += es[q]!;
    if (m / win >= 1.3 * fabric) top = yTop + r;
    else if (top >= 0 && yTop + r < top - 2 * win) break;
  }
  return { y0: yTop, xs, contrast, top };
}
