// Patch-based inpainting (PatchMatch, coarse to fine): fill a hole from the image's own pixels.
import { maskExtent } from '../image.js';
import type { Mask, RgbaImage } from '../types.js';
import { onionPatchFill } from './inpaint-init.js';
import { baseLevel, halveLevel, targetPixels, validCentres, type InpaintLevel } from './inpaint-levels.js';

export interface InpaintOptions {
  /** Where patches may be copied from (≥ 128); e.g. skin only when filling skin. Default: all but the hole. */
  sourceMask?: Mask;
  /** Patch side, odd (default 7). */
  patch?: number;
  /** Search-and-vote rounds per level (default 4; the finest level gets half, it costs the most). */
  iterations?: number;
  /** Seed of the random search, for repeatable results. */
  seed?: number;
}

/**
 * Fills the hole (mask ≥ 128) with patches copied from elsewhere in the image (Barnes et al.
 * 2009 PatchMatch for the search, Wexler et al. 2007 voting), from a coarse level where the hole
 * is small up to full size. Pixels outside the hole are returned unchanged; every filled colour
 * comes from allowed source pixels (blended where patches overlap).
 */
export function inpaint(img: RgbaImage, hole: Mask, opts: InpaintOptions = {}): RgbaImage {
  if (hole.width !== img.width || hole.height !== img.height) throw new Error('inpaint: hole mask and image differ in size');
  const patch = Math.max(3, (opts.patch ?? 7) | 1);
  const r = patch >> 1;
  const iterations = Math.max(1, opts.iterations ?? 4);
  const out = new Uint8Array(img.data);
  const base = baseLevel(img, hole, opts.sourceMask);
  let holeCount = 0;
  for (let i = 0; i < base.hole.length; i++) holeCount += base.hole[i]!;
  if (holeCount === 0) return { width: img.width, height: img.height, data: out };

  // Coarsen while the hole stays at least 3 patches across (coarser, a patch sees only hole or
  // only blur), the image at least 48 px, and enough whole patches remain to copy from.
  const holeSide = holeMinSide(base);
  const levels: InpaintLevel[] = [base];
  const valid: Uint8Array[] = [validCentres(base, r)];
  if (count(valid[0]!) === 0) throw new Error('inpaint: no allowed source region holds a whole patch');
  for (;;) {
    const cur = levels[levels.length - 1]!;
    const scale = 2 ** levels.length;
    if (Math.min(cur.width, cur.height) < 96 || holeSide / scale < 3 * patch) break;
    const next = halveLevel(cur);
    const v = validCentres(next, r);
    if (count(v) < 64) break;
    levels.push(next);
    valid.push(v);
  }

  const rand = xorshift(opts.seed ?? 12345);
  let prevNnf: Int32Array | null = null;
  let prevW = 0;
  for (let li = levels.length - 1; li >= 0; li--) {
    const level = levels[li]!;
    const ok = valid[li]!;
    const targets = targetPixels(level, r);
    const validList = listOf(ok);
    const { width: w } = level;
    if (li === levels.length - 1) onionPatchFill(level, validList, r);
    else upsampleHole(levels[li + 1]!, level);
    const nnf = new Int32Array(w * level.height).fill(-1);
    const nnd = new Float32Array(w * level.height);
    for (const t of targets) {
      let s = -1;
      if (prevNnf) {
        const x = t % w;
        const y = (t - x) / w;
        const c = prevNnf[(y >> 1) * prevW + (x >> 1)]!;
        if (c >= 0) {
          const cx = c % prevW;
          const cy = (c - cx) / prevW;
          const fx = 2 * cx + (x & 1);
          const fy = 2 * cy + (y & 1);
          if (fx < w && fy < level.height && ok[fy * w + fx]) s = fy * w + fx;
        }
      }
      nnf[t] = s >= 0 ? s : validList[Math.floor(rand() * validList.length)]!;
    }
    const finest = li === 0;
    const rounds = finest ? Math.max(1, Math.ceil(iterations / 2)) : iterations;
    // Coarse levels search the whole image; finer ones refine what the coarser level found.
    const radius = li === levels.length - 1 ? Math.max(level.width, level.height) : 8;
    for (let it = 0; it < rounds; it++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[k]!;
        nnd[t] = patchDistance(level, t, nnf[t]!, r, Infinity);
      }
      search(level, ok, targets, nnf, nnd, r, radius, it % 2 === 1, rand);
      vote(level, targets, nnf, nnd, r);
    }
    prevNnf = nnf;
    prevW = w;
  }

  const f = base.img;
  for (let i = 0; i < base.hole.length; i++) {
    if (!base.hole[i]) continue;
    const o = i * 4;
    for (let k = 0; k < 4; k++) out[o + k] = Math.min(255, Math.max(0, Math.round(f[o + k]!)));
  }
  return { width: img.width, height: img.height, data: out };
}

/** Sum of squared RGB differences between the patches around t and s; stops once above `best`. */
function patchDistance(level: InpaintLevel, t: number, s: number, r: number, best: number): number {
  const { width: w, height: h, img } = level;
  const tx = t % w;
  const ty = (t - tx) / w;
  const sx = s % w;
  const sy = (s - sx) / w;
  const x0 = tx - r < 0 ? r - tx : 0;
  const x1 = tx + r >= w ? w - 1 - tx + r : 2 * r;
  let sum = 0;
  for (let dy = -r; dy <= r; dy++) {
    const yy = ty + dy;
    if (yy < 0 || yy >= h) continue;
    let ti = (yy * w + tx - r + x0) * 4;
    let si = ((sy + dy) * w + sx - r + x0) * 4;
    for (let k = x0; k <= x1; k++) {
      const d0 = img[ti]! - img[si]!;
      const d1 = img[ti + 1]! - img[si + 1]!;
      const d2 = img[ti + 2]! - img[si + 2]!;
      sum += d0 * d0 + d1 * d1 + d2 * d2;
      ti += 4;
      si += 4;
    }
    if (sum > best) return sum;
  }
  return sum;
}

