// Back-to-front compositing of a render: background, agnostic person, collar back, garment with contact shadow, front layer.
import { PARSE_LABELS, type Mask, type ModelAnalysis, type ModelLayers, type Point, type RgbaImage } from '../types.js';
import { maskExtent } from '../image.js';
import { keepOldTopUnder } from './layer-old.js';
import { MAX_RISE, midriffGap, raiseLowerClothing, smoothColumns } from './raise-lower.js';
import { HAND_NEAR_WRIST, nearAny, sureWrists } from '../person/skeleton.js';

export interface ComposeInput {
  model: ModelAnalysis;
  layers: ModelLayers;
  /** The shaded garment, straight alpha, model size (for its contact shadow). */
  garment: RgbaImage;
  /** The same split: body panel (behind arms in front of the torso) and sleeves (in front of those arms). */
  panel: RgbaImage;
  sleeves: RgbaImage | null;
  /** The back of the collar (model size) or null. */
  collar: RgbaImage | null;
  /** Replaces the photo's background: a plain colour, or an image (resized to the model's size). */
  background?: [number, number, number] | RgbaImage;
  /** Lower clothing goes in front of the garment (a top tucked in). */
  tuck: boolean;
  /**
   * Image rows of the armpits of a sleeved garment: arm pixels above them are inside the sleeve's cap
   * (the armhole runs up the arm's inner edge), so the garment hides them.
   */
  armpits?: { left: number | null; right: number | null };
  /**
   * Image rows of the armpits of a sleeveless garment: arm pixels the agnostic person drew under the
   * old top above them are behind the garment (its armhole is cut around them); below, the arm hangs
   * in front of it. The photo's bare arm stays in front everywhere, as it was photographed.
   */
  armholes?: { left: number | null; right: number | null };
  /** A lower garment: the upper clothing stays (no agnostic person), old clothing masks do not apply. */
  keepUpper?: boolean;
  /** Contact shadow strength, 0..1 (faint by default). */
  shadow?: number;
  /** A top: carry the lower clothing up to a hem that ends above the old top's (see raiseLowerClothing). */
  raiseLower?: boolean;
  /** Keep the photo's top where a large area of skin would have to be invented (see keepOldTopUnder). */
  layerOverOld?: boolean;
  /** 1 where an arm is inside its sleeve (armsInSleeves): the garment hides its skin there. */
  inSleeves?: Uint8Array | null;
  /** The front neckline's targets (right corner, front, left corner), model pixels: see neckInFront. */
  neckline?: [Point, Point, Point];
}

const L = PARSE_LABELS;

