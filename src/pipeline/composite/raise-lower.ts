// A top shorter than the one in the photo: the lower clothing is carried up to its hem (worn high), not skin.
import { boxBlur } from './guided-filter.js';
import { segmentDistance, type Segment } from '../person/skeleton.js';
import { PARSE_LABELS, type Mask, type ModelAnalysis, type ModelLayers, type RgbaImage } from '../types.js';

const L = PARSE_LABELS;
/** Highest the lower clothing is carried above its waistband, in torso lengths (a high waist, not a bodice). */
export const MAX_RISE = 0.22;
/** Rows at the top of the lower clothing (torso lengths) left out of what is stretched up: the old hem's fringe. */
const SOURCE_FRINGE = 0.01;
/** How far down the lower clothing's upper part is stretched up to the new hem, in multiples of the rise. */
const STRETCH_REACH = 2;
/** …and at least this far, in torso lengths: a low rise carries the whole waistband up, not a slice of it. */
const STRETCH_MIN = 0.15;
/** Distance from the elbow–wrist line within which synthesised skin is a forearm's, in shoulder widths. */
const FOREARM_REACH = 0.1;

/**
 * Where the new top ends above the old one, the photo has no truth for the strip between the new hem
 * and the lower clothing: a synthesised midriff there reads as a flat skin-coloured block (the most
 * common defect merchants named). Studio photos of a top with trousers or a skirt show the lower
 * garment's waistband at the top's hem; so the lower clothing is raised into that strip: each column's
 * upper part (waistband, pockets, fly) is stretched up to the new hem, inside the body outline only.
 * Columns without that fabric all the way down (beside a hand, past a short hem) get the fabric's own
 * colour under the waistband and a fine grain taken from it. Writes into `out` (the agnostic person,
 * before the garment goes on) and returns the pixels it painted (255), or null when nothing was raised.
 */