/** One PatchMatch pass: propagate good offsets from scan-order neighbours, then random search. */
function search(
  level: InpaintLevel,
  ok: Uint8Array,
  targets: Int32Array,
  nnf: Int32Array,
  nnd: Float32Array,
  r: number,
  radius: number,
  reverse: boolean,
  rand: () => number,
): void {
  const { width: w, height: h } = level;
  const step = reverse ? -1 : 1;
  const n = targets.length;
  for (let k = reverse ? n - 1 : 0; k >= 0 && k < n; k += step) {
    const t = targets[k]!;
    const tx = t % w;
    let best = nnf[t]!;
    let bestD = nnd[t]!;
    // Neighbour to the left (right when reversed) and above (below): shift its source by one.
    const nx = t - step;
    if (tx - step >= 0 && tx - step < w && nnf[nx]! >= 0) {
      const c = nnf[nx]! + step;
      const cx = c % w;
      if (c >= 0 && c < ok.length && ok[c] && Math.abs(cx - (nnf[nx]! % w)) === 1 && c !== best) {
        const d = patchDistance(level, t, c, r, bestD);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
    }
    const ny = t - step * w;
    if (ny >= 0 && ny < nnf.length && nnf[ny]! >= 0) {
      const c = nnf[ny]! + step * w;
      if (c >= 0 && c < ok.length && ok[c] && c !== best) {
        const d = patchDistance(level, t, c, r, bestD);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
    }
    // Random search in shrinking windows around the current best.
    for (let rad = radius; rad >= 1; rad >>= 1) {
      const bx = best % w;
      const by = (best - bx) / w;
      const cx = bx + Math.round((rand() * 2 - 1) * rad);
      const cy = by + Math.round((rand() * 2 - 1) * rad);
      if (cx < 0 || cy < 0 || cx >= w || cy >= h) continue;
      const c = cy * w + cx;
      if (!ok[c] || c === best) continue;
      const d = patchDistance(level, t, c, r, bestD);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    nnf[t] = best;
    nnd[t] = bestD;
  }
}

/**
 * Each hole pixel becomes the weighted mean of what the patches covering it copy there; a
 * patch that matched well weighs more (weight falls with its distance relative to the typical
 * one), which keeps texture crisp instead of averaging it away.
 */
function vote(level: InpaintLevel, targets: Int32Array, nnf: Int32Array, nnd: Float32Array, r: number): void {
  const { width: w, height: h, img, hole } = level;
  const area = (2 * r + 1) * (2 * r + 1);
  let mean = 0;
  for (let k = 0; k < targets.length; k++) mean += nnd[targets[k]!]! / area;
  mean = mean / Math.max(1, targets.length) + 1;
  const acc = new Float32Array(w * h * 4);
  const wsum = new Float32Array(w * h);
  for (let k = 0; k < targets.length; k++) {
    const t = targets[k]!;
    const s = nnf[t]!;
    const wt = Math.exp(-nnd[t]! / area / mean);
    const tx = t % w;
    const ty = (t - tx) / w;
    const sx = s % w;
    const sy = (s - sx) / w;
    for (let dy = -r; dy <= r; dy++) {
      const yy = ty + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -r; dx <= r; dx++) {
        const xx = tx + dx;
        if (xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (!hole[q]) continue;
        const si = ((sy + dy) * w + sx + dx) * 4;
        const qi = q * 4;
        acc[qi] += wt * img[si]!;
        acc[qi + 1] += wt * img[si + 1]!;
        acc[qi + 2] += wt * img[si + 2]!;
        acc[qi + 3] += wt * img[si + 3]!;
        wsum[q] += wt;
      }
    }
  }
  for (let q = 0; q < w * h; q++) {
    const ws = wsum[q]!;
    if (!hole[q] || ws <= 0) continue;
    const qi = q * 4;
    img[qi] = acc[qi]! / ws;
    img[qi + 1] = acc[qi + 1]! / ws;
    img[qi + 2] = acc[qi + 2]! / ws;
    img[qi + 3] = acc[qi + 3]! / ws;
  }
}

/** Starts a finer level's hole from the coarser level's result (nearest neighbour). */
function upsampleHole(coarse: InpaintLevel, fine: InpaintLevel): void {
  const { width: w, height: h } = fine;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!fine.hole[i]) continue;
      const c = ((y >> 1) * coarse.width + (x >> 1)) * 4;
      for (let k = 0; k < 4; k++) fine.img[i * 4 + k] = coarse.img[c + k]!;
    }
  }
}

/** The shorter side of the hole's bounding box. */
function holeMinSide(level: InpaintLevel): number {
  const e = maskExtent(level.hole, level.width, level.height);
  return e ? Math.min(e.x1 - e.x0 + 1, e.y1 - e.y0 + 1) : 0;
}

function count(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i]!;
  return n;
}

function listOf(a: Uint8Array): Int32Array {
  const out = new Int32Array(count(a));
  let k = 0;
  for (let i = 0; i < a.length; i++) if (a[i]) out[k++] = i;
  return out;
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