export function composeRender(input: ComposeInput): RgbaImage & { raised: Mask | null; kept: Mask | null } {
  const { model, layers, garment } = input;
  const W = model.width, H = model.height;
  const n = W * H;
  // A lower garment keeps the top the person wears: start from the photo, not the agnostic person.
  const out = new Uint8Array(input.keepUpper ? model.image.data : layers.agnostic.data);
  if (input.background) replaceBackground(out, input, W, H);
  // The person as the photo shows them: where nothing is drawn over it, its arms, hair and face are
  // already there with their own edges.
  const base = new Uint8Array(out);
  // A cropped top over a longer one: carrying the lower clothing up covers only a high waist's
  // height, and the midriff above it would be invented (or the trousers drawn up to the ribs as a
  // flat block); layered over the photo's top it is the photo's own pixels.
  const layerMidriff = !!input.layerOverOld && !input.tuck && !input.keepUpper && midriffGap(model, layers, input.panel) > MAX_RISE;
  const raised = input.raiseLower && !input.keepUpper && !layerMidriff ? raiseLowerClothing(out, model, layers, input.panel) : null;
  // Tucked in, the lower clothing goes back over the garment as raised (its waistband carried up), not as photographed.
  const lowered = raised && input.tuck ? new Uint8Array(out) : null;
  const kept = input.layerOverOld && !input.keepUpper ? keepOldTopUnder(out, model, layers, garment, raised, { midriff: layerMidriff }) : null;
  if (input.collar) {
    // The collar's back is behind the neck, head and shoulders: warped with the front panel it lands on
    // the chest (in the photo it shows through the neck opening), so it may show only beside the person.
    const c = input.collar.data;
    const hide = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (model.mask.data[i]! >= 64) hide[i] = 1;
    over(out, c, n, hide);
  }
  contactShadow(out, garment, model.mask, model.measurements.shoulder_width, input.shadow ?? 0.28);
  over(out, input.panel.data, n, null);
  if (input.neckline) neckInFront(out, model, layers, input.panel, input.neckline);
  const tucked = input.tuck ? tuckedLowerClothing(model, layers, lowered, raised) : null;
  if (tucked) over(out, tucked, n, null);
  const front = frontWithoutOldClothing(layers);
  if (input.armpits) hideArmsInCaps(front, model, garment, input.armpits);
  // Under a sleeveless garment only the drawn arms (old clothing) are cut at its armpits.
  const drawnOnly = !input.armpits && input.armholes ? layers.old_clothing.data : null;
  const arms = armsLayer(model, layers, input.armpits ?? input.armholes ?? { left: null, right: null }, drawnOnly);
  // The old top kept under the garment keeps its sleeves on: an arm drawn where the sleeve was is
  // under it, not a strip of skin down its middle.
  if (kept) for (let i = 0; i < n; i++) if (kept.data[i]! >= 128) arms[i * 4 + 3] = 0;
  if (input.inSleeves) hideArmsInSleeves(front, arms, model, garment, input.inSleeves);
  // Front and arm layers go only over what the render changed: over the untouched person their soft
  // edges (decontaminated to skin colour) would lay a pale second outline beside the photo's own.
  const untouched = unchanged(out, base, n);
  over(out, front, n, untouched);
  // The body panel is at the torso's depth: every arm pixel is in front of it, not only those the
  // front layer holds (arms over the torso), except inside a sleeve's cap.
  over(out, arms, n, untouched);
  if (input.sleeves) {
    // A sleeve is on its arm, so in front of it; hair over the shoulders stays in front of the sleeve.
    over(out, input.sleeves.data, n, null);
    if (input.inSleeves) {
      const rows = [input.armpits?.left, input.armpits?.right].filter((v): v is number => typeof v === 'number');
      coverArmsInSleeves(out, model, layers, garment, input.inSleeves, rows.length ? Math.max(...rows) : null);
    }
    // The parsing's torso labels inside the tucked lower clothing took the front layer's and the
    // sleeves' cover colours over it: it goes back in front, behind the sleeves themselves.
    if (tucked) {
      const s = input.sleeves.data;
      for (let o = 3; o < tucked.length; o += 4) tucked[o] = Math.round((tucked[o]! * (255 - s[o]!)) / 255);
      over(out, tucked, n, null);
    }
    const hair = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      if (model.parsing.data[i] !== L.hair) continue;
      const o = i * 4;
      hair[o] = front[o]!;
      hair[o + 1] = front[o + 1]!;
      hair[o + 2] = front[o + 2]!;
      hair[o + 3] = front[o + 3]!;
    }
    over(out, hair, n, null);
  }
  return { width: W, height: H, data: out, raised, kept };
}

/**
 * Above the front neckline the panel holds what the product photo showed through the neck opening:
 * the inside of the back, its label, the back neckline's edge. Worn, that is behind the neck and
 * chest; where it lands on them the person goes back in front (a pixel's feather at the line). Beside
 * the neck, outside the body, the back of the collar stays.
 */
