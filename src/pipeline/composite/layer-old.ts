// Where a render would have to invent a large area of skin, the photo's own top stays under the garment (a layered look).
import { PARSE_LABELS, type Mask, type ModelAnalysis, type ModelLayers, type RgbaImage } from '../types.js';

const L = PARSE_LABELS;

/**
 * A strappy or low-necked top, or short sleeves, over a long-sleeved top in the photo leaves large
 * areas where the old top was and the new garment is not, and whole arms with no skin of their own
 * to continue: there the photo's top stays under the garment (a layered look). Each connected region
 * of uncovered old top whose synthesised skin exceeds `minShare` of the garment's area keeps the
 * photo's pixels (fabric and all); small slivers keep their fill. A person whose arms show their own
 * skin keeps nothing (see below). Writes into `out` and returns the kept pixels (255), or null when none.
 */
/** Least synthesised skin (share of the garment's area) of a region mostly on the chest that is kept. */
const CHEST_SHARE = 0.06;
/** An arm with at least this much bare skin (over its old sleeve's area) is synthesised, not layered. */
const BARE_OVER_SLEEVE = 0.5;

/** Most bare arm skin (over the old sleeves' area) of arms wholly in long sleeves. */
const LONG_SLEEVED = 0.05;
/** Least hand pixels near each wrist for an arm to be drawn from its hand, in shoulder widths squared. */
const HAND_AREA = 0.01;

/** Both hands show their skin near the wrists (the agnostic person draws arms in long sleeves from it). */
function handsShow(model: ModelAnalysis): boolean {
  const W = model.width, H = model.height, lab = model.parsing.data, k = model.pose.keypoints;
  const S = model.measurements.shoulder_width, r = 0.35 * S;
  return [k.left_wrist, k.right_wrist].every((w) => {
    if (w.score < 0.2) return false;
    let c = 0;
    for (let y = Math.max(0, Math.floor(w.y - r)); y <= Math.min(H - 1, w.y + r); y++) {
      for (let x = Math.max(0, Math.floor(w.x - r)); x <= Math.min(W - 1, w.x + r); x++) if (lab[y * W + x] === L.hands) c++;
    }
    return c >= HAND_AREA * S * S;
  });
}

