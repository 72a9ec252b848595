// Square crops of the working image resampled to a network's input size, and mapping back.
import type { Box, RgbaImage } from '../types.js';

/** How a network wants its input values. */
export type InputRange = 'uint8' | 'unit' | 'signed';

/**
 * Samples `box` (image pixels, may extend past the image: outside is black) bilinearly into a
 * size×size RGB buffer. Averages a few taps when shrinking a lot so small details do not alias.
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
  const acc = [0, 0, 0];
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let b = 0; b < ty; b++) {
        const fy = box.y + (j + (b + 0.5) / ty) * sy - 0.5;
        for (let a = 0; a < tx; a++) {
          const fx = box.x + (i + (a + 0.5) / tx) * sx - 0.5;
          sampleBilinear(data, w, h, fx, fy, acc);
        }
      }
      const n = tx * ty;
      const o = (j * size + i) * 3;
      for (let c = 0; c < 3; c++) {
        const v = acc[c]! / n;
        out[o + c] = range === 'uint8' ? Math.round(v) : v * scale + offset;
      }
    }
  }
  return out;
}

function sampleBilinear(d: Uint8Array, w: number, h: number, fx: number, fy: number, acc: number[]): void {
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  for (let k = 0; k < 4; k++) {
    const x = x0 + (k & 1);
    const y = y0 + (k >> 1);
    if (x < 0 || y < 0 || x >= w || y >= h) continue;
    const wt = (k & 1 ? ax : 1 - ax) * (k >> 1 ? ay : 1 - ay);
    const p = (y * w + x) * 4;
    acc[0] += d[p]! * wt;
    acc[1] += d[p + 1]! * wt;
    acc[2] += d[p + 2]! * wt;
  }
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
