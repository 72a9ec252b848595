// What goes in front of any garment: arms and hands over the torso, hair over the shoulders and chest.
import { PARSE_LABELS, type ModelAnalysis, type RgbaImage } from '../../types.js';
import { segmentDistance, type Segment } from '../skeleton.js';
import type { BodyOutline } from './body-outline.js';
import { boxBlur } from '../../composite/guided-filter.js';
import { fillPolygon } from './raster.js';

const L = PARSE_LABELS;

export function frontLayer(a: ModelAnalysis, outline: BodyOutline): RgbaImage {
  const { width: W, height: H } = a;
  const n = W * H;
  const lab = a.parsing.data;
  const torso = new Uint8Array(n);
  fillPolygon(torso, W, H, outline.torso, 1);
  const sk = outline.skeleton;
  const shoulderY = Math.min(sk.shoulderL.y, sk.shoulderR.y) - sk.shoulderWidth * 0.05;
  const sel = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const l = lab[i]!;
    const y = (i / W) | 0;
    const arm = (l === L.left_arm || l === L.right_arm || l === L.hands) && torso[i] && !onUpperArm(sk.arms, a.arm_in_front, i % W, y);
    const hair = l === L.hair && (y > shoulderY || torso[i]);
    if (arm || hair) sel[i] = 1;
  }
  // Inside the person the label edge is hard: soften it over a pixel or so; at the silhouette
  // the refined mask's own soft alpha takes over.
  const soft = boxBlur(sel, W, H, Math.max(1, Math.round(Math.max(W, H) / 700)));
  const out = new Uint8Array(n * 4);
  const img = a.image.data;
  for (let i = 0; i < n; i++) {
    const al = Math.min(soft[i]!, a.mask.data[i]! / 255);
    if (al <= 0.01) continue;
    out[i * 4] = img[i * 4]!; out[i * 4 + 1] = img[i * 4 + 1]!; out[i * 4 + 2] = img[i * 4 + 2]!;
    out[i * 4 + 3] = Math.round(al * 255);
  }
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