function neckInFront(out: Uint8Array, model: ModelAnalysis, layers: ModelLayers, panel: RgbaImage, [r, f, l]: [Point, Point, Point]): void {
  const W = model.width, H = model.height, lab = model.parsing.data, ag = layers.agnostic.data, pa = panel.data, body = layers.body.data;
  const x0 = Math.max(0, Math.ceil(Math.min(r.x, l.x))), x1 = Math.min(W - 1, Math.floor(Math.max(r.x, l.x)));
  const y0 = Math.max(0, Math.floor(Math.min(r.y, l.y, f.y) - 0.5 * Math.abs(l.x - r.x)));
  const lineAt = (x: number) => {
    const [a, b] = (x - f.x) * (r.x - f.x) > 0 ? [f, r] : [f, l];
    const t = Math.abs(b.x - a.x) < 1e-6 ? 0 : (x - a.x) / (b.x - a.x);
    return a.y + (b.y - a.y) * Math.min(1, Math.max(0, t));
  };
  for (let x = x0; x <= x1; x++) {
    const yl = lineAt(x);
    for (let y = y0; y < Math.min(H, yl); y++) {
      const i = y * W + x;
      if (pa[i * 4 + 3]! === 0 || (lab[i] !== L.neck && body[i]! < 128)) continue;
      // Full in front from two pixels above the line, blended over the last two.
      const w = Math.min(1, Math.max(0, (yl - y) / 2));
      const o = i * 4;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(out[o + c]! * (1 - w) + ag[o + c]! * w);
    }
  }
}

/** 1 where `out` still holds `base`'s colour. */
function unchanged(out: Uint8Array, base: Uint8Array, n: number): Uint8Array {
  const same = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (out[o] === base[o] && out[o + 1] === base[o + 1] && out[o + 2] === base[o + 2]) same[i] = 1;
  }
  return same;
}

/** Half the run of columns over which the tucked lower clothing's top edge is median-smoothed, in shoulder widths. */
const TUCK_EDGE_RUN = 0.03;
/** Rows of lower clothing (of TUCK_EDGE_ROWS) below a column's top edge for it to count as the edge, not a stray label. */
const TUCK_EDGE_ROWS = 4;

/**
 * The lower clothing that goes back over a tucked-in garment. Its top edge is, in each column, the
 * first row of lower clothing the old top does not claim (the parsing's trousers can reach up into a
 * long top's hem), followed by TUCK_EDGE_ROWS - 1 more of it in at least TUCK_EDGE_ROWS - 2: the
 * parsing's boundary there is ragged, so the edge is median-smoothed across TUCK_EDGE_RUN. Below it,
 * the lower clothing and the parsing's holes in it (torso labels between lower-clothing pixels of the
 * same row) take the photo's colours, or the raised clothing's where it was carried up: the agnostic
 * person has skin painted where the old top's outline reached over the waistband.
 */
function tuckedLowerClothing(model: ModelAnalysis, layers: ModelLayers, lowered: Uint8Array | null, raised: Mask | null): Uint8Array {
  const W = model.width, H = model.height, lab = model.parsing.data, old = layers.old_clothing.data;
  const f = new Uint8Array(W * H * 4);
  const free = (i: number) => lab[i] === L.lower_clothing && old[i]! < 128;
  const edge = new Int32Array(W).fill(-1);
  for (let x = 0; x < W; x++) {
    for (let y = 0; y + TUCK_EDGE_ROWS <= H; y++) {
      if (!free(y * W + x)) continue;
      let k = 0;
      for (let d = 1; d < TUCK_EDGE_ROWS; d++) if (free((y + d) * W + x)) k++;
      if (k >= TUCK_EDGE_ROWS - 2) {
        edge[x] = y;
        break;
      }
    }
  }
  const r = Math.max(2, Math.round(TUCK_EDGE_RUN * model.measurements.shoulder_width));
  smoothColumns(edge, r);
  const reach = 2 * r;
  const holeOk = (l: number) => l === L.torso_clothing || l === L.torso_skin || l === L.lower_clothing;
  for (let x = 0; x < W; x++) {
    if (edge[x]! < 0) continue;
    for (let y = edge[x]!; y < H; y++) {
      const i = y * W + x;
      if (model.mask.data[i]! < 128) continue;
      if (lab[i] !== L.lower_clothing) {
        // A hole in the parsing's lower clothing: lower clothing on both sides of it in this row, near.
        if (!holeOk(lab[i]!)) continue;
        let left = false, right = false;
        for (let d = 1; d <= reach && !(left && right); d++) {
          if (!left && x - d >= 0 && lab[i - d] === L.lower_clothing) left = true;
          if (!right && x + d < W && lab[i + d] === L.lower_clothing) right = true;
        }
        if (!left || !right) continue;
      }
      const o = i * 4;
      const from = lowered && raised!.data[i] ? lowered : model.image.data;
      f[o] = from[o]!;
      f[o + 1] = from[o + 1]!;
      f[o + 2] = from[o + 2]!;
      f[o + 3] = 255;
    }
  }
  return f;
}

