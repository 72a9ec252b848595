// Mask drawing and morphology for the layers: polygons, capsules, distance transform, grow/shrink.
import { maskExtent, padBox, type PixelBox } from '../../image.js';
import type { Point } from '../../types.js';

/** Sets pixels inside a polygon (even-odd, scanline) to v. */
export function fillPolygon(m: Uint8Array, w: number, h: number, poly: Point[], v = 255): void {
  let y0 = h, y1 = -1;
  for (const p of poly) { y0 = Math.min(y0, Math.floor(p.y)); y1 = Math.max(y1, Math.ceil(p.y)); }
  y0 = Math.max(0, y0); y1 = Math.min(h - 1, y1);
  const xs: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const a = poly[i]!, b = poly[j]!;
      if (a.y > cy !== b.y > cy) xs.push(a.x + ((cy - a.y) * (b.x - a.x)) / (b.y - a.y));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const xa = Math.max(0, Math.ceil(xs[k]! - 0.5)), xb = Math.min(w - 1, Math.floor(xs[k + 1]! - 0.5));
      for (let x = xa; x <= xb; x++) m[y * w + x] = v;
    }
  }
}

/** Sets pixels within a tapered capsule (radius ra at a, rb at b) to v. */
export function fillCapsule(m: Uint8Array, w: number, h: number, a: Point, b: Point, ra: number, rb: number, v = 255): void {
  const rmax = Math.max(ra, rb);
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - rmax)), x1 = Math.min(w - 1, Math.ceil(Math.max(a.x, b.x) + rmax));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - rmax)), y1 = Math.min(h - 1, Math.ceil(Math.max(a.y, b.y) + rmax));
  const vx = b.x - a.x, vy = b.y - a.y;
  const l2 = vx * vx + vy * vy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x) * vx + (y - a.y) * vy) / l2));
      const r = ra + (rb - ra) * t;
      const dx = x - a.x - t * vx, dy = y - a.y - t * vy;
      if (dx * dx + dy * dy <= r * r) m[y * w + x] = v;
    }
  }
}

/** 1-D squared distance transform (Felzenszwalb & Huttenlocher) of f into d. */
function edt1(f: Float32Array, n: number, d: Float32Array, v: Int32Array, z: Float32Array): void {
  let k = 0;
  v[0] = 0; z[0] = -Infinity; z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s: number;
    for (;;) {
      const p = v[k]!;
      s = (f[q]! + q * q - (f[p]! + p * p)) / (2 * q - 2 * p);
      if (s <= z[k]! && k > 0) k--;
      else break;
    }
    if (s <= z[k]!) { v[0] = q; z[0] = -Infinity; z[1] = Infinity; k = 0; continue; }
    k++; v[k] = q; z[k] = s; z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const p = v[k]!;
    d[q] = (q - p) * (q - p) + f[p]!;
  }
}

