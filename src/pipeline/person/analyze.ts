// Model preparation: one model photo in, pose, mask, face, parsing, measurements and a verdict out.
import type { NetworkRegistry } from '../../inference/registry.js';
import { InputError } from '../errors.js';
import { DEFAULT_LIMITS, decodeImage, type DecodeLimits } from '../image.js';
import type { Box, ModelAnalysis, Pose, RgbaImage } from '../types.js';
import { squareAround } from './crop.js';
import { detectPerson } from './detect.js';
import { analyzeFace } from './face.js';
import { measureBody } from './measure.js';
import { parseBody } from './parse.js';
import { keypointBox, poseMovenet } from './pose.js';
import { refineMask, segmentCrop } from './segment.js';
import { buildSkeleton } from './skeleton.js';
import { learnSkin } from './skin.js';
import { judgeSuitability } from './suitability.js';

/** Below this pose score there is no usable person in the photo. */
const MIN_POSE_SCORE = 0.25;

const NO_PERSON =
  'No person was found in the photo. Send a photo of one person, facing the camera, with the head, shoulders and hips in the frame.';

export async function analyzeModel(bytes: Uint8Array, nets: NetworkRegistry, opts: { limits?: DecodeLimits } = {}): Promise<ModelAnalysis> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    timings[stage] = Math.round((now - t) * 10) / 10;
    t = now;
  };

  const { image } = await decodeImage(bytes, opts.limits ?? DEFAULT_LIMITS);
  lap('decode');

  const found = await detectPerson(image, nets);
  if (!found) throw new InputError('no-person', NO_PERSON);
  lap('detect');

  const { pose, crop } = await poseOnCrop(image, found.box, nets);
  if (pose.score < MIN_POSE_SCORE) throw new InputError('no-person', NO_PERSON);
  lap('pose');

  const coarse = await segmentCrop(image, crop, nets);
  lap('segment');
  const mask = refineMask(image, coarse);
  lap('mask_refine');

  const face = await analyzeFace(image, pose, nets);
  lap('face');

  const person_box = unionBox(found.box, keypointBox(pose, 0.3));
  const skeleton = buildSkeleton(pose, face, person_box);
  const skin = learnSkin(image, face, mask);
  const { labels, armInFront } = parseBody(image, mask, skeleton, face, skin);
  lap('parse');

  const measurements = measureBody(mask, labels, skeleton);
  const suitability = judgeSuitability(image, pose, face, skeleton, labels, armInFront);
  lap('measure');
  timings.total = Object.values(timings).reduce((s, v) => s + v, 0);

  return {
    width: image.width,
    height: image.height,
    image,
    person_box,
    pose,
    mask,
    face,
    parsing: labels,
    arm_in_front: armInFront,
    measurements,
    suitability,
    timings_ms: timings,
  };
}

/**
 * Pose on a square crop around the detected person. If the keypoints then reach beyond the crop's
 * useful part (the detector missed a limb), crop again around detector ∪ keypoints and rerun once.
 */
async function poseOnCrop(image: RgbaImage, box: Box, nets: NetworkRegistry): Promise<{ pose: Pose; crop: Box }> {
  let crop = squareAround(box, 1.2);
  let pose = await poseMovenet(image, crop, nets);
  const kb = keypointBox(pose, 0.3);
  if (kb) {
    const u = unionBox(box, kb);
    const grown = u.width > box.width * 1.15 || u.height > box.height * 1.15;
    if (grown) {
      crop = squareAround(u, 1.2);
      pose = await poseMovenet(image, crop, nets);
    }
  }
  return { pose, crop };
}

function unionBox(a: Box, b: Box | null): Box {
  if (!b) return a;
  const x0 = Math.min(a.x, b.x), y0 = Math.min(a.y, b.y);
  const x1 = Math.max(a.x + a.width, b.x + b.width), y1 = Math.max(a.y + a.height, b.y + b.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
