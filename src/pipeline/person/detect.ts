// Finds where the person is in the whole frame, so pose and segmentation can run on a crop.
import type { NetworkRegistry } from '../../inference/registry.js';
import type { Box, RgbaImage } from '../types.js';
import { SEG_SIZE, segmentCrop } from './segment.js';

export interface PersonDetection {
  /** Box around the person in image pixels. */
  box: Box;
  /** Share of the frame the person covers (0..1). */
  coverage: number;
}

/**
 * A coarse segmentation pass on the whole (letterboxed) frame; the person's box is the extent of
 * confident pixels, trimmed of stray specks. Returns null when almost nothing is a person.
 */
export async function detectPerson(img: RgbaImage, nets: NetworkRegistry): Promise<PersonDetection | null> {
  const side = Math.max(img.width, img.height);
  const frame: Box = { x: (img.width - side) / 2, y: (img.height - side) / 2, width: side, height: side };
  const { prob } = await segmentCrop(img, frame, nets);
  const rows = new Float64Array(SEG_SIZE);
  const cols = new Float64Array(SEG_SIZE);
  let total = 0;
  for (let y = 0; y < SEG_SIZE; y++) {
    for (let x = 0; x < SEG_SIZE; x++) {
      const p = prob[y * SEG_SIZE + x]!;
      if (p < 0.5) continue;
      rows[y] += p;
      cols[x] += p;
      total += p;
    }
  }
  const frameCells = ((img.width * img.height) / (side * side)) * SEG_SIZE * SEG_SIZE;
  const coverage = total / frameCells;
  if (coverage < 0.004) return null;
  const [y0, y1] = extent(rows, total, 0.005);
  const [x0, x1] = extent(cols, total, 0.005);
  const s = side / SEG_SIZE;
  return { box: { x: frame.x + x0 * s, y: frame.y + y0 * s, width: (x1 - x0 + 1) * s, height: (y1 - y0 + 1) * s }, coverage };
}

/** First and last index where the cumulative sum passes `tail` of the total from either end. */
function extent(h: Float64Array, total: number, tail: number): [number, number] {
  let acc = 0;
  let lo = 0;
  while (lo < h.length - 1 && (acc += h[lo]!) < total * tail) lo++;
  acc = 0;
  let hi = h.length - 1;
  while (hi > lo && (acc += h[hi]!) < total * tail) hi--;
  return [lo, hi];
}
