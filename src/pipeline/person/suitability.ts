// Is this model photo good for try-on? Frontal, arms clear of the torso, a short base layer.
import { PARSE_LABELS, type Face, type LabelMap, type Pose, type RgbaImage, type Verdict } from '../types.js';
import type { Skeleton } from './skeleton.js';

const L = PARSE_LABELS;

export function judgeSuitability(img: RgbaImage, pose: Pose, face: Face | null, sk: Skeleton, labels: LabelMap, armInFront: { left: boolean; right: boolean }): Verdict {
  const k = pose.keypoints;
  const reasons: string[] = [];
  let score = 1;

  // Frontal: both shoulders seen, level, and a face looking at the camera.
  const bothShoulders = k.left_shoulder.score >= 0.5 && k.right_shoulder.score >= 0.5;
  const tilt = (Math.atan2(Math.abs(k.left_shoulder.y - k.right_shoulder.y), Math.abs(k.left_shoulder.x - k.right_shoulder.x)) * 180) / Math.PI;
  // The person's left shoulder is on the image's right when they face the camera.
  const facingCamera = k.left_shoulder.x > k.right_shoulder.x;
  const shoulderRatio = sk.shoulderWidth / Math.max(1, sk.torsoLength);
  let faceFrontal = true;
  if (k.left_eye.score >= 0.3 && k.right_eye.score >= 0.3 && k.nose.score >= 0.3) {
    const eyeMid = (k.left_eye.x + k.right_eye.x) / 2;
    const eyeDist = Math.abs(k.left_eye.x - k.right_eye.x) || 1;
    faceFrontal = Math.abs(k.nose.x - eyeMid) / eyeDist < 0.3;
  } else faceFrontal = false;
  if (!bothShoulders) { reasons.push('Both shoulders should be clearly visible; one is hidden or out of frame.'); score -= 0.3; }
  if (!facingCamera) { reasons.push('The person seems to face away from the camera; use a photo taken from the front.'); score -= 0.3; }
  if (tilt > 10) { reasons.push(`The shoulders are tilted by ${Math.round(tilt)}°; a level, upright pose fits garments better.`); score -= 0.15; }
  if (sk.hipsSeen && shoulderRatio < 0.45) { reasons.push('The body is turned to the side; a frontal pose works best.'); score -= 0.2; }
  if (!face || !faceFrontal) { reasons.push(face ? 'The face is turned away from the camera.' : 'No face was found; a frontal photo with the face visible works best.'); score -= 0.1; }
  const frontal = bothShoulders && facingCamera && tilt <= 10 && faceFrontal && !(sk.hipsSeen && shoulderRatio < 0.45);

  // Arms clear of the torso: no elbow or wrist over the torso.
  const arms_clear = !armInFront.left && !armInFront.right;
  if (!arms_clear) { reasons.push(`The ${armInFront.left && armInFront.right ? 'arms are' : (armInFront.left ? 'left' : 'right') + ' arm is'} in front of the body; a garment will be partly hidden. Arms held slightly away from the body work best.`); score -= 0.15; }

  // Base layer: sleeves must end above the elbows and the top must end near the waist.
  const c = labelCounts(labels);
  const armSkin = c[L.left_arm]! + c[L.right_arm]!;
  const sleeve = sleeveShare(labels, sk);
  const longSleeves = sleeve > 0.5;
  const hipY = (sk.hipL.y + sk.hipR.y) / 2;
  // A dress or long top shows as clothing below the hips in the top's own colour.
  const topColour = meanOf(img, labels, L.torso_clothing, 0, hipY - sk.torsoLength * 0.3);
  const belowColour = meanOf(img, labels, L.lower_clothing, hipY + sk.torsoLength * 0.1, hipY + sk.torsoLength * 0.4);
  const topBelowHips = sk.hipsSeen && topColour !== null && belowColour !== null && colourDistance(topColour, belowColour) < 35;
  const base_layer_short = !longSleeves && !topBelowHips;
  if (longSleeves) { reasons.push('The top has long sleeves; a new short-sleeved garment could not cover them. Use a photo in a sleeveless or short-sleeved top.'); score -= 0.25; }
  if (topBelowHips) { reasons.push('The top or dress reaches well below the hips; a shorter garment could not cover it. Use a photo in a short, fitted top.'); score -= 0.2; }
  if (armSkin === 0 && !longSleeves) score -= 0.05;

  score = Math.max(0, Math.min(1, score));
  return { suitable: score >= 0.6 && frontal && base_layer_short, score, reasons, frontal, arms_clear, base_layer_short };
}

function labelCounts(labels: LabelMap): number[] {
  const c = new Array<number>(16).fill(0);
  for (let i = 0; i < labels.data.length; i++) c[labels.data[i]!]!++;
  return c;
}

/** Share of forearm pixels (around the lower arm segments) that are clothing rather than skin. */
function sleeveShare(labels: LabelMap, sk: Skeleton): number {
  let cloth = 0, all = 0;
  for (const s of [sk.arms.left.lower, sk.arms.right.lower]) {
    if (!s) continue;
    // Sample along the middle of the forearm, across its width.
    for (let t = 0.25; t <= 0.75; t += 0.05) {
      const cx = s.a.x + (s.b.x - s.a.x) * t, cy = s.a.y + (s.b.y - s.a.y) * t;
      for (let dy = -s.r * 0.5; dy <= s.r * 0.5; dy += Math.max(1, s.r / 6)) {
        for (let dx = -s.r * 0.5; dx <= s.r * 0.5; dx += Math.max(1, s.r / 6)) {
          const x = Math.round(cx + dx), y = Math.round(cy + dy);
          if (x < 0 || y < 0 || x >= labels.width || y >= labels.height) continue;
          const l = labels.data[y * labels.width + x]!;
          if (l === L.background) continue;
          all++;
          if (l === L.torso_clothing) cloth++;
        }
      }
    }
  }
  return all === 0 ? 0 : cloth / all;
}

/** Mean colour of one label between two heights; null when it has too few pixels there. */
function meanOf(img: RgbaImage, labels: LabelMap, label: number, y0: number, y1: number): [number, number, number] | null {
  let r = 0, g = 0, b = 0, n = 0;
  for (let y = Math.max(0, Math.round(y0)); y < Math.min(labels.height, Math.round(y1)); y += 2) {
    const row = y * labels.width;
    for (let x = 0; x < labels.width; x += 2) {
      if (labels.data[row + x] !== label) continue;
      const p = (row + x) * 4;
      r += img.data[p]!; g += img.data[p + 1]!; b += img.data[p + 2]!; n++;
    }
  }
  return n < 50 ? null : [r / n, g / n, b / n];
}

const colourDistance = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
