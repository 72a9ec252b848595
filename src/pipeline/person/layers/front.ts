// What goes in front of any garment: the face, arms and hands over the torso, hair over the shoulders and chest.
import { boxBlur } from '../../composite/guided-filter.js';
import { PARSE_LABELS, type ModelAnalysis, type RgbaImage } from '../../types.js';
import { HAND_NEAR_WRIST, nearAny, segmentDistance, sureWrists, type Segment, type Skeleton } from '../skeleton.js';
import { raggedArmPixels } from './arm-ragged.js';
import type { BodyOutline } from './body-outline.js';
import { fillPolygon } from './raster.js';
import { decontaminateEdges, softLabelAlpha } from './soft-labels.js';

const L = PARSE_LABELS;

/** `old`: the old clothing (nonzero = old top), never part of the front layer; `ragged`: arm pixels past the arm's outline (raggedArmPixels), left out too. */
export function frontLayer(a: ModelAnalysis, outline: BodyOutline, old?: Uint8Array, ragged?: Uint8Array): RgbaImage {
  const { width: W, height: H } = a;
  const n = W * H;
  const lab = a.parsing.data;
  const torso = new Uint8Array(n);
  fillPolygon(torso, W, H, outline.torso, 1);
  const sk = outline.skeleton;
  const shoulderY = Math.min(sk.shoulderL.y, sk.shoulderR.y) - sk.shoulderWidth * 0.05;
  const limbs = new Uint8Array(n), rest = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if ((old && old[i]) || ragged?.[i]) continue;
    const l = lab[i]!;
    const y = (i / W) | 0;
    const arm = (l === L.left_arm || l === L.right_arm || l === L.hands) && torso[i] && !onUpperArm(sk.arms, a.arm_in_front, i % W, y);
    const hair = l === L.hair && (y > shoulderY || torso[i]);
    // The face is in front of any collar: a high or standing collar (the back of a polo's) that the
    // warp carries up past a lowered chin stays behind it.
    if (arm) limbs[i] = 1;
    else if (hair || l === L.face) rest[i] = 1;
  }
  const al = softLabelAlpha(a, limbs, true), ar = softLabelAlpha(a, rest);
  for (let i = 0; i < n; i++) if (ar[i]! > al[i]!) al[i] = ar[i]!;
  return softLayer(a, al, a.image.data);
}

/**
 * Arms and hands of the agnostic person (never old clothing), soft-edged, for the render to put in
 * front of the body panel below the armpits: at the torso's depth every arm pixel is in front of it.
 * `drawn`: arm pixels the agnostic person drew under the old top (below the shoulder joint), in front too;
 * `ragged`: arm pixels past the arm's outline (raggedArmPixels), left out; with the skeleton `sk`, drawn
 * pixels past the outline of the arm and its drawn part together are left out too.
 * Hands count only near a wrist: elsewhere the label is a parsing slip (knees, folds).
 */
export function armsLayer(a: ModelAnalysis, agnostic: RgbaImage, old: Uint8Array, drawn?: Uint8Array, ragged?: Uint8Array, sk?: Skeleton): RgbaImage {
  const W = a.width;
  const lab = a.parsing.data;
  const sel = new Uint8Array(W * a.height);
  const wrists = sureWrists(a.pose), reach = HAND_NEAR_WRIST * a.measurements.shoulder_width;
  for (let i = 0; i < sel.length; i++) {
    const l = lab[i];
    if (old[i] || ragged?.[i] || (l !== L.left_arm && l !== L.right_arm && l !== L.hands)) continue;
    if (l === L.hands) {
      const x = i % W, y = (i / W) | 0;
      if (!nearAny(wrists, x, y, reach)) continue;
    }
    sel[i] = 1;
  }
  if (drawn && sk) {
    // Drawn pixels standing out past the arm's outline too (old top beside the arm taken for arm).
    const m = new Uint8Array(sel.length);
    for (let i = 0; i < m.length; i++) m[i] = sel[i] || drawn[i] ? 1 : 0;
    const out = raggedArmPixels(a, sk, m);
    drawn = Uint8Array.from(drawn);
    for (let i = 0; i < m.length; i++) if (out[i]) { sel[i] = 0; drawn[i] = 0; }
  }
  const alpha = softLabelAlpha(a, sel, true);
  if (drawn) {
    // Arms drawn under the old top have no edge in the photo to snap to: theirs is the fill's own,
    // softened by a pixel. It is taken with the bare arm they continue: where the two meet (the old
    // hem) the photo's edge would let the garment show through as a line across the arm.
    const d = new Float32Array(drawn.length), near = new Float32Array(drawn.length);
    for (let i = 0; i < d.length; i++) { d[i] = drawn[i] || sel[i] ? 1 : 0; near[i] = drawn[i] ? 1 : 0; }
    const soft = boxBlur(d, W, a.height, 1), by = boxBlur(near, W, a.height, 2);
    for (let i = 0; i < d.length; i++) if (by[i]! > 0 && soft[i]! > alpha[i]!) alpha[i] = soft[i]!;
  }
  return softLayer(a, alpha, agnostic.data);
}

/** Colour from `src` under the soft alpha, edge pixels decontaminated. */
function softLayer(a: ModelAnalysis, alpha: Float32Array, src: Uint8Array): RgbaImage {
  const { width: W, height: H } = a;
  const n = W * H;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const al = alpha[i]!;
    if (al <= 0.01) continue;
    out[i * 4] = src[i * 4]!; out[i * 4 + 1] = src[i * 4 + 1]!; out[i * 4 + 2] = src[i * 4 + 2]!;
    out[i * 4 + 3] = Math.round(al * 255);
  }
  decontaminateEdges(out, W, H, Math.max(2, a.measurements.shoulder_width / 40));
  return { width: W, height: H, data: out };
}

/**
 * An upper arm hanging beside the torso overlaps the torso polygon near the shoulder but is where
 * a new sleeve goes, so it stays behind the garment; the forearm and hand over the torso, or a
 * whole arm that analysis found in front, go in front.
 */
function onUpperArm(arms: BodyOutline['skeleton']['arms'], inFront: { left: boolean; right: boolean }, x: number, y: number): boolean {
  let best = Infinity, upper = false;
  for (const side of ['left', 'right'] as const) {
    const parts: [Segment | null, boolean][] = [[arms[side].upper, !inFront[side]], [arms[side].lower, false], [arms[side].hand, false]];
    for (const [s, isUpper] of parts) {
      if (!s) continue;
      const d = segmentDistance(s, x, y);
      if (d < best) { best = d; upper = isUpper; }
    }
  }
  return upper;
}