export function keepOldTopUnder(
  out: Uint8Array,
  model: ModelAnalysis,
  layers: ModelLayers,
  garment: RgbaImage,
  raised: Mask | null,
  opts: { minShare?: number; midriff?: boolean } = {},
): Mask | null {
  const minShare = opts.minShare ?? 0.02;
  const W = model.width, H = model.height, n = W * H;
  const old = layers.old_clothing.data, skin = layers.filled_skin.data, ga = garment.data;
  let area = 0;
  for (let i = 0; i < n; i++) if (ga[i * 4 + 3]! >= 128) area++;
  if (area === 0) return null;
  const k = model.pose.keypoints;
  const xL = Math.min(k.left_shoulder.x, k.right_shoulder.x), xR = Math.max(k.left_shoulder.x, k.right_shoulder.x);
  const yS = Math.min(k.left_shoulder.y, k.right_shoulder.y);
  const yChest = (k.left_shoulder.y + k.right_shoulder.y) / 2 + 0.35 * model.measurements.torso_length;
  // Only an arm under a shorter sleeve, a chest under a lower neckline or (`midriff`) the body under
  // a cropped top reads as layering; old top beside the garment's sides reads as the old top showing.
  const onArm = (x: number, y: number) => (x < xL || x > xR) && y > yS;
  const onChest = (x: number, y: number) => x >= xL && x <= xR && (y < yChest || !!opts.midriff);
  // Most renders leave no large skin area: find out before labelling regions.
  let skinOpen = 0;
  for (let i = 0; i < n; i++) if (skin[i]! >= 128 && ga[i * 4 + 3]! < 128 && !(raised && raised.data[i]! >= 128)) skinOpen++;
  if (skinOpen < minShare * area) return null;
  // Arms that show their own bare skin over at least half the old sleeves' area (short sleeves) are
  // continued from that skin, never layered. Seen from the side (shoulder joints close together)
  // "beside the shoulders" is the back or the chest, not an arm.
  const lab = model.parsing.data;
  let bare = 0, sleeve = 0;
  for (let y = Math.max(0, Math.floor(yS)); y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (x >= xL && x <= xR) continue;
      const i = y * W + x;
      if (lab[i] === L.left_arm || lab[i] === L.right_arm) bare++;
      else if (old[i]! >= 128) sleeve++;
    }
  }
  const frontal = xR - xL >= 0.5 * model.measurements.torso_length;
  // Arms wholly in long sleeves are drawn from their hands' skin (see the agnostic person) where both
  // hands show. Partly bare arms (short sleeves) are continued from their own skin, or layered.
  const ownSkin = frontal && (bare >= BARE_OVER_SLEEVE * sleeve || (bare <= LONG_SLEEVED * sleeve && handsShow(model)));
  // Bare arms and a garment long enough to cover the midriff: worn alone. Its neckline and armholes
  // show synthesised skin (continued from the person's own): raters read the photo's top left under
  // a camisole or a scoop neck as the old garment showing. A cropped garment over a longer top is
  // still layered (a whole synthesised midriff reads as a painted block); so is a long-sleeved top,
  // whose arms have no skin to continue.
  if (ownSkin && !opts.midriff) return null;
  // Label the uncovered old top's regions inside its bounding box (flood fill on typed arrays), with
  // each region's size, synthesised-skin count and layerable count.
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (old[i]! < 128 || ga[i * 4 + 3]! >= 128) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, bn = bw * bh;
  const open = new Uint8Array(bn);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const i = (by + y0) * W + bx + x0;
      open[by * bw + bx] = old[i]! >= 128 && ga[i * 4 + 3]! < 128 && !(raised && raised.data[i]! >= 128) ? 1 : 0;
    }
  }
  const label = new Int32Array(bn);
  const stack = new Int32Array(bn);
  const keepLabel: number[] = [0];
  // Per region: size, synthesised skin, pixels on an arm, pixels on the chest.
  const stats: number[][] = [[0, 0, 0, 0]];
  let next = 0;
  for (let s0 = 0; s0 < bn; s0++) {
    if (!open[s0] || label[s0]) continue;
    const id = ++next;
    let sp = 0, size = 0, skinCount = 0, arm = 0, chest = 0;
    stack[sp++] = s0;
    label[s0] = id;
    while (sp > 0) {
      const b = stack[--sp]!;
      size++;
      const bx = b % bw, by = (b - bx) / bw;
      const x = bx + x0, y = by + y0;
      if (skin[y * W + x]! >= 128) skinCount++;
      if (onArm(x, y)) arm++;
      else if (onChest(x, y)) chest++;
      if (bx > 0 && open[b - 1] && !label[b - 1]) { label[b - 1] = id; stack[sp++] = b - 1; }
      if (bx < bw - 1 && open[b + 1] && !label[b + 1]) { label[b + 1] = id; stack[sp++] = b + 1; }
      if (by > 0 && open[b - bw] && !label[b - bw]) { label[b - bw] = id; stack[sp++] = b - bw; }
      if (by < bh - 1 && open[b + bw] && !label[b + bw]) { label[b + bw] = id; stack[sp++] = b + bw; }
    }
    stats.push([size, skinCount, arm, chest]);
    // A neckline's opening needs more: a V or a scoop of synthesised skin below the neck reads as
    // skin, while the photo's top showing in it reads as a second garment.
    const need = chest > arm ? CHEST_SHARE * area : minShare * area;
    keepLabel.push(skinCount >= need && arm + chest >= 0.3 * size && !(ownSkin && arm > chest) ? 1 : 0);
  }
  // Both arms alike: when one arm keeps its old sleeve, a smaller one on the other arm does too.
  const armKept = !ownSkin && stats.some((st, id) => keepLabel[id] && st[2]! > 0);
  if (armKept) {
    for (let id = 1; id < stats.length; id++) {
      const [, skinCount, arm] = stats[id]!;
      if (arm! >= 0.25 * minShare * area && skinCount! >= 0.25 * minShare * area) keepLabel[id] = 1;
    }
  }
  const keep = new Uint8Array(n);
  let kept = 0;
  for (let b = 0; b < bn; b++) {
    const id = label[b]!;
    if (!keepLabel[id]) continue;
    const bx = b % bw;
    const x = bx + x0, y = (b - bx) / bw + y0;
    // A region mostly on the arms and chest is kept whole; of a mixed one (an old sleeve joined to
    // the torso's side), only its arm and chest part: its part beside the torso keeps its fill.
    const st = stats[id]!;
    const whole = st[2]! + st[3]! >= 0.7 * st[0]!;
    if (!whole && !onArm(x, y) && !onChest(x, y)) continue;
    const i = y * W + x;
    keep[i] = 255;
    const o = i * 4;
    out[o] = model.image.data[o]!;
    out[o + 1] = model.image.data[o + 1]!;
    out[o + 2] = model.image.data[o + 2]!;
    kept++;
  }
  return kept ? { width: W, height: H, data: keep } : null;
}
