// Where a render would have to invent a large area of skin, the photo's own top stays under the garment (a layered look).
import type { Mask, ModelAnalysis, ModelLayers, RgbaImage } from '../types.js';

/**
 * A strappy or low-necked top over a high-necked one in the photo, or short sleeves over long ones,
 * leaves large areas where the old top was and the new garment is not. Synthesised skin there is
 * the least convincing part of a render: merchants rated a flat skin-coloured chest "broken", and
 * the same garment simply worn over the photo's top "clearly the right garment". So each connected
 * region of uncovered old top whose synthesised skin exceeds `minShare` of the garment's area keeps
 * the photo's pixels (fabric and all); small slivers keep their fill. Writes into `out` and
 * returns the kept pixels (255), or null when none.
 */
export function keepOldTopUnder(
  out: Uint8Array,
  model: ModelAnalysis,
  layers: ModelLayers,
  garment: RgbaImage,
  raised: Mask | null,
  minShare = 0.02,
): Mask | null {
  const W = model.width, H = model.height, n = W * H;
  const old = layers.old_clothing.data, skin = layers.filled_skin.data, ga = garment.data;
  let area = 0;
  for (let i = 0; i < n; i++) if (ga[i * 4 + 3]! >= 128) area++;
  if (area === 0) return null;
  const k = model.pose.keypoints;
  const xL = Math.min(k.left_shoulder.x, k.right_shoulder.x), xR = Math.max(k.left_shoulder.x, k.right_shoulder.x);
  const yS = Math.min(k.left_shoulder.y, k.right_shoulder.y);
  const yChest = (k.left_shoulder.y + k.right_shoulder.y) / 2 + 0.35 * model.measurements.torso_length;
  // Most renders leave no large skin area: find out before labelling regions.
  let skinOpen = 0;
  for (let i = 0; i < n; i++) if (skin[i]! >= 128 && ga[i * 4 + 3]! < 128 && !(raised && raised.data[i]! >= 128)) skinOpen++;
  if (skinOpen < minShare * area) return null;
  const open = new Uint8Array(n);
  for (let i = 0; i < n; i++) open[i] = old[i]! >= 128 && ga[i * 4 + 3]! < 128 && !(raised && raised.data[i]! >= 128) ? 1 : 0;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const comp: number[] = [];
  const keep = new Uint8Array(n);
  let kept = 0;
  for (let s = 0; s < n; s++) {
    if (!open[s] || seen[s]) continue;
    comp.length = 0;
    let sp = 0, skinCount = 0;
    stack[sp++] = s;
    seen[s] = 1;
    while (sp > 0) {
      const i = stack[--sp]!;
      comp.push(i);
      if (skin[i]! >= 128) skinCount++;
      const x = i % W;
      if (x > 0 && open[i - 1] && !seen[i - 1]) { seen[i - 1] = 1; stack[sp++] = i - 1; }
      if (x < W - 1 && open[i + 1] && !seen[i + 1]) { seen[i + 1] = 1; stack[sp++] = i + 1; }
      if (i >= W && open[i - W] && !seen[i - W]) { seen[i - W] = 1; stack[sp++] = i - W; }
      if (i + W < n && open[i + W] && !seen[i + W]) { seen[i + W] = 1; stack[sp++] = i + W; }
    }
    if (skinCount < minShare * area) continue;
    // Only an arm under a shorter sleeve or a chest under a lower neckline reads as layering; old top
    // beside the garment's sides or below its hem reads as the old top showing.
    let layerable = 0;
    for (const i of comp) {
      const x = i % W, y = (i / W) | 0;
      const arm = (x < xL || x > xR) && y > yS;
      const chest = x >= xL && x <= xR && y < yChest;
      if (arm || chest) layerable++;
    }
    if (layerable < 0.7 * comp.length) continue;
    for (const i of comp) {
      keep[i] = 255;
      const o = i * 4;
      out[o] = model.image.data[o]!;
      out[o + 1] = model.image.data[o + 1]!;
      out[o + 2] = model.image.data[o + 2]!;
    }
    kept += comp.length;
  }
  return kept ? { width: W, height: H, data: keep } : null;
}