/** Euclidean distance (pixels) from each pixel to the nearest pixel where `seed` is set. */
export function distanceTo(seed: Uint8Array, w: number, h: number): Float32Array {
  const BIG = 1e12;
  const n = Math.max(w, h);
  const f = new Float32Array(n), d = new Float32Array(n), z = new Float32Array(n + 1);
  const v = new Int32Array(n);
  const out = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = seed[i] ? 0 : BIG;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = out[y * w + x]!;
    edt1(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[y * w + x] = d[y]!;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = out[row + x]!;
    edt1(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = Math.sqrt(d[x]!);
  }
  return out;
}

/**
 * Distance from each set pixel of m to the nearest unset one, 0 on unset pixels: distanceTo of m's
 * complement, transformed over m's box and a one-pixel rim only (the rim is unset, or the frame's
 * edge, so it holds every set pixel's nearest unset one).
 */
export function distanceInside(m: Uint8Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const e = maskExtent(m, w, h, 1);
  if (!e) return out;
  const box = padBox(e, 1, w, h);
  const d = distanceInBox(m, w, box, true);
  pasteBox(out, w, box, (j) => d[j]!);
  return out;
}

/**
 * distanceTo(seed) for callers that look no farther than `cap`: exact up to cap, transformed over the
 * seeds' box grown by cap only; pixels outside that box (farther than cap) read Infinity.
 */
export function distanceUpTo(seed: Uint8Array, w: number, h: number, cap: number): Float32Array {
  const out = new Float32Array(w * h).fill(Infinity);
  const e = maskExtent(seed, w, h, 1);
  if (!e) return out;
  const box = padBox(e, Math.ceil(cap) + 1, w, h);
  const d = distanceInBox(seed, w, box, false);
  pasteBox(out, w, box, (j) => d[j]!);
  return out;
}

/**
 * Pixels within r of the set ones (r > 0 grows, r < 0 shrinks), as 0/255. With `within`, only that
 * box's pixels are computed (the rest read 0): the work is then confined to it and a margin of r.
 */
export function grow(m: Uint8Array, w: number, h: number, r: number, within?: Box): Uint8Array {
  return growBy(m, w, h, [r], within)[0]!;
}

/** grow() by each of several radii; the growths past a few pixels share one distance transform. */
export function growBy(m: Uint8Array, w: number, h: number, radii: number[], within?: Box): Uint8Array[] {
  const e = maskExtent(m, w, h, 1);
  // Only the set pixels' box grown by r can come out set; a pixel's answer depends on pixels within r.
  const region = (b: Box, r: number) => (within ? meet(b, padBox(within, Math.ceil(Math.abs(r)) + 1, w, h)) : b);
  let grown: { d: Float32Array; box: Box } | null = null;
  return radii.map((r) => {
    const out = new Uint8Array(w * h);
    if (!e) return out;
    // A few pixels: a square running max/min is several times cheaper than a distance transform.
    if (Math.abs(r) <= 6) {
      const k = Math.round(r);
      const box = region(padBox(e, Math.max(0, k), w, h), k);
      if (box) squareGrow(m, w, h, k, box, out, within);
      return out;
    }
    if (r >= 0) {
      // Every set pixel lies in their box: distances inside the box grown by the largest radius are
      // exact, and everything outside it is farther than that.
      if (!grown) {
        const rmax = Math.max(...radii);
        const box = region(padBox(e, Math.ceil(rmax), w, h), rmax);
        if (!box) return out;
        grown = { d: distanceInBox(m, w, box, false), box };
      }
      const { d, box } = grown;
      pasteBox(out, w, box, (j) => (d[j]! <= r ? 255 : 0), within);
    } else {
      // The box grown by one pixel has an unset rim (or is the frame): the unset pixel nearest to any
      // pixel inside lies within it (the nearest one outside projects onto the rim, nearer still).
      const box = region(padBox(e, 1, w, h), r);
      if (!box) return out;
      const d = distanceInBox(m, w, box, true);
      pasteBox(out, w, box, (j) => (d[j]! > -r ? 255 : 0), within);
    }
    return out;
  });
}

/** An inclusive pixel box. */
export type Box = PixelBox;

/** The boxes' overlap, or null. */
function meet(a: Box, b: Box): Box | null {
  const o = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
  return o.x0 > o.x1 || o.y0 > o.y1 ? null : o;
}

/**
 * distanceTo over the box only (row by row, box-sized): from its set pixels of m, or with `inside`
 * from its unset ones (how deep each set pixel lies).
 */
function distanceInBox(m: Uint8Array, w: number, b: Box, inside: boolean): Float32Array {
  const cw = b.x1 - b.x0 + 1, ch = b.y1 - b.y0 + 1;
  const c = new Uint8Array(cw * ch);
  for (let y = b.y0; y <= b.y1; y++) c.set(m.subarray(y * w + b.x0, y * w + b.x1 + 1), (y - b.y0) * cw);
  if (inside) for (let j = 0; j < c.length; j++) c[j] = c[j] ? 0 : 1;
  return distanceTo(c, cw, ch);
}

/** Writes value(j) of the box's j-th pixel (row by row) into the frame-sized out, only inside `only` if given. */
function pasteBox(out: Uint8Array | Float32Array, w: number, b: Box, value: (j: number) => number, only?: Box): void {
  const cw = b.x1 - b.x0 + 1;
  const o = only ? meet(b, only) : b;
  if (!o) return;
  for (let y = o.y0; y <= o.y1; y++) {
    for (let x = o.x0, j = (y - b.y0) * cw + (o.x0 - b.x0), i = y * w + o.x0; x <= o.x1; x++, i++, j++) out[i] = value(j);
  }
}

/**
 * Square dilation (r > 0) or erosion (r < 0) of m into out, separable, by counting set pixels in a
 * sliding window clipped at the frame (so erosion does not eat in from the frame's edge). Counts only
 * over `b` (every set pixel the answer needs lies in it) and writes b's pixels (inside `only` if given).
 */
function squareGrow(m: Uint8Array, w: number, h: number, r: number, b: Box, out: Uint8Array, only?: Box): void {
  const k = Math.abs(r);
  const ero = r < 0;
  const cw = b.x1 - b.x0 + 1, ch = b.y1 - b.y0 + 1;
  const tmp = new Uint8Array(cw * ch);
  for (let y = b.y0; y <= b.y1; y++) {
    const row = y * w, trow = (y - b.y0) * cw - b.x0;
    let c = 0;
    for (let x = b.x0; x < Math.min(b.x0 + k, b.x1 + 1); x++) c += m[row + x] ? 1 : 0;
    for (let x = b.x0; x <= b.x1; x++) {
      if (x + k <= b.x1 && m[row + x + k]) c++;
      if (x - k - 1 >= b.x0 && m[row + x - k - 1]) c--;
      const span = Math.min(w - 1, x + k) - Math.max(0, x - k) + 1;
      tmp[trow + x] = ero ? (c === span ? 1 : 0) : c > 0 ? 1 : 0;
    }
  }
  // Column counts, row by row (the frame's memory order).
  const c = new Int32Array(cw);
  const o = only ?? b;
  for (let yy = 0; yy < Math.min(k, ch); yy++) for (let x = 0; x < cw; x++) c[x] += tmp[yy * cw + x]!;
  for (let yy = 0; yy < ch; yy++) {
    const y = b.y0 + yy;
    const add = yy + k < ch ? (yy + k) * cw : -1, sub = yy - k - 1 >= 0 ? (yy - k - 1) * cw : -1;
    const span = Math.min(h - 1, y + k) - Math.max(0, y - k) + 1;
    const row = y * w + b.x0;
    const write = y >= o.y0 && y <= o.y1;
    for (let x = 0; x < cw; x++) {
      if (add >= 0) c[x] += tmp[add + x]!;
      if (sub >= 0) c[x] -= tmp[sub + x]!;
      if (write && x + b.x0 >= o.x0 && x + b.x0 <= o.x1) out[row + x] = (ero ? c[x] === span : c[x]! > 0) ? 255 : 0;
    }
  }
}