/** Straight-alpha "over" onto an opaque image; `skip` marks pixels left untouched. */
function over(dst: Uint8Array, src: Uint8Array, n: number, skip: Uint8Array | null): void {
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const a = src[o + 3]!;
    if (a === 0 || (skip && skip[i])) continue;
    if (a === 255) {
      dst[o] = src[o]!;
      dst[o + 1] = src[o + 1]!;
      dst[o + 2] = src[o + 2]!;
      continue;
    }
    const f = a / 255, k = 1 - f;
    dst[o] = src[o]! * f + dst[o]! * k + 0.5;
    dst[o + 1] = src[o + 1]! * f + dst[o + 1]! * k + 0.5;
    dst[o + 2] = src[o + 2]! * f + dst[o + 2]! * k + 0.5;
  }
}

function replaceBackground(out: Uint8Array, input: ComposeInput, W: number, H: number): void {
  const { model, layers } = input;
  const bg = input.background!;
  const img = Array.isArray(bg) ? null : bg;
  const filled: Mask = layers.filled_background;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      // Where the old garment stood out from the body, the person now ends at the body.
      const a = filled.data[i]! >= 128 ? 0 : model.mask.data[i]! / 255;
      if (a >= 1) continue;
      const o = i * 4;
      let r: number, g: number, b: number;
      if (img) {
        const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / W));
        const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / H));
        const p = (sy * img.width + sx) * 4;
        r = img.data[p]!;
        g = img.data[p + 1]!;
        b = img.data[p + 2]!;
      } else {
        [r, g, b] = bg as [number, number, number];
      }
      out[o] = out[o]! * a + r * (1 - a) + 0.5;
      out[o + 1] = out[o + 1]! * a + g * (1 - a) + 0.5;
      out[o + 2] = out[o + 2]! * a + b * (1 - a) + 0.5;
    }
  }
}

/** The contact shadow's weight on the backdrop, applied to the square of its coverage. */
const BACKDROP_SHADOW = 1.2;

/**
 * A faint shadow the garment casts where it ends on the body (hem, cuffs, neckline): its alpha, blurred
 * and shifted down as if lit from above, darkens what is under the garment's edges (`person`: the
 * person's mask; off it only a thin line at the edge). Computed at 1/4 size.
 */
