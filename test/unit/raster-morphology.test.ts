// Morphology and distances that confine their work to the set pixels' box: checked against brute force.
import { describe, expect, it } from 'vitest';
import { boxBlur } from '../../src/pipeline/composite/guided-filter.js';
import { distanceInside, distanceTo, distanceUpTo, growBy, type Box } from '../../src/pipeline/person/layers/raster.js';

/** A deterministic generator (Park–Miller). */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** A ragged blob (a disc thinned at random) somewhere in a w × h frame, often touching its edge. */
function blob(rnd: () => number, w: number, h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  const cx = rnd() * w, cy = rnd() * h, r = 3 + rnd() * Math.max(w, h) * 0.5, keep = 0.5 + rnd() * 0.5;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r && rnd() < keep) m[y * w + x] = 255;
  return m;
}

/** Brute force: nearest set (want = 1) or unset (want = 0) pixel of the frame, Euclidean. */
function nearest(m: Uint8Array, w: number, h: number, x: number, y: number, want: 0 | 1): number {
  let best = Infinity;
  for (let v = 0; v < h; v++) for (let u = 0; u < w; u++) if ((m[v * w + u] ? 1 : 0) === want) best = Math.min(best, Math.hypot(u - x, v - y));
  return best;
}

/** Brute force grow: square window (Chebyshev, clipped at the frame) up to 6 pixels, discs past that. */
function growRef(m: Uint8Array, w: number, h: number, r: number, x: number, y: number): boolean {
  const set = (u: number, v: number) => !!m[v * w + u];
  if (Math.abs(r) <= 6) {
    const k = Math.abs(Math.round(r));
    let any = false, all = true;
    for (let v = Math.max(0, y - k); v <= Math.min(h - 1, y + k); v++) {
      for (let u = Math.max(0, x - k); u <= Math.min(w - 1, x + k); u++) { any ||= set(u, v); all &&= set(u, v); }
    }
    return r >= 0 ? any : all;
  }
  return r > 0 ? nearest(m, w, h, x, y, 1) <= r : nearest(m, w, h, x, y, 0) > -r;
}

const inBox = (b: Box, x: number, y: number) => x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1;

describe('growBy', () => {
  it('matches brute force for every radius, in the whole frame and within a box (0 outside it)', () => {
    const rnd = rng(7);
    let checked = 0, set = 0;
    const wrong: string[] = [];
    for (let t = 0; t < 40; t++) {
      const w = 12 + Math.floor(rnd() * 30), h = 12 + Math.floor(rnd() * 30);
      const m = blob(rnd, w, h);
      const radii = [-9, -4, -1, 0, 2, 5, 8, 13];
      const x0 = Math.floor(rnd() * w), y0 = Math.floor(rnd() * h);
      const within = { x0, y0, x1: Math.min(w - 1, x0 + Math.floor(rnd() * w)), y1: Math.min(h - 1, y0 + Math.floor(rnd() * h)) };
      const full = growBy(m, w, h, radii), part = growBy(m, w, h, radii, within);
      radii.forEach((r, k) => {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const want = growRef(m, w, h, r, x, y);
            if (!!full[k]![y * w + x] !== want) wrong.push(`frame: case ${t} r ${r} (${x}, ${y})`);
            if (!!part[k]![y * w + x] !== (inBox(within, x, y) && want)) wrong.push(`within: case ${t} r ${r} (${x}, ${y})`);
            checked++; if (want) set++;
          }
        }
      });
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // The cases are not trivial: a fair share of pixels come out set.
    expect(set / checked).toBeGreaterThan(0.15);
    expect(set / checked).toBeLessThan(0.85);
  });

  it('leaves an empty mask empty and erodes a full frame to itself', () => {
    const w = 20, h = 15;
    for (const r of [-8, -2, 3, 9]) {
      expect(growBy(new Uint8Array(w * h), w, h, [r])[0]!.every((v) => v === 0)).toBe(true);
      expect(growBy(new Uint8Array(w * h).fill(1), w, h, [r])[0]!.every((v) => v === 255)).toBe(true);
    }
  });
});

describe('distanceInside and distanceUpTo', () => {
  it('equal the whole-frame transform (inside: of the complement; up to: wherever it is within the cap)', () => {
    const rnd = rng(11);
    for (let t = 0; t < 60; t++) {
      const w = 10 + Math.floor(rnd() * 50), h = 10 + Math.floor(rnd() * 50);
      const m = blob(rnd, w, h);
      const not = m.map((v) => (v ? 0 : 1));
      const inside = distanceInside(m, w, h), ref = distanceTo(not, w, h);
      expect(Array.from(inside)).toEqual(Array.from(ref));
      const cap = rnd() * 15, all = distanceTo(m, w, h), upTo = distanceUpTo(m, w, h, cap);
      for (let i = 0; i < w * h; i++) {
        if (all[i]! <= cap) expect(upTo[i]).toBe(all[i]);
        else expect(upTo[i]!).toBeGreaterThan(cap);
      }
    }
  });

  it('distanceInside measures to the nearest unset pixel (brute force), the frame edge not counting', () => {
    const rnd = rng(5);
    const w = 24, h = 18;
    const m = blob(rnd, w, h);
    const d = distanceInside(m, w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(d[y * w + x]).toBeCloseTo(m[y * w + x] ? nearest(m, w, h, x, y, 0) : 0, 5);
  });
});

describe('boxBlur', () => {
  it('is the window mean clipped at the frame, for sparse and dense input, in place too', () => {
    const rnd = rng(3);
    for (let t = 0; t < 30; t++) {
      const w = 8 + Math.floor(rnd() * 40), h = 8 + Math.floor(rnd() * 40);
      const m = blob(rnd, w, h);
      const dense = t % 3 === 0;
      const src = new Float32Array(w * h).map((_, i) => (dense || m[i] ? Math.round(rnd() * 255) : 0));
      const r = Math.floor(rnd() * 9);
      const out = boxBlur(src, w, h, r);
      const inPlace = src.slice();
      boxBlur(inPlace, w, h, r, inPlace);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let s = 0, n = 0;
          for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++) for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) { s += src[v * w + u]!; n++; }
          expect(out[y * w + x]).toBeCloseTo(s / n, 3);
          expect(inPlace[y * w + x]).toBe(out[y * w + x]);
        }
      }
    }
  });
});
