// The body's expected silhouette under clothing: torso polygon, neck and arm capsules, within the person mask.
import { PARSE_LABELS, type Mask, type ModelAnalysis, type Point } from '../../types.js';
import { labelRunAcross } from '../../image.js';
import { buildSkeleton, type Segment, type Skeleton } from '../skeleton.js';
import { fillCapsule, fillPolygon, grow } from './raster.js';

const L = PARSE_LABELS;

export interface BodyOutline {
  mask: Mask;
  skeleton: Skeleton;
  /** Expected arm capsules (upper, lower per side) with the half widths used, for guiding fills. */
  arms: { side: 'left' | 'right'; seg: Segment; ra: number; rb: number }[];
  /** The torso polygon alone (no arms, no neck). */
  torso: Point[];
  /** The torso polygon rasterised (1 inside): there the body is torso, outside it arm or neck. */
  torsoInner: Uint8Array;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Widths come from the measurements taken across the mask, shrunk a little (the mask includes the
 * old clothing's ease) and clamped to human proportions of the shoulder-joint distance, so a loose
 * top or a flared sleeve does not make the body wider than it is.
 */
export function bodyOutline(a: ModelAnalysis): BodyOutline {
  const { width: W, height: H } = a;
  const sk = buildSkeleton(a.pose, a.face, a.person_box);
  const m = a.measurements;
  const S = sk.shoulderWidth;
  const sMid = { x: (sk.shoulderL.x + sk.shoulderR.x) / 2, y: (sk.shoulderL.y + sk.shoulderR.y) / 2 };
  const hMid = { x: (sk.hipL.x + sk.hipR.x) / 2, y: (sk.hipL.y + sk.hipR.y) / 2 };
  const down = { x: hMid.x - sMid.x, y: hMid.y - sMid.y };
  const len = Math.hypot(down.x, down.y) || 1;
  const u = { x: down.x / len, y: down.y / len };
  // Across the body toward the person's left (the image's right for a frontal photo).
  let n = { x: -u.y, y: u.x };
  if ((sk.shoulderL.x - sk.shoulderR.x) * n.x + (sk.shoulderL.y - sk.shoulderR.y) * n.y < 0) n = { x: -n.x, y: -n.y };
  const at = (t: number, side: number, half: number): Point => ({
    x: sMid.x + u.x * t * len + n.x * side * half,
    y: sMid.y + u.y * t * len + n.y * side * half,
  });
  const shrink = 0.94;
  const chest = clamp(m.chest.width * shrink, 0.8 * S, 1.1 * S) / 2;
  const waist = clamp(m.waist.width * shrink, 0.62 * S, 1.0 * S) / 2;
  const hip = clamp(m.hip.width * shrink, 0.75 * S, 1.15 * S) / 2;
  const shoulderHalf = 0.56 * S;
  const neckHalf = 0.17 * S;
  // The shoulders slope from the neck to the joints (the trapezius); the arm capsule's round end
  // over the joint is the deltoid. A flat shoulder line at the neck's base filled a boxy old top's
  // square shoulders with skin: a sleeveless garment then sat on a shelf of skin.
  const h = (v: number) => (v * S) / len;
  const torso: Point[] = [
    at(-h(0.17), 1, neckHalf), at(-h(0.15), 1, 0.27 * S), at(-h(0.11), 1, 0.39 * S), at(-h(0.05), 1, 0.47 * S), at(0.0, 1, shoulderHalf * 0.92),
    at(0.18, 1, chest * 1.02), at(0.3, 1, chest), at(0.65, 1, waist), at(0.95, 1, hip), at(1.1, 1, hip),
    at(1.1, -1, hip), at(0.95, -1, hip), at(0.65, -1, waist), at(0.3, -1, chest), at(0.18, -1, chest * 1.02),
    at(0.0, -1, shoulderHalf * 0.92), at(-h(0.05), -1, 0.47 * S), at(-h(0.11), -1, 0.39 * S), at(-h(0.15), -1, 0.27 * S), at(-h(0.17), -1, neckHalf),
  ];
  const body = new Uint8Array(W * H);
  fillPolygon(body, W, H, torso);
  fillCapsule(body, W, H, sk.neck.a, sk.neck.b, neckHalf, neckHalf * 0.95);

  const arms: BodyOutline['arms'] = [];
  for (const side of ['left', 'right'] as const) {
    const arm = sk.arms[side];
    // The bare arm's own width where the parsing shows it; under a sleeve, the other segment's (an
    // upper arm is about 15% wider than a forearm) or a typical arm. A width measured across the mask
    // runs into the torso or across the old sleeve, and made the body's arms far too wide: the old
    // sleeve's outside then filled with skin beside a narrower new sleeve.
    const label = side === 'left' ? L.left_arm : L.right_arm;
    // In a side view the shoulder joints nearly meet: arm proportions go by the torso's length there.
    const U = Math.max(S, 0.6 * sk.torsoLength);
    const up = bareArmWidth(a, arm.upper, label, U), low = bareArmWidth(a, arm.lower, label, U);
    const upperW = clamp(up ?? (low !== null ? low * 1.15 : UPPER_ARM * U), 0.14 * U, 0.3 * U);
    const lowerW = clamp(low ?? upperW / 1.15, 0.11 * U, 0.26 * U);
    if (arm.upper) {
      // The shoulder end is wider (deltoid) and starts inside the torso.
      arms.push({ side, seg: arm.upper, ra: upperW * 0.62, rb: (upperW + lowerW) / 4 });
      fillCapsule(body, W, H, arm.upper.a, arm.upper.b, upperW * 0.62, (upperW + lowerW) / 4);
    }
    if (arm.lower) {
      arms.push({ side, seg: arm.lower, ra: (upperW + lowerW) / 4, rb: lowerW * 0.4 });
      fillCapsule(body, W, H, arm.lower.a, arm.lower.b, (upperW + lowerW) / 4, lowerW * 0.4);
    }
  }
  // Visible skin is body by definition.
  const lab = a.parsing.data;
  for (let i = 0; i < body.length; i++) {
    const l = lab[i]!;
    if (l === L.left_arm || l === L.right_arm || l === L.hands || l === L.neck || l === L.torso_skin) body[i] = 255;
  }
  // The body cannot reach past the person's silhouette; the closed mask bridges small holes in it.
  const person = new Uint8Array(W * H);
  for (let i = 0; i < person.length; i++) person[i] = a.mask.data[i]! >= 96 ? 1 : 0;
  const closed = grow(grow(person, W, H, 4), W, H, -4);
  for (let i = 0; i < body.length; i++) if (!closed[i] && !person[i]) body[i] = 0;
  const torsoInner = new Uint8Array(W * H);
  fillPolygon(torsoInner, W, H, torso, 1);
  return { mask: { width: W, height: H, data: body }, skeleton: sk, arms, torso, torsoInner };
}

/** A typical upper arm's width seen from the front, in shoulder-joint distances. */
const UPPER_ARM = 0.21;

/**
 * The bare arm's width along a segment: the median run of the arm's label across it (nearest the
 * segment's line) over its middle stations, or null where fewer than three stations show bare arm.
 */
function bareArmWidth(a: ModelAnalysis, s: Segment | null, label: number, S: number): number | null {
  if (!s) return null;
  const W = a.width, H = a.height, lab = a.parsing.data;
  const len = Math.hypot(s.b.x - s.a.x, s.b.y - s.a.y) || 1;
  const nx = -(s.b.y - s.a.y) / len, ny = (s.b.x - s.a.x) / len;
  const reach = Math.round(0.4 * S);
  const widths: number[] = [];
  for (let t = 0.2; t <= 0.86; t += 0.05) {
    const p = { x: s.a.x + (s.b.x - s.a.x) * t, y: s.a.y + (s.b.y - s.a.y) * t };
    const run = labelRunAcross(lab, W, H, p, { x: nx, y: ny }, reach, label);
    if (run && run[1] - run[0] + 1 >= 0.08 * S) widths.push(run[1] - run[0] + 1);
  }
  if (widths.length < 3) return null;
  widths.sort((p, q) => p - q);
  return widths[widths.length >> 1]!;
}
