// Sampling maps: for each output pixel, where to sample the source; computed coarsely, interpolated.
import type { Box } from '../types.js';

/**
 * For each pixel of an output box, the source position to sample. Coordinates are pixel
 * centres: (0, 0) is the centre of the top-left pixel. NaN in mapX means "nothing lands here".
 */
export interface WarpMap {
  /** Where the map sits in output image pixels. */
  box: Box;
  width: number;
  height: number;
  mapX: Float32Array;
  mapY: Float32Array;
  /** Optional edge coverage per pixel, 0..4 quarters: the sampled alpha is scaled by it (anti-aliased mesh edges). */
  coverage?: Uint8Array;
}

/** Writes the source position of output point (x, y) to out[0], out[1]; NaN in out[0] = outside. */
export type MapFn = (x: number, y: number, out: Float64Array) => void;

/**
 * A map of the box's size, all outside. Pass `reuse` (a map from an earlier render of the same
 * size) to skip allocating: fresh multi-megabyte arrays cost as much as filling them.
 */
export function newWarpMap(box: Box, reuse?: WarpMap, fill = true): WarpMap {
  const width = Math.max(0, Math.round(box.width));
  const height = Math.max(0, Math.round(box.height));
  const fits = reuse !== undefined && reuse.mapX.length === width * height;
  const mapX = fits ? reuse.mapX : new Float32Array(width * height);
  const mapY = fits ? reuse.mapY : new Float32Array(width * height);
  if (fill) {
    mapX.fill(NaN);
    mapY.fill(NaN);
  }
  return { box: { x: Math.round(box.x), y: Math.round(box.y), width, height }, width, height, mapX, mapY };
}

/**
 * Evaluates fn on a grid every `step` pixels over the box and interpolates bilinearly between
 * grid nodes: a smooth map (a TPS costs O(landmarks) per call) needs only ~1/step² evaluations.
 * Cells that touch an outside node are evaluated exactly per pixel, so the "outside" border is
 * as sharp as fn's own.
 */
export function buildWarpMap(fn: MapFn, box: Box, step = 8, reuse?: WarpMap): WarpMap {
  // Every pixel is written below, so no NaN fill.
  const out = newWarpMap(box, reuse, false);
  const { width: w, height: h, mapX, mapY } = out;
  if (w === 0 || h === 0) return out;
  const s = Math.max(1, Math.floor(step));
  // At least two nodes a side; the last node may lie past the box, which fn handles like any point.
  const gw = Math.max(2, Math.ceil((w - 1) / s) + 1);
  const gh = Math.max(2, Math.ceil((h - 1) / s) + 1);
  const gx = new Float64Array(gw * gh);
  const gy = new Float64Array(gw * gh);
  const p = new Float64Array(2);
  const x0 = out.box.x;
  const y0 = out.box.y;
  for (let j = 0; j < gh; j++) {
    for (let i = 0; i < gw; i++) {
      fn(x0 + i * s, y0 + j * s, p);
      gx[j * gw + i] = p[0]!;
      gy[j * gw + i] = Number.isNaN(p[0]!) ? NaN : p[1]!;
    }
  }
  const inv = 1 / s;
  for (let cj = 0; cj < gh - 1; cj++) {
    const ya = cj * s;
    const yb = cj === gh - 2 ? h : Math.min(h, ya + s);
    for (let ci = 0; ci < gw - 1; ci++) {
      const xa = ci * s;
      const xb = ci === gw - 2 ? w : Math.min(w, xa + s);
      const n00 = cj * gw + ci;
      const n10 = n00 + 1;
      const n01 = n00 + gw;
      const n11 = n10 + gw;
      const exact = Number.isNaN(gx[n00]! + gx[n10]! + gx[n01]! + gx[n11]!);
      for (let y = ya; y < yb; y++) {
        const row = y * w;
        if (exact) {
          for (let x = xa; x < xb; x++) {
            fn(x0 + x, y0 + y, p);
            mapX[row + x] = p[0]!;
            mapY[row + x] = Number.isNaN(p[0]!) ? NaN : p[1]!;
          }
          continue;
        }
        // Along a row of one cell the bilinear value is linear in x: step it.
        const fy = (y - ya) * inv;
        const lx = gx[n00]! + (gx[n01]! - gx[n00]!) * fy;
        const ly = gy[n00]! + (gy[n01]! - gy[n00]!) * fy;
        const dx = (gx[n10]! + (gx[n11]! - gx[n10]!) * fy - lx) * inv;
        const dy = (gy[n10]! + (gy[n11]! - gy[n10]!) * fy - ly) * inv;
        for (let x = xa; x < xb; x++) {
          const k = x - xa;
          mapX[row + x] = lx + dx * k;
          mapY[row + x] = ly + dy * k;
        }
      }
    }
  }
  return out;
}

/** Bounding box (whole pixels, inclusive of every point) of a set of coordinates. */
export function boundsOf(xs: ArrayLike<number>, ys: ArrayLike<number>, pad = 0): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (minX > maxX) return { x: 0, y: 0, width: 0, height: 0 };
  const x = Math.floor(minX) - pad;
  const y = Math.floor(minY) - pad;
  return { x, y, width: Math.ceil(maxX) + pad - x + 1, height: Math.ceil(maxY) + pad - y + 1 };
}
