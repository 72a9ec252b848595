// Resampling a garment through a warp map: premultiplied bilinear, trilinear over a mip pyramid.
import type { RgbaImage } from '../types.js';
import type { WarpMap } from './grid.js';

/** One level of a pyramid: premultiplied RGBA, 0..255 floats. */
export interface MipLevel {
  width: number;
  height: number;
  data: Float32Array;
}

/** Box-filtered halvings of an image, level 0 = full size. Build once per garment. */
export interface MipPyramid {
  levels: MipLevel[];
}

export type SampleFilter = 'trilinear' | 'bilinear' | 'nearest';

export interface SampleOptions {
  /** trilinear (default) prefilters by the map's local scale; the others sample level 0 only. */
  filter?: SampleFilter;
  /** Added to the level chosen; > 0 blurs more, < 0 keeps more detail (and more aliasing). */
  lodBias?: number;
  /** An output buffer of the map's size to reuse (saves the allocation between renders). */
  out?: Uint8Array;
}

/** Premultiplies and halves until the image is one pixel a side. */
export function buildMipPyramid(img: RgbaImage): MipPyramid {
  const { width, height, data } = img;
  const base = new Float32Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const o = i * 4;
    const a = data[o + 3]!;
    const f = a / 255;
    base[o] = data[o]! * f;
    base[o + 1] = data[o + 1]! * f;
    base[o + 2] = data[o + 2]! * f;
    base[o + 3] = a;
  }
  const levels: MipLevel[] = [{ width, height, data: base }];
  let cur = levels[0]!;
  while (cur.width > 1 || cur.height > 1) {
    cur = halve(cur);
    levels.push(cur);
  }
  return { levels };
}

/**
 * Halves with the [1 3 3 1]/8 filter in each direction (taps 2i−1 … 2i+2, edges clamped), centred
 * like a 2×2 box: a box keeps most of a fine check or stripe just above its Nyquist limit, and
 * bilinear sampling of that residue beats into moiré; this filter removes it.
 */
function halve(src: MipLevel): MipLevel {
  const w = Math.max(1, Math.ceil(src.width / 2));
  const h = Math.max(1, Math.ceil(src.height / 2));
  const sw = src.width, sh = src.height;
  const sd = src.data;
  // Horizontal pass: sh rows × w columns.
  const tmp = new Float32Array(w * sh * 4);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let x = 0; x < w; x++) {
      const a = (row + Math.max(0, 2 * x - 1)) * 4, b = (row + Math.min(sw - 1, 2 * x)) * 4;
      const c = (row + Math.min(sw - 1, 2 * x + 1)) * 4, d = (row + Math.min(sw - 1, 2 * x + 2)) * 4;
      const o = (y * w + x) * 4;
      for (let k = 0; k < 4; k++) tmp[o + k] = 0.125 * (sd[a + k]! + sd[d + k]!) + 0.375 * (sd[b + k]! + sd[c + k]!);
    }
  }
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const a = Math.max(0, 2 * y - 1) * w, b = Math.min(sh - 1, 2 * y) * w;
    const c = Math.min(sh - 1, 2 * y + 1) * w, d = Math.min(sh - 1, 2 * y + 2) * w;
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      for (let k = 0; k < 4; k++) {
        out[o + k] = 0.125 * (tmp[(a + x) * 4 + k]! + tmp[(d + x) * 4 + k]!) + 0.375 * (tmp[(b + x) * 4 + k]! + tmp[(c + x) * 4 + k]!);
      }
    }
  }
  return { width: w, height: h, data: out };
}

// Accumulator for one pixel's premultiplied RGBA; module-level so the hot loop allocates nothing.
const acc = new Float64Array(4);

/**
 * Adds weight × the bilinear sample of level at level-k position (lx, ly) to acc. Taps outside the
 * image are transparent, so the garment's border fades over one texel instead of smearing.
 */
function addBilinear(level: MipLevel, lx: number, ly: number, weight: number): void {
  const x0 = Math.floor(lx);
  const y0 = Math.floor(ly);
  const fx = lx - x0;
  const fy = ly - y0;
  const w = level.width;
  const d = level.data;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < level.height) {
    const o = (y0 * w + x0) * 4;
    const o2 = o + w * 4;
    const gx = 1 - fx;
    const w00 = gx * (1 - fy) * weight;
    const w10 = fx * (1 - fy) * weight;
    const w01 = gx * fy * weight;
    const w11 = fx * fy * weight;
    acc[0] += d[o]! * w00 + d[o + 4]! * w10 + d[o2]! * w01 + d[o2 + 4]! * w11;
    acc[1] += d[o + 1]! * w00 + d[o + 5]! * w10 + d[o2 + 1]! * w01 + d[o2 + 5]! * w11;
    acc[2] += d[o + 2]! * w00 + d[o + 6]! * w10 + d[o2 + 2]! * w01 + d[o2 + 6]! * w11;
    acc[3] += d[o + 3]! * w00 + d[o + 7]! * w10 + d[o2 + 3]! * w01 + d[o2 + 7]! * w11;
    return;
  }
  addBorder(level, x0, y0, fx, fy, weight);
}

