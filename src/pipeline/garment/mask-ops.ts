// Binary-mask building blocks for garment analysis: morphology, components, contour, hull.
import type { Mask } from '../types.js';

/** Max (dilate) or min (erode) over a (2r+1)² square, separable; bin is 0/1 per pixel. */
function squareFilter(bin: Uint8Array, w: number, h: number, r: number, max: boolean): Uint8Array {
  const tmp = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  const hit = max ? 1 : 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    // Distance to the last pixel equal to `hit`, scanning each way, gives the window result in O(n).
    let last = -1e9;
    for (let x = 0; x < w; x++) {
      if (bin[row + x] === hit) last = x;
      tmp[row + x] = x - last <= r ? hit : 1 - hit;
    }
    last = 1e9;
    for (let x = w - 1; x >= 0; x--) {
      if (bin[row + x] === hit) last = x;
      if (last - x <= r) tmp[row + x] = hit;
    }
  }
  for (let x = 0; x < w; x++) {
    let last = -1e9;
    for (let y = 0; y < h; y++) {
      if (tmp[y * w + x] === hit) last = y;
      out[y * w + x] = y - last <= r ? hit : 1 - hit;
    }
    last = 1e9;
    for (let y = h - 1; y >= 0; y--) {
      if (tmp[y * w + x] === hit) last = y;
      if (last - y <= r) out[y * w + x] = hit;
    }
  }
  return out;
}

export const dilate = (bin: Uint8Array, w: number, h: number, r: number): Uint8Array => squareFilter(bin, w, h, r, true);
export const erode = (bin: Uint8Array, w: number, h: number, r: number): Uint8Array => squareFilter(bin, w, h, r, false);

export interface Components {
  labels: Int32Array;
  /** sizes[label] in pixels; label 0 is unused. */
  sizes: number[];
}

/** 4-connected components of pixels where bin is 1. */
export function components(bin: Uint8Array, w: number, h: number): Components {
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const fill = spanFiller(bin, labels, w, h);
  for (let i = 0; i < bin.length; i++) {
    if (!bin[i] || labels[i]) continue;
    sizes.push(fill(i, sizes.length));
  }
  return { labels, sizes };
}

/** Marks pixels of bin reachable from the seeds (4-connected), as 1 in the result. */
export function floodFrom(bin: Uint8Array, w: number, h: number, seeds: Int32Array | number[]): Uint8Array {
  const out = new Uint8Array(w * h);
  const fill = spanFiller(bin, out, w, h);
  for (const s of seeds) if (bin[s] && !out[s]) fill(s, 1);
  return out;
}

/**
 * Scanline flood fill: fill(seed, id) gives every pixel 4-connected to seed through set pixels of
 * bin (and not yet marked) the mark id, a whole row run at a time, and returns how many it marked.
 * Which pixels a region holds does not depend on the fill order, so this is the pixel-by-pixel
 * flood's result with far fewer steps.
 */
function spanFiller(bin: Uint8Array, mark: Int32Array | Uint8Array, w: number, h: number): (seed: number, id: number) => number {
  let stack = new Int32Array(Math.max(1024, w * 2));
  let sp = 0;
  const grow = () => {
    const bigger = new Int32Array(stack.length * 2);
    bigger.set(stack);
    stack = bigger;
  };
  // Pushes the start of every unmarked run of set pixels in [a, b] (one row).
  const runs = (a: number, b: number) => {
    let open = false;
    for (let q = a; q <= b; q++) {
      if (bin[q] && !mark[q]) {
        if (!open) {
          if (sp === stack.length) grow();
          stack[sp++] = q;
        }
        open = true;
      } else open = false;
    }
  };
  return (seed, id) => {
    let n = 0;
    sp = 0;
    stack[sp++] = seed;
    while (sp) {
      const p = stack[--sp]!;
      if (mark[p]) continue;
      const y = (p / w) | 0;
      const row = y * w;
      let l = p, r = p;
      while (l > row && bin[l - 1] && !mark[l - 1]) l--;
      while (r < row + w - 1 && bin[r + 1] && !mark[r + 1]) r++;
      for (let q = l; q <= r; q++) mark[q] = id;
      n += r - l + 1;
      if (y > 0) runs(l - w, r - w);
      if (y < h - 1) runs(l + w, r + w);
    }
    return n;
  };
}

