// Test helper: a body outline with one arm, the left, hanging straight down x = 60 from its shoulder
// joint (y 20) past the elbow (y 100) to the wrist (y 180); the other arm and the torso are empty.
import type { BodyOutline } from '../../src/pipeline/person/layers/body-outline.js';

/** `upper` and `lower`: the capsules' radii at their two ends. */
export function leftArmOutline(W: number, H: number, upper: [number, number], lower: [number, number]): BodyOutline {
  const up = { a: { x: 60, y: 20 }, b: { x: 60, y: 100 }, r: upper[0] };
  const low = { a: { x: 60, y: 100 }, b: { x: 60, y: 180 }, r: lower[0] };
  return {
    skeleton: {
      arms: { left: { upper: up, lower: low, hand: null }, right: { upper: null, lower: null, hand: null } },
      shoulderWidth: 100, shoulderL: { x: 60, y: 20 }, shoulderR: { x: -40, y: 20 },
    },
    arms: [{ side: 'left', seg: up, ra: upper[0], rb: upper[1] }, { side: 'left', seg: low, ra: lower[0], rb: lower[1] }],
    torsoInner: new Uint8Array(W * H),
  } as unknown as BodyOutline;
}
