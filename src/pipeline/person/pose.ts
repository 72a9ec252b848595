// Body keypoints on a crop around the person: MoveNet thunder (chosen), BlazePose full (compared).
import type { NetworkRegistry } from '../../inference/registry.js';
import { KEYPOINT_NAMES, type Box, type KeypointName, type Pose, type RgbaImage, type ScoredPoint } from '../types.js';
import { cropToInput } from './crop.js';
import { runNetwork } from './net-run.js';

const SIZE = 256;
/** The keypoints a try-on depends on; their mean score is the pose score. */
const CORE: KeypointName[] = ['left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip'];

export function poseScore(kp: Record<KeypointName, ScoredPoint>): number {
  return CORE.reduce((s, k) => s + kp[k].score, 0) / CORE.length;
}

/** MoveNet thunder on a square crop (image pixels); keypoints come back in image pixels. */
export async function poseMovenet(img: RgbaImage, crop: Box, nets: NetworkRegistry): Promise<Pose> {
  const input = cropToInput(img, crop, SIZE, 'uint8');
  const [out] = await runNetwork(nets, 'movenet-thunder', input, SIZE);
  const d = out!.data; // [1,1,17,3]: y, x, score, normalised to the crop
  const kp = {} as Record<KeypointName, ScoredPoint>;
  KEYPOINT_NAMES.forEach((name, i) => {
    kp[name] = { x: crop.x + d[i * 3 + 1]! * crop.width, y: crop.y + d[i * 3]! * crop.height, score: d[i * 3 + 2]! };
  });
  return { network: 'movenet-thunder', keypoints: kp, score: poseScore(kp) };
}

/** BlazePose landmark index of each COCO keypoint. */
const BLAZEPOSE_INDEX = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28];

/** BlazePose full on a square crop; kept to compare against MoveNet (bench/person-pose). */
export async function poseBlazepose(img: RgbaImage, crop: Box, nets: NetworkRegistry): Promise<Pose> {
  const input = cropToInput(img, crop, SIZE, 'unit');
  const outs = await runNetwork(nets, 'blazepose-full', input, SIZE);
  const lm = outs.find((o) => o.data.length === 195);
  if (!lm) throw new Error('blazepose-full: no [1,195] landmark output');
  const kp = {} as Record<KeypointName, ScoredPoint>;
  KEYPOINT_NAMES.forEach((name, i) => {
    const j = BLAZEPOSE_INDEX[i]! * 5; // x, y, z, visibility, presence (logits)
    kp[name] = {
      x: crop.x + (lm.data[j]! / SIZE) * crop.width,
      y: crop.y + (lm.data[j + 1]! / SIZE) * crop.height,
      score: 1 / (1 + Math.exp(-lm.data[j + 3]!)),
    };
  });
  return { network: 'blazepose-full', keypoints: kp, score: poseScore(kp) };
}

/** Bounding box of the keypoints scoring at least minScore, or null when fewer than 4 do. */
export function keypointBox(pose: Pose, minScore: number): Box | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, n = 0;
  for (const p of Object.values(pose.keypoints)) {
    if (p.score < minScore) continue;
    n++;
    x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y);
  }
  return n < 4 ? null : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