/** Indices of the pixels on the image border. */
export function borderIndices(w: number, h: number): Int32Array {
  const out = new Int32Array(2 * w + 2 * h);
  let n = 0;
  for (let x = 0; x < w; x++) (out[n++] = x), (out[n++] = (h - 1) * w + x);
  for (let y = 0; y < h; y++) (out[n++] = y * w), (out[n++] = y * w + w - 1);
  return out;
}

/** A mask (threshold 128) as 0/1, keeping only its largest 4-connected component. */
export function largestComponent(mask: Mask): Uint8Array {
  const { width: w, height: h } = mask;
  const bin = new Uint8Array(w * h);
  for (let i = 0; i < bin.length; i++) bin[i] = mask.data[i]! >= 128 ? 1 : 0;
  const { labels, sizes } = components(bin, w, h);
  let best = 0;
  for (let i = 1; i < sizes.length; i++) if (best === 0 || sizes[i]! > sizes[best]!) best = i;
  for (let i = 0; i < bin.length; i++) bin[i] = labels[i] === best && best > 0 ? 1 : 0;
  return bin;
}

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

/**
 * Outer contour of the component holding the first foreground pixel in raster order (Moore tracing),
 * clockwise in image coordinates, as interleaved x,y.
 */
export function traceContour(bin: Uint8Array, w: number, h: number): Int32Array {
  let start = -1;
  for (let i = 0; i < bin.length; i++) if (bin[i]) { start = i; break; }
  if (start < 0) return new Int32Array(0);
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && bin[y * w + x] === 1;
  const pts: number[] = [];
  let x = start % w, y = (start / w) | 0;
  const sx = x, sy = y;
  let dir = 7; // we came from the left/up: start searching clockwise from up-right
  const maxSteps = 4 * w * h;
  for (let step = 0; step < maxSteps; step++) {
    pts.push(x, y);
    let found = false;
    for (let k = 0; k < 8; k++) {
      const d = (dir + 6 + k) % 8; // begin from the left of where we came from
      const nx = x + DX[d]!, ny = y + DY[d]!;
      if (at(nx, ny)) {
        x = nx; y = ny; dir = d; found = true;
        break;
      }
    }
    if (!found || (x === sx && y === sy)) break;
  }
  return Int32Array.from(pts);
}

/** Convex hull of contour points (monotone chain), returned as contour indices in contour order. */
export function hullIndices(c: Int32Array): number[] {
  const n = c.length / 2;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => c[2 * a]! - c[2 * b]! || c[2 * a + 1]! - c[2 * b + 1]!);
  const cross = (o: number, a: number, b: number) =>
    (c[2 * a]! - c[2 * o]!) * (c[2 * b + 1]! - c[2 * o + 1]!) - (c[2 * a + 1]! - c[2 * o + 1]!) * (c[2 * b]! - c[2 * o]!);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, i) <= 0) lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, i) <= 0) upper.pop();
    upper.push(i);
  }
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  return [...new Set(hull)].sort((a, b) => a - b);
}

export interface Defect {
  /** Contour indices of the hull edge's ends and of the deepest point between them. */
  start: number;
  end: number;
  deepest: number;
  depth: number;
}

/** Convexity defects: for each hull edge, the contour point farthest inside it. */
export function defects(c: Int32Array, hull: number[]): Defect[] {
  const n = c.length / 2;
  const out: Defect[] = [];
  for (let k = 0; k < hull.length; k++) {
    const a = hull[k]!, b = hull[(k + 1) % hull.length]!;
    const ax = c[2 * a]!, ay = c[2 * a + 1]!, bx = c[2 * b]!, by = c[2 * b + 1]!;
    const len = Math.hypot(bx - ax, by - ay) || 1;
    let best = a, depth = 0;
    for (let i = (a + 1) % n; i !== b; i = (i + 1) % n) {
      const d = Math.abs((bx - ax) * (c[2 * i + 1]! - ay) - (by - ay) * (c[2 * i]! - ax)) / len;
      if (d > depth) (depth = d), (best = i);
    }
    if (depth > 0) out.push({ start: a, end: b, deepest: best, depth });
  }
  return out;
}

/** 1 − bin, per pixel. */
export function invert(bin: Uint8Array): Uint8Array {
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin[i] ? 0 : 1;
  return out;
}