export function raiseLowerClothing(out: Uint8Array, model: ModelAnalysis, layers: ModelLayers, panel: RgbaImage): Mask | null {
  const W = model.width, H = model.height;
  const lab = model.parsing.data, old = layers.old_clothing.data, body = layers.body.data, src = model.image.data;
  const pa = panel.data;
  const T = model.measurements.torso_length;
  const k = model.pose.keypoints;
  const hipY = (k.left_hip.y + k.right_hip.y) / 2;
  const yMin = Math.max(0, Math.floor(hipY - 0.7 * T)), yMax = Math.min(H - 1, Math.ceil(hipY + 0.45 * T));
  // Lower clothing the old top does not claim (the parsing's trousers can reach up into a long top's hem).
  const lower = (i: number) => lab[i] === L.lower_clothing && old[i]! < 128;
  // The lower clothing's top edge per column.
  const run = Math.max(6, Math.round(0.08 * T));
  const top = new Int32Array(W);
  for (let x = 0; x < W; x++) top[x] = waistbandRow(model, layers.old_clothing.data, x, yMin, yMax, run);
  smoothColumns(top, Math.max(2, Math.round(0.02 * T)));
  const band = Math.max(3, Math.round(0.04 * T));
  const depthMax = 3 * band;
  const overlap = Math.max(2, Math.round(0.012 * T));
  const maxRise = Math.round(MAX_RISE * T);
  const fringe = Math.max(2, Math.round(SOURCE_FRINGE * T));

  // The fabric: its typical colour (median over the band under every column's waistband), so stray
  // rows of another colour (a fringe of the old top, a hand) are left out of each column's colour.
  const all: number[][] = [[], [], []];
  for (let x = 0; x < W; x++) {
    const y0 = top[x]!;
    if (y0 < 0) continue;
    for (let d = 0; d < depthMax && y0 + band + d < H; d += 2) {
      const i = (y0 + band + d) * W + x;
      if (!lower(i)) break;
      for (let c = 0; c < 3; c++) all[c]!.push(src[i * 4 + c]!);
    }
  }
  if (all[0]!.length < 50) return null;
  const typical = all.map((v) => v.sort((a, b) => a - b)[v.length >> 1]!);
  const near = (s: number) => Math.abs(src[s]! - typical[0]!) + Math.abs(src[s + 1]! - typical[1]!) + Math.abs(src[s + 2]! - typical[2]!) < 60;

  // Per column: the fabric's median colour under the waistband, from the rows of the typical fabric.
  const med = new Float32Array(W * 3).fill(NaN);
  const vals: number[][] = [[], [], []];
  for (let x = 0; x < W; x++) {
    const y0 = top[x]!;
    if (y0 < 0) continue;
    for (const v of vals) v.length = 0;
    for (let d = 0; d < depthMax && y0 + band + d < H; d++) {
      const i = (y0 + band + d) * W + x;
      if (!lower(i)) break;
      if (!near(i * 4)) continue;
      for (let c = 0; c < 3; c++) vals[c]!.push(src[i * 4 + c]!);
    }
    if (vals[0]!.length < 3) continue;
    for (let c = 0; c < 3; c++) {
      const v = vals[c]!.sort((a, b) => a - b);
      med[x * 3 + c] = v[v.length >> 1]!;
    }
  }
  // Columns beside the trousers' top (the waist is often wider than where the parsing starts the
  // trousers) and columns without clean fabric take their nearest neighbour's edge and colour.
  const srcCol = new Int32Array(W).fill(-1);
  for (let x = 0; x < W; x++) if (top[x]! >= 0 && med[x * 3] === med[x * 3]) srcCol[x] = x;
  const reach = Math.round(0.12 * T);
  const own = Int32Array.from(srcCol);
  for (let x = 0; x < W; x++) {
    if (own[x]! >= 0) continue;
    for (let d = 1; d <= reach; d++) {
      const l = x - d >= 0 ? own[x - d]! : -1, r = x + d < W ? own[x + d]! : -1;
      if (l >= 0 || r >= 0) { srcCol[x] = l >= 0 ? l : r; break; }
    }
  }
  smoothColours(med, srcCol, W, Math.max(2, Math.round(0.015 * T)));
  // Fine grain only: the fabric's difference from its own vertical average, clipped, so folds and
  // whiskers of the trousers are not mirrored into the strip. Computed on the rows the fabric comes from.
  const gy0 = yMin, gy1 = Math.min(H, yMax + band + depthMax + 3), gh = Math.max(1, gy1 - gy0);
  const lum = new Float32Array(W * gh);
  for (let j = 0; j < W * gh; j++) {
    const s = (gy0 * W + j) * 4;
    lum[j] = 0.299 * src[s]! + 0.587 * src[s + 1]! + 0.114 * src[s + 2]!;
  }
  const smooth = boxBlur(lum, W, gh, 2);
  const grainAt = (s: number) => { const j = s - gy0 * W; return j >= 0 && j < W * gh ? lum[j]! - smooth[j]! : 0; };
  const grain = 8;

  const filled = layers.filled_skin.data;
  const armR = FOREARM_REACH * model.measurements.shoulder_width;
  const forearms: Segment[] = (['left', 'right'] as const).flatMap((side) => {
    const e = k[`${side}_elbow`], w = k[`${side}_wrist`];
    return e.score >= 0.2 && w.score >= 0.2 ? [{ a: e, b: w, r: armR }] : [];
  });
  const onForearm = (x: number, y: number) => forearms.some((s) => segmentDistance(s, x, y) <= s.r);
  const mask = new Uint8Array(W * H);
  let painted = 0;
  for (let x = 0; x < W; x++) {
    const sx = srcCol[x]!;
    if (sx < 0) continue;
    const y0 = top[sx]!;
    // The new hem: the lowest garment row above the lower clothing's top in this column (or the source column's).
    let hem = -1;
    for (const cx of x === sx ? [x] : [x, sx]) {
      for (let y = y0 - 1; y >= yMin; y--) if (pa[(y * W + cx) * 4 + 3]! >= 128) { hem = y; break; }
      if (hem >= 0) break;
    }
    if (hem < 0) continue;
    const gap = y0 - hem - 1;
    if (gap < 2) continue;
    // Trousers worn high, not a bodice: under a cropped top the midriff stays skin above this height.
    const from = Math.max(hem + 1, y0 - maxRise);
    // Only where the strip was the old top (not the person's own skin, as under a cropped top in the photo).
    let wasOld = 0, inBody = 0;
    for (let y = from; y < y0; y++) {
      const i = y * W + x;
      if (old[i]! >= 128) wasOld++;
      if (body[i]! >= 128 || old[i]! >= 128) inBody++;
    }
    if (inBody === 0 || wasOld < 0.5 * inBody) continue;
    // Grain rows: lower clothing under the source column's waistband.
    let depth = 0;
    while (depth < depthMax && y0 + band + depth < H && lower((y0 + band + depth) * W + sx)) depth++;
    // The garment's own top (waistband, pockets, fly) is carried up with the stretch of its upper part:
    // rows y0 … y0 + reachDown of the photo fill from … y0 + reachDown, so the waistband sits under the
    // new hem, the fabric keeps its weave and shading, and the strip meets the photo with no edge.
    const reachDown = Math.max(STRETCH_REACH * (y0 - from), Math.round(STRETCH_MIN * T));
    // Only where the column is that fabric most of the way down from its own top and from the
    // strip's (not beside a hand or past a short hem); the odd pixel of another label in it (a rivet,
    // the fly's seam) takes the plain fill. A column of another colour (the fly's seam) has no fabric
    // colour of its own but its own top.
    // The source starts a few rows into the fabric: its first rows under the old top's hem hold that
    // hem's pale fringe, which carried up to the new hem drew a light dotted line along it.
    const ys0 = top[x]! + (top[x]! >= 0 ? fringe : 0), yEnd0 = y0 + reachDown, from0 = Math.min(ys0, y0);
    const canStretch = ys0 >= 0 && ys0 < yEnd0 && yEnd0 <= H;
    let run = 0;
    if (canStretch) for (let y = from0; y < yEnd0; y++) if (lower(y * W + x)) run++;
    const stretched = canStretch && run >= 0.85 * (yEnd0 - from0);
    const yEnd = stretched ? y0 + reachDown : y0 + band;
    // The old hem's fringe lies on the first rows of the lower clothing: cover them too.
    for (let y = Math.max(0, from - (from === hem + 1 ? overlap : 0)); y < yEnd && y < H; y++) {
      const i = y * W + x;
      if (body[i]! < 128 && old[i]! < 128 && !(x === sx && lab[i] === L.lower_clothing)) continue;
      // A forearm hanging in front of the strip stays in front (its skin synthesised under a long sleeve).
      if (onForearm(x, y) && filled[i]! >= 128) continue;
      if (stretched) {
        const ys = ys0 + (Math.max(from, y) - from) * (yEnd - ys0) / (yEnd - from);
        const a = Math.min(H - 1, Math.floor(ys)), b = Math.min(H - 1, a + 1), f = ys - a;
        const sa = a * W + x, sb = b * W + x;
        if (lower(sa) && lower(sb)) {
          const o = i * 4;
          for (let c = 0; c < 3; c++) out[o + c] = Math.round(src[sa * 4 + c]! * (1 - f) + src[sb * 4 + c]! * f);
          mask[i] = 255;
          painted++;
          continue;
        }
      }
      let r = 0;
      if (depth >= 2) {
        const u = y0 + band - 1 - y, p = u % (2 * depth);
        const s = (y0 + band + (p < depth ? p : 2 * depth - 1 - p)) * W + sx;
        if (near(s * 4)) r = Math.max(-grain, Math.min(grain, grainAt(s)));
      }
      const o = i * 4;
      for (let c = 0; c < 3; c++) out[o + c] = Math.max(0, Math.min(255, med[sx * 3 + c]! + r + 0.5));
      mask[i] = 255;
      painted++;
    }
  }
  if (!painted) return null;
  softenSides(out, mask, W, H);
  return { width: W, height: H, data: mask };
}

