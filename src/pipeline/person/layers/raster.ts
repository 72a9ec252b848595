// Mask drawing and morphology for the layers: polygons, capsules, distance transform, grow/shrink.
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

/** Pixels within r of the set ones (r > 0 grows, r < 0 shrinks), as 0/255. */
export function grow(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return growBy(m, w, h, [r])[0]!;
}

/** grow() by each of several radii; the growths past a few pixels share one distance transform. */
export function growBy(m: Uint8Array, w: number, h: number, radii: number[]): Uint8Array[] {
  let grown: Float32Array | null = null;
  return radii.map((r) => {
    // A few pixels: a square running max/min is several times cheaper than a distance transform.
    if (Math.abs(r) <= 6) return squareGrow(m, w, h, Math.round(r));
    const out = new Uint8Array(w * h);
    if (r >= 0) {
      const d = (grown ??= distanceTo(m, w, h));
      for (let i = 0; i < out.length; i++) out[i] = d[i]! <= r ? 255 : 0;
    } else {
      const inv = new Uint8Array(w * h);
      for (let i = 0; i < inv.length; i++) inv[i] = m[i] ? 0 : 1;
      const d = distanceTo(inv, w, h);
      for (let i = 0; i < out.length; i++) out[i] = d[i]! > -r ? 255 : 0;
    }
    return out;
  });
}

/** Square dilation (r > 0) or erosion (r < 0), separable, by counting set pixels in a sliding window. */
function squareGrow(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const k = Math.abs(r);
  const ero = r < 0;
  const on = (v: number) => (v ? 1 : 0);
  const tmp = new Uint8Array(w * h), out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let c = 0;
    for (let x = 0; x < Math.min(k, w); x++) c += on(m[row + x]!);
    for (let x = 0; x < w; x++) {
      if (x + k < w) c += on(m[row + x + k]!);
      if (x - k - 1 >= 0) c -= on(m[row + x - k - 1]!);
      const span = Math.min(w - 1, x + k) - Math.max(0, x - k) + 1;
      tmp[row + x] = ero ? (c === span ? 1 : 0) : c > 0 ? 1 : 0;
    }
  }
  for (let x = 0; x < w; x++) {
    let c = 0;
    for (let y = 0; y < Math.min(k, h); y++) c += tmp[y * w + x]!;
    for (let y = 0; y < h; y++) {
      if (y + k < h) c += tmp[(y + k) * w + x]!;
      if (y - k - 1 >= 0) c -= tmp[(y - k - 1) * w + x]!;
      const span = Math.min(h - 1, y + k) - Math.max(0, y - k) + 1;
      out[y * w + x] = (ero ? c === span : c > 0) ? 255 : 0;
    }
  }
  return out;
}