function contactShadow(out: Uint8Array, garment: RgbaImage, person: Mask, S: number, strength: number): void {
  if (strength <= 0) return;
  const W = garment.width, H = garment.height;
  const f = 4;
  const w = Math.ceil(W / f), h = Math.ceil(H / f);
  const a = new Float32Array(w * h);
  const gd = garment.data;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) a[((y / f) | 0) * w + ((x / f) | 0)] += gd[(y * W + x) * 4 + 3]! / (255 * f * f);
  const r = Math.max(1, Math.round((0.025 * S) / f));
  const blurred = boxBlur(boxBlur(a, w, h, r), w, h, r);
  const shift = (0.012 * S) / f;
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + 0.5) / f - 0.5 - shift));
    const y0 = Math.floor(sy), y1 = Math.min(h - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const ga = gd[i * 4 + 3]!;
      if (ga === 255) continue;
      const sx = Math.min(w - 1, Math.max(0, (x + 0.5) / f - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(w - 1, x0 + 1), fx = sx - x0;
      const s = (blurred[y0 * w + x0]! * (1 - fx) + blurred[y0 * w + x1]! * fx) * (1 - fy) + (blurred[y1 * w + x0]! * (1 - fx) + blurred[y1 * w + x1]! * fx) * fy;
      if (s < 0.01) continue;
      // Off the person the backdrop is far behind: only a thin line at the garment's edge (the square
      // falls off fast), which outlines a white garment on a light backdrop without a grey halo.
      const k = 1 - strength * (person.data[i]! >= 128 ? s : BACKDROP_SHADOW * s * s);
      const o = i * 4;
      out[o] = out[o]! * k;
      out[o + 1] = out[o + 1]! * k;
      out[o + 2] = out[o + 2]! * k;
    }
  }
}

/** Separable box blur of radius r, edges clamped. */
function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += src[y * w + Math.min(w - 1, Math.max(0, k))]!;
    for (let x = 0; x < w; x++) {
      tmp[y * w + x] = s * norm;
      s += src[y * w + Math.min(w - 1, x + r + 1)]! - src[y * w + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += tmp[Math.min(h - 1, Math.max(0, k)) * w + x]!;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = s * norm;
      s += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
  return out;
}

/**
 * The front layer minus any pixel of the old clothing: arms and hair in front of the torso are never
 * old clothing, and an old garment's edge taken for an arm would show on top of the new one.
 */
export function frontWithoutOldClothing(layers: ModelLayers): Uint8Array {
  const f = new Uint8Array(layers.front.data);
  // Layers with a prepared arms layer left old clothing out before softening the edges: a hard cut
  // here would bring the label's staircase back.
  if (layers.arms) return f;
  const old = layers.old_clothing.data;
  for (let i = 0; i < old.length; i++) if (old[i]! >= 128) f[i * 4 + 3] = 0;
  return f;
}

function hideArmsInCaps(front: Uint8Array, model: ModelAnalysis, garment: RgbaImage, armpits: { left: number | null; right: number | null }): void {
  const W = model.width;
  const lab = model.parsing.data;
  for (const [label, row] of [[L.left_arm, armpits.left], [L.right_arm, armpits.right]] as const) {
    if (row === null) continue;
    const y1 = Math.min(model.height, Math.round(row));
    for (let y = 0; y < y1; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (lab[i] !== label) continue;
        const o = i * 4;
        front[o + 3] = Math.round((front[o + 3]! * (255 - garment.data[o + 3]!)) / 255);
      }
    }
  }
}

/**
 * An arm inside its sleeve is behind the garment wherever the garment is drawn: the body panel shows
 * where the tube fell short of the parsed arm, not a strip of skin. Hair and face in front stay.
 */
function hideArmsInSleeves(front: Uint8Array, arms: Uint8Array, model: ModelAnalysis, garment: RgbaImage, inSleeves: Uint8Array): void {
  const lab = model.parsing.data, g = garment.data;
  for (let i = 0; i < inSleeves.length; i++) {
    if (!inSleeves[i]) continue;
    const o = i * 4 + 3;
    const ga = g[o]!;
    if (ga === 0) continue;
    arms[o] = Math.round((arms[o]! * (255 - ga)) / 255);
    if (lab[i] === L.left_arm || lab[i] === L.right_arm) front[o] = Math.round((front[o]! * (255 - ga)) / 255);
  }
}

