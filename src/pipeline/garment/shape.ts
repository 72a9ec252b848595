// The garment's silhouette as geometry: outline, convex hull, its dents, holes, extent.
import type { Mask, Point, ScoredPoint } from '../types.js';
import { borderIndices, components, defects, hullIndices, largestComponent, traceContour, type Defect } from './mask-ops.js';

export interface Shape {
  width: number;
  height: number;
  /** The largest garment piece, 0/1. */
  bin: Uint8Array;
  /** Outer contour, clockwise, interleaved x,y. */
  contour: Int32Array;
  hull: number[];
  /** Convexity defects, deepest first. */
  defects: Defect[];
  /** Holes inside the garment (background enclosed by it), largest first, as pixel lists. */
  holes: Int32Array[];
  box: { x0: number; y0: number; x1: number; y1: number };
  /** Vertical centre line: middle of the box. */
  cx: number;
  area: number;
}

export function garmentShape(mask: Mask): Shape {
  const { width: w, height: h } = mask;
  const bin = largestComponent(mask);
  const contour = traceContour(bin, w, h);
  const hull = hullIndices(contour);
  const defs = defects(contour, hull);
  // Long sleeves hanging beside the body hide the armpits inside one wide dent from cuff to cuff:
  // look for dents within the big dents too (one level).
  for (const d of [...defs]) if (d.depth > 0.12 * h) defs.push(...nested(contour, d));
  defs.sort((a, b) => b.depth - a.depth);
  let x0 = w, x1 = -1, y0 = h, y1 = -1, area = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (bin[y * w + x]) {
        area++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  // Background pieces that do not touch the image border are holes in the garment. Background
  // outside the garment's box reaches the border in a straight line, so only the box is searched:
  // a piece touching the box's edge reaches the border too.
  const bw = Math.max(0, x1 - x0 + 1), bh = Math.max(0, y1 - y0 + 1);
  const inBox = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) inBox[y * bw + x] = bin[(y0 + y) * w + x0 + x] ? 0 : 1;
  const { labels, sizes } = components(inBox, bw, bh);
  const touches = new Uint8Array(sizes.length);
  for (const i of borderIndices(bw, bh)) touches[labels[i]!] = 1;
  for (let l = 1; l < sizes.length; l++) if (touches[l]) sizes[l] = 0;
  const lists: number[][] = sizes.map(() => []);
  const minHole = Math.max(20, area * 0.001);
  for (let i = 0; i < labels.length; i++) if (labels[i] && sizes[labels[i]!]! >= minHole) lists[labels[i]!]!.push((y0 + ((i / bw) | 0)) * w + x0 + (i % bw));
  const holes = lists.filter((l) => l.length).sort((a, b) => b.length - a.length).map((l) => Int32Array.from(l));
  return { width: w, height: h, bin, contour, hull, defects: defs, holes, box: { x0, y0, x1, y1 }, cx: (x0 + x1) / 2, area };
}

export const pt = (s: Shape, i: number): Point => ({ x: s.contour[2 * i]!, y: s.contour[2 * i + 1]! });
export const count = (s: Shape): number => s.contour.length / 2;

/** Contour indices from a to b going forward (clockwise), both included. */
export function span(s: Shape, a: number, b: number): number[] {
  const n = count(s);
  const out: number[] = [];
  for (let i = a; ; i = (i + 1) % n) {
    out.push(i);
    if (i === b || out.length > n) break;
  }
  return out;
}

/** Indices walking along the outline from a to b on one side of the garment (outwards from the neck). */
export const walk = (s: Shape, sgn: number, a: number, b: number): number[] => (sgn > 0 ? span(s, a, b) : span(s, b, a).reverse());

/** Signed distance of p from the line through a and b, positive where the cross product (b − a) × (p − a) is. */
export function offChord(a: Point, b: Point, p: Point): number {
  return ((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)) / (Math.hypot(b.x - a.x, b.y - a.y) || 1);
}

export const sp = (p: Point, score: number): ScoredPoint => ({ x: p.x, y: p.y, score: Math.round(Math.min(1, Math.max(0, score)) * 100) / 100 });

/** One side of a top's upper body, as the landmark finders return it. */
export interface UpperSide {
  shoulder: ScoredPoint;
  armpit: ScoredPoint;
  armpitIdx: number;
  sleeveOuter: ScoredPoint;
  sleeveInner: ScoredPoint;
  /**
   * The cuff's inner corner where its hem runs on slanted nearly along the sleeve and sleeveInner was
   * found on its outer corner (see hemEnd in landmarks.ts); used when both sleeves are so.
   */
  hemInner?: ScoredPoint;
  /** How far out from the centre line the body panel reaches below the armpit (a flush sleeve lies beyond). */
  bodyLimit: number;
}

/** Rows of the garment, per row: leftmost and rightmost garment pixel and the number of runs. */
export function rowProfile(s: Shape, y: number): { left: number; right: number; runs: number; filled: number } {
  const { width: w, bin } = s;
  let left = -1, right = -1, runs = 0, filled = 0, prev = 0;
  for (let x = 0; x < w; x++) {
    const v = bin[y * w + x]!;
    if (v) {
      filled++;
      if (left < 0) left = x;
      right = x;
      if (!prev) runs++;
    }
    prev = v;
  }
  return { left, right, runs, filled };
}

/** Dents of the outline between a dent's two hull points, as dents of the whole outline. */
function nested(contour: Int32Array, d: Defect): Defect[] {
  const n = contour.length / 2;
  const idx: number[] = [];
  for (let i = d.start; ; i = (i + 1) % n) {
    idx.push(i);
    if (i === d.end || idx.length > n) break;
  }
  if (idx.length < 8) return [];
  const sub = new Int32Array(idx.length * 2);
  idx.forEach((g, k) => ((sub[2 * k] = contour[2 * g]!), (sub[2 * k + 1] = contour[2 * g + 1]!)));
  const hull = hullIndices(sub);
  return defects(sub, hull)
    .filter((e) => e.start < e.end && !(e.start === 0 && e.end === idx.length - 1))
    .map((e) => ({ start: idx[e.start]!, end: idx[e.end]!, deepest: idx[e.deepest]!, depth: e.depth }));
}