/**
 * The lower clothing's top edge in column x between rows y0 and y1: the first row of a run of `run`
 * rows of it that the old top (`old`, when given) does not claim (shorter runs are dark patches of
 * the old top that the parsing called trousers); -1 when there is none.
 */
export function waistbandRow(model: ModelAnalysis, old: Uint8Array | null, x: number, y0: number, y1: number, run: number): number {
  const W = model.width, lab = model.parsing.data;
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    const i = y * W + x;
    if (lab[i] === L.lower_clothing && (!old || old[i]! < 128)) {
      if (++count >= run) return y - run + 1;
    } else count = 0;
  }
  return -1;
}

/**
 * Where to look for the waistband across the hips: rows from 0.7 torso lengths above the hips to 0.8
 * below, the run of lower clothing that counts, and five columns across the hips (the middle one may
 * fall between the legs).
 */
export function waistbandSearch(model: ModelAnalysis): { y0: number; y1: number; run: number; columns: number[] } {
  const T = model.measurements.torso_length, k = model.pose.keypoints;
  const hipY = (k.left_hip.y + k.right_hip.y) / 2, hipX = (k.left_hip.x + k.right_hip.x) / 2;
  const half = Math.abs(k.left_hip.x - k.right_hip.x) / 2;
  const columns = [-0.6, -0.3, 0, 0.3, 0.6].map((f) => Math.round(hipX + f * half)).filter((x) => x >= 0 && x < model.width);
  return { y0: Math.max(0, Math.floor(hipY - 0.7 * T)), y1: Math.min(model.height - 1, Math.ceil(hipY + 0.8 * T)), run: Math.max(6, Math.round(0.08 * T)), columns };
}