/**
 * The arm that a sleeve's tube fell just short of (its edge a few pixels inside the parsed arm, or off
 * its centre), and the body's side between sleeve and panel: body pixels of arm or torso inside
 * the sleeve's reach that the garment does not fully cover (near the cuff, only with garment on both
 * sides of them: betweenGarment) take the colour of the nearest garment pixel as drawn (shaded), up to
 * REACH_OVER_ARM shoulder widths from it, feathered by a pixel. So does a narrow gap in the
 * garment off the body just under the armpits (the thin space the body outline leaves between arm
 * and torso, filled as backdrop, showed as a white slit under the arm).
 */
function coverArmsInSleeves(out: Uint8Array, model: ModelAnalysis, layers: ModelLayers, garment: RgbaImage, inSleeves: Uint8Array, armpitsBelow: number | null): void {
  const W = model.width, H = model.height, n = W * H, lab = model.parsing.data, g = garment.data;
  const body = layers.body.data, bg = layers.filled_background.data;
  const S = model.measurements.shoulder_width;
  // How far the garment's colour is carried, in pixels (chessboard steps).
  const steps = Math.max(1, Math.round(REACH_OVER_ARM * S));
  // Everything happens within a pixel of the sleeves' reach.
  const e = maskExtent(inSleeves, W, H);
  if (!e) return;
  const x0 = Math.max(0, e.x0 - 1), x1 = Math.min(W - 1, e.x1 + 1), y0 = Math.max(0, e.y0 - 1), y1 = Math.min(H - 1, e.y1 + 1);
  const want = new Uint8Array(n);
  const src = new Uint8Array(n);
  // Gaps are closed just under the armpits, where the fabric bunches; lower down they are the space between arm and body.
  const gapEnd = armpitsBelow === null ? -1 : armpitsBelow + GAP_DEPTH * S;
  let any = false;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * W + x;
      if (g[i * 4 + 3]! >= 250) {
        src[i] = 1;
        continue;
      }
      if (!inSleeves[i]) continue;
      const l = lab[i];
      const arm = l === L.left_arm || l === L.right_arm || l === L.torso_clothing || l === L.torso_skin;
      // The body; off it (backdrop, or old clothing standing off it, a wide sleeve's hem, filled as
      // background) only a narrow gap in the garment (GAP), kept by betweenGarment below.
      if (model.mask.data[i]! >= 128 && body[i]! >= 128 && bg[i]! < 128 && arm) want[i] = 1;
      else if (y <= gapEnd) want[i] = GAP;
      else continue;
      any = true;
    }
  }
  if (!any) return;
  betweenGarment(want, src, inSleeves, W, x0, x1, y0, y1, steps, Math.max(1, Math.round(GAP_CLOSE * S)));
  // Breadth-first from the garment's edge, as far as the reach: each pixel takes its parent's colour,
  // so the nearest garment pixel's.
  const col = new Uint8Array(n * 3);
  const reached = new Uint8Array(n);
  let front: number[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * W + x;
      if (!src[i]) continue;
      if (!((x > 0 && want[i - 1]) || (x < W - 1 && want[i + 1]) || (i >= W && want[i - W]) || (i + W < n && want[i + W]))) continue;
      // The garment's colour a few pixels in from its edge (the rim may still hold the photo's backdrop).
      let r = 0, gg = 0, b = 0, k = 0;
      for (let dy = -SEED_R; dy <= SEED_R; dy++) {
        const yy = y + dy;
        if (yy < y0 || yy > y1) continue;
        for (let dx = -SEED_R; dx <= SEED_R; dx++) {
          const xx = x + dx;
          if (xx < x0 || xx > x1) continue;
          const j = yy * W + xx;
          if (!src[j] || !src[j - 1] || !src[j + 1] || !src[j - W] || !src[j + W] || !src[j - 2] || !src[j + 2] || !src[j - 2 * W] || !src[j + 2 * W]) continue;
          r += out[j * 4]!;
          gg += out[j * 4 + 1]!;
          b += out[j * 4 + 2]!;
          k++;
        }
      }
      const o = k ? -1 : i * 4;
      col[i * 3] = k ? Math.round(r / k) : out[o]!;
      col[i * 3 + 1] = k ? Math.round(gg / k) : out[o + 1]!;
      col[i * 3 + 2] = k ? Math.round(b / k) : out[o + 2]!;
      front.push(i);
    }
  }
  for (let step = 0; step < steps && front.length; step++) {
    const next: number[] = [];
    for (const i of front) {
      const x = i % W;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx < 0 && x === 0) || (dx > 0 && x === W - 1)) continue;
          const j = i + dy * W + dx;
          if (j < 0 || j >= n || !want[j] || reached[j]) continue;
          reached[j] = 1;
          col[j * 3] = col[i * 3]!;
          col[j * 3 + 1] = col[i * 3 + 1]!;
          col[j * 3 + 2] = col[i * 3 + 2]!;
          next.push(j);
        }
      }
    }
    front = next;
  }
  // Feather the carried part's edge against skin and background by a pixel, never against the garment:
  // its weight is the share of its 3×3 neighbourhood that is carried or garment (× 1.5, at most 1).
  const covered = (j: number) => (reached[j] || src[j] ? 1 : 0);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * W + x;
      if (!reached[i]) continue;
      let k = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) k += covered(Math.min(H - 1, Math.max(0, y + dy)) * W + Math.min(W - 1, Math.max(0, x + dx)));
      const w = Math.min(1, (k / 9) * 1.5);
      const o = i * 4;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(out[o + c]! * (1 - w) + col[i * 3 + c]! * w);
    }
  }
}

