// Square crops of the working image resampled to a network's input size, and mapping back.
import type { Box, RgbaImage } from '../types.js';

/** How a network wants its input values. */
export type InputRange = 'uint8' | 'unit' | 'signed';

/**
 * Samples `box` (image pixels, may extend past the image: outside is black) bilinearly into a
 * size×size RGB buffer. Averages a few taps when shrinking a lot so small details do not alias.
 *
 * The taps of one output pixel form a grid, so the filter is separable: each axis gets a list of
 * (source index, weight) pairs, rows are filtered horizontally once, then columns vertically.
 */
export function cropToInput(img: RgbaImage, box: Box, size: number, range: InputRange): Float32Array | Int32Array {
  const out = range === 'uint8' ? new Int32Array(size * size * 3) : new Float32Array(size * size * 3);
  const { width: w, height: h, data } = img;
  const sx = box.width / size;
  const sy = box.height / size;
  // Taps per axis: roughly one per source pixel, capped, so shrinking 5× still sees every row.
  const tx = Math.min(4, Math.max(1, Math.round(sx)));
  const ty = Math.min(4, Math.max(1, Math.round(sy)));
  const scale = range === 'uint8' ? 1 : range === 'unit' ? 1 / 255 : 2 / 255;
  const offset = range === 'signed' ? -1 : 0;
  const xs = axisTaps(box.x, sx, tx, size, w);
  const ys = axisTaps(box.y, sy, ty, size, h);
  const kx = 2 * tx, ky = 2 * ty;
  // Rows any tap reads, filtered horizontally once each: RGB per output column.
  let r0 = h, r1 = -1;
  for (let k = 0; k < ys.index.length; k++) {
    if (ys.weight[k] === 0) continue;
    r0 = Math.min(r0, ys.index[k]!);
    r1 = Math.max(r1, ys.index[k]!);
  }
  const rows = Math.max(0, r1 - r0 + 1);
  const hor = new Float64Array(rows * size * 3);
  for (let y = 0; y < rows; y++) {
    const src = (r0 + y) * w * 4;
    const dst = y * size * 3;
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0;
      for (let t = i * kx, e = t + kx; t < e; t++) {
        const wt = xs.weight[t]!;
        if (wt === 0) continue;
        const p = src + xs.index[t]! * 4;
        r += data[p]! * wt;
        g += data[p + 1]! * wt;
        b += data[p + 2]! * wt;
      }
      hor[dst + i * 3] = r;
      hor[dst + i * 3 + 1] = g;
      hor[dst + i * 3 + 2] = b;
    }
  }
  const n = tx * ty;
  const rowLen = size * 3;
  const acc = new Float64Array(rowLen);
  for (let j = 0; j < size; j++) {
    acc.fill(0);
    for (let t = j * ky, e = t + ky; t < e; t++) {
      const wt = ys.weight[t]!;
      if (wt === 0) continue;
      const row = (ys.index[t]! - r0) * rowLen;
      for (let c = 0; c < rowLen; c++) acc[c] += hor[row + c]! * wt;
    }
    const o = j * rowLen;
    if (range === 'uint8') for (let c = 0; c < rowLen; c++) out[o + c] = Math.round(acc[c]! / n);
    else for (let c = 0; c < rowLen; c++) out[o + c] = (acc[c]! / n) * scale + offset;
  }
  return out;
}

/**
 * Bilinear taps along one axis: for output index i, `taps` samples at start + (i + (a + ½)/taps)·step − ½,
 * each split between its two neighbouring source pixels. Pixels outside 0..len−1 get weight 0 (black).
 */
function axisTaps(start: number, step: number, taps: number, size: number, len: number): { index: Int32Array; weight: Float64Array } {
  const index = new Int32Array(size * taps * 2);
  const weight = new Float64Array(size * taps * 2);
  for (let i = 0; i < size; i++) {
    for (let a = 0; a < taps; a++) {
      const f = start + (i + (a + 0.5) / taps) * step - 0.5;
      const p0 = Math.floor(f);
      const frac = f - p0;
      const k = (i * taps + a) * 2;
      if (p0 >= 0 && p0 < len) { index[k] = p0; weight[k] = 1 - frac; }
      if (p0 + 1 >= 0 && p0 + 1 < len) { index[k + 1] = p0 + 1; weight[k + 1] = frac; }
    }
  }
  return { index, weight };
}

/** The square box of side max(w,h)·scale centred on a box (used to give networks square crops). */
export function squareAround(box: Box, scale: number): Box {
  const side = Math.max(box.width, box.height) * scale;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Intersection of a box with the image rectangle (integer pixels). */
export function clampBox(box: Box, width: number, height: number): Box {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}