function addBorder(level: MipLevel, x0: number, y0: number, fx: number, fy: number, weight: number): void {
  const { width: w, height: h, data: d } = level;
  for (let j = 0; j < 2; j++) {
    const yy = y0 + j;
    if (yy < 0 || yy >= h) continue;
    const wy = (j === 0 ? 1 - fy : fy) * weight;
    for (let i = 0; i < 2; i++) {
      const xx = x0 + i;
      if (xx < 0 || xx >= w) continue;
      const wt = (i === 0 ? 1 - fx : fx) * wy;
      const o = (yy * w + xx) * 4;
      acc[0] += d[o]! * wt;
      acc[1] += d[o + 1]! * wt;
      acc[2] += d[o + 2]! * wt;
      acc[3] += d[o + 3]! * wt;
    }
  }
}

/**
 * Samples the pyramid at every pixel of the map; returns straight-alpha RGBA of the map's size
 * (transparent where the map is NaN or lands outside the garment). Trilinear: the level is
 * log2 of the larger of the map's two derivative lengths, blended between the two nearest levels.
 */
export function sampleWarp(pyr: MipPyramid, map: WarpMap, opts: SampleOptions = {}): RgbaImage {
  const filter = opts.filter ?? 'trilinear';
  const bias = opts.lodBias ?? 0;
  const { width: w, height: h, mapX, mapY } = map;
  const cov = map.coverage;
  const out = opts.out && opts.out.length === w * h * 4 ? opts.out.fill(0) : new Uint8Array(w * h * 4);
  const levels = pyr.levels;
  const maxLod = levels.length - 1;
  const base = levels[0]!;
  const nearest = filter === 'nearest';
  const trilinear = filter === 'trilinear';
  // rho² below this keeps level 0 alone: log2 and a second level are then not needed.
  const rhoBase = 2 ** (-2 * bias);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const sx = mapX[i]!;
      if (sx !== sx) continue;
      const sy = mapY[i]!;
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
      acc[3] = 0;
      if (nearest) {
        const nx = Math.round(sx);
        const ny = Math.round(sy);
        if (nx < 0 || ny < 0 || nx >= base.width || ny >= base.height) continue;
        const o = (ny * base.width + nx) * 4;
        for (let k = 0; k < 4; k++) acc[k] = base.data[o + k]!;
      } else if (!trilinear) {
        addBilinear(base, sx, sy, 1);
      } else {
        // Forward differences, backward at the right/bottom edge or next to an outside pixel.
        let ix = i + 1;
        if (x + 1 >= w || mapX[ix] !== mapX[ix]) ix = x > 0 && mapX[i - 1] === mapX[i - 1] ? i - 1 : i;
        let iy = i + w;
        if (y + 1 >= h || mapX[iy] !== mapX[iy]) iy = y > 0 && mapX[i - w] === mapX[i - w] ? i - w : i;
        const dxx = mapX[ix]! - sx;
        const dxy = mapY[ix]! - sy;
        const dyx = mapX[iy]! - sx;
        const dyy = mapY[iy]! - sy;
        const a2 = dxx * dxx + dxy * dxy;
        const b2 = dyx * dyx + dyy * dyy;
        const rho2 = a2 > b2 ? a2 : b2;
        if (rho2 <= rhoBase) {
          addBilinear(base, sx, sy, 1);
        } else {
          let lod = 0.5 * Math.log2(rho2) + bias;
          if (lod > maxLod) lod = maxLod;
          const l0 = Math.floor(lod);
          // Blend two levels only in the middle half between them ("brilinear"): half the
          // pixels then need one level, and the visible result is the same as full trilinear.
          let f = (lod - l0 - 0.25) * 2;
          f = f < 0 ? 0 : f > 1 ? 1 : f;
          // Level-k texel i covers level-0 texels [i·2^k, (i+1)·2^k); centres shift by half a texel.
          const s0 = 1 / (1 << l0);
          if (f >= 1 && l0 < maxLod) {
            addBilinear(levels[l0 + 1]!, (sx + 0.5) * s0 * 0.5 - 0.5, (sy + 0.5) * s0 * 0.5 - 0.5, 1);
          } else {
            const blend = f > 0 && l0 < maxLod;
            addBilinear(levels[l0]!, (sx + 0.5) * s0 - 0.5, (sy + 0.5) * s0 - 0.5, blend ? 1 - f : 1);
            if (blend) addBilinear(levels[l0 + 1]!, (sx + 0.5) * s0 * 0.5 - 0.5, (sy + 0.5) * s0 * 0.5 - 0.5, f);
          }
        }
      }
      const a0 = acc[3]!;
      const a = cov ? a0 * cov[i]! * 0.25 : a0;
      if (a < 0.5) continue;
      const o = i * 4;
      const un = 255 / a0;
      out[o] = Math.min(255, acc[0]! * un + 0.5);
      out[o + 1] = Math.min(255, acc[1]! * un + 0.5);
      out[o + 2] = Math.min(255, acc[2]! * un + 0.5);
      out[o + 3] = Math.min(255, a + 0.5);
    }
  }
  return { width: w, height: h, data: out };
}