/**
 * Near the cuff (inSleeves 2), keeps only the wanted pixels with garment on both sides, left and right
 * or above and below, within `reach` pixels: a strip between panel and sleeve is; the arm just below
 * a hem drawn short of the cuff line (garment on one side only) is not, or it is painted as a band.
 * Pixels off the body (marked GAP) are kept only with garment on both sides within `gap` pixels: a
 * hole by the armpit, not the real space between arm and body.
 */
function betweenGarment(want: Uint8Array, src: Uint8Array, inSleeves: Uint8Array, W: number, x0: number, x1: number, y0: number, y1: number, reach: number, gap: number): void {
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const FAR = 1 << 30;
  // 1: garment on both sides within `reach`; 2: within `gap` (for a gap's pixels).
  const keep = new Uint8Array(bw * bh);
  // Along each row, then each column: steps from the nearest garment pixel before (a) and after (d) it.
  const a = new Int32Array(Math.max(bw, bh));
  const mark = (j: number, da: number, db: number) => {
    if (da <= gap && db <= gap) keep[j] = 2;
    else if (da <= reach && db <= reach && keep[j] === 0) keep[j] = 1;
  };
  for (let y = 0; y < bh; y++) {
    const row = (y0 + y) * W + x0;
    let d = FAR;
    for (let x = 0; x < bw; x++) a[x] = d = src[row + x] ? 0 : d + 1;
    d = FAR;
    for (let x = bw - 1; x >= 0; x--) {
      d = src[row + x] ? 0 : d + 1;
      mark(y * bw + x, a[x]!, d);
    }
  }
  for (let x = 0; x < bw; x++) {
    let d = FAR;
    for (let y = 0; y < bh; y++) a[y] = d = src[(y0 + y) * W + x0 + x] ? 0 : d + 1;
    d = FAR;
    for (let y = bh - 1; y >= 0; y--) {
      d = src[(y0 + y) * W + x0 + x] ? 0 : d + 1;
      mark(y * bw + x, a[y]!, d);
    }
  }
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const i = (y0 + y) * W + x0 + x;
      const k = keep[y * bw + x]!;
      if (want[i] === GAP) want[i] = k === 2 ? 1 : 0;
      else if (!k && inSleeves[i] === 2) want[i] = 0;
    }
  }
}