/**
 * How far (torso lengths) the new top's hem ends above the lower clothing, where the old top was
 * between them: the median over columns across the hips (the middle one may fall between the legs);
 * 0 when fewer than two columns show lower clothing under the hem.
 */
export function midriffGap(model: ModelAnalysis, layers: ModelLayers, panel: RgbaImage): number {
  const W = model.width;
  const T = model.measurements.torso_length;
  const { y0, y1, run, columns } = waistbandSearch(model);
  const gaps: number[] = [];
  for (const x of columns) {
    const top = waistbandRow(model, layers.old_clothing.data, x, y0, y1, run);
    if (top < 0) continue;
    let hem = -1;
    for (let y = top - 1; y >= y0 && hem < 0; y--) if (panel.data[(y * W + x) * 4 + 3]! >= 128) hem = y;
    if (hem < 0) continue;
    let old = 0;
    for (let y = hem + 1; y < top; y++) if (layers.old_clothing.data[y * W + x]! >= 128) old++;
    gaps.push(old >= 0.5 * (top - hem - 1) ? (top - hem - 1) / T : 0);
  }
  if (gaps.length < 2) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}

/** Box average of the columns' colours (each read through its source column), so neighbours do not differ in tint. */
function smoothColours(med: Float32Array, srcCol: Int32Array, W: number, r: number): void {
  const copy = Float32Array.from(med);
  for (let x = 0; x < W; x++) {
    if (srcCol[x] !== x) continue;
    for (let c = 0; c < 3; c++) {
      let sum = 0, k = 0;
      for (let j = Math.max(0, x - r); j <= Math.min(W - 1, x + r); j++) {
        const s = srcCol[j]!;
        if (s < 0) continue;
        sum += copy[s * 3 + c]!;
        k++;
      }
      med[x * 3 + c] = sum / k;
    }
  }
}

/** Median over ±r of the valid (non-negative) columns, so one noisy column does not make a step in the waistband. */
export function smoothColumns(top: Int32Array, r: number): void {
  const copy = Int32Array.from(top);
  const win: number[] = [];
  for (let x = 0; x < top.length; x++) {
    if (copy[x]! < 0) continue;
    win.length = 0;
    for (let j = Math.max(0, x - r); j <= Math.min(top.length - 1, x + r); j++) if (copy[j]! >= 0) win.push(copy[j]!);
    win.sort((a, b) => a - b);
    top[x] = win[win.length >> 1]!;
  }
}

/** The raised fabric's left and right edges are cut per column: blend each edge pixel with its outer neighbour. */
function softenSides(out: Uint8Array, mask: Uint8Array, W: number, H: number): void {
  for (let y = 0; y < H; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      if (!mask[i]) continue;
      const nb = !mask[i - 1] ? i - 1 : !mask[i + 1] ? i + 1 : -1;
      if (nb < 0) continue;
      const o = i * 4, q = nb * 4;
      for (let c = 0; c < 3; c++) out[o + c] = (out[o + c]! * 2 + out[q + c]!) / 3 + 0.5;
    }
  }
}
