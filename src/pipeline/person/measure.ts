// Body measurements across the mask: shoulder line on the outline, torso widths, arm widths.
import { PARSE_LABELS, type BodyMeasurements, type LabelMap, type Mask, type Point } from '../types.js';
import type { Segment, Skeleton } from './skeleton.js';

const L = PARSE_LABELS;
/** Labels that count as torso when measuring across it (arms and background end a row). */
const TORSO = new Set<number>([L.torso_clothing, L.torso_skin, L.neck, L.lower_clothing]);

export function measureBody(mask: Mask, labels: LabelMap, sk: Skeleton): BodyMeasurements {
  const S = sk.shoulderWidth;
  // Shoulder points: walk from each shoulder joint up (away from the hips) to the mask's outline.
  const up = unit({ x: (sk.shoulderL.x + sk.shoulderR.x - sk.hipL.x - sk.hipR.x) / 2, y: (sk.shoulderL.y + sk.shoulderR.y - sk.hipL.y - sk.hipR.y) / 2 });
  // Capped: above a shoulder there may be hair or the head, which are not the shoulder's outline.
  const shoulder_left = walk(mask, labels, sk.shoulderL, up, S * 0.2);
  const shoulder_right = walk(mask, labels, sk.shoulderR, up, S * 0.2);
  const sy = (sk.shoulderL.y + sk.shoulderR.y) / 2;
  const hy = (sk.hipL.y + sk.hipR.y) / 2;
  const cxAt = (t: number) => (sk.shoulderL.x + sk.shoulderR.x) / 2 * (1 - t) + ((sk.hipL.x + sk.hipR.x) / 2) * t;
  const across = (t: number) => {
    const y = Math.round(sy + (hy - sy) * t);
    return rowWidth(mask, labels, Math.round(cxAt(t)), y, S * 1.2);
  };
  const armWidth = (s: Segment | null) => (s ? limbWidth(mask, s, S * 0.45) : null);
  return {
    shoulder_left,
    shoulder_right,
    shoulder_width: Math.hypot(shoulder_left.x - shoulder_right.x, shoulder_left.y - shoulder_right.y),
    chest: across(0.3),
    waist: across(0.65),
    hip: across(0.95),
    arm_width: {
      left_upper: armWidth(sk.arms.left.upper),
      left_lower: armWidth(sk.arms.left.lower),
      right_upper: armWidth(sk.arms.right.upper),
      right_lower: armWidth(sk.arms.right.lower),
    },
    torso_length: sk.torsoLength,
  };
}

function unit(v: Point): Point {
  const l = Math.hypot(v.x, v.y) || 1;
  return { x: v.x / l, y: v.y / l };
}

const inside = (m: Mask, x: number, y: number) => {
  const xi = Math.round(x), yi = Math.round(y);
  return xi >= 0 && yi >= 0 && xi < m.width && yi < m.height && m.data[yi * m.width + xi]! >= 128;
};

/** Last point inside the mask walking from p along dir (at most maxLen). */
function walk(m: Mask, labels: LabelMap, p: Point, dir: Point, maxLen: number): Point {
  let last = { x: p.x, y: p.y };
  for (let t = 0; t <= maxLen; t += 1) {
    const x = p.x + dir.x * t, y = p.y + dir.y * t;
    if (!inside(m, x, y)) break;
    const l = labels.data[Math.round(y) * m.width + Math.round(x)]!;
    if (l === L.hair || l === L.face) break;
    last = { x, y };
  }
  return last;
}

/** Torso width along row y from centre x out to either side, stopping at background or an arm. */
function rowWidth(m: Mask, labels: LabelMap, cx: number, y: number, maxHalf: number): { y: number; width: number; left: number; right: number } {
  const yi = Math.max(0, Math.min(m.height - 1, y));
  const ok = (x: number) => x >= 0 && x < m.width && m.data[yi * m.width + x]! >= 128 && TORSO.has(labels.data[yi * m.width + x]!);
  let l = cx, r = cx;
  while (cx - l < maxHalf && ok(l - 1)) l--;
  while (r - cx < maxHalf && ok(r + 1)) r++;
  // In the wearer's terms "left" is the image's right side for a person facing the camera.
  return { y: yi, width: r - l + 1, left: r, right: l };
}

/** Mask width across a limb segment at its middle, perpendicular to it. */
function limbWidth(m: Mask, s: Segment, maxHalf: number): number | null {
  const c = { x: (s.a.x + s.b.x) / 2, y: (s.a.y + s.b.y) / 2 };
  if (!inside(m, c.x, c.y)) return null;
  const d = unit({ x: s.b.x - s.a.x, y: s.b.y - s.a.y });
  const n = { x: -d.y, y: d.x };
  let a = 0, b = 0;
  while (a < maxHalf && inside(m, c.x + n.x * (a + 1), c.y + n.y * (a + 1))) a++;
  while (b < maxHalf && inside(m, c.x - n.x * (b + 1), c.y - n.y * (b + 1))) b++;
  return a + b + 1;
}