/** Half-size of the window a carried colour is averaged over, from garment pixels two or more inside its edge. */
const SEED_R = 4;
/** Furthest the garment's colour is carried over an arm inside its sleeve, in shoulder widths. */
const REACH_OVER_ARM = 0.08;
/** A gap in the garment off the body just under the armpits is closed up to twice this wide, in shoulder widths. */
const GAP_CLOSE = 0.04;
/** How far below the armpits gaps are closed, in shoulder widths. */
const GAP_DEPTH = 0.3;
/** Mark of a wanted pixel off the body, kept only inside a narrow gap. */
const GAP = 3;

/** Arm and hand pixels of the agnostic person (not old clothing), below the armpits, edge alpha from the person mask. */
function armsLayer(model: ModelAnalysis, layers: ModelLayers, armpits: { left: number | null; right: number | null }, only: Uint8Array | null): Uint8Array {
  if (layers.arms) return preparedArmsBelowArmpits(model, layers.arms, armpits, only);
  if (only) armpits = { left: null, right: null };
  const W = model.width, H = model.height;
  const out = new Uint8Array(W * H * 4);
  const lab = model.parsing.data;
  const ag = layers.agnostic.data;
  const wrists = sureWrists(model.pose), reach = HAND_NEAR_WRIST * model.measurements.shoulder_width;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const l = lab[i];
      if (l !== L.left_arm && l !== L.right_arm && l !== L.hands) continue;
      if (layers.old_clothing.data[i]! >= 128) continue;
      const row = l === L.left_arm ? armpits.left : l === L.right_arm ? armpits.right : null;
      if (row !== null && y < row) continue;
      // Hands only near a wrist: elsewhere the label is a parsing slip (knees, folds).
      if (l === L.hands && !nearAny(wrists, x, y, reach)) continue;
      const o = i * 4;
      out[o] = ag[o]!;
      out[o + 1] = ag[o + 1]!;
      out[o + 2] = ag[o + 2]!;
      out[o + 3] = model.mask.data[i]!;
    }
  }
  // Labels come from a coarse part grid: soften their staircase where the arm crosses the garment.
  const a = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) a[i] = out[i * 4 + 3]!;
  const b = boxBlur(a, W, H, 1);
  for (let i = 0; i < W * H; i++) {
    const o = i * 4;
    // Only feather outwards onto pixels that have colour (inside the arm's run); never grow past it.
    out[o + 3] = Math.min(out[o + 3]!, b[i]! * 1.5 > 255 ? 255 : b[i]! * 1.5);
  }
  return out;
}

/** Half the rows over which the arms layer fades out at an armpit's row, for shoulder width S. */
export const armCutFade = (S: number): number => Math.max(1, S / 60);

/**
 * The prepared soft arms layer cut at the armpits (`only`: just the pixels it marks, >= 128). The cut
 * fades over a few rows: it crosses the arm under the sleeve's cap, and a hard row there shows as a
 * step where the cap ends.
 */
function preparedArmsBelowArmpits(model: ModelAnalysis, arms: RgbaImage, armpits: { left: number | null; right: number | null }, only: Uint8Array | null): Uint8Array {
  const W = model.width, H = model.height;
  const out = new Uint8Array(arms.data);
  const lab = model.parsing.data;
  const f = armCutFade(model.measurements.shoulder_width);
  const cx = (model.measurements.shoulder_left.x + model.measurements.shoulder_right.x) / 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const o = i * 4;
      if (out[o + 3] === 0 || (only && only[i]! < 128)) continue;
      // Soft edges reach past the arm's label: the side is the label's, else the half of the image.
      const l = lab[i];
      const left = l === L.left_arm ? true : l === L.right_arm ? false : x > cx;
      const row = l === L.hands ? null : left ? armpits.left : armpits.right;
      if (row === null) continue;
      const k = (y - row + f) / (2 * f);
      if (k >= 1) continue;
      out[o + 3] = k <= 0 ? 0 : Math.round(out[o + 3]! * k);
    }
  }
  return out;
}

