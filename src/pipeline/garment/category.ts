// Garment category (top, bottom, dress): the caller's word, else read from the silhouette.
import type { GarmentCategory } from '../types.js';
import { rowProfile, type Shape } from './shape.js';

export interface CategoryGuess {
  category: GarmentCategory;
  source: 'given' | 'inferred';
  confidence: number;
}

export function garmentCategory(shape: Shape, given?: GarmentCategory): CategoryGuess {
  if (given) return { category: given, source: 'given', confidence: 1 };
  const { y0, y1, x0, x1 } = shape.box;
  const H = y1 - y0 + 1, W = x1 - x0 + 1;
  const band = (a: number, b: number) => {
    let width = 0, runs = 0, n = 0, max = 0, min = Infinity;
    for (let y = Math.round(y0 + a * H); y <= Math.round(y0 + b * H); y++) {
      const r = rowProfile(shape, y);
      if (r.left < 0) continue;
      const wd = r.right - r.left + 1;
      width += wd;
      runs += r.runs;
      max = Math.max(max, wd);
      min = Math.min(min, wd);
      n++;
    }
    return { width: width / Math.max(1, n), runs: runs / Math.max(1, n), max, min };
  };
  const top = band(0.04, 0.14);
  const upper = band(0.1, 0.5);
  const waist = band(0.3, 0.6);
  const bottom = band(0.88, 0.97);
  const legs = band(0.6, 0.95);
  const aspect = H / W;
  // Skirts and trousers hang from a straight waistband; tops have a neck opening.
  const waistband = topFlatness(shape) > 0.35 && !hasNeckOpening(shape);
  // Two legs: the lower rows split in two with the gap in the middle, and nothing else beside them.
  if (waistband && legs.runs > 1.8 && legs.runs < 2.3 && gapInMiddle(shape, y0 + 0.8 * H)) return { category: 'bottom', source: 'inferred', confidence: clamp(0.6 + 0.4 * (2.3 - Math.abs(legs.runs - 2) * 4) / 2.3) };
  // Sleeves reach out past the hem.
  const sleeves = upper.max / Math.max(1, bottom.width);
  if (sleeves > 1.15) {
    if (aspect > 1.6 && bottom.width > 1.3 * waist.min) return { category: 'dress', source: 'inferred', confidence: 0.6 };
    return { category: 'top', source: 'inferred', confidence: clamp(0.6 + (sleeves - 1.15) * 2) };
  }
  const flare = bottom.width / Math.max(1, waist.min);
  if (aspect > 1.45 && flare > 1.3) return { category: 'dress', source: 'inferred', confidence: clamp(0.55 + (flare - 1.3) + (aspect - 1.45) * 0.5) };
  // A skirt widens from a solid waistband; a sleeveless top is straight or hangs from straps.
  const taper = top.width / Math.max(1, bottom.width);
  if (waistband && aspect < 1.4 && taper < 0.8 && top.runs < 1.3) return { category: 'bottom', source: 'inferred', confidence: clamp(0.55 + (0.8 - taper)) };
  return { category: 'top', source: 'inferred', confidence: clamp(0.5 + Math.abs(1 - taper) * 0.5) };
}

/** Share of the garment's columns whose top is at the very top: a waistband is flat, a neckline is not. */
function topFlatness(shape: Shape): number {
  const { width: w, bin } = shape;
  const { x0, x1, y0, y1 } = shape.box;
  const lim = y0 + 0.02 * (y1 - y0);
  let flat = 0;
  for (let x = x0; x <= x1; x++)
    for (let y = y0; y <= lim; y++)
      if (bin[y * w + x]) {
        flat++;
        break;
      }
  return flat / (x1 - x0 + 1);
}

/** A dent at the top centre of the outline, or a hole there (a neck closed by a strap). */
function hasNeckOpening(shape: Shape): boolean {
  const H = shape.box.y1 - shape.box.y0 + 1, W = shape.box.x1 - shape.box.x0 + 1;
  const top = shape.box.y0 + 0.3 * H;
  const c = shape.contour;
  if (shape.defects.some((d) => c[2 * d.deepest + 1]! < top && Math.abs(c[2 * d.deepest]! - shape.cx) < 0.2 * W && d.depth > 0.02 * H)) return true;
  return shape.holes.some((h) => {
    const i = h[h.length >> 1]!;
    return Math.abs((i % shape.width) - shape.cx) < 0.15 * W && ((i / shape.width) | 0) < shape.box.y0 + 0.35 * H;
  });
}

function gapInMiddle(shape: Shape, y: number): boolean {
  const { width: w, bin, cx } = shape;
  const row = Math.round(y) * w;
  const W = shape.box.x1 - shape.box.x0;
  for (let x = Math.round(cx - 0.05 * W); x <= Math.round(cx + 0.05 * W); x++) if (!bin[row + x]) return true;
  return false;
}

const clamp = (v: number) => Math.round(Math.min(0.98, Math.max(0.3, v)) * 100) / 100;
