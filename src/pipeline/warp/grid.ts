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
}

/** Writes the source position of output point (x, y) to out[0], out[1]; NaN in out[0] = outside. */
export type MapFn = (x: number, y: number, out: Float64Array) => void;

export function newWarpMap(box: Box): WarpMap {
  const width = Math.max(0, Math.round(box.width));
  const height = Math.max(0, Math.round(box.height));
  const mapX = new Float32Array(width * height).fill(NaN);
  const mapY = new Float32Array(width * height).fill(NaN);
  return { box: { x: Math.round(box.x), y: Math.round(box.y), width, height }, width, height, mapX, mapY };
}

/**
 * Evaluates fn on a grid every `step` pixels over the box and interpolates bilinearly between
 * grid nodes: a smooth map (a TPS costs O(landmarks) per call) needs only ~1/step² evaluations.
 * Cells that touch an outside node are evaluated exactly per pixel, so the "outside" border is
 * as sharp as fn's own.
 */
export function buildWarpMap(fn: MapFn, box: Box, step = 8): WarpMap {
  const out = newWarpMap(box);
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
        const fy = (y - ya) * inv;
        const row = y * w;
        for (let x = xa; x < xb; x++) {
          const o = row + x;
          if (exact) {
            fn(x0 + x, y0 + y, p);
            mapX[o] = p[0]!;
            mapY[o] = Number.isNaN(p[0]!) ? NaN : p[1]!;
            continue;
          }
          const fx = (x - xa) * inv;
          const w00 = (1 - fx) * (1 - fy);
          const w10 = fx * (1 - fy);
          const w01 = (1 - fx) * fy;
          const w11 = fx * fy;
          mapX[o] = gx[n00]! * w00 + gx[n10]! * w10 + gx[n01]! * w01 + gx[n11]! * w11;
          mapY[o] = gy[n00]! * w00 + gy[n10]! * w10 + gy[n01]! * w01 + gy[n11]! * w11;
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
