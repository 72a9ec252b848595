// The body's frame from the pose: torso quad, head disc, limb segments and their radii, in image pixels.
import type { Box, Face, Point, Pose } from '../types.js';

export const VISIBLE = 0.3;

export interface Segment {
  a: Point;
  b: Point;
  /** Radius the limb is assumed to have, pixels (for assigning pixels to it). */
  r: number;
}

export interface Skeleton {
  shoulderL: Point;
  shoulderR: Point;
  hipL: Point;
  hipR: Point;
  /** False when the hips were extrapolated (not in the photo or not found). */
  hipsSeen: boolean;
  shoulderWidth: number;
  torsoLength: number;
  /** Torso quad: left shoulder, right shoulder, right hip, left hip. */
  torso: Point[];
  head: { c: Point; r: number };
  /** Neck: from the shoulder midpoint to the bottom of the head. */
  neck: Segment;
  arms: { left: { upper: Segment | null; lower: Segment | null; hand: Segment | null }; right: { upper: Segment | null; lower: Segment | null; hand: Segment | null } };
  legs: { left: Segment[]; right: Segment[] };
}

const mid = (p: Point, q: Point): Point => ({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 });
const dist = (p: Point, q: Point) => Math.hypot(p.x - q.x, p.y - q.y);

export function buildSkeleton(pose: Pose, face: Face | null, personBox: Box): Skeleton {
  const k = pose.keypoints;
  const ls = k.left_shoulder, rs = k.right_shoulder;
  const shoulderWidth = Math.max(dist(ls, rs), personBox.width * 0.2, 8);
  const sm = mid(ls, rs);
  const hipsSeen = k.left_hip.score >= VISIBLE && k.right_hip.score >= VISIBLE;
  // Without hips, assume an average torso (hip joints ~1.35 shoulder widths below the shoulders).
  const down = 1.35 * shoulderWidth;
  const hipL = hipsSeen ? k.left_hip : { x: ls.x - (ls.x - sm.x) * 0.3, y: ls.y + down };
  const hipR = hipsSeen ? k.right_hip : { x: rs.x - (rs.x - sm.x) * 0.3, y: rs.y + down };
  const torsoLength = dist(sm, mid(hipL, hipR));
  let head: { c: Point; r: number };
  if (face) {
    const b = face.box;
    head = { c: { x: b.x + b.width / 2, y: b.y + b.height * 0.4 }, r: Math.max(b.width, b.height) * 0.85 };
  } else {
    const pts = [k.nose, k.left_eye, k.right_eye, k.left_ear, k.right_ear].filter((p) => p.score >= VISIBLE);
    const c = pts.length ? { x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: pts.reduce((s, p) => s + p.y, 0) / pts.length } : { x: sm.x, y: sm.y - shoulderWidth * 0.7 };
    head = { c, r: shoulderWidth * 0.5 };
  }
  const chin: Point = face ? { x: head.c.x, y: face.box.y + face.box.height } : { x: head.c.x, y: head.c.y + head.r * 0.6 };
  const neck: Segment = { a: sm, b: chin, r: shoulderWidth * 0.2 };
  const armR = shoulderWidth * 0.16;
  const legR = shoulderWidth * 0.24;
  const seg = (p: typeof ls, q: typeof ls, r: number): Segment | null => (p.score >= VISIBLE && q.score >= VISIBLE ? { a: p, b: q, r } : null);
  const hand = (el: typeof ls, wr: typeof ls): Segment | null => {
    if (wr.score < VISIBLE) return null;
    const dx = el.score >= VISIBLE ? wr.x - el.x : 0, dy = el.score >= VISIBLE ? wr.y - el.y : armR;
    const len = Math.hypot(dx, dy) || 1;
    const reach = shoulderWidth * 0.3;
    return { a: wr, b: { x: wr.x + (dx / len) * reach, y: wr.y + (dy / len) * reach }, r: armR * 1.1 };
  };
  const leg = (h: typeof ls, kn: typeof ls, an: typeof ls): Segment[] => {
    const out: Segment[] = [];
    if (h.score >= VISIBLE && kn.score >= VISIBLE) out.push({ a: h, b: kn, r: legR });
    // Knee out of frame (half-length photo): the thigh still goes down from the hip, so thighs
    // are not taken for hands or the top. Only from a confident hip: a guessed one (a seated
    // half-length photo) would claim the arms resting in the lap.
    else if (h.score >= 0.6) out.push({ a: h, b: { x: h.x, y: h.y + torsoLength * 0.9 }, r: legR });
    if (kn.score >= VISIBLE && an.score >= VISIBLE) out.push({ a: kn, b: an, r: legR * 0.75 });
    return out;
  };
  return {
    shoulderL: ls,
    shoulderR: rs,
    hipL,
    hipR,
    hipsSeen,
    shoulderWidth,
    torsoLength,
    torso: [ls, rs, hipR, hipL],
    head,
    neck,
    arms: {
      left: { upper: seg(ls, k.left_elbow, armR), lower: seg(k.left_elbow, k.left_wrist, armR * 0.85), hand: hand(k.left_elbow, k.left_wrist) },
      right: { upper: seg(rs, k.right_elbow, armR), lower: seg(k.right_elbow, k.right_wrist, armR * 0.85), hand: hand(k.right_elbow, k.right_wrist) },
    },
    legs: { left: leg(k.left_hip, k.left_knee, k.left_ankle), right: leg(k.right_hip, k.right_knee, k.right_ankle) },
  };
}

/** Distance from (x, y) to segment s, pixels. */
export function segmentDistance(s: Segment, x: number, y: number): number {
  const vx = s.b.x - s.a.x, vy = s.b.y - s.a.y;
  const l2 = vx * vx + vy * vy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - s.a.x) * vx + (y - s.a.y) * vy) / l2));
  return Math.hypot(x - s.a.x - t * vx, y - s.a.y - t * vy);
}

export function pointInPolygon(poly: Point[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!, b = poly[j]!;
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Convex hull (monotone chain), counter-clockwise. */
export function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Radius about a wrist, in shoulder widths, within which pixels labelled hands are a hand (elsewhere a parsing slip: knees, folds). */
export const HAND_NEAR_WRIST = 0.45;

/** The wrists the pose is fairly sure of (score ≥ 0.2). */
export function sureWrists(pose: Pose): Point[] {
  return [pose.keypoints.left_wrist, pose.keypoints.right_wrist].filter((p) => p.score >= 0.2);
}

/** Whether (x, y) lies within r of any of the points. */
export function nearAny(points: Point[], x: number, y: number, r: number): boolean {
  return points.some((p) => (p.x - x) ** 2 + (p.y - y) ** 2 <= r * r);
}
