// Test helpers: a scene painted pixel by pixel, and a body outline with one arm, the left, hanging straight down x = 60 from its shoulder
// joint (y 20) past the elbow (y 100) to the wrist (y 180); the other arm and the torso are empty.
import type { BodyOutline } from '../../src/pipeline/person/layers/body-outline.js';
import type { ModelAnalysis } from '../../src/pipeline/types.js';

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

/** What a scene pixel holds: its colour, and optionally its label, whether it is the hole to fill and a skin source. */
export interface ScenePixel { c: readonly number[]; label?: number; hole?: boolean; skin?: boolean }

/** A W×H scene painted pixel by pixel (backdrop grey where `paint` returns null): the analysis fillArms reads, the hole and the skin sources. */
export function paintScene(W: number, H: number, paint: (x: number, y: number) => ScenePixel | null): { a: ModelAnalysis; hole: Uint8Array; skinSrc: Uint8Array } {
  const img = new Uint8Array(W * H * 4), lab = new Uint8Array(W * H);
  const hole = new Uint8Array(W * H), skinSrc = new Uint8Array(W * H), person = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const painted = paint(x, y);
      const p = painted ?? { c: [235, 235, 235] };
      // The person's mask: whatever is painted (the backdrop is not).
      person[i] = painted ? 255 : 0;
      img.set([Math.round(p.c[0]!), Math.round(p.c[1]!), Math.round(p.c[2]!), 255], i * 4);
      lab[i] = p.label ?? 0;
      hole[i] = p.hole ? 1 : 0;
      skinSrc[i] = p.skin ? 1 : 0;
    }
  }
  const a = { width: W, height: H, image: { width: W, height: H, data: img }, parsing: { width: W, height: H, data: lab }, mask: { width: W, height: H, data: person } } as unknown as ModelAnalysis;
  return { a, hole, skinSrc };
}
