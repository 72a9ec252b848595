// Splits a top into body panel and sleeves: a sleeve is what lies beyond the shoulder→armpit line.
import { GARMENT_PARTS, type GarmentCategory, type LabelMap, type Mask, type Point, type ScoredPoint } from '../types.js';

/** Sleeve landmarks scored below this mark a sleeveless side (see landmarks.ts). */
const SLEEVE_MIN_SCORE = 0.2;

export function garmentParts(mask: Mask, category: GarmentCategory, marks: Record<string, ScoredPoint>): LabelMap {
  const { width: w, height: h } = mask;
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) if (mask.data[i]! >= 128) data[i] = GARMENT_PARTS.body;
  if (category !== 'top') return { width: w, height: h, data };
  for (const side of ['left', 'right'] as const) {
    const s = marks[`shoulder_${side}`], a = marks[`armpit_${side}`];
    const o = marks[`sleeve_${side}_outer`], n = marks[`sleeve_${side}_inner`];
    if (!s || !a || !o || !n || o.score < SLEEVE_MIN_SCORE) continue;
    labelSleeve(data, w, h, s, a, o, n, side === 'left' ? GARMENT_PARTS.sleeve_left : GARMENT_PARTS.sleeve_right);
  }
  return { width: w, height: h, data };
}

const cross = (a: Point, b: Point, x: number, y: number) => (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);

/**
 * Pixels beyond the armhole line (shoulder→armpit) and on the cuff's side of the sleeve's underside
 * (armpit→inner cuff), connected to the cuff: the body's flank below the armpit stays body.
 */
function labelSleeve(data: Uint8Array, w: number, h: number, s: Point, a: Point, o: Point, n: Point, label: number): void {
  const cuff = { x: (o.x + n.x) / 2, y: (o.y + n.y) / 2 };
  const side1 = Math.sign(cross(s, a, cuff.x, cuff.y)) || 1;
  const side2 = Math.sign(cross(a, n, o.x, o.y)) || 1;
  const ok = (x: number, y: number) => {
    const i = y * w + x;
    return data[i] === GARMENT_PARTS.body && cross(s, a, x, y) * side1 >= 0 && cross(a, n, x, y) * side2 >= -Math.hypot(n.x - a.x, n.y - a.y);
  };
  // Seed at the body pixel nearest to the cuff's middle, stepping back toward the armhole if needed.
  let seed = -1;
  for (let t = 0; t <= 1 && seed < 0; t += 0.05) {
    const x = Math.round(cuff.x + (s.x + a.x - 2 * cuff.x) * 0.5 * t), y = Math.round(cuff.y + (s.y + a.y - 2 * cuff.y) * 0.5 * t);
    if (x >= 0 && y >= 0 && x < w && y < h && ok(x, y)) seed = y * w + x;
  }
  if (seed < 0) return;
  const stack = [seed];
  data[seed] = label;
  while (stack.length) {
    const p = stack.pop()!;
    const x = p % w, y = (p / w) | 0;
    if (x > 0 && ok(x - 1, y)) (data[p - 1] = label), stack.push(p - 1);
    if (x < w - 1 && ok(x + 1, y)) (data[p + 1] = label), stack.push(p + 1);
    if (y > 0 && ok(x, y - 1)) (data[p - w] = label), stack.push(p - w);
    if (y < h - 1 && ok(x, y + 1)) (data[p + w] = label), stack.push(p + w);
  }
}
